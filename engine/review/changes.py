"""The change kinds of ``revplan diff`` (review.md): what changed in one plan matched by
id between two sides, each change with its target, from/to and effect, at its place
on the head side (the base side for a removal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.model.metrics import kr_score
from engine.model.types import AccountPlan, Node, Objective, OKRSet, Stakeholder, Waiver

WORSE, NEUTRAL, BETTER = "worse", "neutral", "better"
_EFFECT_ORDER = {WORSE: 0, NEUTRAL: 1, BETTER: 2}
# A renewal forecast from the worst call to the best: up is better.
_FORECAST_RANK = {"churn": 0, "at_risk": 1, "best_case": 2, "commit": 3}
_STANCE_RANK = {"detractor": 0, "unknown": 1, "neutral": 2, "supporter": 3, "advocate": 4}

Plan = AccountPlan | OKRSet


@dataclass(frozen=True)
class Change:
    kind: str
    plan: str
    target: str | None
    effect: str
    file: str
    line: int
    before: Any = None  # "from" in JSON
    after: Any = None  # "to" in JSON
    # The people and values the words need (names, roles), beside the ids.
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.plan, _EFFECT_ORDER[self.effect], self.kind, self.target or "")


def _place(node: Node | None, plan: Plan, name: str | None = None) -> tuple[str, int]:
    if node is None:
        return plan.file, plan.loc.line
    loc = node.at(name) if name else node.loc
    return loc.file or plan.file, loc.line


def _by_id(items: tuple[Any, ...]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        found.setdefault(item.id, item)
    return found


def _up_down(before: float | None, after: float | None) -> str:
    if before is None or after is None or before == after:
        return NEUTRAL
    return BETTER if after > before else WORSE


def _maker(plan_id: str, plan: Plan) -> Callable[..., Change]:
    """A change of ``plan`` at ``node``'s field ``at`` (the node itself without one)."""

    def change(
        kind: str,
        target: str | None,
        effect: str,
        node: Node | None,
        at: str | None,
        before: Any = None,
        after: Any = None,
        **detail: Any,
    ) -> Change:
        file, line = _place(node, plan, at)
        return Change(kind, plan_id, target, effect, file, line, before, after, detail)

    return change


def account_changes(
    plan_id: str, old: AccountPlan, new: AccountPlan, roles: tuple[str, ...]
) -> Iterator[Change]:
    change = _maker(plan_id, new)

    people_old, people_new = _by_id(old.stakeholders), _by_id(new.stakeholders)
    names = {
        **{k: v.name for k, v in people_old.items()},
        **{k: v.name for k, v in people_new.items()},
    }
    team = {m.id: m.name for m in (*old.team, *new.team)}
    for sid in sorted(people_old.keys() | people_new.keys()):
        was, now = people_old.get(sid), people_new.get(sid)
        if was is None and now is not None:
            yield change("stakeholder-added", sid, NEUTRAL, now, None, **_person(now))
            continue
        if now is None and was is not None:
            file, line = _place(was, old)
            yield Change(
                "stakeholder-removed", plan_id, sid, NEUTRAL, file, line, None, None, _person(was)
            )
            continue
        assert was is not None and now is not None
        who = _person(now)
        if was.status != now.status:
            kind = "stakeholder-left" if now.status == "left" else "stakeholder-returned"
            effect = WORSE if now.status == "left" else BETTER
            yield change(kind, sid, effect, now, "status", was.status, now.status, **who)
        if was.stance != now.stance:
            rank = _up_down(_STANCE_RANK.get(was.stance), _STANCE_RANK.get(now.stance))
            yield change("stance-changed", sid, rank, now, "stance", was.stance, now.stance, **who)
        if was.influence != now.influence:
            yield change(
                "influence-changed", sid, NEUTRAL, now, "influence" if now.influence else None,
                was.influence, now.influence, **who,
            )  # fmt: skip
        if was.roles != now.roles:
            yield change(
                "roles-changed", sid, NEUTRAL, now, "roles" if now.roles else None,
                list(was.roles), list(now.roles), **who,
            )  # fmt: skip
        for kind, before, after, known in (
            ("backup-changed", was.backup, now.backup, names),
            ("relationship-owner-changed", was.owner, now.owner, team),
        ):
            if before != after:
                field_name = "backup" if kind == "backup-changed" else "owner"
                yield change(
                    kind,
                    sid,
                    _none_effect(before, after),
                    now,
                    field_name if after else None,
                    before,
                    after,
                    **who,
                    from_name=known.get(before or ""),
                    to_name=known.get(after or ""),
                )
    for role in roles:
        before, after = _advocates(old, role), _advocates(new, role)
        if before and not after:
            yield change(
                "role-coverage-lost",
                role,
                WORSE,
                people_new.get(before[0]),  # where the advocate was, if still in the plan
                "stance",
                before,
                after,
                names=[names.get(p, p) for p in before],
            )
        elif after and not before:
            yield change(
                "role-coverage-gained",
                role,
                BETTER,
                people_new.get(after[0]),
                "stance",
                before,
                after,
                names=[names.get(p, p) for p in after],
            )
    acc_old, acc_new = old.account, new.account
    if acc_old is not None and acc_new is not None:
        if acc_old.renewal_date != acc_new.renewal_date:
            yield change(
                "renewal-moved",
                None,
                NEUTRAL,
                acc_new,
                "renewal_date",
                _iso(acc_old.renewal_date),
                _iso(acc_new.renewal_date),
            )
        if acc_old.arr != acc_new.arr:
            yield change(
                "arr-changed",
                None,
                _up_down(acc_old.arr, acc_new.arr),
                acc_new,
                "arr",
                acc_old.arr,
                acc_new.arr,
                currency=acc_new.currency,
            )
    milestones_old, milestones_new = _by_id(old.milestones), _by_id(new.milestones)
    for mid in sorted(milestones_old.keys() & milestones_new.keys()):
        was, now = milestones_old[mid], milestones_new[mid]
        if was.status != now.status:
            effect = (
                BETTER if now.status == "done" else WORSE if now.status == "missed" else NEUTRAL
            )
            yield change(
                "milestone-status-changed",
                mid,
                effect,
                now,
                "status",
                was.status,
                now.status,
                name=now.title,
            )
        if was.date != now.date:
            yield change(
                "milestone-moved", mid, NEUTRAL, now, "date", _iso(was.date), _iso(now.date),
                name=now.title,
            )  # fmt: skip
    forecasts = [plan.renewal.forecast if plan.renewal else None for plan in (old, new)]
    if forecasts[0] != forecasts[1]:
        ranks = [_FORECAST_RANK.get(f or "") for f in forecasts]
        yield change(
            "renewal-forecast-changed", None, _up_down(*ranks), new.renewal,
            "forecast" if forecasts[1] else None, *forecasts,
        )  # fmt: skip
    yield from _waiver_changes(plan_id, change, old, new)


