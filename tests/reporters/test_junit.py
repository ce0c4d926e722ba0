"""JUnit XML output: parses, one test case per file and rule, failures carry the findings."""

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import junitparser
import xmlschema
from conftest import TESTS, run_cli

from engine.findings import Finding
from engine.report import Report
from engine.reporters.junit import JUnitReporter

CLEAN = """\
apiVersion: revplan/v1
kind: OKRs
id: clean
title: Clean
objectives:
  - id: pipeline
    title: Build pipeline
    key_results:
      - {id: opps, title: Qualified opportunities, baseline: 10, target: 40, current: 22}
"""
# Two objectives without key results (errors), one with six (a warning: more than 5).
MIXED = """\
apiVersion: revplan/v1
kind: OKRs
id: mixed
title: Mixed
objectives:
  - id: one
    title: One
  - id: two
    title: Two
  - id: many
    title: Many
    key_results:
""" + "".join(f"      - {{id: k{i}, title: K{i}, baseline: 0, target: 1}}\n" for i in range(6))
# The config waives the missing key results of the OKR set "waived".
CONFIG = """\
apiVersion: revplan/v1
kind: Config
plans: ["okrs/*.yaml"]
waivers:
  - rule: objective-has-key-results
    plan: waived
    reason: Key results are agreed at the offsite & written down <next week>
"""
WAIVED = CLEAN.replace("id: clean", "id: waived").replace(
    "    key_results:\n      - {id: opps, title: Qualified opportunities, baseline: 10, target: 40, current: 22}\n",
    "",
)


def junit(tmp_path: Path, *extra: str) -> tuple[int, ET.Element, dict]:
    okrs = tmp_path / "okrs"
    okrs.mkdir(exist_ok=True)
    (okrs / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    (okrs / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    (okrs / "waived.yaml").write_text(WAIVED, encoding="utf-8")
    (tmp_path / "revplan.yaml").write_text(CONFIG, encoding="utf-8")
    result = run_cli(
        "check", "--no-cache", "--format", "junit", "--format", "json:report.json", *extra,
        cwd=tmp_path,
    )  # fmt: skip
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    return result.exit_code, ET.fromstring(result.stdout.encode("utf-8")), report


def cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}


def test_one_suite_per_file_and_one_case_per_file_and_rule(tmp_path):
    code, root, report = junit(tmp_path)
    assert code == 1
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.iter("testsuite")] == [
        "okrs/clean.yaml",
        "okrs/mixed.yaml",
        "okrs/waived.yaml",
    ]
    expected = {(f["file"], f["rule"]) for f in report["findings"]}
    expected.add(("okrs/clean.yaml", "revplan"))  # a clean file shows as one passed case
    assert set(cases(root)) == expected


def test_failures_carry_every_finding_with_its_place(tmp_path):
    _, root, report = junit(tmp_path)
    case = cases(root)[("okrs/mixed.yaml", "objective-has-key-results")]
    [failure] = case.findall("failure")
    errors = [f for f in report["findings"] if f["rule"] == "objective-has-key-results"]
    errors = [f for f in errors if f["file"] == "okrs/mixed.yaml"]
    assert len(errors) == 2
    for f in errors:
        assert f"okrs/mixed.yaml:{f['line']}:{f['column']}: error" in failure.text
        assert f["message"] in failure.text
    assert failure.get("type") == "objective-has-key-results"
    assert "(and 1 more)" in failure.get("message")


def test_warnings_below_the_fail_level_pass_and_fail_with_fail_on_warning(tmp_path):
    _, root, _ = junit(tmp_path)
    case = cases(root)[("okrs/mixed.yaml", "key-results-count")]
    assert case.find("failure") is None
    assert "objective 'many'" in case.find("system-out").text
    _, strict, _ = junit(tmp_path, "--fail-on", "warning")
    assert cases(strict)[("okrs/mixed.yaml", "key-results-count")].find("failure") is not None


def test_waived_findings_are_skipped_with_the_reason(tmp_path):
    _, root, _ = junit(tmp_path)
    case = cases(root)[("okrs/waived.yaml", "objective-has-key-results")]
    assert case.find("failure") is None
    skipped = case.find("skipped")
    assert skipped.get("message") == (
        "waived: Key results are agreed at the offsite & written down <next week>"
    )


def test_counts_add_up(tmp_path):
    _, root, _ = junit(tmp_path)
    for element in [root, *root.iter("testsuite")]:
        found = list(element.iter("testcase"))
        assert int(element.get("tests")) == len(found)
        assert int(element.get("failures")) == sum(c.find("failure") is not None for c in found)
    for suite in root.iter("testsuite"):
        found = list(suite.iter("testcase"))
        assert int(suite.get("skipped")) == sum(c.find("skipped") is not None for c in found)
    assert root.get("failures") == "1"


# Jenkins xUnit's schema, vendored with its source (tests/data/README.md).
JUNIT_XSD = xmlschema.XMLSchema10(TESTS / "data/junit-10.xsd")


def test_report_is_valid_against_the_jenkins_xunit_schema(tmp_path):
    _, root, _ = junit(tmp_path)
    assert root.find(".//skipped") is not None and root.find(".//failure") is not None
    errors = [str(e.reason) for e in JUNIT_XSD.iter_errors(ET.tostring(root, encoding="unicode"))]
    assert errors == []


def test_schema_check_would_catch_a_broken_report(tmp_path):
    """Control for the test above: the schema rejects what the old output had."""
    _, root, _ = junit(tmp_path)
    root.set("skipped", "1")  # <testsuites skipped>: not in junit-10.xsd
    assert not JUNIT_XSD.is_valid(ET.tostring(root, encoding="unicode"))


def test_junitparser_reads_back_suites_files_times_and_results(tmp_path):
    _, _, report = junit(tmp_path)
    (tmp_path / "report.xml").write_text(
        run_cli("check", "--no-cache", "--format", "junit", cwd=tmp_path).stdout, encoding="utf-8"
    )
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "report.xml"))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"okrs/clean.yaml", "okrs/mixed.yaml", "okrs/waived.yaml"}
    for name, suite in suites.items():
        assert suite._elem.get("file") == name  # GitLab and Jenkins show the file
        assert suite.time == 0
        for case in suite:
            assert case.time == 0 and case.classname == name
    outcomes = {
        (name, case.name): type(case.result[0]).__name__ if case.result else "passed"
        for name, suite in suites.items()
        for case in suite
    }
    assert outcomes[("okrs/mixed.yaml", "objective-has-key-results")] == "Failure"
    assert outcomes[("okrs/waived.yaml", "objective-has-key-results")] == "Skipped"
    assert outcomes[("okrs/clean.yaml", "revplan")] == "passed"
    failing = [f for f in report["findings"] if f["severity"] == "error" and not f["waived"]]
    assert xml.failures == len({(f["file"], f["rule"]) for f in failing})


def test_control_characters_in_findings_still_give_well_formed_xml():
    raw = "name \x07\x1b[31mred\x00 and \ud800 end"
    finding = Finding("break-even", "warning", raw, "okrs/a.yaml", 3, 4, plan="a")
    report = Report([finding], [], date(2026, 11, 23), "error")
    text = JUnitReporter().render(report)
    root = ET.fromstring(text.encode("utf-8"))  # raises if not well-formed
    out = root.find(".//system-out").text
    assert "\\x1b[31mred\\x00" in out  # shown as escapes, not raw
