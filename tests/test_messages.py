"""Findings' messages as data: every key a rule yields is worded by every catalogue."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, TODAY, run_cli
from render_support import gaps_repository
from test_rules import write_example

from engine.cache.codec import decode_part, encode_part
from engine.config import ConfigError, default_config, load_config
from engine.findings import Finding, Many, Phrase
from engine.i18n.catalogue import LOCALES, Catalogue
from engine.i18n.messages import (
    DOCUMENT_SECTION,
    check_catalogue,
    finding_message,
    placeholder_names,
    resolve,
    sentence,
)
from engine.resources import templates_dir
from engine.rules import RULES
from engine.session import run_check

LOCALE_DIR = templates_dir() / "locales"

# Variants the other repositories do not reach: an id used again in another file, a
# waiver limited to no plan, a misspelt owner, a key result that cannot move, too few
# advocates, ids used twice in OKRs, a detractor whose action lacks an owner, a notice
# date close on a red account, check-ins on one date that disagree with ``current``.
EXTRA = {
    "acme.yaml": """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: acme, name: Acme}
team: [{id: sam, name: Sam, function: sales}]
stakeholders:
  - {id: maria, name: Maria, group: renew, stance: advocate, backup: maria, roles: [end_user]}
  - {id: raj, name: Raj, group: renew, stance: neutral, roles: [end_user], backup: sam}
  - {id: ana, name: Ana, group: renew, stance: advocate, roles: [procurement]}
  - {id: tom, name: Tom, group: renew, stance: detractor, concerns: [price]}
  - {id: lea, name: Lea, group: renew, stance: supporter, status: left}
objectives:
  - id: grow
    title: Grow
    key_results: [{id: k, title: Flat, baseline: 3, target: 3}]
    actions:
      - {id: a, title: Act, owner: sma}
      - {id: b, title: Win Tom, stakeholders: [tom], due: 2027-01-01}
      - {id: c, title: Call Lea, owner: sam, stakeholders: [lea], due: 2027-01-01}
""",
    "okrs.yaml": """\
apiVersion: revplan/v1
kind: OKRs
id: sales
title: Sales
objectives:
  - {id: o, title: One, key_results: [{id: k, title: K}, {id: k, title: K again}]}
  - {id: o, title: One again}
""",
    "late.yaml": """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: late, name: Late}
renewal: {notice_date: 2026-12-01}
objectives:
  - id: o
    title: One
    key_results:
      - id: k
        title: K
        current: 5
        checkins: [{date: 2026-11-20, value: 4}, {date: 2026-11-20, value: 6}]
""",
    "again/acme.yaml": """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: acme, name: Acme again}
""",
    "format/empty.yaml": """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: empty, name: ""}
reviewed: 2026-02-30
stakeholders:
  - {id: a, name: A, group: renew, stance: advocate, roles: [end_user, end_user]}
  - {id: b, name: B, stance: advocat}
""",
    "format/binary.yaml": "a: 1\x00",
    "format/waiver.yaml": """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: unnamed-waiver, name: Unnamed waiver}
waivers:
  - {reason: no rule named}
""",
    # The plan format's rarer errors (engine.parse.schema), and files that are no plans.
    "format/types.yaml": """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: Types Plan, name: 5, arr: 480.000, acquisition_cost: -1, currency: usd}
reviewed: 'Nov 2'
stakeholders:
  - {id: s, name: S, group: renew, reference: 'yes'}
""",
    "format/okr-types.yaml": """\
apiVersion: revplan/v1
kind: OKRs
id: okr-types
title: T
objectives:
  - {id: a, title: A, aligns_to: [nowhere], key_results: [{id: k, title: K, confidence: 2}]}
""",
    "format/version.yaml": "apiVersion: revplan/v2\nkind: AccountPlan\naccount: {id: v2, name: V}\n",
    "format/spaces.yaml": "apiVersion: 'revplan/v1 '\nkind: OKRs\nid: spaces\ntitle: T\n",
    "format/misspelt.yaml": "apiversion: revplan/v1\nkind: OKRs\nid: misspelt\ntitle: T\n",
    "format/no-version.yaml": "kind: OKRs\nid: no-version\ntitle: T\n",
    "format/no-kind.yaml": "apiVersion: revplan/v1\nid: no-kind\n",
    "format/wrong-kind.yaml": "apiVersion: revplan/v1\nkind: Plan\n",
    "format/second-config.yaml": "apiVersion: revplan/v1\nkind: Config\n",
    "other/empty.yaml": "# nothing yet\n",
    "other/list.yaml": "- a\n- b\n",
    "other/single.yaml": "42\n",
    "other/deployment.yaml": "apiVersion: v1\nkind: Deployment\n",
    "other/service.yaml": "kind: Service\n",
    "other/notes.yaml": "title: notes\n",
    "format/many.yaml": "apiVersion: revplan/v1\nkind: OKRs\nid: many\ntitle: T\nobjectives:\n"
    + "".join(f"  - {{id: o{i}, title: 5}}\n" for i in range(101)),
    "revplan.yaml": """\
apiVersion: revplan/v1
kind: Config
rules:
  advocate-per-role: {min: 2}
waivers:
  - {rule: two-messages, reason: none yet, expires: 2026-01-01}
  - {rule: lever-coverage, reason: no OKRs here}