def _waiver_changes(
    plan_id: str, change: Callable[..., Change], old: AccountPlan, new: AccountPlan
) -> Iterator[Change]:
    """Waivers added to or removed from the plan, by rule and target: a finding
    accepted or no longer accepted, for the reviewer to see (neutral)."""

    def key(waiver: Waiver) -> str:
        return f"{waiver.rule}/{waiver.target}" if waiver.target else waiver.rule

    before = {key(w): w for w in reversed(old.waivers)}
    after = {key(w): w for w in reversed(new.waivers)}
    for target in sorted(after.keys() - before.keys()):
        waiver = after[target]
        yield change("waiver-added", target, NEUTRAL, waiver, None, name=target)
    for target in sorted(before.keys() - after.keys()):
        waiver = before[target]
        file, line = waiver.loc.file or old.file, waiver.loc.line
        yield Change(
            "waiver-removed", plan_id, target, NEUTRAL, file, line, None, None, {"name": target}
        )


def objective_changes(
    plan_id: str, old: tuple[Objective, ...], new: tuple[Objective, ...], plan: Plan
) -> Iterator[Change]:
    change = _maker(plan_id, plan)

    objectives_old: dict[str, Objective] = _by_id(old)
    objectives_new: dict[str, Objective] = _by_id(new)
    for oid in sorted(objectives_old.keys() | objectives_new.keys()):
        was, now = objectives_old.get(oid), objectives_new.get(oid)
        if was is None:
            assert now is not None
            yield change("objective-added", oid, NEUTRAL, now, None, name=now.title)
            continue
        if now is None:
            file, line = was.loc.file, was.loc.line
            yield Change(
                "objective-removed",
                plan_id,
                oid,
                NEUTRAL,
                file,
                line,
                None,
                None,
                {"name": was.title},
            )
            continue
        krs_old = _by_id(was.key_results)
        for kr in now.key_results:
            if kr.id in krs_old:
                before, after = kr_score(krs_old[kr.id]), kr_score(kr)
                if before != after:
                    yield change(
                        "key-result-progress",
                        f"{oid}/{kr.id}",
                        _up_down(before, after),
                        kr,
                        "current" if kr.current is not None else None,
                        before,
                        after,
                        name=kr.title,
                    )
        actions_old = _by_id(was.actions)
        for action in now.actions:
            prior = actions_old.get(action.id)
            if prior is not None and prior.status != action.status:
                status = action.status
                effect = BETTER if status == "done" else WORSE if status == "blocked" else NEUTRAL
                yield change(
                    "action-status-changed",
                    action.id,
                    effect,
                    action,
                    "status",
                    prior.status,
                    status,
                    name=action.title,
                )


def _none_effect(before: str | None, after: str | None) -> str:
    """Better from none, worse to none, else neutral (backups, relationship owners)."""
    if before is None:
        return BETTER
    return WORSE if after is None else NEUTRAL


def _advocates(plan: AccountPlan, role: str) -> list[str]:
    """The role's Group 1 advocates still at the company (who covers it)."""
    return sorted(
        p.id
        for p in plan.stakeholders
        if p.group == "renew" and role in p.roles and p.stance == "advocate" and p.status != "left"
    )


def _person(person: Stakeholder) -> dict[str, Any]:
    return {"name": person.name, "roles": list(person.roles)}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
