"""SARIF 2.1.0 output, for code-scanning views (GitHub code scanning, IDE SARIF viewers).

One run with every rule of the catalogue as a descriptor (short description,
rationale, the ``revplan explain`` page as help, default level) and one
result per finding. Waived findings stay in the log as suppressed results, so
a code-scanning view shows them as accepted rather than losing them.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from engine import __version__
from engine.findings import Finding
from engine.report import Report
from engine.reporters.base import Reporter
from engine.rules import RULES
from engine.rules.base import Rule
from engine.rules.custom.adapter import as_rule
from engine.rules.custom.definition import CustomRule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# Our own key: GitHub's upload recomputes ``primaryLocationLineHash`` from the
# line's text and warns when a tool sets it to anything else.
FINGERPRINT_KEY = "revplanFingerprint/v1"


@lru_cache(maxsize=4096)  # many findings per file: encode each path once
def artifact_uri(file: str) -> str:
    """A URI reference for a finding's file: relative stays relative, absolute becomes file://."""
    if os.path.isabs(file):
        return Path(file).as_uri()
    return quote(Path(file).as_posix(), safe="/")


def stable_fingerprint(finding: Finding, occurrence: int) -> str:
    """A hash of the line-free fingerprint; ``occurrence`` separates identical ones in a file."""
    text = f"{finding.fingerprint}|{occurrence}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def help_markdown(rule: Rule) -> str:
    """The explain page as Markdown: code-scanning views render it beside the alert."""
    parts = [f"**{rule.summary}**", rule.rationale]
    if rule.params:
        lines = ["Parameters (set them under `rules:` in `revplan.yaml`):", ""]
        for name, default in rule.params.items():
            shown = ", ".join(default) if isinstance(default, list | tuple) else default
            lines.append(f"- `{name}`: {shown}")
        parts.append("\n".join(lines))
    parts.append(f"Anti-pattern:\n\n```yaml\n{rule.anti_pattern.rstrip()}\n```")
    parts.append(f"Best practice:\n\n```yaml\n{rule.best_practice.rstrip()}\n```")
    return "\n\n".join(parts) + "\n"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale or rule.summary},
        "help": {"text": rule.explain(), "markdown": help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


class SarifReporter(Reporter):
    name = "sarif"
    description = "SARIF 2.1.0, for code-scanning views (GitHub code scanning)"

    def render(self, report: Report) -> str:
        head, tail = self.frame(report.custom_rules)
        results = self.results(report.findings, report.custom_rules)
        return head + ",".join(results) + tail

    def results(self, findings: list[Finding], custom: tuple[CustomRule, ...] = ()) -> list[str]:
        """Each finding's result, as compact JSON. A fingerprint names its file, so
        the occurrences counted here are those of the findings' files alone."""
        index = _rule_indices(custom)
        seen: dict[str, int] = {}
        results = []
        for finding in findings:
            occurrence = seen.get(finding.fingerprint, 0)
            seen[finding.fingerprint] = occurrence + 1
            result = self._result(finding, index.get(finding.rule), occurrence)
            results.append(_compact(result))
        return results

    @staticmethod
    def frame(custom: tuple[CustomRule, ...] = ()) -> tuple[str, str]:
        """The log before its results and after them; ``custom``: the config's custom rules,
        listed after the built-in ones."""
        log = {
            "$schema": SARIF_SCHEMA_URI,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "revplan",
                            "version": __version__,
                            "semanticVersion": __version__,
                            "rules": [rule_descriptor(RULES[r]) for r in RULES]
                            + [rule_descriptor(as_rule(c)) for c in custom],
                        }
                    },
                    # libyaml counts columns in characters, not UTF-16 code units.
                    "columnKind": "unicodeCodePoints",
                    "results": [],
                }
            ],
        }
        head, _, tail = _compact(log).rpartition('"results":[]')
        return head + '"results":[', "]" + tail + "\n"

    @staticmethod
    def _result(finding: Finding, rule_index: int | None, occurrence: int) -> dict[str, Any]:
        result: dict[str, Any] = {"ruleId": finding.rule}
        if rule_index is not None:
            result["ruleIndex"] = rule_index
        result["level"] = LEVELS[finding.severity]
        result["message"] = {"text": finding.message}
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding.file)},
                    "region": {
                        "startLine": max(1, finding.line),
                        "startColumn": max(1, finding.column),
                    },
                }
            }
        ]
        result["partialFingerprints"] = {FINGERPRINT_KEY: stable_fingerprint(finding, occurrence)}
        if finding.waived:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": finding.waiver_reason or "",
                }
            ]
        properties = {k: v for k, v in (("plan", finding.plan), ("target", finding.target)) if v}
        if properties:
            result["properties"] = properties
        return result


def _rule_indices(custom: tuple[CustomRule, ...] = ()) -> dict[str, int]:
    return {rule_id: i for i, rule_id in enumerate([*RULES, *(c.id for c in custom)])}


def _compact(value: object) -> str:
    # Compact: SARIF is read by tools, and the indenting encoder is several times slower.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


REPORTER = SarifReporter