""",
}


def _findings(root: Path) -> list[Finding]:
    """The findings of every repository the tests keep: the example plans, a repository
    breaking every rule, each rule's anti-pattern, and EXTRA."""
    found = []
    with pytest.MonkeyPatch.context() as mp:
        plans = REPO / "plans"
        mp.chdir(plans)
        found += run_check((plans,), load_config(plans / "revplan.yaml"), None)[0].findings
        gaps = gaps_repository(root / "gaps")
        mp.chdir(root / "gaps")
        found += run_check((gaps,), load_config(root / "gaps" / "revplan.yaml"), None)[0].findings
        for rule in RULES.values():
            folder = root / "anti" / rule.id
            folder.mkdir(parents=True)
            write_example(folder, rule.anti_pattern)
            found += _check(folder)
        for name, text in EXTRA.items():
            (root / "extra" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "extra" / name).write_text(text, encoding="utf-8")
        mp.chdir(root / "extra")
        config = load_config(root / "extra" / "revplan.yaml")
        found += run_check((root / "extra",), config, date.fromisoformat(TODAY))[0].findings
    return found


def _check(folder: Path) -> list[Finding]:
    """The folder's findings, with its own revplan.yaml if an example brings one."""
    own = folder / "revplan.yaml"
    config = load_config(own) if own.is_file() else default_config()
    return run_check((folder,), config, date.fromisoformat(TODAY))[0].findings


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    return _findings(tmp_path_factory.mktemp("messages"))


def _forms(cat: Catalogue, entry: str) -> list[str]:
    message = cat.messages[entry]
    return list(message.values()) if isinstance(message, dict) else [message]


def _assert_worded(cat: Catalogue, prefix: str, key: str, args: tuple, where: str) -> None:
    """``key`` resolves in ``cat`` and each of its forms uses only ``args`` (and the
    phrases among them that it uses are worded too)."""
    entry = resolve(cat, prefix, key)
    assert entry is not None, f"{where}: no message for {key!r}"
    given = {a.name: a.value for a in args}
    for form in _forms(cat, entry):
        used = placeholder_names(form)
        assert used <= set(given), f"{where}: {entry} wants {sorted(used - set(given))}"
        for name in used:
            values = given[name].items if isinstance(given[name], Many) else (given[name],)
            for value in values:
                if isinstance(value, Phrase):
                    _assert_worded(cat, prefix, value.key, value.args, where)


def test_every_message_key_a_rule_yields_is_in_every_catalogue(findings) -> None:
    assert {f.rule for f in findings} == set(RULES)
    catalogues = [(check_catalogue(), "", "check")] + [
        (Catalogue.load(locale, LOCALE_DIR), DOCUMENT_SECTION, locale) for locale in LOCALES
    ]
    for f in findings:
        assert f.key.split(".")[0] == f.rule, f
        for cat, prefix, name in catalogues:
            _assert_worded(cat, prefix, f.key, f.args, name)


# The plan format's errors that only a config can have (a config's errors are no findings).
BROKEN_CONFIG = """\
apiVersion: revplan/v1
kind: Config
locale: english
fx_rates: {EUR: 0}
waivers:
  - {rules: [], reason: none}
"""


def test_every_check_message_of_a_rule_is_yielded_by_some_finding(findings, tmp_path) -> None:
    """The repositories above (and a broken config) reach every variant the check
    catalogue words."""
    cat = check_catalogue()
    used = {resolve(cat, "", f.key) for f in findings}
    config = tmp_path / "revplan.yaml"
    config.write_text(BROKEN_CONFIG, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    used |= {resolve(cat, "", p.key) for p in caught.value.problems if not isinstance(p, str)}
    worded = {key for key in cat.messages if key.split(".")[0] in RULES}
    phrases = {
        key
        for key in worded
        if key.rsplit(".", 1)[-1] in _PHRASES or key.split(".")[1:2] in _PHRASE_GROUPS
    }
    assert worded - phrases - used - _FALLBACKS == set()


# Parts of sentences that phrases name, not whole findings.
_PHRASES = {"holder", "group2", "roles", "no_roles", "gap", "add", "merge", "expected"}
_PHRASE_GROUPS = (["hint"], ["type_name"], ["shown"])  # schema.hint.*, schema.type_name.*, ...
# What a finding says when its catalogue has no closer entry: the schema's sentence of a
# validator keyword revplan's schemas do not use.
_FALLBACKS = {"schema"}


@pytest.mark.parametrize("rule_id", list(RULES))
def test_the_anti_pattern_message_is_the_sentence_of_its_key_and_arguments(
    rule_id: str, tmp_path: Path
) -> None:
    rule = RULES[rule_id]
    paths = write_example(tmp_path, rule.anti_pattern)
    own = [f for f in _check(tmp_path) if f.rule == rule_id]
    assert own
    result = run_cli(
        "check", *map(str, paths), "--format", "json", "--no-cache", "--today", TODAY
    )  # fmt: skip
    printed = [f["message"] for f in json.loads(result.stdout)["findings"] if f["rule"] == rule_id]
    assert printed == [sentence(check_catalogue(), f.key, f.args) for f in own]
    # The cache keeps the key and arguments: documents word a cached finding too.
    file = own[0].file
    assert decode_part("findings", encode_part("findings", own, file), file) == own


def test_documents_word_each_variant_in_their_own_language(findings) -> None:
    english = Catalogue.load("en", LOCALE_DIR)
    for locale in LOCALES[1:]:
        cat = Catalogue.load(locale, LOCALE_DIR)
        for f in findings:
            assert finding_message(cat, f) != finding_message(english, f), (locale, f.key)
