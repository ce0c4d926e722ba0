"""Custom rules (custom_rules: in revplan.yaml, in CEL): the contract, clause by clause."""

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import REPO, TODAY, check_json, run_cli

from engine.config import ConfigError, load_config
from engine.session import PARALLEL_THRESHOLD

COOKBOOK = REPO / "docs" / "custom-rules.md"

PLAN = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: acme, name: Acme, segment: enterprise, renewal_date: 2027-03-31}
team:
  - {id: dana, name: Dana, function: sales}
stakeholders:
  - {id: maria, name: Maria, group: renew, roles: [executive_sponsor], stance: neutral, influence: high, last_contact: 2026-11-20}
  - {id: tom, name: Tom, group: renew, roles: [procurement], stance: detractor, influence: high}
objectives:
  - id: grow
    title: Grow
    actions:
      - {id: pilot, title: Pilot, owner: dana, due: 2026-10-01, status: blocked}
"""

SPONSOR = """\
  - id: enterprise-sponsor-advocate
    summary: Enterprise accounts need an executive sponsor who is an advocate
    why: Without an executive who speaks for us, renewal is decided without us.
    severity: error
    when: account.segment == "enterprise"
    assert: stakeholders.exists(s, has(s.roles) && "executive_sponsor" in s.roles && s.stance == "advocate")
    message: "no executive sponsor of {account.name} is an advocate"
    fix: win the executive sponsor over
    examples:
      fail:
        - account: {name: A, segment: enterprise}
          stakeholders: [{id: a, roles: [executive_sponsor], stance: neutral}]
      pass:
        - account: {name: A, segment: enterprise}
          stakeholders: [{id: a, roles: [executive_sponsor], stance: advocate}]
"""

SEEN = """\
  - id: high-influence-seen-monthly
    summary: A high-influence contact in Group 1 is seen at least every 30 days
    each: stakeholders
    when: item.group == "renew" && item.influence == "high" && (!has(item.status) || item.status != "left")
    assert: has(item.last_contact) && days_since(item.last_contact) <= 30
    message: "{item.name} was last seen over 30 days ago"
