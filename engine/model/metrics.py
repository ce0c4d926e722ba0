"""Metrics, computed in one place for rules, documents and the JSON report.

Per plan: which key roles have an advocate, backup coverage, detractors
addressed, key-result and objective scores, break-even, return on the
account. Per segment: the return aggregated. Per OKR set: scores by lever.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

from engine.model.types import AccountPlan, KeyResult, Objective, OKRSet, Stakeholder
from engine.model.vocabulary import LEVERS, ROLES


def kr_score(kr: KeyResult) -> float | None:
    """``(current - baseline) / (target - baseline)`` clipped to 0..1; None if unmeasurable."""
    if kr.baseline is None or kr.target is None or kr.target == kr.baseline:
        return None
    current = kr.baseline if kr.current is None else kr.current
    return min(1.0, max(0.0, (current - kr.baseline) / (kr.target - kr.baseline)))


def objective_score(objective: Objective) -> float | None:
    """Weighted mean of the measurable key results' scores."""
    total = weight_sum = 0.0
    for kr in objective.key_results:
        score = kr_score(kr)
        weight = 1.0 if kr.weight is None else kr.weight
        if score is not None and weight > 0:
            total += score * weight
            weight_sum += weight
    return total / weight_sum if weight_sum else None


def needs_backup(person: Stakeholder) -> bool:
    """Advocates and influential non-detractors are the contacts a renewal rests on."""
    if not person.active:
        return False
    return person.stance == "advocate" or (
        person.influence == "high" and person.stance != "detractor"
    )


def backup_gap(person: Stakeholder, people: dict[str, Stakeholder]) -> str | None:
    """Why ``person``'s backup does not hold the relationship ("none", "self", "left",
    "detractor"), or None if it does."""
    if not person.backup:
        return "none"
    if person.backup == person.id:
        return "self"
    backup = people.get(person.backup)
    if backup is None:
        return None  # an unresolved reference: reported by unresolved-reference
    if backup.status == "left":
        return "left"
    if backup.stance == "detractor":
        return "detractor"
    return None


