"""SARIF 2.1.0 output, for code-scanning views (GitHub code scanning, IDE SARIF viewers).

One run with every rule of the catalogue as a descriptor (name, short
description, rationale, the ``revplan explain`` page as help and its address,
default level) and one result per finding. Waived findings stay in the log as
suppressed results, so a SARIF viewer shows them as accepted rather than losing
them; every result carries ``suppressions`` (empty when not waived), as SARIF
§3.27.23 asks of a log where any result has one.

Files are URIs relative to the repository root (``%SRCROOT%``), whatever the
current directory, so code scanning places them when revplan runs in a
sub-folder (a ``working-directory``).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from engine import HOMEPAGE, __version__
from engine.controls import json_escaped_surrogates
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
# The base every artifact URI is relative to; GitHub resolves it to the checkout.
SOURCE_ROOT = "%SRCROOT%"
RULES_PAGE = f"{HOMEPAGE}/blob/v{__version__}/docs/rules.md"


def repository_prefix(cwd: Path | None = None) -> str:
    """The current directory as a path from the repository root (``""`` at the root,
    ``"sub/dir/"`` below it). The root is the nearest folder holding ``.git``; outside
    a repository, the current directory."""
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            relative = here.relative_to(folder).as_posix()
            return "" if relative == "." else relative + "/"
    return ""


@lru_cache(maxsize=4096)  # many findings per file: encode each path once
def artifact_location(file: str, prefix: str) -> dict[str, str]:
    """A finding's file as an artifact location: a URI relative to the repository root
    (``prefix`` is the current directory's path from it), or, for a file outside
    the repository, an absolute file:// URI with no base."""
    path = PurePosixPath(Path(file).as_posix())
    if not path.is_absolute():
        joined = posixpath.normpath(prefix + path.as_posix())
        if not joined.startswith("../") and joined != "..":
            return {"uri": _quoted(joined), "uriBaseId": SOURCE_ROOT}
        path = PurePosixPath(Path(file).resolve().as_posix())
    return {"uri": "file://" + _quoted(path.as_posix())}


def _quoted(path: str) -> str:
    # surrogateescape keeps a non-UTF-8 file name's bytes: each is percent-encoded.
    return quote(os.fsencode(path), safe="/")


def rule_name(rule_id: str) -> dict[str, str]:
    """``backup-per-contact`` -> ``BackupPerContact``: SARIF's rule names are PascalCase.
    A one-word id has none: a name no different from the id must be left out
    (SARIF §3.49.7; the multitool's SARIF1001)."""
    name = "".join(part.capitalize() for part in rule_id.split("-"))
    return {} if name.lower() == rule_id.lower() else {"name": name}


def stable_fingerprint(finding: Finding, occurrence: int) -> str:
    """A hash of the line-free fingerprint; ``occurrence`` separates identical ones in a file."""
    text = f"{finding.fingerprint}|{occurrence}"
    # surrogateescape: a non-UTF-8 file name hashes as its bytes.
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


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
        **rule_name(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale or rule.summary},
        "help": {"text": rule.explain(), "markdown": help_markdown(rule)},
        "helpUri": f"{RULES_PAGE}#{rule.id}",
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


class SarifReporter(Reporter):
    name = "sarif"
    description = "SARIF 2.1.0, for code-scanning views (GitHub code scanning)"

    def render(self, report: Report) -> str:
        head, tail = self.frame(report.custom_rules)
        results = self.results(report.findings, repository_prefix(), report.custom_rules)
        return head + ",".join(results) + tail

    def results(
        self, findings: list[Finding], prefix: str, custom: tuple[CustomRule, ...] = ()
    ) -> list[str]:
        """Each finding's result, as compact JSON (``prefix``: ``repository_prefix()``;
        ``custom``: the config's custom rules). A fingerprint names its file, so the
        occurrences counted here are those of the findings' files alone."""
        index = _rule_indices(custom)
        seen: dict[str, int] = {}
        results = []
        for finding in findings:
            occurrence = seen.get(finding.fingerprint, 0)
            seen[finding.fingerprint] = occurrence + 1
            result = self._result(finding, index.get(finding.rule), occurrence, prefix)
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
                            "informationUri": HOMEPAGE,
                            "version": __version__,
                            "semanticVersion": __version__,
                            "rules": [rule_descriptor(RULES[r]) for r in RULES]
                            + [rule_descriptor(as_rule(c)) for c in custom],
                        }
                    },
                    # Where the relative URIs start; its place on disk is the reader's
                    # (GitHub: the checkout), so the log names no machine's folders.
                    "originalUriBaseIds": {
                        SOURCE_ROOT: {"description": {"text": "The repository root."}}
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
    def _result(
        finding: Finding, rule_index: int | None, occurrence: int, prefix: str
    ) -> dict[str, Any]:
        result: dict[str, Any] = {"ruleId": finding.rule}
        if rule_index is not None:
            result["ruleIndex"] = rule_index
        result["level"] = LEVELS[finding.severity]
        result["message"] = {"text": finding.message}
        line, column = max(1, finding.line), max(1, finding.column)
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.file, prefix),
                    # A finding points at the first character of the key or value it
                    # names: the region is that character (revplan keeps no spans).
                    "region": {
                        "startLine": line,
                        "startColumn": column,
                        "endLine": line,
                        "endColumn": column + 1,
                    },
                }
            }
        ]
        result["partialFingerprints"] = {FINGERPRINT_KEY: stable_fingerprint(finding, occurrence)}
        # On every result (SARIF §3.27.23): empty means "known not to be suppressed".
        result["suppressions"] = (
            [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": finding.waiver_reason or "",
                }
            ]
            if finding.waived
            else []
        )
        properties = {k: v for k, v in (("plan", finding.plan), ("target", finding.target)) if v}
        if properties:
            result["properties"] = properties
        return result


def _rule_indices(custom: tuple[CustomRule, ...] = ()) -> dict[str, int]:
    return {rule_id: i for i, rule_id in enumerate([*RULES, *(c.id for c in custom)])}


def _compact(value: object) -> str:
    # Compact: SARIF is read by tools, and the indenting encoder is several times slower.
    return json_escaped_surrogates(
        json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    )


REPORTER = SarifReporter
