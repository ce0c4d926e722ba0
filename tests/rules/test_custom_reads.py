"""Custom rules convert only what they read of a document (engine/rules/custom/reads.py):
the findings, rule errors and messages are the same as with every variable whole."""

import re
from dataclasses import replace
from datetime import date

import pytest
import yaml
from conftest import REPO, TODAY

from engine.parse.loader import load_bytes
from engine.rules.custom.compile import compiled, reads_of
from engine.rules.custom.definition import from_config
from engine.rules.custom.evaluate import outcomes
from engine.rules.custom.reads import WHOLE, Need, demands, project
from engine.rules.custom.runtime import cel

DAY = date.fromisoformat(TODAY)

# Expressions whose verdict needs more than the fields they name: map equality,
# size() and keys of a map, iterating a map, membership, an element passed to a
# function or shown whole, dynamic keys, names a macro shadows.
TRICKY = [
    {"assert": 'account == {"id": "acme"}'},
    {"assert": "account != renewal"},
    {"assert": "size(account) > 4 && account.size() < 9"},
    {"assert": 'account.exists(k, k == "priority")'},
    {"assert": 'account.map(k, k).filter(k, k.startsWith("s")).size() == 1'},
    {"assert": '"segment" in account && !("priority" in account)'},
    {"assert": "plan.size() == 9", "message": "{plan.size()} {ids.size()}"},
    {"assert": "[account, renewal].exists(m, m.size() > 5)"},
    {"assert": "(has(account.priority) ? account : renewal).size() > 1"},
    {"assert": '{"a": account}.a.size() == 5'},
    {"assert": 'stakeholders.exists(account, account.id == "tom") && account.name == "Acme"'},
    {"each": "stakeholders", "assert": 'string(item.roles) != "x"'},
    {"each": "stakeholders", "assert": "item in stakeholders && item == ids[item.id]"},
    {"each": "stakeholders", "assert": "stakeholders.filter(s, s.id == item.id)[0] == item"},
    {"each": "stakeholders", "assert": "item.size() > 6", "message": "{item}"},
    {"each": "stakeholders", "assert": "has(item.backup) && ids[item.backup].size() > 3"},
    {"each": "stakeholders", "assert": "item.last_contact > today", "message": "{item.name}"},
    {
        "each": "stakeholders",
        "assert": 'item["stance"] != "detractor" && item.exists(k, k == "group")',
    },
    {"each": "stakeholders", "assert": "item.roles.size() > 1 && item.roles[0] != 'procurement'"},
    {"each": "actions", "assert": "parent.actions.size() == 1 && parent == objectives[0]"},
    {"each": "actions", "assert": "days_since(item.due) < 30", "message": "{parent}"},
    {"each": "team", "assert": "stakeholders.map(s, s.name).exists(n, n == item.name)"},
    {"each": "key_results", "assert": "has(item.unit)", "message": "{parent.key_results}"},
]


def cookbook() -> list[dict]:
    text = (REPO / "docs" / "custom-rules.md").read_text(encoding="utf-8")
    return [yaml.safe_load(b)[0] for b in re.findall(r"```yaml\n(- id:.*?)```", text, re.S)]


def tricky() -> list[dict]:
    return [{"id": f"tricky-{i}", "summary": "s", **r} for i, r in enumerate(TRICKY, 1)]


# A plan that gives the rules something to find and to fail on (absent fields).
SPARSE = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: acme, name: Acme, segment: enterprise, renewal_date: 2027-03-31}
team: [{id: dana, name: Maria, function: sales}]
stakeholders:
  - {id: maria, name: Maria, group: renew, roles: [executive_sponsor, procurement], stance: advocate, backup: tom, last_contact: 2026-12-01}
  - {id: tom, name: Tom, group: renew, roles: [procurement], stance: detractor, competitor: Globex}
objectives:
  - {id: grow, title: Grow, actions: [{id: pilot, title: Pilot, due: 2026-10-01, status: blocked}]}
