"""SARIF output: valid against the official 2.1.0 schema, faithful to the findings, stable ids."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import NODE_INSTALL, NODE_TOOLS, REPO, TESTS, require, run_cli

from engine.rules import RULES

# The official schema, vendored with its source (tests/data/README.md).
SARIF_SCHEMA = TESTS / "data/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# @microsoft/sarif-multitool ships a self-contained build per platform (no .NET needed).
MULTITOOL = (
    NODE_TOOLS
    / "node_modules/@microsoft"
    / (
        {"win32": "sarif-multitool-win32/Sarif.Multitool.exe"}.get(
            sys.platform, f"sarif-multitool-{sys.platform}/Sarif.Multitool"
        )
    )
)


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
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    _, log, report = sarif_and_json(example)
    assert any(f["waived"] for f in report["findings"])  # suppressions are validated too
    validator = jsonschema.Draft4Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_schema_check_would_catch_a_broken_log(example):
    """Control for the test above: the validator does reject what breaks the schema."""
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
        assert physical["artifactLocation"] == {"uri": finding["file"], "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {
            "startLine": finding["line"],
            "startColumn": finding["column"],
            "endLine": finding["line"],
            "endColumn": finding["column"] + 1,
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
        if not finding["waived"]:  # SARIF §3.27.23: on every result or on none
            assert result["suppressions"] == []


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


@pytest.fixture(scope="module")
def multitool_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Microsoft's SARIF validator with its SARIF and GitHub rules, run once (it takes
    seconds to start) on two logs of the example plans: as revplan writes it, and
    broken the way GitHub rejects. The rule ids of its errors and warnings, per log."""
    require(
        MULTITOOL.is_file(), f"@microsoft/sarif-multitool is not installed; run: {NODE_INSTALL}"
    )
    folder = tmp_path_factory.mktemp("sarif-multitool")
    shutil.copytree(REPO / "plans", folder / "plans")
    _, log, _ = sarif_and_json(folder)
    (folder / "as-written.sarif").write_text(json.dumps(log), encoding="utf-8")
    del log["runs"][0]["tool"]["driver"]["informationUri"]  # SARIF2005
    log["runs"][0]["results"][0]["locations"] = []  # GH1001: a result GitHub cannot place
    (folder / "broken.sarif").write_text(json.dumps(log), encoding="utf-8")
    output = folder / "validation.sarif"
    done = subprocess.run(
        [str(MULTITOOL), "validate", "as-written.sarif", "broken.sarif", "--rule-kind", "Gh;Sarif",
         "--level", "Error;Warning", "--output", str(output), "--log", "ForceOverwrite"],
        cwd=folder, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert output.is_file(), done.stdout + done.stderr
    [run] = json.loads(output.read_text(encoding="utf-8-sig"))["runs"]
    assert all(i.get("executionSuccessful") for i in run["invocations"]), done.stdout
    rules: dict[str, set[str]] = {"as-written.sarif": set(), "broken.sarif": set()}
    for result in run.get("results", []):
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        rules[uri.rsplit("/", 1)[-1]].add(result["ruleId"])
    return rules


def test_sarif_multitool_accepts_the_log_with_the_github_rules(multitool_results):
    assert multitool_results["as-written.sarif"] == set()


def test_sarif_multitool_would_catch_what_github_rejects(multitool_results):
    """Control for the test above: the GitHub rules do run and do flag a broken log."""
    rules = multitool_results["broken.sarif"]
    assert "SARIF2005" in rules and any(rule.startswith("GH") for rule in rules)


def test_rules_have_names_and_help_pages_and_the_tool_its_home(example):
    _, log, _ = sarif_and_json(example)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    rules_page = (REPO / "docs/rules.md").read_text(encoding="utf-8")
    for descriptor in driver["rules"]:
        if "-" in descriptor["id"]:  # a one-word id needs no name beside it (SARIF1001)
            assert descriptor["name"].isalnum() and descriptor["name"][0].isupper()
        page, _, anchor = descriptor["helpUri"].partition("#")
        assert page.endswith("docs/rules.md") and anchor == descriptor["id"]
        assert f"## {anchor}\n" in rules_page  # the page has the rule's heading


def test_uris_are_relative_to_the_repository_root_from_any_folder(example):
    (example / ".git").mkdir()  # the repository root
    from_root = run_cli("check", "plans", "--no-cache", "--format", "sarif", cwd=example)
    below = run_cli("check", ".", "--no-cache", "--format", "sarif", cwd=example / "plans")

    def locations(output: str) -> list[dict]:
        log = json.loads(output)
        assert "%SRCROOT%" in log["runs"][0]["originalUriBaseIds"]
        return [
            r["locations"][0]["physicalLocation"]["artifactLocation"]
            for r in log["runs"][0]["results"]
        ]

    assert locations(below.stdout) == locations(from_root.stdout)
    assert {"uri": "plans/accounts/aegean-lines.yaml", "uriBaseId": "%SRCROOT%"} in locations(
        below.stdout
    )
