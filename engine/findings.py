"""Findings: what the checks report, with the exact place in a file.

A finding's sentence is data: a message key (``"backup-per-contact.left"``) and
typed arguments, which a catalogue (engine/i18n) words in any language. The
argument types are few and frozen, so the cache can store them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from typing import Any

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
class Text:
    """Text shown as it is: an id, a rule, a parser's detail."""

    text: str


@dataclass(frozen=True, slots=True)
class Number:
    value: int | float


@dataclass(frozen=True, slots=True)
class Day:
    value: date


@dataclass(frozen=True, slots=True)
class Money:
    amount: float | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class Label:
    """A value of one of the plan format's enums (a role, a stance, a lever...)."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Item:
    """Something with an id and maybe a title: an objective, an action, a milestone..."""

    id: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A stakeholder, with what messages say about them."""

    id: str
    name: str | None
    stance: str
    roles: tuple[str, ...] = ()
    active: bool = True
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Many:
    """A list of values, joined the catalogue's way."""

    items: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    """A part of a sentence worded by its own key (one entry of a list, say)."""

    key: str
    args: tuple[Arg, ...] = ()


Value = Text | Number | Day | Money | Label | Item | Person | Many | Phrase


@dataclass(frozen=True, slots=True)
class Arg:
    """One named argument of a message."""

    name: str
    value: Value


def args(**values: Value) -> tuple[Arg, ...]:
    """``args(person=Person(...), count=Number(2))``: a message's arguments."""
    return tuple(Arg(name, value) for name, value in values.items())


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule yields: the engine adds rule id, severity, the English sentence and
    waiver state."""

    loc: Location
    key: str
    args: tuple[Arg, ...] = ()
    plan: str | None = None
    target: str | None = None
    # Where in the document the problem is, by ids rather than line numbers, so
    # fingerprints survive edits that only move lines ("stakeholders/maria/backup").
    path: str = ""


def detailed(
    loc: Location, key: str, detail: str, plan: str | None = None, path: str = ""
) -> Problem:
    """A problem that a parser or validator words itself (yaml-syntax, schema): its
    sentence is the ``detail``."""
    return Problem(loc, key, (Arg("detail", Text(detail)),), plan=plan, path=path)


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
    # What ``message`` says, as data: documents word it in their language.
    key: str = ""
    args: tuple[Arg, ...] = ()

    @classmethod
    def from_problem(cls, rule: str, severity: str, problem: Problem, message: str) -> Finding:
        """``message``: the problem's sentence in English (engine.i18n.messages.english)."""
        loc = problem.loc
        return cls(
            rule=rule,
            severity=severity,
            message=message,
            file=loc.file,
            line=loc.line,
            column=loc.column,
            plan=problem.plan,
            target=problem.target,
            path=problem.path,
            key=problem.key,
            args=problem.args,
        )

    def sort_key(self) -> tuple[str, int, int, str, str]:
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


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _reduce_by_fields(obj: Any) -> tuple[type, tuple[Any, ...]]:
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return cls, tuple([getattr(obj, name) for name in names])


def pickled_by_fields(namespace: dict[str, Any]) -> None:
    """The frozen dataclasses defined in a module's ``namespace`` pickled as their class
    and their fields' values, rebuilt by calling the class: the dataclasses' own way
    asks ``fields()`` of every object, and a plan sent between processes is a thousand
    objects (3.0 ms to pickle and 4.5 ms to unpickle a generated plan; 2.0 and 2.8)."""
    for value in list(namespace.values()):
        if (
            isinstance(value, type)
            and is_dataclass(value)
            and value.__module__ == namespace["__name__"]
        ):
            value.__reduce__ = _reduce_by_fields  # type: ignore[method-assign,assignment]


pickled_by_fields(globals())
