"""Findings: what the checks report, with the exact place in a file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule yields: the engine adds rule id, severity and waiver state."""

    loc: Location
    message: str
    plan: str | None = None
    target: str | None = None
    # Where in the document the problem is, by ids rather than line numbers, so
    # fingerprints survive edits that only move lines ("stakeholders/maria/backup").
    path: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    message: str
    file: str
    line: int
    column: int
    plan: str | None = None
    target: str | None = None
    path: str = ""
    waived: bool = False
    waiver_reason: str | None = field(default=None, compare=False)
    # The waiver's end, as the waiver that waives the finding says (documents show it).
    waiver_expires: date | None = field(default=None, compare=False)

    @classmethod
    def from_problem(cls, rule: str, severity: str, problem: Problem) -> Finding:
        loc = problem.loc
        return cls(
            rule=rule,
            severity=severity,
            message=problem.message,
            file=loc.file,
            line=loc.line,
            column=loc.column,
            plan=problem.plan,
            target=problem.target,
            path=problem.path,
        )

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule, self.message)

    def waive(self, reason: str, expires: date | None = None) -> Finding:
        return replace(self, waived=True, waiver_reason=reason, waiver_expires=expires)

    @property
    def fingerprint(self) -> str:
        """Identity of a finding that does not depend on line numbers."""
        return "|".join((self.rule, self.plan or "", self.target or "", self.path, self.file))


def tally(findings: Iterable[Finding]) -> list[int]:
    """The findings not waived of each severity, in SEVERITIES' order, then the waived."""
    counts = [0, 0, 0, 0]
    for f in findings:
        counts[3 if f.waived else SEVERITIES.index(f.severity)] += 1
    return counts


def fails(counts: list[int], fail_on: str) -> bool:
    """Whether ``tally``'s counts hold a finding not waived at or above ``fail_on``."""
    bar = SEVERITY_RANK[fail_on]
    return any(counts[i] for i, severity in enumerate(SEVERITIES) if SEVERITY_RANK[severity] >= bar)
