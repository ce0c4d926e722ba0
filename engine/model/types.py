"""The model: immutable typed objects built from loaded documents.

Graph, rules, metrics and templates read only these objects. Every object
carries where it stands in its file (``loc``) and where each of its fields'
values stand (``locs``), so a finding can point at the exact line.

The builders are lenient: a document with schema errors still yields a model
(wrong-typed values are dropped) so that references into it resolve and the
other checks still run; the schema findings say what is wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.findings import Location, pickled_by_fields
from engine.parse.loader import Path


class Places:
    """Where an object's fields stand, read from the document's position map on
    demand: building a Location for each of a plan's thousand values up front
    cost a third of the model's build time, and most are never asked for."""

    __slots__ = ("file", "positions", "path")

    def __init__(self, file: str, positions: Mapping[Path, tuple[int, int]], path: Path) -> None:
        self.file, self.positions, self.path = file, positions, path

    def __reduce__(self) -> tuple[Any, ...]:
        # Places dropped (a model packed for documents): every object's pickles as the
        # same one, not each with its path (a fifth of the time to pack and unpack a plan).
        if not self.positions:
            return _nowhere, (self.file,)
        return Places, (self.file, self.positions, self.path)

    def get(self, name: str, index: int | None = None) -> Location | None:
        """Field ``name`` (or its item ``index``), if it is written in the document."""
        key = self.path + ((name,) if index is None else (name, index))
        position = self.positions.get(key)
        return None if position is None else Location(self.file, position[0], position[1])

    def __contains__(self, name: object) -> bool:
        return self.path + (name,) in self.positions

    def written(self) -> list[list[Any]]:
        """``[name, index or None, line, column]`` of each field written: for the cache."""
        depth = len(self.path)
        return [  # in document order, as the loader met them: the same bytes every run
            [key[depth], key[depth + 1] if len(key) > depth + 1 else None, *position]
            for key, position in self.positions.items()
            if depth < len(key) <= depth + 2 and key[:depth] == self.path
        ]

    @staticmethod
    def written_each(places: Sequence[Places]) -> list[list[list[Any]]]:
        """``written()`` of each of ``places``, in one pass over their positions (the
        places of one document's waivers share them): a pass for each waiver was
        quadratic, 2,400 waivers 70 s."""
        if not places or any(p.positions is not places[0].positions for p in places):
            return [p.written() for p in places]
        wanted: dict[Path, list[list[Any]]] = {p.path: [] for p in places}
        for key, position in places[0].positions.items():  # in document order
            for cut in (len(key) - 1, len(key) - 2):
                found = wanted.get(key[:cut]) if cut >= 0 else None
                if found is not None:
                    found.append(
                        [key[cut], key[cut + 1] if len(key) > cut + 1 else None, *position]
                    )
        return [wanted[p.path] for p in places]

    @classmethod
    def from_written(cls, file: str, written: list[list[Any]]) -> Places:
        positions: dict[tuple[str | int, ...], tuple[int, int]] = {
            (name,) if index is None else (name, index): (line, column)
            for name, index, line, column in written
        }
        return cls(file, positions, ())


@functools.lru_cache(maxsize=64)
def _nowhere(file: str) -> Places:
    """The places of a file whose places were dropped: none."""
    return Places(file, {}, ())


@dataclass(frozen=True, eq=False, slots=True)
class Node:
    """Base of every model object: its place, and its fields' places."""

    loc: Location
    locs: Places = field(repr=False)

    def at(self, name: str, index: int | None = None) -> Location:
        """Where field ``name`` (or its item ``index``) stands; the object itself if absent."""
        if index is not None:
            found = self.locs.get(name, index)
            if found is not None:
                return found
        return self.locs.get(name) or self.loc


@dataclass(frozen=True, eq=False, slots=True)
class TeamMember(Node):
    id: str = ""
    name: str = ""
    function: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Needs:
    see: str | None = None
    hear: str | None = None
    know: str | None = None

    def __bool__(self) -> bool:
        return bool(self.see or self.hear or self.know)


@dataclass(frozen=True, eq=False, slots=True)
class Stakeholder(Node):
    id: str = ""
    name: str = ""
    title: str | None = None
    department: str | None = None
    reports_to: str | None = None
    group: str | None = None
    roles: tuple[str, ...] = ()
    stance: str = "unknown"
    influence: str | None = None
    status: str = "active"
    reference: bool = False
    backup: str | None = None
    owner: str | None = None
    last_contact: date | None = None
    needs: Needs | None = None
    outcomes: tuple[str, ...] = ()
    competitor: str | None = None
    concerns: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status != "left"


