"""JUnit XML output, for the test-report views of CI systems.

One ``<testsuite>`` per file, and in it one ``<testcase>`` per rule that
reported something about the file (``classname`` the file, ``name`` the rule):

- a ``<failure>`` carrying the findings when any of them fails the run;
- ``<skipped>`` when every finding of that rule there is waived;
- a passing case whose ``<system-out>`` lists findings below the fail level.

A file without findings gets one passing case named ``revplan``, so clean
files show up as passed instead of missing (the way ESLint's JUnit output
does it: listing every rule for every file would not scale to large repositories).

The document is valid against the Jenkins xUnit plugin's ``junit-10.xsd``
(tests/data): a suite names its ``file``; ``time`` is ``0`` throughout, since a
check is not a timed test and the same plans must give the same bytes; the
``<testsuites>`` element carries no ``skipped`` count (the schema has none).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from itertools import groupby

from engine.findings import SEVERITY_RANK, Finding
from engine.report import Report
from engine.reporters.base import Reporter, safe_text

CLEAN_CASE = "revplan"
NO_TIME = "0"
# Characters XML 1.0 cannot carry at all, even escaped (safe_text handles the C0/C1 controls).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", safe_text(text))


def _line(f: Finding) -> str:
    text = f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}"
    if f.waived:
        text += f" [waived: {f.waiver_reason or ''}]"
    return _xml_text(text)


class JUnitReporter(Reporter):
    name = "junit"
    description = "JUnit XML, for CI test reports: one test case per file and rule"

    def render(self, report: Report) -> str:
        bar = SEVERITY_RANK[report.fail_on]
        by_file: dict[str, list[Finding]] = defaultdict(list)
        for f in report.findings:
            by_file[f.file].append(f)
        files = sorted({r.file for r in report.checked} | set(by_file))

        root = ET.Element("testsuites", name="revplan check", time=NO_TIME)
        totals = {"tests": 0, "failures": 0}  # <testsuites> has no "skipped" in the XSD
        for file in files:
            name = _xml_text(file)
            suite = ET.SubElement(root, "testsuite", name=name, file=name, time=NO_TIME)
            counts = {"tests": 0, "failures": 0, "skipped": 0}
            findings = sorted(by_file.get(file, []), key=lambda f: (f.rule, f.sort_key()))
            if not findings:
                ET.SubElement(suite, "testcase", classname=name, name=CLEAN_CASE, time=NO_TIME)
                counts["tests"] += 1
            for rule, group in groupby(findings, key=lambda f: f.rule):
                outcome = self._case(suite, file, rule, list(group), bar)
                counts["tests"] += 1
                if outcome:
                    counts[outcome] += 1
            suite.set("tests", str(counts["tests"]))
            suite.set("failures", str(counts["failures"]))
            suite.set("errors", "0")
            suite.set("skipped", str(counts["skipped"]))
            for key in totals:
                totals[key] += counts[key]
        root.set("tests", str(totals["tests"]))
        root.set("failures", str(totals["failures"]))
        root.set("errors", "0")
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

    @staticmethod
    def _case(
        suite: ET.Element, file: str, rule: str, findings: list[Finding], bar: int
    ) -> str | None:
        """Add the test case of ``rule`` in ``file``; return "failures", "skipped" or None."""
        case = ET.SubElement(suite, "testcase", classname=_xml_text(file), name=rule, time=NO_TIME)
        failing = [f for f in findings if not f.waived and SEVERITY_RANK[f.severity] >= bar]
        text = "\n".join(_line(f) for f in findings)
        if failing:
            first = failing[0]
            more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
            failure = ET.SubElement(
                case,
                "failure",
                message=_xml_text(f"{first.file}:{first.line}:{first.column}: {first.message}")
                + more,
                type=rule,
            )
            failure.text = text
            return "failures"
        if all(f.waived for f in findings):
            reasons = sorted({f.waiver_reason or "" for f in findings})
            ET.SubElement(case, "skipped", message=_xml_text("waived: " + "; ".join(reasons)))
            ET.SubElement(case, "system-out").text = text
            return "skipped"
        ET.SubElement(case, "system-out").text = text
        return None


REPORTER = JUnitReporter
