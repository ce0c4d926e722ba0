"""The model: immutable typed objects built from loaded documents.

Graph, rules, metrics and templates read only these objects. Every object
carries where it stands in its file (``loc``) and where each of its fields'
values stand (``locs``), so a finding can point at the exact line.

The builders are lenient: a document with schema errors still yields a model
(wrong-typed values are dropped) so that references into it resolve and the
other checks still run; the schema findings say what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .findings import Location
from .loader import Document, Path


class Places:
    """Where an object's fields stand, read from the document's position map on
    demand: building a Location for each of a plan's thousand values up front
    cost a third of the model's build time, and most are never asked for."""

    __slots__ = ("file", "positions", "path")

    def __init__(self, file: str, positions: Mapping[Path, tuple[int, int]], path: Path) -> None:
        self.file, self.positions, self.path = file, positions, path

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

    @classmethod
    def from_written(cls, file: str, written: list[list[Any]]) -> Places:
        positions = {
            (name,) if index is None else (name, index): (line, column)
            for name, index, line, column in written
        }
        return cls(file, positions, ())


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
class KeyResult(Node):
    id: str = ""
    title: str = ""
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str | None = None
    confidence: float | None = None
    weight: float | None = None


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


# --- building from documents -------------------------------------------------


class _Reader:
    """Typed, lenient access to a document's values under one path."""

    __slots__ = ("doc", "path", "data")

    def __init__(self, doc: Document, path: Path, data: Any) -> None:
        self.doc, self.path = doc, path
        self.data = data if isinstance(data, dict) else {}

    def child(self, key: str) -> _Reader:
        return _Reader(self.doc, self.path + (key,), self.data.get(key))

    def items(self, key: str) -> Iterator[_Reader]:
        value = self.data.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield _Reader(self.doc, self.path + (key, index), item)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) and value else None

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return value

    def flag(self, key: str) -> bool:
        return self.data.get(key) is True

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return None
        return None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if isinstance(value, list):
            return tuple(v for v in value if isinstance(v, str))
        return ()

    def node(self) -> dict[str, Any]:
        """``loc`` and ``locs`` for the object at this path."""
        doc = self.doc
        return {"loc": doc.loc(self.path), "locs": Places(doc.file, doc.value_locs, self.path)}


def _key_result(r: _Reader) -> KeyResult:
    return KeyResult(
        **r.node(),
        id=r.text("id") or "",
        title=r.text("title") or "",
        baseline=r.number("baseline"),
        target=r.number("target"),
        current=r.number("current"),
        unit=r.text("unit"),
        confidence=r.number("confidence"),
        weight=r.number("weight"),
    )


def _action(r: _Reader) -> Action:
    return Action(
        **r.node(),
        id=r.text("id") or "",
        title=r.text("title") or "",
        owner=r.text("owner"),
        due=r.day("due"),
        status=r.text("status") or "planned",
        stakeholders=r.texts("stakeholders"),
    )


def _objective(r: _Reader) -> Objective:
    return Objective(
        **r.node(),
        id=r.text("id") or "",
        title=r.text("title") or "",
        group=r.text("group"),
        aligns_to=r.texts("aligns_to"),
        key_results=tuple(_key_result(k) for k in r.items("key_results")),
        actions=tuple(_action(a) for a in r.items("actions")),
        lever=r.text("lever"),
        type=r.text("type"),
        owner=r.text("owner"),
    )


def _stakeholder(r: _Reader) -> Stakeholder:
    needs = r.child("needs")
    return Stakeholder(
        **r.node(),
        id=r.text("id") or "",
        name=r.text("name") or "",
        title=r.text("title"),
        department=r.text("department"),
        reports_to=r.text("reports_to"),
        group=r.text("group"),
        roles=r.texts("roles"),
        stance=r.text("stance") or "unknown",
        influence=r.text("influence"),
        status=r.text("status") or "active",
        reference=r.flag("reference"),
        backup=r.text("backup"),
        owner=r.text("owner"),
        last_contact=r.day("last_contact"),
        needs=Needs(needs.text("see"), needs.text("hear"), needs.text("know"))
        if needs.data
        else None,
        outcomes=r.texts("outcomes"),
        competitor=r.text("competitor"),
        concerns=r.texts("concerns"),
    )


