"""Every rule, through its own documented examples; severities, parameters and waivers."""

import re
from pathlib import Path

import pytest
from conftest import REPO, check_json, rules_hit, run_cli

from engine.rules import RULES


def write_example(folder: Path, example: str) -> list[Path]:
    """An example may hold several files: '---' separated, each led by '# file: NAME'."""
    paths = []
    for i, part in enumerate(re.split(r"^---\s*$", example, flags=re.M)):
        named = re.search(r"^# file: (\S+)", part, flags=re.M)
        path = folder / (named.group(1) if named else f"example-{i}.yaml")
        path.write_text(part.lstrip("\n"), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_fires_on_its_anti_pattern_and_not_on_its_best_practice(rule_id, tmp_path):
    rule = RULES[rule_id]
    (tmp_path / "bad").mkdir()
    (tmp_path / "good").mkdir()
    _, bad = check_json(*write_example(tmp_path / "bad", rule.anti_pattern))
    _, good = check_json(*write_example(tmp_path / "good", rule.best_practice))
    assert rule_id in rules_hit(bad), bad["findings"]
    assert rule_id not in rules_hit(good), [f for f in good["findings"] if f["rule"] == rule_id]
    for finding in bad["findings"]:
        assert finding["line"] >= 1 and finding["column"] >= 1


def test_every_rule_has_rationale_and_examples():
    for rule in RULES.values():
        assert rule.summary and rule.rationale, rule.id
        assert rule.severity in ("error", "warning", "info"), rule.id
        assert "apiVersion: revplan/v1" in rule.anti_pattern, rule.id
        assert "apiVersion: revplan/v1" in rule.best_practice, rule.id


PLAN = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: acme, name: Acme}
team:
  - {id: dana, name: Dana, function: sales}
stakeholders:
  - {id: maria, name: Maria, group: renew, roles: [executive_sponsor], stance: advocate}
  - {id: tom, name: Tom, group: renew, roles: [procurement], stance: detractor}
  - {id: eva, name: Eva, group: renew, roles: [end_user], stance: neutral}