def days_after(start: date, days: int) -> date:
    """``start`` plus ``days`` (negative: before), held within the calendar's years 1 to
    9999: ``--today 9999-12-20`` plus a fortnight is the last day there is."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def add_months(start: date, months: float) -> date:
    """``start`` plus a fractional number of months (the fraction as days of that month)."""
    whole = int(months)
    year, month = divmod(start.month - 1 + whole, 12)
    year += start.year
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    landed = date(year, month, day)
    fraction_days = round((months - whole) * calendar.monthrange(year, month)[1])
    return date.fromordinal(landed.toordinal() + fraction_days)


@dataclass(frozen=True)
class PlanMetrics:
    plan: str
    segment: str | None
    currency: str | None
    arr: float | None
    acquisition_cost: float | None
    advocates_by_role: dict[str, list[str]]
    holders_by_role: dict[str, list[str]]
    contacts_needing_backup: list[str]
    contacts_backed_up: list[str]
    detractors: list[str]
    detractors_addressed: list[str]
    kr_scores: dict[str, float | None]  # "<objective>/<key result>" -> score
    objective_scores: dict[str, float | None]
    yearly_contribution: float | None
    break_even_months: float | None  # None: not computable; inf: never reached
    break_even_date: date | None
    account_return: float | None  # yearly contribution / acquisition cost
    renewal_date: date | None = None
    forecast: str | None = None
    pipeline: float | None = None  # the expansion opportunities' values, in the plan's currency
    # Each health area's 0..1 (None: nothing in the plan to judge it by); docs/health.md.
    health_areas: dict[str, float | None] = field(default_factory=dict)

    @property
    def roles_covered(self) -> list[str]:
        return [role for role in ROLES if self.advocates_by_role.get(role)]

    @property
    def backup_coverage(self) -> float | None:
        needed = len(self.contacts_needing_backup)
        return len(self.contacts_backed_up) / needed if needed else None

    def as_json(self) -> dict[str, Any]:
        months = self.break_even_months
        return {
            "plan": self.plan,
            "roles_with_advocate": self.roles_covered,
            "advocates_by_role": self.advocates_by_role,
            "backup_coverage": _round(self.backup_coverage),
            "contacts_without_backup": sorted(
                set(self.contacts_needing_backup) - set(self.contacts_backed_up)
            ),
            "detractors": self.detractors,
            "detractors_addressed": self.detractors_addressed,
            "objective_scores": {k: _round(v) for k, v in self.objective_scores.items()},
            "key_result_scores": {k: _round(v) for k, v in self.kr_scores.items()},
            "yearly_contribution": _round(self.yearly_contribution),
            "break_even_months": "never" if months == float("inf") else _round(months),
            "break_even_date": self.break_even_date.isoformat() if self.break_even_date else None,
            "return": _round(self.account_return),
        }


@dataclass(frozen=True)
class SegmentMetrics:
    segment: str
    currency: str | None  # amounts of one currency only: never added across currencies
    plans: list[str]
    arr: float
    yearly_contribution: float
    acquisition_cost: float

    @property
    def segment_return(self) -> float | None:
        return self.yearly_contribution / self.acquisition_cost if self.acquisition_cost else None

    def as_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "currency": self.currency,
            "plans": self.plans,
            "arr": _round(self.arr),
            "yearly_contribution": _round(self.yearly_contribution),
            "acquisition_cost": _round(self.acquisition_cost),
            "return": _round(self.segment_return),
        }


@dataclass(frozen=True)
class OKRMetrics:
    okrs: str
    objective_scores: dict[str, float | None]
    scores_by_lever: dict[str, float | None]
    levers: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "okrs": self.okrs,
            "objective_scores": {k: _round(v) for k, v in self.objective_scores.items()},
            "scores_by_lever": {k: _round(v) for k, v in self.scores_by_lever.items()},
            "levers": self.levers,
        }


@dataclass(frozen=True)
class Metrics:
    plans: dict[str, PlanMetrics] = field(default_factory=dict)
    segments: list[SegmentMetrics] = field(default_factory=list)
    okrs: dict[str, OKRMetrics] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "plans": [m.as_json() for _, m in sorted(self.plans.items())],
            "segments": [m.as_json() for m in self.segments],
            "okrs": [m.as_json() for _, m in sorted(self.okrs.items())],
        }


def _round(value: float | None) -> float | None:
    """A metric as JSON carries it: one that overflowed (a return on an acquisition
    cost of 1e-300, ARRs that add up past 1e308) is unknown, ``None``: JSON has no
    Infinity or NaN."""
    return None if value is None or not math.isfinite(value) else round(value, 4)


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


# How far each forecast carries the renewal area of the health score.
FORECAST_HEALTH = {"commit": 1.0, "best_case": 0.75, "at_risk": 0.25, "churn": 0.0}


@dataclass(frozen=True)
class Judging:
    """Whom and by what limits the rules judge, so that a figure and the findings never
    disagree: the groups backup-per-contact counts; a plan reviewed within
    plan-freshness's ``max_age_days``, a key contact of contact-freshness's ``groups``
    met within its ``max_age_days``, is fresh."""

    backup_groups: tuple[str, ...] = ("renew",)
    plan_fresh_days: int = 90
    contact_fresh_days: int = 60
    contact_groups: tuple[str, ...] = ("renew",)


def judging(params: Callable[[str], Mapping[str, Any]]) -> Judging:
    """The rules' parameters, the config's settings applied (``params(rule_id)``)."""
    contacts = params("contact-freshness")
    return Judging(
        backup_groups=tuple(params("backup-per-contact")["groups"]),
        plan_fresh_days=params("plan-freshness")["max_age_days"],
        contact_fresh_days=contacts["max_age_days"],
        contact_groups=tuple(contacts["groups"]),
    )


def health_areas(
    plan: AccountPlan, today: date, m: PlanMetrics, judged: Judging
) -> dict[str, float | None]:
    """Each area of the health score, 0..1: the mean of its measures that apply."""
    key_roles = [role for role in ROLES if m.holders_by_role.get(role)]
    detractors = len(m.detractors)
    relationships = _mean(
        [
            len([r for r in key_roles if m.advocates_by_role.get(r)]) / len(key_roles)
            if key_roles
            else None,
            m.backup_coverage,
            len(m.detractors_addressed) / detractors if detractors else None,
        ]
    )
    account = plan.account
    renewal_date = account.renewal_date if account else None
    met = [bool(q.met_by) for q in plan.requirements]
    break_even = None
    if m.break_even_months is not None and renewal_date is not None:
        late = math.isinf(m.break_even_months) or (
            m.break_even_date is not None and m.break_even_date > renewal_date
        )
        break_even = 0.0 if late else 1.0
    forecast = plan.renewal.forecast if plan.renewal else None
    renewal = _mean(
        [
            sum(met) / len(met) if met else None,
            break_even,
            FORECAST_HEALTH.get(forecast or ""),
        ]
    )
    open_actions = [a for _, a in plan.actions() if a.open]
    on_time = [not (a.due and a.due < today) for a in open_actions]
    execution = _mean(
        [_mean(m.kr_scores.values()), sum(on_time) / len(on_time) if on_time else None]
    )
    key_contacts = [
        s
        for s in plan.stakeholders
        if (needs_backup(s) or s.stance == "detractor")
        and s.active
        and s.group in judged.contact_groups
    ]
    met_lately = [
        s.last_contact is not None and (today - s.last_contact).days <= judged.contact_fresh_days
        for s in key_contacts
    ]
    freshness = _mean(
        [
            float(
                plan.reviewed is not None and (today - plan.reviewed).days <= judged.plan_fresh_days
            ),
            sum(met_lately) / len(met_lately) if met_lately else None,
        ]
    )
    return {
        "relationships": relationships,
        "renewal": renewal,
        "execution": execution,
        "freshness": freshness,
    }


def plan_metrics(plan: AccountPlan, today: date, judged: Judging) -> PlanMetrics:
    """The plan's figures on ``today``, counted as the rules judge (``judged``)."""
    people = {s.id: s for s in reversed(plan.stakeholders)}  # first definition wins
    advocates: dict[str, list[str]] = {role: [] for role in ROLES}
    holders: dict[str, list[str]] = {role: [] for role in ROLES}
    for s in plan.stakeholders:
        for role in s.roles:
            holders.setdefault(role, []).append(s.id)
            if s.group == "renew" and s.stance == "advocate" and s.active:
                advocates.setdefault(role, []).append(s.id)
    backing = [s for s in plan.stakeholders if needs_backup(s) and s.group in judged.backup_groups]
    needing = [s.id for s in backing]
    backed = [s.id for s in backing if not backup_gap(s, people)]
    detractors = [s.id for s in plan.stakeholders if s.stance == "detractor" and s.active]
    addressed: set[str] = set()
    for _, action in plan.actions():
        if action.open and action.owner and action.due:
            addressed.update(action.stakeholders)
    kr_scores = {f"{o.id}/{kr.id}": kr_score(kr) for o in plan.objectives for kr in o.key_results}
    objective_scores = {o.id: objective_score(o) for o in plan.objectives}

    account = plan.account
    contribution = months = break_even = account_return = None
    if account and account.arr is not None:
        contribution = account.arr * account.gross_margin - (account.support_cost_per_year or 0)
        if account.acquisition_cost is not None:
            monthly = contribution / 12
            if monthly <= 0:  # also a contribution so small that a twelfth of it is 0.0
                months = float("inf")
            else:
                months = account.acquisition_cost / monthly
                if account.contract_start:
                    try:
                        break_even = add_months(account.contract_start, months)
                    except (OverflowError, ValueError):  # past year 9999: never, in practice
                        months = float("inf")
            if account.acquisition_cost > 0:
                account_return = contribution / account.acquisition_cost
    values = [e.value for e in plan.expansion if e.value is not None]
    figures = PlanMetrics(
        plan=plan.id,
        segment=account.segment if account else None,
        currency=account.currency if account else None,
        arr=account.arr if account else None,
        acquisition_cost=account.acquisition_cost if account else None,
        advocates_by_role=advocates,
        holders_by_role=holders,
        contacts_needing_backup=needing,
        contacts_backed_up=backed,
        detractors=detractors,
        detractors_addressed=[d for d in detractors if d in addressed],
        kr_scores=kr_scores,
        objective_scores=objective_scores,
        yearly_contribution=contribution,
        break_even_months=months,
        break_even_date=break_even,
        account_return=account_return,
        renewal_date=account.renewal_date if account else None,
        forecast=plan.renewal.forecast if plan.renewal else None,
        pipeline=sum(values) if values else None,
    )
    return replace(figures, health_areas=health_areas(plan, today, figures, judged))