def waiver(r: _Reader) -> Waiver:
    return Waiver(
        **r.node(),
        rule=r.text("rule") or "",
        reason=r.text("reason") or "",
        plan=r.text("plan"),
        target=r.text("target"),
        expires=r.day("expires"),
    )


def _milestone(r: _Reader) -> Milestone:
    review = r.child("review")
    return Milestone(
        **r.node(),
        id=r.text("id") or "",
        title=r.text("title") or "",
        date=r.day("date"),
        status=r.text("status") or "planned",
        review=Review(
            **review.node(),
            date=review.day("date"),
            perspectives=review.texts("perspectives"),
            notes=review.text("notes"),
        )
        if isinstance(r.data.get("review"), dict)
        else None,
    )


def build_account_plan(doc: Document, valid: bool = True) -> AccountPlan:
    r = _Reader(doc, (), doc.data)
    a = r.child("account")
    account = Account(
        **a.node(),
        id=a.text("id") or "",
        name=a.text("name") or "",
        segment=a.text("segment"),
        priority=int(a.number("priority")) if a.number("priority") is not None else None,
        currency=a.text("currency"),
        arr=a.number("arr"),
        gross_margin=a.number("gross_margin") if a.number("gross_margin") is not None else 1.0,
        acquisition_cost=a.number("acquisition_cost"),
        support_cost_per_year=a.number("support_cost_per_year"),
        contract_start=a.day("contract_start"),
        renewal_date=a.day("renewal_date"),
    )
    messages = r.child("messages")
    return AccountPlan(
        **r.node(),
        file=doc.file,
        valid=valid,
        account=account,
        owner=r.text("owner"),
        reviewed=r.day("reviewed"),
        team=tuple(
            TeamMember(
                **t.node(),
                id=t.text("id") or "",
                name=t.text("name") or "",
                function=t.text("function"),
            )
            for t in r.items("team")
        ),
        stakeholders=tuple(_stakeholder(s) for s in r.items("stakeholders")),
        objectives=tuple(_objective(o) for o in r.items("objectives")),
        requirements=tuple(
            Requirement(
                **q.node(),
                id=q.text("id") or "",
                title=q.text("title") or "",
                met_by=q.texts("met_by"),
            )
            for q in r.child("renewal").items("requirements")
        ),
        messages=Messages(messages.text("renew"), messages.text("expand")),
        expansion=tuple(
            Expansion(
                **e.node(),
                id=e.text("id") or "",
                title=e.text("title") or "",
                business_unit=e.text("business_unit"),
                value=e.number("value"),
                stakeholders=e.texts("stakeholders"),
                via=e.texts("via"),
            )
            for e in r.items("expansion")
        ),
        milestones=tuple(_milestone(m) for m in r.items("milestones")),
        waivers=tuple(waiver(w) for w in r.items("waivers")),
    )


def build_okr_set(doc: Document, valid: bool = True) -> OKRSet:
    r = _Reader(doc, (), doc.data)
    period = r.child("period")
    return OKRSet(
        **r.node(),
        file=doc.file,
        valid=valid,
        id=r.text("id") or "",
        title=r.text("title") or "",
        owner=r.text("owner"),
        function=r.text("function"),
        period_start=period.day("start"),
        period_end=period.day("end"),
        objectives=tuple(_objective(o) for o in r.items("objectives")),
    )


def reader(doc: Document, path: Path = ()) -> _Reader:
    """Lenient typed access to part of a document (used by the config loader)."""
    node: Any = doc.data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return _Reader(doc, tuple(path), node)


@dataclass(frozen=True, eq=False, slots=True)
class Repository:
    """Every plan and OKR set of one run, in file order."""

    plans: tuple[AccountPlan, ...] = ()
    okrs: tuple[OKRSet, ...] = ()