"""


def findings_of(report, rule):
    return [f for f in report["findings"] if f["rule"] == rule]


def test_advocate_per_role_names_who_holds_the_role(write):
    _, report = check_json(write("acme.yaml", PLAN))
    messages = {f["target"]: f["message"] for f in findings_of(report, "advocate-per-role")}
    assert set(messages) == {"end_user", "administrator", "procurement", "budget_owner"}
    assert messages["procurement"].startswith(
        "role procurement has no advocate: Tom (tom, detractor) holds it — win them over"
    )
    assert "nobody in the plan holds it" in messages["administrator"]


def test_severity_override_and_parameters_from_the_config(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write(
        "revplan.yaml",
        "apiVersion: revplan/v1\nkind: Config\nrules:\n"
        "  advocate-per-role: {severity: warning, roles: [procurement, executive_sponsor]}\n"
        "  backup-per-contact: {severity: 'off'}\n"
        "  cross-functional-team: {functions: [sales]}\n",
    )
    code, report = check_json("plans", cwd=tmp_path)
    roles = findings_of(report, "advocate-per-role")
    assert [(f["target"], f["severity"]) for f in roles] == [("procurement", "warning")]
    assert findings_of(report, "backup-per-contact") == []
    assert findings_of(report, "cross-functional-team") == []


def test_advocate_min_parameter(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write(
        "revplan.yaml",
        "apiVersion: revplan/v1\nkind: Config\nrules:\n  advocate-per-role: {roles: [executive_sponsor], min: 2}\n",
    )
    _, report = check_json("plans", cwd=tmp_path)
    [finding] = findings_of(report, "advocate-per-role")
    assert "1 advocate (maria), fewer than the 2 wanted" in finding["message"]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("  advocate-per-role: {roles: [procurment]}\n", "'procurment' is not one of end_user"),
        (
            "  advocate-per-role: {rolez: [procurement]}\n",
            "has no parameter 'rolez' — did you mean 'roles'?",
        ),
        ("  plan-freshness: {max_age_days: soon}\n", "'soon' should be a whole number"),
        (
            "  plan-freshness: {severity: fatal}\n",
            "'fatal' is not one of error, warning, info, off",
        ),
    ],
)
def test_bad_rule_settings_exit_2_with_a_located_message(write, tmp_path, rules, expected):
    write("plans/acme.yaml", PLAN)
    write("revplan.yaml", "apiVersion: revplan/v1\nkind: Config\nrules:\n" + rules)
    result = run_cli("check", "plans", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2
    assert "revplan.yaml:4:" in result.stderr and expected in result.stderr


def waiver_plan(waivers: str) -> str:
    return PLAN + "waivers:\n" + waivers


def test_matching_waiver_keeps_the_finding_visible_but_not_failing(write):
    plan = write(
        "acme.yaml",
        waiver_plan(
            "  - {rule: detractor-addressed, target: tom, reason: Owned by the parent company, expires: 2027-03-01}\n"
        ),
    )
    _, report = check_json(plan)
    [finding] = findings_of(report, "detractor-addressed")
    assert finding["waived"] is True
    assert report["summary"]["waived"] == 1
    assert findings_of(report, "waiver-unused") == []


def test_waiver_for_another_target_does_not_match_and_is_unused(write):
    plan = write(
        "acme.yaml",
        waiver_plan("  - {rule: detractor-addressed, target: maria, reason: Wrong person}\n"),
    )
    _, report = check_json(plan)
    [finding] = findings_of(report, "detractor-addressed")
    assert finding["waived"] is False
    [unused] = findings_of(report, "waiver-unused")
    assert unused["line"] == 11 and "matches no finding" in unused["message"]


def test_expired_waiver_stops_waiving_and_is_reported_once(write):
    plan = write(
        "acme.yaml",
        waiver_plan(
            "  - {rule: detractor-addressed, target: tom, reason: Old, expires: 2026-10-01}\n"
        ),
    )
    code, report = check_json(plan)
    assert code == 1
    assert findings_of(report, "detractor-addressed")[0]["waived"] is False
    [expired] = findings_of(report, "waiver-expired")
    assert "expired on 2026-10-01" in expired["message"]
    assert findings_of(report, "waiver-unused") == []


def test_waiver_expiring_soon_is_mentioned_in_the_summary(write):
    plan = write(
        "acme.yaml",
        waiver_plan(
            "  - {rule: detractor-addressed, target: tom, reason: Soon, expires: 2026-12-01}\n"
        ),
    )
    result = run_cli("check", str(plan), "--no-cache", "--today", "2026-11-23", "--no-color")
    assert "expires in 8 days (2026-12-01)" in result.stdout


def test_config_waiver_matches_by_plan_and_target(write, tmp_path):
    write("plans/acme.yaml", PLAN)
    write(
        "revplan.yaml",
        "apiVersion: revplan/v1\nkind: Config\nwaivers:\n"
        "  - {rule: detractor-addressed, plan: acme, target: tom, reason: Parent company}\n"
        "  - {rule: detractor-addressed, plan: other, reason: No such plan}\n",
    )
    _, report = check_json("plans", cwd=tmp_path)
    assert findings_of(report, "detractor-addressed")[0]["waived"] is True
    [unresolved] = findings_of(report, "unresolved-reference")
    assert "waiver plan 'other' names nothing" in unresolved["message"]


def test_alignment_cycle_across_two_files(write):
    a = write(
        "a.yaml",
        "apiVersion: revplan/v1\nkind: OKRs\nid: sales-fy27\ntitle: Sales\nobjectives:\n"
        "  - {id: win, title: Win, aligns_to: [cro-fy27/grow], key_results: [{id: k, title: K, baseline: 0, target: 1}]}\n",
    )
    b = write(
        "b.yaml",
        "apiVersion: revplan/v1\nkind: OKRs\nid: cro-fy27\ntitle: Revenue\nobjectives:\n"
        "  - {id: grow, title: Grow, aligns_to: [sales-fy27/win], key_results: [{id: k, title: K, baseline: 0, target: 1}]}\n",
    )
    code, report = check_json(a, b)
    [cycle] = findings_of(report, "alignment-cycle")
    assert code == 1
    assert cycle["file"].endswith("a.yaml") and cycle["line"] == 6
    assert "sales-fy27/win -> cro-fy27/grow -> sales-fy27/win" in cycle["message"]


def test_backup_who_left_or_is_a_detractor_is_no_backup(write):
    plan = write(
        "acme.yaml",
        PLAN.replace("stance: advocate}", "stance: advocate, backup: tom}")
        + "  - {id: ana, name: Ana, group: renew, influence: high, backup: bob}\n"
        "  - {id: bob, name: Bob, group: renew, status: left}\n"
        "  - {id: cy, name: Cy, group: renew, stance: advocate, backup: cy}\n",
    )
    _, report = check_json(plan)
    messages = {f["target"]: f["message"] for f in findings_of(report, "backup-per-contact")}
    assert "backup Tom (tom) is a detractor" in messages["maria"]
    assert "backup Bob (bob) has left the company" in messages["ana"]
    assert "is named as their own backup" in messages["cy"]
    assert "bob" not in messages  # someone who left needs no backup


def test_segment_return_never_adds_amounts_in_different_currencies(write):
    def plan(ident: str, currency: str, arr: int) -> Path:
        return write(
            f"{ident}.yaml",
            f"apiVersion: revplan/v1\nkind: AccountPlan\naccount:\n  id: {ident}\n"
            f"  name: {ident}\n  segment: enterprise\n  currency: {currency}\n"
            f"  arr: {arr}\n  acquisition_cost: {arr}\n",
        )

    _, report = check_json(
        plan("eu-a", "EUR", 100), plan("eu-b", "EUR", 300), plan("jp", "JPY", 5000)
    )
    segments = {(s["segment"], s["currency"]): s for s in report["metrics"]["segments"]}
    assert set(segments) == {("enterprise", "EUR"), ("enterprise", "JPY")}
    assert segments["enterprise", "EUR"]["plans"] == ["eu-a", "eu-b"]
    assert segments["enterprise", "EUR"]["arr"] == 400
    assert segments["enterprise", "JPY"]["arr"] == 5000


def test_break_even_metric_matches_the_spec_formula(write):
    from engine.model.metrics import add_months

    plan = write(
        "acme.yaml",
        "apiVersion: revplan/v1\nkind: AccountPlan\naccount:\n  id: acme\n  name: Acme\n"
        "  arr: 120000\n  gross_margin: 0.8\n  acquisition_cost: 150000\n  support_cost_per_year: 30000\n"
        "  contract_start: 2026-04-01\n  renewal_date: 2027-03-31\n",
    )
    _, report = check_json(plan)
    [m] = report["metrics"]["plans"]
    # 150000 / ((120000 * 0.8 - 30000) / 12) = 27.27 months
    assert m["break_even_months"] == pytest.approx(150000 / ((120000 * 0.8 - 30000) / 12), abs=1e-3)
    assert (
        m["break_even_date"]
        == add_months(__import__("datetime").date(2026, 4, 1), 27.2727).isoformat()
    )
    assert m["return"] == pytest.approx(66000 / 150000, abs=1e-4)
    [finding] = findings_of(report, "break-even")
    assert "after its renewal on 2027-03-31" in finding["message"]


def test_a_contribution_too_small_to_divide_never_breaks_even(write):
    # A twelfth of 5e-324 is 0.0: the months to break even were a division by zero.
    plan = write(
        "acme.yaml",
        "apiVersion: revplan/v1\nkind: AccountPlan\naccount:\n  id: acme\n  name: Acme\n"
        "  arr: 5.0e-324\n  gross_margin: 1\n  acquisition_cost: 1000\n"
        "  contract_start: 2026-04-01\n  renewal_date: 2027-03-31\n",
    )
    code, report = check_json(plan)
    [finding] = findings_of(report, "break-even")
    assert "never" in finding["message"]


def test_key_result_scores_follow_the_spec(write):
    from engine.model.metrics import kr_score
    from engine.model.types import KeyResult

    def kr(**kw):
        return KeyResult(loc=None, locs={}, **kw)

    assert kr_score(kr(baseline=104, target=115, current=108)) == pytest.approx(4 / 11)
    assert kr_score(kr(baseline=9, target=5, current=7)) == pytest.approx(0.5)  # lower is better
    assert kr_score(kr(baseline=0, target=10, current=15)) == 1.0
    assert kr_score(kr(baseline=0, target=10, current=-3)) == 0.0
    assert kr_score(kr(baseline=5, target=5, current=5)) is None


def expected_from_readme() -> list[tuple[str, str, str, str, bool]]:
    text = (REPO / "plans" / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- expected-findings:start -->")[1].split(
        "<!-- expected-findings:end -->"
    )[0]
    rows = []
    for line in block.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("rule", "") or set(cells[0]) <= set("-: "):
            continue
        rule, file, target, severity, waived = cells
        rows.append(
            (
                rule,
                f"plans/{file}",
                None if target in ("-", "") else target,
                severity,
                waived.lower().startswith("yes"),
            )
        )
    return sorted(rows, key=str)


def test_example_plans_produce_exactly_the_findings_their_readme_promises():
    code, report = check_json("plans", cwd=REPO)
    actual = sorted(
        (
            (f["rule"], f["file"], f["target"], f["severity"], f["waived"])
            for f in report["findings"]
        ),
        key=str,
    )
    assert actual == expected_from_readme()
    assert code == 1
