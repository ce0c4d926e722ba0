"""SARIF output: valid against the official 2.1.0 schema, faithful to the findings, stable ids."""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, SHARED, require, run_cli

from engine.rules import RULES

# The official schema lives in the shared folder next to the checkout (../shared).
SARIF_SCHEMA = SHARED / "data/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example plans: errors, warnings, a plan waiver and a config waiver."""
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    return tmp_path


def sarif_and_json(cwd: Path) -> tuple[int, dict, dict]:
    """One run, two formats: SARIF on stdout and JSON to a file, to compare them."""
    result = run_cli(
        "check", "plans", "--no-cache", "--format", "sarif", "--format", "json:report.json",
        cwd=cwd,
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return (
        result.exit_code,
        json.loads(result.stdout),
        json.loads((cwd / "report.json").read_text(encoding="utf-8")),
    )


def test_sarif_validates_against_the_official_schema(example):
    require(SARIF_SCHEMA.is_file(), f"the official SARIF schema is not at {SARIF_SCHEMA} (shared/)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    _, log, report = sarif_and_json(example)
    assert any(f["waived"] for f in report["findings"])  # suppressions are validated too
    validator = jsonschema.Draft4Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_schema_check_would_catch_a_broken_log(example):
    """Control for the test above: the validator does reject what breaks the schema."""
    require(SARIF_SCHEMA.is_file(), f"the official SARIF schema is not at {SARIF_SCHEMA} (shared/)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    _, log, _ = sarif_and_json(example)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not jsonschema.Draft4Validator(schema).is_valid(log)


def test_each_result_matches_a_finding(example):
    code, log, report = sarif_and_json(example)
    assert code == 1
    results = log["runs"][0]["results"]
    assert len(results) == len(report["findings"]) > 0
    for result, finding in zip(results, report["findings"], strict=True):
        assert result["ruleId"] == finding["rule"]
        assert result["level"] == LEVELS[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == finding["file"]
        assert physical["region"] == {
            "startLine": finding["line"],
            "startColumn": finding["column"],
        }


def test_rule_descriptors_carry_summary_explain_page_and_default_level(example):
    _, log, _ = sarif_and_json(example)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "revplan"
    descriptors = {d["id"]: d for d in driver["rules"]}
    assert set(descriptors) == set(RULES)
    explain = run_cli("explain", "backup-per-contact").stdout
    backup = descriptors["backup-per-contact"]
    assert backup["help"]["text"] == explain
    assert backup["shortDescription"]["text"] == RULES["backup-per-contact"].summary
    assert "```yaml" in backup["help"]["markdown"]  # the examples, for code-scanning views
    for rule_id, descriptor in descriptors.items():
        assert descriptor["defaultConfiguration"]["level"] == LEVELS[RULES[rule_id].severity]
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_waived_findings_are_suppressed_with_the_waiver_reason(example):
    _, log, report = sarif_and_json(example)
    waived = [
        (r, f)
        for r, f in zip(log["runs"][0]["results"], report["findings"], strict=True)
        if f["waived"]
    ]
    assert waived
    plan_text = (example / "plans/accounts/aegean-lines.yaml").read_text(encoding="utf-8")
    reasons = set()
    for result, _ in waived:
        [suppression] = result["suppressions"]
        assert suppression["kind"] == "external" and suppression["status"] == "accepted"
        reasons.add(suppression["justification"])
    assert any(reason and reason in plan_text for reason in reasons)  # the plan's own words
    for result, finding in zip(log["runs"][0]["results"], report["findings"], strict=True):
        if not finding["waived"]:
            assert "suppressions" not in result


def fingerprints(log: dict) -> dict[str, int]:
    return {
        next(iter(r["partialFingerprints"].values())): r["locations"][0]["physicalLocation"][
            "region"
        ]["startLine"]
        for r in log["runs"][0]["results"]
    }


def test_fingerprints_are_unique_and_survive_lines_moving(example):
    _, before_log, _ = sarif_and_json(example)
    before = fingerprints(before_log)
    assert len(before) == len(before_log["runs"][0]["results"])  # one per result
    for plan in (example / "plans/accounts").glob("*.yaml"):
        text = plan.read_text(encoding="utf-8")
        plan.write_text("# moved down by a comment block\n" * 7 + text, encoding="utf-8")
    _, after_log, _ = sarif_and_json(example)
    after = fingerprints(after_log)
    assert set(after) == set(before)
    moved = [fp for fp in before if fp in after and after[fp] != before[fp]]
    assert moved  # the lines did change; the fingerprints did not


def test_output_is_deterministic_and_paths_are_uri_references(example):
    odd = example / "plans/accounts/aegean-lines.yaml"
    odd.rename(odd.with_name("αιγαίο lines.yaml"))
    first = run_cli("check", "plans", "--no-cache", "--format", "sarif", cwd=example).stdout
    second = run_cli("check", "plans", "--no-cache", "--format", "sarif", cwd=example).stdout
    assert first == second
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(first)["runs"][0]["results"]
    }
    assert "plans/accounts/%CE%B1%CE%B9%CE%B3%CE%B1%CE%AF%CE%BF%20lines.yaml" in uris