def okr_metrics(okrs: OKRSet) -> OKRMetrics:
    scores = {o.id: objective_score(o) for o in okrs.objectives}
    by_lever: dict[str, list[float | None]] = defaultdict(list)
    for o in okrs.objectives:
        if o.lever:
            by_lever[o.lever].append(scores[o.id])
    return OKRMetrics(
        okrs=okrs.id,
        objective_scores=scores,
        scores_by_lever={lever: _mean(by_lever[lever]) for lever in LEVERS if lever in by_lever},
        levers=[lever for lever in LEVERS if lever in by_lever],
    )


class SegmentInput(Protocol):
    """What the segment totals read of a plan's metrics (``PlanMetrics`` has it)."""

    @property
    def plan(self) -> str: ...
    @property
    def segment(self) -> str | None: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def arr(self) -> float | None: ...
    @property
    def yearly_contribution(self) -> float | None: ...
    @property
    def acquisition_cost(self) -> float | None: ...


def segment_metrics(plans: Iterable[SegmentInput]) -> list[SegmentMetrics]:
    """Return on acquisition aggregated by segment and currency, sorted so (plans
    without money data left out; amounts in different currencies are never added)."""
    totals: dict[tuple[str, str], list[Any]] = {}
    for m in plans:
        if m.yearly_contribution is None:
            continue
        key = (m.segment or "(no segment)", m.currency or "")
        seg = totals.setdefault(key, [[], 0.0, 0.0, 0.0])
        seg[0].append(m.plan)
        seg[1] += m.arr or 0
        seg[2] += m.yearly_contribution
        seg[3] += m.acquisition_cost or 0
    return [
        SegmentMetrics(name, currency or None, sorted(p), arr, contribution, cost)
        for (name, currency), (p, arr, contribution, cost) in sorted(totals.items())
    ]
