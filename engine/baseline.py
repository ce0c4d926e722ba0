"""Baselines: adopt revplan on an existing, imperfect repository without fixing everything first.

``revplan check --write-baseline FILE`` records today's findings by
fingerprint (rule, plan, target, place in the document and file — no line
numbers, so edits that only move lines keep matching) with a count each.
``revplan check --baseline FILE`` then accepts up to that many findings per
fingerprint (shown as waived, "in the baseline"), fails only on the rest,
and reports the entries that have since been fixed.

File paths in the baseline are relative to the baseline's own folder, so the
same file matches whichever directory revplan runs from.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from engine.controls import json_escaped_surrogates
from engine.errors import UsageError
from engine.findings import Finding
from engine.paths import display_path, refusal
from engine.report import Report

BASELINE_VERSION = 1
_COMMENT = (
    "revplan baseline: findings accepted when revplan was adopted. "
    "`revplan check --baseline THIS_FILE` fails only on findings not listed here; "
    "regenerate with `revplan check --write-baseline THIS_FILE` once some are fixed."
)


class BaselineError(UsageError):
    """The baseline cannot be read or written (exit 2)."""


@dataclass(frozen=True)
class Baseline:
    path: Path
    counts: dict[str, int]  # fingerprint -> how many findings carry it

    @property
    def root(self) -> Path:
        return Path(os.path.abspath(self.path)).parent

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Comparison:
    """How the current findings compare with a baseline."""

    baseline: Baseline
    known: int = 0  # findings the baseline accepts
    new: list[Finding] = field(default_factory=list)
    fixed: list[tuple[str, int]] = field(default_factory=list)  # (fingerprint, how many fewer)

    def describe(self) -> list[str]:
        """Plain-text lines for people: counts, then each fixed entry."""
        shown = display_path(self.baseline.path)
        fixed_total = sum(n for _, n in self.fixed)
        lines = [
            f"baseline {shown}: {self.known} known finding(s) accepted, "
            f"{len(self.new)} new, {fixed_total} fixed since it was written"
        ]
        lines += [f"  fixed: {describe_fingerprint(fp)}" for fp, _ in self.fixed]
        if self.fixed:
            lines.append(
                f"  run `revplan check --write-baseline {shown}` to drop the fixed entries, "
                "so they cannot come back unnoticed"
            )
        return lines


def fingerprint(finding: Finding, root: Path) -> str:
    """The finding's fingerprint with its file relative to ``root`` (the baseline's folder)."""
    return replace(finding, file=_relative(os.path.abspath(finding.file), root)).fingerprint


@lru_cache(maxsize=4096)  # many findings per file: relate each file once
def _relative(absolute: str, root: Path) -> str:
    try:
        return Path(os.path.relpath(absolute, root)).as_posix()
    except ValueError:  # another drive on Windows: keep the path as it is
        return absolute


def describe_fingerprint(fp: str) -> str:
    """``rule at path in file (plan/target)`` from a fingerprint, for messages."""
    rule, plan, target, where, file = (fp.split("|", 4) + ["", "", "", ""])[:5]
    about = "/".join(part for part in (plan, target) if part)
    text = f"{rule} at {where or 'top'} in {file}"
    return f"{text} ({about})" if about else text


def record(findings: list[Finding], root: Path) -> dict[str, int]:
    """Fingerprint counts of the findings a baseline accepts (waived ones need no baseline)."""
    return dict(Counter(fingerprint(f, root) for f in findings if not f.waived))


def write_baseline(report: Report, path: Path) -> Baseline:
    """Record the report's findings in ``path`` (written whole or not at all)."""
    baseline = Baseline(path, {})
    counts = record(report.findings, baseline.root)
    document = {
        "version": BASELINE_VERSION,
        "comment": _COMMENT,
        "findings": [{"fingerprint": fp, "count": n} for fp, n in sorted(counts.items())],
    }
    text = (
        json_escaped_surrogates(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
        + "\n"
    )
    folder = baseline.root
    refused = refusal(path)
    if refused:
        raise BaselineError(f"not writing the baseline {path}: {refused}")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise BaselineError(f"cannot write the baseline {path}: {exc.strerror or exc}") from exc
    return Baseline(path, counts)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline; a missing or malformed one is an error (exit 2), never an empty baseline."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such baseline file — create it with "
            f"`revplan check --write-baseline {path}`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise BaselineError(f"{path}: cannot read the baseline: {reason}") from exc
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}:{exc.lineno}:{exc.colno}: not a revplan baseline (invalid JSON: {exc.msg})"
        ) from None
    except RecursionError:  # deeper than the parser goes: a baseline is three levels deep
        raise BaselineError(
            f"{path}: not a revplan baseline (nested too deep) — regenerate it with "
            f"`revplan check --write-baseline {path}`"
        ) from None
    return Baseline(path, _counts(document, path))


def _counts(document: object, path: Path) -> dict[str, int]:
    def bad(why: str) -> BaselineError:
        return BaselineError(
            f"{path}: not a revplan baseline: {why} "
            f"(regenerate it with `revplan check --write-baseline {path}`)"
        )

    if not isinstance(document, dict):
        raise bad("the file must hold a JSON object")
    if document.get("version") != BASELINE_VERSION:
        raise bad(f"'version' must be {BASELINE_VERSION}, found {document.get('version')!r}")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise bad("'findings' must be a list")
    counts: Counter[str] = Counter()
    for i, entry in enumerate(entries):
        fp = entry.get("fingerprint") if isinstance(entry, dict) else None
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if not isinstance(fp, str) or not fp:
            raise bad(f"findings[{i}] needs a 'fingerprint' text")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise bad(f"findings[{i}].count must be a whole number of at least 1")
        counts[fp] += count
    return dict(counts)


def apply_baseline(report: Report, baseline: Baseline) -> tuple[Report, Comparison]:
    """The report with baselined findings accepted (waived), and the comparison."""
    remaining = dict(baseline.counts)
    reason = f"in the baseline {display_path(baseline.path)}"
    comparison = Comparison(baseline)
    findings = []
    for finding in report.findings:
        if not finding.waived:
            fp = fingerprint(finding, baseline.root)
            if remaining.get(fp, 0) > 0:
                remaining[fp] -= 1
                comparison.known += 1
                finding = finding.waive(reason)
            else:
                comparison.new.append(finding)
        findings.append(finding)
    comparison.fixed = [(fp, n) for fp, n in sorted(remaining.items()) if n > 0]
    return replace(report, findings=findings), comparison