"""


def documents() -> list[tuple[str, dict]]:
    paths = sorted((REPO / "plans").rglob("*.yaml"))
    loaded = [load_bytes(p.read_bytes(), str(p)) for p in paths]
    loaded.append(load_bytes(SPARSE.encode(), "sparse.yaml"))
    return [(d.kind, d.data) for d in loaded if d.kind in ("AccountPlan", "OKRs")]


DOCUMENTS = documents()


def by_library(programs, whole=False):
    """The same rules run by the CEL library alone (no Python programs), converting
    what the analysis says they read, or (``whole``) every variable whole."""
    out = []
    for p in programs:
        message = tuple((part[0], None) if isinstance(part, tuple) else part for part in p.message)
        alone = replace(p, native=None, message=message)
        if whole:
            reads = tuple((name, WHOLE) for name, _ in p.library.reads)
            alone.__dict__["library"] = replace(p.library, reads=reads)  # the cached property
        out.append(alone)
    return tuple(out)


# Each set alone, and together: what one rule reads widens what the others see.
SETS = {"cookbook": cookbook(), "tricky": tricky(), "both": cookbook() + tricky()}


@pytest.mark.parametrize("rules", SETS.values(), ids=SETS.keys())
def test_the_outcomes_are_those_of_whole_variables(rules):
    programs = by_library(compiled(tuple(from_config(r) for r in rules)))
    wholly = by_library(programs, whole=True)
    seen = set()
    for kind, data in DOCUMENTS:
        narrow = outcomes(programs, data, kind, DAY)
        assert narrow == outcomes(wholly, data, kind, DAY)
        seen |= {"error" if o.error else "finding" for o in narrow}
    assert "finding" in seen
    if rules is not SETS["cookbook"]:
        assert "error" in seen  # rule errors compared too


def test_the_cookbook_rules_read_their_lists_in_part():
    # Otherwise the comparison above would compare whole with whole.
    reads = [dict(p.library.reads) for p in compiled(tuple(from_config(r) for r in cookbook()))]
    parts = [d for r in reads for name, d in r.items() if name in ("stakeholders", "objectives")]
    assert parts and all(isinstance(d, Need) for d in parts)


ACCOUNT = {"id": "acme", "name": "Acme", "segment": "smb", "tiers": {"gold": 1}}


def read(expression: str) -> dict:
    """What of ACCOUNT, as variable ``account``, is converted for ``expression``."""
    found = dict(reads_of([cel.compile(expression)]))
    return {"account": project(ACCOUNT, found["account"])}


@pytest.mark.parametrize(
    "expression",
    [
        "account.size() > 1",
        "size(account) > 1",
        'account.exists(k, k == "x")',
        '"x" in account',
        "account == {}",
        "string(account) != ''",
        "account[account.name] == 1",
    ],
)
def test_what_depends_on_every_key_keeps_every_key(expression):
    assert read(expression)["account"].keys() == ACCOUNT.keys()


def test_a_field_read_keeps_that_field_and_has_keeps_its_presence():
    assert read('account.name == "A"') == {"account": {"name": "Acme"}}
    assert read("has(account.tiers)") == {"account": {"tiers": {}}}
    assert read("account.tiers.gold > 0") == {"account": {"tiers": {"gold": 1}}}
    assert read("[account].map(a, a.segment)[0] == 'x'") == {"account": {"segment": "smb"}}
    assert read('["x"].exists(account, account == "x") && account.id == "a"') == {
        "account": {"id": "acme"}
    }


def test_syntax_the_analysis_does_not_know_converts_whole():
    assert demands(["Foo{a: account}.a"], {"account"}, set()) is None
    assert demands(["account.name"], {"account", "other"}, set()) is None  # CEL saw otherwise


def test_the_analysis_understands_every_rule_above():
    # Where it cannot tell, a rule's variables are converted whole: correct, but slow.
    for program in compiled(tuple(from_config(r) for r in SETS["both"])):
        library = program.library
        runs = [library.flags, library.check, *([library.when] if library.when else [])]
        runs += library.placeholders
        names = {n for p in runs for n in p.variables()}
        functions = {f for p in runs for f in p.functions() if f.isidentifier() and f[0] != "_"}
        assert demands([p.source for p in runs], names, functions) is not None, program.rule.id
