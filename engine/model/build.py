"""Building the model from a loaded document: typed, lenient, with places."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from engine.model.types import (
    Account,
    AccountPlan,
    Action,
    Checkin,
    Expansion,
    KeyResult,
    Messages,
    Milestone,
    Needs,
    Objective,
    OKRSet,
    Places,
    Renewal,
    Requirement,
    Review,
    Stakeholder,
    TeamMember,
    Waiver,
)
from engine.parse.loader import Document, Path


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
    checkins = sorted(
        (
            Checkin(
                **c.node(),
                date=c.day("date"),
                value=c.number("value"),
                confidence=c.number("confidence"),
                note=c.text("note"),
            )
            for c in r.items("checkins")
        ),
        key=lambda c: c.date or date.min,  # stable: equal dates keep their written order
    )
    written = r.number("current")
    latest = next((c.value for c in reversed(checkins) if c.date is not None), None)
    return KeyResult(
        **r.node(),
        id=r.text("id") or "",
        title=r.text("title") or "",
        baseline=r.number("baseline"),
        target=r.number("target"),
        current=latest if written is None else written,
        written_current=written,
        checkins=tuple(checkins),
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


def waivers(r: _Reader) -> Iterator[Waiver]:
    """One waiver per rule it names: ``rule:``, and each of ``rules: [...]`` (whose
    ``rule`` stands where the list names it, so findings about it point there)."""
    one = Waiver(
        **r.node(),
        rule=r.text("rule") or "",
        reason=r.text("reason") or "",
        plan=r.text("plan"),
        target=r.text("target"),
        expires=r.day("expires"),
    )
    names = r.data.get("rules")
    names = names if isinstance(names, list) else []
    if one.rule or not names:
        yield one
    written = one.locs.written()
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue  # the schema reports it
        positions: dict[Path, tuple[int, int]] = {
            (field,) if item is None else (field, item): (line, column)
            for field, item, line, column in written
        }
        place = one.locs.get("rules", index)
        if place is not None:
            positions[("rule",)] = (place.line, place.column)
        yield replace(one, rule=name, locs=Places(one.loc.file, positions, ()))


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
        priority=None if (priority := a.number("priority")) is None else int(priority),
        currency=a.text("currency"),
        arr=a.number("arr"),
        gross_margin=1.0 if (margin := a.number("gross_margin")) is None else margin,
        acquisition_cost=a.number("acquisition_cost"),
        support_cost_per_year=a.number("support_cost_per_year"),
        contract_start=a.day("contract_start"),
        renewal_date=a.day("renewal_date"),
    )
    messages = r.child("messages")
    renewal = r.child("renewal")
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
            for q in renewal.items("requirements")
        ),
        renewal=Renewal(
            **renewal.node(),
            forecast=renewal.text("forecast"),
            probability=renewal.number("probability"),
            notice_date=renewal.day("notice_date"),
        )
        if renewal.data
        else None,
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
        waivers=tuple(w for item in r.items("waivers") for w in waivers(item)),
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
