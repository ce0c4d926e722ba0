"""A plan's id is its own (issue 14): two files claiming one id are a duplicate-id error
in both, and neither file's waivers reach the other's findings. A waiver may name
several rules (``rules: [...]``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_cli

REAL = "plans/accounts/aegean-lines.yaml"  # six findings, errors among them


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "plans", root / "plans")
    return root


def run_json(cwd: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("check", "--no-cache", "--format", "json", *args, cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def impostor(rules: list[str]) -> str:
    """A new file that claims the real plan's id and carries one waiver per rule."""
    waivers = "".join(f"  - {{rule: {rule}, reason: fine}}\n" for rule in rules)
    return (
        "apiVersion: revplan/v1\nkind: AccountPlan\n"
        "account: {id: aegean-lines, name: Aegean}\nwaivers:\n" + waivers
    )


def test_a_file_that_claims_a_plans_id_cannot_waive_its_findings(repo):
    _, before = run_json(repo)
    real = [f for f in before["findings"] if f["file"] == REAL and not f["waived"]]
    assert any(f["severity"] == "error" for f in real)
    rules = sorted({f["rule"] for f in real} | {"duplicate-id"})
    (repo / "plans" / "accounts" / "zz-new.yaml").write_text(impostor(rules))

    code, after = run_json(repo)
    assert code == 1
    mine = [f for f in after["findings"] if f["file"] == REAL]
    # Every finding of the real plan is still there, waived by nothing new.
    assert [f for f in mine if not f["waived"] and f["rule"] != "duplicate-id"] == real
    # duplicate-id in both files, each naming the other; the impostor's own waiver
    # may waive its own copy, never the real plan's.
    [first] = [f for f in mine if f["rule"] == "duplicate-id"]
    assert not first["waived"] and "plans/accounts/zz-new.yaml" in first["message"]
    [second] = [f for f in after["findings"] if f["rule"] == "duplicate-id" and f["file"] != REAL]
    assert REAL in second["message"]
    assert after["summary"]["errors"] >= before["summary"]["errors"] + 1


def test_the_configs_waivers_still_reach_every_file_of_their_plan(repo):
    (repo / "plans" / "accounts" / "zz-new.yaml").write_text(impostor([]).replace("waivers:\n", ""))
    config = repo / "plans" / "revplan.yaml"
    config.write_text(
        config.read_text()
        + "  - {rule: duplicate-id, plan: aegean-lines, reason: migration under way}\n"
    )
    _, report = run_json(repo)
    duplicates = [f for f in report["findings"] if f["rule"] == "duplicate-id"]
    assert len(duplicates) == 2 and all(f["waived"] for f in duplicates)


def test_a_waiver_may_name_several_rules(repo):
    plan = repo / REAL
    text = plan.read_text()
    _, before = run_json(repo)
    fired = sorted({f["rule"] for f in before["findings"] if f["file"] == REAL})
    assert {"advocate-per-role", "backup-per-contact"} <= set(fired)
    plan.write_text(
        text
        + "  - rules: [advocate-per-role, backup-per-contact, two-messages]\n"
        + "    reason: Group 2 prospect, worked by the partner\n"
    )
    _, after = run_json(repo)
    mine = [f for f in after["findings"] if f["file"] == REAL]
    for rule in ("advocate-per-role", "backup-per-contact"):
        assert all(f["waived"] for f in mine if f["rule"] == rule), rule
    # The rule in the list that matches nothing is reported, at the waiver.
    unused = [f for f in mine if f["rule"] == "waiver-unused"]
    assert len(unused) == 1 and "two-messages" in unused[0]["message"]


def test_rules_of_a_waiver_are_checked_where_they_are_written(repo):
    plan = repo / REAL
    lines = plan.read_text().splitlines()
    added = "  - rules: [advocate-per-role, backup-per-contct]"
    plan.write_text("\n".join(lines) + f"\n{added}\n    reason: r\n")
    _, report = run_json(repo)
    [unknown] = [
        f
        for f in report["findings"]
        if f["rule"] == "unresolved-reference" and "backup-per-contct" in f["message"]
    ]
    where = (len(lines) + 1, added.index("backup-per-contct") + 1)
    assert (unknown["line"], unknown["column"]) == where
    assert "backup-per-contact" in unknown["message"]  # did you mean


@pytest.mark.parametrize(
    ("waiver", "says"),
    [
        ("{reason: r}", "rule"),
        ("{rules: [], reason: r}", "rules"),
        ("{rules: [nope-rule], reason: r}", "nope-rule"),
    ],
)
def test_a_waiver_without_a_rule_is_a_schema_error(repo, waiver, says):
    plan = repo / REAL
    plan.write_text(plan.read_text() + f"  - {waiver}\n")
    code, report = run_json(repo)
    assert code == 1
    problems = [
        f
        for f in report["findings"]
        if f["file"] == REAL and f["rule"] in ("schema", "unresolved-reference")
    ]
    assert problems and any(says in f["message"] for f in problems), problems
