"""Baselines: record today's findings, then fail only on new ones and report the fixed ones."""

import json
from pathlib import Path

import pytest
from conftest import run_cli

# Two objectives without key results (two errors), one complete objective.
OKRS = """\
apiVersion: revplan/v1
kind: OKRs
id: sales
title: Sales
objectives:
  - id: pipeline
    title: Build pipeline
  - id: partners
    title: Grow partners
    key_results:
      - {id: deals, title: Partner deals, baseline: 0, target: 5}
  - id: churn
    title: Cut churn
"""
KEY_RESULT = "    key_results:\n      - {id: kr, title: A result, baseline: 0, target: 1}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "sales.yaml").write_text(OKRS, encoding="utf-8")
    return tmp_path


def check(repo: Path, *args: str, cwd: Path | None = None):
    return run_cli("check", "--no-cache", "--format", "json", *args, cwd=cwd or repo)


def findings(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


def test_write_baseline_records_todays_findings_and_passes(repo):
    plain = check(repo, "plans")
    assert plain.exit_code == 1 and len(findings(plain)) == 2
    result = check(repo, "plans", "--write-baseline", "baseline.json")
    assert result.exit_code == 0
    assert "wrote baseline.json with 2 finding(s)" in result.stderr
    document = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    entries = document["findings"]
    assert sum(e["count"] for e in entries) == 2
    assert all(e["fingerprint"].startswith("objective-has-key-results|sales|") for e in entries)
    assert not any(":" in e["fingerprint"].split("|")[3] for e in entries)  # no line numbers


def test_baselined_findings_still_match_after_lines_move(repo):
    check(repo, "plans", "--write-baseline", "baseline.json")
    before = {f["target"]: f["line"] for f in findings(check(repo, "plans"))}
    plan = repo / "plans" / "sales.yaml"
    text = plan.read_text(encoding="utf-8")
    # Comments on top and the objectives in another order: every line moves.
    head, _, objectives = text.partition("objectives:\n")
    pipeline, partners, churn = objectives.split("  - id: ")[1:]
    plan.write_text(
        "# Sales OKRs\n# reviewed weekly\n# owner: VP Sales\n"
        + head
        + "objectives:\n"
        + "".join("  - id: " + o for o in (partners, churn, pipeline)),
        encoding="utf-8",
    )
    result = check(repo, "plans", "--baseline", "baseline.json")
    assert result.exit_code == 0, result.stdout
    after = {f["target"]: f["line"] for f in findings(result)}
    assert after.keys() == before.keys() and all(after[t] != before[t] for t in before)
    assert all(f["waived"] for f in findings(result))
    assert "2 known finding(s) accepted, 0 new, 0 fixed" in result.stderr


def test_a_new_finding_fails_the_run(repo):
    check(repo, "plans", "--write-baseline", "baseline.json")
    plan = repo / "plans" / "sales.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8") + "  - id: upsell\n    title: Upsell\n", encoding="utf-8"
    )
    result = check(repo, "plans", "--baseline", "baseline.json")
    assert result.exit_code == 1
    failing = [f for f in findings(result) if not f["waived"]]
    assert [f["target"] for f in failing] == ["upsell"]
    assert "2 known finding(s) accepted, 1 new, 0 fixed" in result.stderr


def test_fixed_findings_are_reported(repo):
    check(repo, "plans", "--write-baseline", "baseline.json")
    plan = repo / "plans" / "sales.yaml"
    fixed = plan.read_text(encoding="utf-8").replace(
        "    title: Build pipeline\n", "    title: Build pipeline\n" + KEY_RESULT
    )
    plan.write_text(fixed, encoding="utf-8")
    result = check(repo, "plans", "--baseline", "baseline.json")
    assert result.exit_code == 0
    assert "1 known finding(s) accepted, 0 new, 1 fixed" in result.stderr
    assert "fixed: objective-has-key-results at objectives/pipeline" in result.stderr
    assert "--write-baseline baseline.json" in result.stderr  # how to drop the entry


def test_each_entry_accepts_only_as_many_findings_as_it_counts(repo):
    """Renaming 'churn' to a second 'pipeline' does not move churn's entry over to it."""
    check(repo, "plans", "--write-baseline", "baseline.json")
    plan = repo / "plans" / "sales.yaml"
    plan.write_text(OKRS.replace("id: churn", "id: pipeline"), encoding="utf-8")  # duplicate id
    result = check(repo, "plans", "--baseline", "baseline.json")
    accepted = [f for f in findings(result) if f["waived"]]
    assert [f["target"] for f in accepted if f["rule"] == "objective-has-key-results"] == [
        "pipeline"
    ]  # the second 'pipeline' finding is new: churn's entry is fixed, not transferable


def test_the_baseline_matches_from_another_directory(repo):
    check(repo, "plans", "--write-baseline", "baseline.json")
    result = check(repo, ".", "--baseline", "../baseline.json", cwd=repo / "plans")
    assert result.exit_code == 0
    assert all(f["waived"] for f in findings(result))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such baseline file"),
        ("{not json", "baseline.json:1:2: not a revplan baseline (invalid JSON"),
        ('{"version": 2, "findings": []}', "'version' must be 1"),
        ('{"version": 1, "findings": {}}', "'findings' must be a list"),
        ('{"version": 1, "findings": [{"count": 1}]}', "findings[0] needs a 'fingerprint'"),
        (
            '{"version": 1, "findings": [{"fingerprint": "x", "count": 0}]}',
            "findings[0].count must be a whole number",
        ),
        ("[" * 100_000 + "]" * 100_000, "not a revplan baseline (nested too deep)"),
        (
            '{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "not a revplan baseline (nested too deep)",
        ),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_a_missing_or_malformed_baseline_exits_2(repo, content, message):
    if content is not None:
        (repo / "baseline.json").write_text(content, encoding="utf-8")
    result = check(repo, "plans", "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_baseline_and_write_baseline_together_is_a_usage_error(repo):
    result = check(repo, "plans", "--baseline", "a.json", "--write-baseline", "b.json")
    assert result.exit_code == 2
    assert not (repo / "b.json").exists()


def test_an_unwritable_baseline_exits_2(repo):
    result = check(repo, "plans", "--write-baseline", "missing/folder/baseline.json")
    assert result.exit_code == 2
    assert "cannot write the baseline" in result.stderr