@dataclass(frozen=True, eq=False, slots=True)
class Checkin(Node):
    date: date | None = None
    value: float | None = None
    confidence: float | None = None
    note: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class KeyResult(Node):
    id: str = ""
    title: str = ""
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str | None = None
    confidence: float | None = None
    weight: float | None = None
    checkins: tuple[Checkin, ...] = ()  # sorted by date (the written order among equal dates)
    # ``current`` as written: ``current`` itself is the latest check-in's value when absent.
    written_current: float | None = None

    @property
    def latest(self) -> Checkin | None:
        dated = [c for c in self.checkins if c.date is not None]
        return dated[-1] if dated else None


@dataclass(frozen=True, eq=False, slots=True)
class Action(Node):
    id: str = ""
    title: str = ""
    owner: str | None = None
    due: date | None = None
    status: str = "planned"
    stakeholders: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        return self.status != "done"


@dataclass(frozen=True, eq=False, slots=True)
class Objective(Node):
    id: str = ""
    title: str = ""
    group: str | None = None
    aligns_to: tuple[str, ...] = ()
    key_results: tuple[KeyResult, ...] = ()
    actions: tuple[Action, ...] = ()
    # OKR objectives only
    lever: str | None = None
    type: str | None = None
    owner: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Requirement(Node):
    id: str = ""
    title: str = ""
    met_by: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False, slots=True)
class Expansion(Node):
    id: str = ""
    title: str = ""
    business_unit: str | None = None
    value: float | None = None
    stakeholders: tuple[str, ...] = ()
    via: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False, slots=True)
class Review(Node):
    date: date | None = None
    perspectives: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Milestone(Node):
    id: str = ""
    title: str = ""
    date: date | None = None
    status: str = "planned"
    review: Review | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Waiver(Node):
    rule: str = ""
    reason: str = ""
    plan: str | None = None
    target: str | None = None
    expires: date | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Account(Node):
    id: str = ""
    name: str = ""
    segment: str | None = None
    priority: int | None = None
    currency: str | None = None
    arr: float | None = None
    gross_margin: float = 1.0
    acquisition_cost: float | None = None
    support_cost_per_year: float | None = None
    contract_start: date | None = None
    renewal_date: date | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Renewal(Node):
    """The team's renewal call (``renewal:`` besides its requirements)."""

    forecast: str | None = None  # commit | best_case | at_risk | churn
    probability: float | None = None
    notice_date: date | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Messages:
    renew: str | None = None
    expand: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class AccountPlan(Node):
    file: str = ""
    valid: bool = True  # False when the file has schema errors
    account: Account | None = None
    owner: str | None = None
    reviewed: date | None = None
    team: tuple[TeamMember, ...] = ()
    stakeholders: tuple[Stakeholder, ...] = ()
    objectives: tuple[Objective, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    renewal: Renewal | None = None
    messages: Messages = Messages()
    expansion: tuple[Expansion, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    waivers: tuple[Waiver, ...] = ()

    @property
    def id(self) -> str:
        return self.account.id if self.account else ""

    @property
    def name(self) -> str:
        return self.account.name if self.account else self.id

    def actions(self) -> Iterator[tuple[Objective, Action]]:
        for objective in self.objectives:
            for action in objective.actions:
                yield objective, action

    def actions_engaging(self, person: str) -> list[Action]:
        """The actions that engage the stakeholder ``person``, in the plan's order."""
        return [action for _, action in self.actions() if person in action.stakeholders]

    def ids(self) -> Iterator[tuple[str, str, Node]]:
        """Every id defined in the plan, as (section, id, object)."""
        for section, items in (
            ("team", self.team),
            ("stakeholders", self.stakeholders),
            ("objectives", self.objectives),
            ("renewal.requirements", self.requirements),
            ("expansion", self.expansion),
            ("milestones", self.milestones),
        ):
            for item in items:
                yield section, item.id, item
        for objective in self.objectives:
            for kr in objective.key_results:
                yield f"objectives/{objective.id}/key_results", kr.id, kr
            for action in objective.actions:
                yield "actions", action.id, action


@dataclass(frozen=True, eq=False, slots=True)
class OKRSet(Node):
    file: str = ""
    valid: bool = True
    id: str = ""
    title: str = ""
    owner: str | None = None
    function: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    objectives: tuple[Objective, ...] = ()

    @property
    def name(self) -> str:
        return self.title or self.id


@dataclass(frozen=True, eq=False, slots=True)
class Repository:
    """Every plan and OKR set of one run, in file order."""

    plans: tuple[AccountPlan, ...] = ()
    okrs: tuple[OKRSet, ...] = ()


pickled_by_fields(globals())