"""


def config(rules: str, extra: str = "") -> str:
    return f"apiVersion: revplan/v1\nkind: Config\n{extra}custom_rules:\n{rules}"


def repo(tmp_path: Path, rules: str, plan: str = PLAN, extra: str = "") -> Path:
    (tmp_path / "revplan.yaml").write_text(config(rules, extra), encoding="utf-8")
    (tmp_path / "plans").mkdir(exist_ok=True)
    (tmp_path / "plans" / "acme.yaml").write_text(plan, encoding="utf-8")
    return tmp_path


def check(root: Path, *extra: str) -> dict:
    _, report = check_json(root / "plans", extra=extra)
    return report


def of(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def config_errors(tmp_path: Path, rules: str) -> list[str]:
    path = tmp_path / "revplan.yaml"
    path.write_text(config(rules), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, "revplan.yaml")
    return caught.value.messages


def line_of(rules: str, text: str) -> int:
    """The line of revplan.yaml (as ``config`` writes it) holding ``text``."""
    lines = config(rules).splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# --- what a rule produces ----------------------------------------------------


def test_a_document_rule_reports_one_finding_at_the_first_key(tmp_path):
    (finding,) = of(check(repo(tmp_path, SPONSOR)), "enterprise-sponsor-advocate")
    assert finding["severity"] == "error"
    assert finding["message"] == "no executive sponsor of Acme is an advocate"
    assert finding["plan"] == "acme" and finding["target"] is None
    assert (finding["line"], finding["column"]) == (1, 1)


def test_an_each_rule_reports_at_the_item_with_its_id_as_target(tmp_path):
    findings = of(check(repo(tmp_path, SEEN)), "high-influence-seen-monthly")
    assert [(f["target"], f["line"], f["column"], f["severity"]) for f in findings] == [
        ("tom", 8, 5, "warning")
    ]
    assert findings[0]["message"] == "Tom was last seen over 30 days ago"


def test_when_false_and_assert_true_yield_nothing(tmp_path):
    plan = PLAN.replace("segment: enterprise", "segment: smb")
    assert not of(check(repo(tmp_path, SPONSOR, plan)), "enterprise-sponsor-advocate")
    fixed = PLAN.replace("stance: neutral", "stance: advocate")
    assert not of(check(repo(tmp_path, SPONSOR, fixed)), "enterprise-sponsor-advocate")


def test_a_rule_without_message_says_its_summary(tmp_path):
    rules = "  - {id: dated, summary: Every action has a date in the future, each: actions, assert: 'item.due > today'}\n"
    (finding,) = of(check(repo(tmp_path, rules)), "dated")
    assert finding["message"] == "Every action has a date in the future"
    assert finding["target"] == "pilot"


def test_variables_parent_ids_today_and_the_day_functions(tmp_path):
    rules = textwrap.dedent("""\
      - id: blocked
        summary: blocked actions
        each: actions
        when: item.status == "blocked"
        assert: "false"
        message: "{parent.id}/{item.id} {ids[item.owner].function} {today} {days_since(item.due)} {days_until(account.renewal_date)} {days_between(item.due, account.renewal_date)}"
    """)
    rules = textwrap.indent(rules, "  ")
    (finding,) = of(check(repo(tmp_path, rules)), "blocked")
    assert finding["message"] == f"grow/pilot sales {TODAY} 53 128 181"


def test_okrs_rules_check_okr_sets_only(tmp_path):
    rules = "  - {id: three, summary: At most three objectives, kind: OKRs, assert: 'objectives.size() <= 3', message: '{title} has {objectives.size()}'}\n"
    root = repo(tmp_path, rules)
    (root / "plans" / "okrs.yaml").write_text(
        "apiVersion: revplan/v1\nkind: OKRs\nid: fy27\ntitle: FY27\nowner: CRO\nfunction: revenue\n"
        "period: {start: 2026-07-01, end: 2027-06-30}\nobjectives:\n"
        + "".join(
            f"  - {{id: o{i}, title: O{i}, lever: retention, key_results: [{{id: k{i}, title: K, baseline: 0, target: 1}}]}}\n"
            for i in range(4)
        ),
        encoding="utf-8",
    )
    findings = of(check(root), "three")
    assert [(f["plan"], f["message"]) for f in findings] == [("fy27", "FY27 has 4")]


def test_documents_that_break_the_schema_are_not_judged(tmp_path):
    plan = PLAN.replace("priority", "x") + "unknown_field: 1\n"
    report = check(repo(tmp_path, SPONSOR, plan))
    assert of(report, "schema") and not of(report, "enterprise-sponsor-advocate")


# --- like the built-in rules -----------------------------------------------


def test_rules_sets_severity_and_off(tmp_path):
    root = repo(tmp_path, SEEN, extra="rules:\n  high-influence-seen-monthly: {severity: error}\n")
    assert [f["severity"] for f in of(check(root), "high-influence-seen-monthly")] == ["error"]
    root = repo(tmp_path, SEEN, extra="rules:\n  high-influence-seen-monthly: {severity: 'off'}\n")
    assert not of(check(root), "high-influence-seen-monthly")


def test_waivers_waive_by_id_and_target(tmp_path):
    waived = (
        PLAN
        + "waivers:\n  - {rule: high-influence-seen-monthly, target: tom, reason: on leave, expires: 2027-01-31}\n"
    )
    report = check(repo(tmp_path, SEEN, waived))
    (finding,) = of(report, "high-influence-seen-monthly")
    assert finding["waived"] is True
    assert not of(report, "unresolved-reference") and not of(report, "waiver-unused")
    other = (
        PLAN
        + "waivers:\n  - {rule: high-influence-seen-monthly, target: maria, reason: x, expires: 2027-01-31}\n"
    )
    report = check(repo(tmp_path, SEEN, other))
    assert [f["waived"] for f in of(report, "high-influence-seen-monthly")] == [False]
    assert of(report, "waiver-unused")


def test_a_config_waiver_of_a_custom_rule(tmp_path):
    extra = "waivers:\n  - {rule: enterprise-sponsor-advocate, plan: acme, reason: new sponsor in January, expires: 2027-01-31}\n"
    report = check(repo(tmp_path, SPONSOR, extra=extra))
    assert [f["waived"] for f in of(report, "enterprise-sponsor-advocate")] == [True]


def test_sarif_lists_custom_rules_with_their_help(tmp_path):
    root = repo(tmp_path, SPONSOR)
    result = run_cli(
        "check", str(root / "plans"), "--format", "sarif", "--no-cache", "--today", TODAY
    )
    run = json.loads(result.stdout)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (descriptor,) = [r for r in rules if r["id"] == "enterprise-sponsor-advocate"]
    assert descriptor["defaultConfiguration"]["level"] == "error"
    assert "Without an executive" in descriptor["help"]["markdown"]
    assert "stakeholders.exists" in descriptor["help"]["text"]
    (found,) = [r for r in run["results"] if r["ruleId"] == "enterprise-sponsor-advocate"]
    assert rules[found["ruleIndex"]]["id"] == "enterprise-sponsor-advocate"


@pytest.mark.parametrize("fmt", ["text", "junit", "github"])
def test_every_format_shows_custom_findings(tmp_path, fmt):
    root = repo(tmp_path, SPONSOR)
    result = run_cli("check", str(root / "plans"), "--format", fmt, "--no-cache", "--today", TODAY)
    assert "no executive sponsor of Acme is an advocate" in result.stdout


def test_baselines_record_custom_findings(tmp_path):
    root = repo(tmp_path, SPONSOR)
    baseline = tmp_path / "baseline.json"
    run_cli(
        "check",
        str(root / "plans"),
        "--no-cache",
        "--today",
        TODAY,
        "--write-baseline",
        str(baseline),
    )
    assert "enterprise-sponsor-advocate" in baseline.read_text(encoding="utf-8")
    result = run_cli(
        "check", str(root / "plans"), "--no-cache", "--today", TODAY, "--baseline", str(baseline)
    )
    assert result.exit_code == 0, result.output  # every finding, the custom one too, is known
    (root / "plans" / "acme.yaml").write_text(
        PLAN.replace("segment: enterprise", "segment: enterprise, priority: 1"), encoding="utf-8"
    )
    assert (
        run_cli(
            "check",
            str(root / "plans"),
            "--no-cache",
            "--today",
            TODAY,
            "--baseline",
            str(baseline),
        ).exit_code
        == 0
    )


def test_rules_lists_them_marked_custom_and_explain_prints_them(tmp_path):
    root = repo(tmp_path, SPONSOR)
    listed = run_cli("rules", cwd=root).stdout
    (line,) = [
        line for line in listed.splitlines() if line.startswith("enterprise-sponsor-advocate")
    ]
    assert line.split()[1] == "error" and line.endswith("custom")
    page = run_cli("explain", "enterprise-sponsor-advocate", cwd=root).stdout
    for part in (
        "Enterprise accounts need",
        "Without an executive",
        'account.segment == "enterprise"',
        "stakeholders.exists",
        "win the executive sponsor over",
        "stance: neutral",
        "stance: advocate",
    ):
        assert part in page, part
    assert (
        "did you mean 'enterprise-sponsor-advocate'"
        in run_cli("explain", "enterprise-sponsor", cwd=root).output
    )


def test_documents_show_open_custom_findings(tmp_path):
    root = repo(tmp_path, SPONSOR)
    out = tmp_path / "out"
    result = run_cli("render", str(root / "plans"), "--out", str(out), "--today", TODAY, cwd=root)
    assert result.exit_code in (0, 1), result.output
    text = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.md"))
    assert "no executive sponsor of Acme is an advocate" in text


# --- errors ------------------------------------------------------------------


BROKEN = [
    (
        "assert: 'stakeholders.exists(s, '",
        "assert:",
        "`assert` does not compile: at line 1, column 24",
    ),
    ("each: stakeholder\n    assert: 'true'", "each:", "did you mean 'stakeholders'?"),
    ("kind: OKR\n    assert: 'true'", "kind: OKR", "did you mean 'OKRs'?"),
    ("assert: 'acount.segment == \"x\"'", "assert:", "reads 'acount'"),
    (
        "each: stakeholders\n    assert: has(item.last_contct)",
        "assert:",
        "did you mean 'last_contact'?",
    ),
    ("assert: 'true'\n    message: '{account.name +}'", "message:", "`message` does not compile"),
    ("assert: 'true'\n    message: 'see {acount.name}'", "message:", "did you mean 'account'?"),
    ("when: 'account.segmnt == \"x\"'\n    assert: 'true'", "when:", "did you mean 'segment'?"),
    ("asert: 'true'", "asert:", "did you mean 'assert'?"),
    # fields of a macro's variable, of a field, of a list's element: the schema's too
    (
        "assert: 'stakeholders.exists(s, s.stnace == \"advocate\")'",
        "assert:",
        "reads s.stnace, a field a stakeholder does not have — did you mean 'stance'?",
    ),
    (
        "each: milestones\n    assert: has(item.review) && has(item.review.dat)",
        "assert:",
        "reads item.review.dat, a field the review of an element of milestones does not have"
        " — did you mean 'date'?",
    ),
    (
        "assert: objectives.all(o, o.actions.all(a, a.dew < today))",
        "assert:",
        "a field an action does not have — did you mean 'due'?",
    ),
    ("assert: 'stakeholders[0].rols.size() > 0'", "assert:", "did you mean 'roles'?"),
]


@pytest.mark.parametrize(("body", "field", "says"), BROKEN)
def test_a_rule_that_cannot_compile_is_a_located_config_error(tmp_path, body, field, says):
    rules = f"  - id: r1\n    summary: s\n    {body}\n"
    errors = config_errors(tmp_path, rules)
    assert any(says in e for e in errors), errors
    assert any(e.startswith(f"revplan.yaml:{line_of(rules, field)}:") for e in errors), errors


def test_missing_assert_duplicate_and_built_in_ids(tmp_path):
    rules = "  - {id: a, summary: s}\n  - {id: b, summary: s, assert: 'true'}\n  - {id: b, summary: s, assert: 'true'}\n  - {id: schema, summary: s, assert: 'true'}\n"
    errors = " ".join(config_errors(tmp_path, rules))
    assert "revplan.yaml:4:5: custom_rules[0]: missing required field 'assert'" in errors
    rules = rules.replace("  - {id: a, summary: s}\n", "")
    errors = config_errors(tmp_path, rules)
    assert errors == [
        "revplan.yaml:5:10: custom rule id 'b' is already used by custom rule 1 (revplan.yaml:4:10)",
        "revplan.yaml:6:10: custom rule id 'schema' is the id of a built-in rule — choose another id (`revplan rules` lists the built-in ones)",
    ]


def test_examples_that_do_not_behave_name_the_rule_and_the_example(tmp_path):
    rules = SPONSOR.replace("stance: neutral}]", "stance: advocate}]", 1)
    (error,) = config_errors(tmp_path, rules)
    assert error.startswith(f"revplan.yaml:{line_of(rules, '- account: {name: A')}:")
    assert (
        "custom rule 'enterprise-sponsor-advocate': the fail example 1 yields no finding" in error
    )
    rules = SPONSOR.replace("stance: advocate}]", "stance: neutral}]")
    (error,) = config_errors(tmp_path, rules)
    assert "the pass example 1 yields a finding: no executive sponsor of A is an advocate" in error


def test_an_example_that_cannot_be_evaluated_says_why(tmp_path):
    rules = "  - id: r\n    summary: s\n    assert: account.segment == 'x'\n    examples:\n      pass: [{owner: dana}]\n"
    (error,) = config_errors(tmp_path, rules)
    assert (
        "the pass example 1 cannot be evaluated: `assert` failed: no such field or key 'segment'"
        in error
    )


def test_examples_run_with_the_runs_today(tmp_path):
    rules = "  - id: fresh\n    summary: s\n    assert: has(plan.reviewed) && days_since(reviewed) <= 30\n    examples:\n      pass: [{reviewed: '2026-11-01'}]\n"
    root = repo(tmp_path, rules, extra="today: 2026-11-23\n")
    assert run_cli("check", str(root / "plans"), "--no-cache").exit_code in (0, 1)
    result = run_cli("check", str(root / "plans"), "--no-cache", "--today", "2027-06-01")
    assert result.exit_code == 2
    assert (
        "the pass example 1 yields a finding" in result.output
        and "today 2027-06-01" in result.output
    )


def test_a_custom_rule_takes_no_parameters_under_rules(tmp_path):
    path = tmp_path / "revplan.yaml"
    path.write_text(
        config(SEEN, "rules:\n  high-influence-seen-monthly: {sevrity: error}\n"), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, "revplan.yaml")
    assert (
        "revplan.yaml:4:33: custom rule high-influence-seen-monthly has no parameter 'sevrity' — did you mean 'severity'?"
        in caught.value.messages[0]
    )


def test_an_expression_that_fails_at_run_time_is_a_rule_error_at_the_item(tmp_path):
    rules = "  - {id: seen, summary: s, each: stakeholders, assert: 'days_since(item.last_contact) <= 30'}\n"
    report = check(repo(tmp_path, rules))
    (error,) = of(report, "rule-error")
    assert (error["target"], error["line"], error["column"], error["severity"]) == (
        "tom",
        8,
        5,
        "error",
    )
    assert "custom rule 'seen'" in error["message"] and "last_contact" in error["message"]
    assert not of(report, "seen")  # maria passes; tom is an error, not a pass and not a finding
    assert of(report, "advocate-per-role")  # the run went on


def test_a_result_that_is_not_a_bool_is_a_rule_error(tmp_path):
    rules = "  - {id: count, summary: s, assert: 'stakeholders.size()'}\n"
    (error,) = of(check(repo(tmp_path, rules)), "rule-error")
    assert "`assert` gave int, not true or false" in error["message"]
    assert (error["line"], error["column"]) == (1, 1)


def test_a_placeholder_that_fails_keeps_the_finding_and_adds_a_rule_error(tmp_path):
    rules = "  - {id: p, summary: s, each: stakeholders, when: 'item.id == \"tom\"', assert: 'false', message: 'seen {item.last_contact}'}\n"
    report = check(repo(tmp_path, rules))
    assert [f["message"] for f in of(report, "p")] == ["seen {item.last_contact}"]
    assert "placeholder {item.last_contact} failed" in of(report, "rule-error")[0]["message"]


# --- the cookbook ------------------------------------------------------------


def cookbook_rules() -> list[str]:
    return re.findall(r"```yaml\n(- id:.*?)```", COOKBOOK.read_text(encoding="utf-8"), re.S)


def test_the_cookbook_has_ten_rules_or_more_each_with_examples():
    rules = [yaml.safe_load(block)[0] for block in cookbook_rules()]
    assert len(rules) >= 10
    for rule in rules:
        assert rule["examples"]["fail"] and rule["examples"]["pass"], rule["id"]


@pytest.mark.parametrize("block", cookbook_rules(), ids=lambda b: b.split()[2])
def test_each_cookbook_rule_loads_and_its_examples_behave(tmp_path, block):
    path = tmp_path / "revplan.yaml"
    path.write_text(config(textwrap.indent(block, "  "), f"today: {TODAY}\n"), encoding="utf-8")
    (rule,) = load_config(path).custom_rules
    assert rule.examples
    # ...and breaking an example is caught: the loader really runs them.
    broken = block.replace("    fail:\n", "    pass:\n", 1).replace("    pass:\n", "    fail:\n", 2)
    path.write_text(config(textwrap.indent(broken, "  "), f"today: {TODAY}\n"), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


def all_cookbook(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "plans", root)
    rules = "".join(textwrap.indent(b, "  ") for b in cookbook_rules())
    text = (root / "revplan.yaml").read_text(encoding="utf-8") + "\ncustom_rules:\n" + rules
    (root / "revplan.yaml").write_text(text, encoding="utf-8")
    return root


def test_the_cookbook_on_the_example_plans_finds_gaps_and_no_rule_errors(tmp_path):
    _, report = check_json(all_cookbook(tmp_path))
    custom = {f["rule"] for f in report["findings"]} & {
        yaml.safe_load(b)[0]["id"] for b in cookbook_rules()
    }
    assert len(custom) >= 3, custom
    assert not of(report, "rule-error")


def test_reports_are_identical_with_jobs_and_cache(tmp_path):
    root = all_cookbook(tmp_path)
    accounts = root / "accounts"
    for plan in sorted(accounts.glob("*.yaml")):
        text = plan.read_text(encoding="utf-8")
        for k in range(1, 25):
            copy = re.sub(r"(account:\n(?:.*\n)*?  id: )(\S+)", rf"\g<1>\g<2>-{k}", text, count=1)
            (accounts / f"{plan.stem}-{k}.yaml").write_text(copy, encoding="utf-8")
    assert len(list(root.rglob("*.yaml"))) >= PARALLEL_THRESHOLD

    def run(*args: str) -> str:
        result = run_cli("check", "--format", "json", "--today", TODAY, *args, cwd=root)
        assert result.exit_code in (0, 1), result.output
        return result.stdout

    one = run("--no-cache", "--jobs", "1")
    ids = {yaml.safe_load(b)[0]["id"] for b in cookbook_rules()}
    assert {f["rule"] for f in json.loads(one)["findings"]} & ids
    assert run("--no-cache", "--jobs", "2") == one
    assert run("--jobs", "2") == one  # fills the cache
    assert run("--jobs", "1") == one  # served from it
    sarif = run_cli("check", "--format", "sarif", "--today", TODAY, "--no-cache", cwd=root).stdout
    assert run_cli("check", "--format", "sarif", "--today", TODAY, cwd=root).stdout == sarif
    assert run_cli("check", "--format", "sarif", "--today", TODAY, cwd=root).stdout == sarif


def test_the_cache_salt_holds_the_rule_definitions(tmp_path):
    root = repo(tmp_path, SEEN)
    before = run_cli("check", "--format", "json", "--today", TODAY, cwd=root).stdout
    assert "Tom was last seen" in before
    changed = SEEN.replace("over 30 days ago", "a while ago")
    (root / "revplan.yaml").write_text(config(changed), encoding="utf-8")
    after = run_cli("check", "--format", "json", "--today", TODAY, cwd=root).stdout
    assert "Tom was last seen a while ago" in after


def test_the_init_config_carries_one_commented_rule_that_works_uncommented(tmp_path):
    assert run_cli("init", str(tmp_path / "repo")).exit_code == 0, "init"
    text = (tmp_path / "repo" / "revplan.yaml").read_text(encoding="utf-8")
    head, _, rule = text.partition("# custom_rules:\n")
    assert rule, "the example rule"
    uncommented = head + "custom_rules:\n" + re.sub(r"^# ?", "", rule, flags=re.M)
    (tmp_path / "repo" / "revplan.yaml").write_text(uncommented, encoding="utf-8")
    (rule_,) = load_config(tmp_path / "repo" / "revplan.yaml").custom_rules
    assert rule_.id == "enterprise-sponsor-advocate" and rule_.examples


def test_the_config_schema_describes_every_field_of_a_custom_rule():
    schema = json.loads((REPO / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    fields = schema["$defs"]["custom_rule"]["properties"]
    assert set(fields) >= {
        "id",
        "summary",
        "why",
        "severity",
        "kind",
        "each",
        "when",
        "assert",
        "message",
        "fix",
        "examples",
    }
    assert all(spec.get("description") for spec in fields.values())


def test_plan_and_ids_are_whole_when_a_rule_reads_them_whole(tmp_path):
    # Rules that read plan or ids only field by field get only those fields converted;
    # a rule beside them that reads them whole must still see everything.
    rules = textwrap.indent(
        textwrap.dedent("""\
        - {id: narrow, summary: s, assert: 'has(plan.reviewed) || ids["maria"].stance == "x"'}
        - {id: whole, summary: s, assert: 'false', message: '{plan.size()} {ids.size()} {ids["maria"].name}'}
    """),
        "  ",
    )
    report = check(repo(tmp_path, rules))
    assert [f["message"] for f in of(report, "whole")] == ["6 5 Maria"]
    assert [f["message"] for f in of(report, "narrow")] == ["s"]
