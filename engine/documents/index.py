"""The portfolio index (README.md): every account, return by segment, levers and gaps."""

from __future__ import annotations

import math
from typing import Any

from engine.documents.builder import PORTFOLIO, Builder, DocumentKind, Portfolio, grade
from engine.model import portfolio as figures
from engine.model.metrics import PlanMetrics, objective_score
from engine.model.types import AccountPlan
from engine.model.vocabulary import LEVERS


def plan_row(builder: Builder, plan: AccountPlan, m: PlanMetrics) -> dict[str, Any]:
    """What the portfolio index shows of a plan, worked out where the plan was read."""
    a = plan.account
    renewal_date = a.renewal_date if a else None
    months = m.break_even_months
    owner = next((t for t in plan.team if t.id == plan.owner), None)
    return {
        "account": a,
        "priority": a.priority if a else None,
        "segment": a.segment if a else None,
        "currency": a.currency if a else None,
        "arr": a.arr if a else None,
        "return": m.account_return,
        "break_even_date": m.break_even_date,
        "never": months is not None and math.isinf(months),
        "before_renewal": None
        if not (m.break_even_date and renewal_date)
        else m.break_even_date <= renewal_date,
        "renewal": renewal_date,
        "days": (renewal_date - builder.today).days if renewal_date else None,
        "roles_covered": len([r for r in builder.roles if m.advocates_by_role.get(r)]),
        "roles_total": len(builder.roles),
        "pipeline": sum(e.value for e in plan.expansion if e.value is not None),
        "forecast": m.forecast,
        "probability": plan.renewal.probability if plan.renewal else None,
        "owner": (owner.name or owner.id) if owner else plan.owner,
        "health_areas": m.health_areas,
        "valid": plan.valid,
        "yearly_contribution": m.yearly_contribution,
        "acquisition_cost": m.acquisition_cost,
    }


def context(builder: Builder, portfolio: Portfolio, document: str) -> dict[str, Any]:
    """The portfolio: its plans' summaries, index rows and findings."""
    plans, rendered, inputs = portfolio.plans, portfolio.rendered, portfolio.inputs
    cat = builder.cat
    accounts = [
        {"plan": plan, **row, "href": rendered[plan.id], "findings": builder.counts(findings)}
        for plan, row, findings in plans
        if plan.id in rendered
    ]
    accounts.sort(
        key=lambda r: (
            r["priority"] if r["priority"] is not None else math.inf,
            r["plan"].name,
            r["plan"].id,
        )
    )

    # Return by segment, one row per segment and currency (amounts never mix currencies).
    segments: dict[tuple[str, str], dict[str, Any]] = {}
    for row in accounts:
        if row["yearly_contribution"] is None:
            continue
        name = row["segment"] or ""
        seg = segments.setdefault(
            (name, row["currency"] or ""),
            {"segment": row["segment"], "currency": row["currency"], "accounts": [],
             "arr": 0.0, "contribution": 0.0, "cost": 0.0},
        )  # fmt: skip
        seg["accounts"].append(row["plan"].name)
        seg["arr"] += row["arr"] or 0
        seg["contribution"] += row["yearly_contribution"]
        seg["cost"] += row["acquisition_cost"] or 0
    segment_rows = []
    for key in sorted(segments):
        seg = segments[key]
        seg["return"] = seg["contribution"] / seg["cost"] if seg["cost"] else None
        segment_rows.append(seg)

    # The three levers: OKR objectives on each, and the accounts whose objectives serve them.
    levers = []
    for lever in LEVERS:
        okr_objectives = [
            (s, o) for s in builder.okrs.values() for o in s.objectives if o.lever == lever
        ]
        scores = [objective_score(o) for _, o in okr_objectives]
        known = [s for s in scores if s is not None]
        mean = sum(known) / len(known) if known else None
        served = set()
        for s, o in okr_objectives:
            served |= _accounts_under(builder, f"{s.id}/{o.id}", set())
        levers.append(
            {"lever": lever, "objectives": len(okr_objectives), "score": mean,
             "grade": grade(mean),
             "accounts": sorted(
                 p.name for p, _, _ in plans if p.id in served and p.id in rendered
             )}
        )  # fmt: skip

    # The most common gaps across accounts.
    plan_ids = {row["plan"].id for row in accounts}
    gaps: dict[str, dict[str, Any]] = {}
    for f in inputs.findings:
        if f.waived or f.plan not in plan_ids:
            continue
        gap = gaps.setdefault(f.rule, {"rule": f.rule, "count": 0, "plans": set()})
        gap["count"] += 1
        gap["plans"].add(f.plan)
    gap_rows = []
    for gap in gaps.values():
        names = sorted(p.name for p, _, _ in plans if p.id in gap["plans"])
        gap_rows.append(
            {"rule": gap["rule"], "summary": cat(f"rule.{gap['rule']}")
             if cat.has(f"rule.{gap['rule']}") else gap["rule"],
             "count": gap["count"], "accounts": names, "severity": _severity(builder, gap["rule"])}
        )  # fmt: skip
    gap_rows.sort(key=lambda g: (-len(g["accounts"]), -g["count"], g["rule"]))

    okr_rows = []
    for s in builder.okrs.values():
        if s.id not in rendered:
            continue
        scores = [objective_score(o) for o in s.objectives]
        known = [x for x in scores if x is not None]
        mean = sum(known) / len(known) if known else None
        okr_rows.append(
            {"okrs": s, "href": rendered[s.id], "score": mean, "grade": grade(mean),
             "objectives": len(s.objectives)}
        )  # fmt: skip

    # The CRO's numbers, in the reporting currency (engine.model.portfolio: the JSON's figures).
    settings, today = builder.config.portfolio, builder.today
    rows = {
        r["plan"].id: figures.AccountRow(
            r["plan"].id, r["currency"], r["arr"], r["renewal"], r["forecast"],
            r["pipeline"], builder.failing(r["findings"]),
        )
        for r in accounts
    }  # fmt: skip
    money = figures.portfolio(rows.values(), settings, today)
    account_names = {r["plan"].id: r["plan"].name for r in accounts}
    by_id = {r["plan"].id: r for r in accounts}
    for r in accounts:
        judged = rows[r["plan"].id]
        r["health"] = figures.health(r["health_areas"], judged.failing, settings)
        r["at_risk"] = figures.at_risk(judged, settings, today)
    calendar = [
        {"month": month.start, "arr": None if month.arr is None else float(month.arr),
         "accounts": [by_id[p] for p in month.plans]}
        for month in figures.renewal_calendar(rows.values(), settings, today)
    ]  # fmt: skip
    # The focus list: the accounts at risk, soonest renewal first, then the top priorities.
    risky = sorted((r for r in accounts if r["at_risk"]), key=lambda r: (r["days"], r["plan"].id))
    ranked = [r for r in accounts if r["priority"] is not None][:2] or accounts[:2]
    focus = risky + [r for r in ranked if not r["at_risk"]]

    return {
        "money": {
            "currency": money.reporting_currency,
            "arr": float(money.arr),
            "arr_renewing": float(money.arr_renewing),
            "arr_at_risk": float(money.arr_at_risk),
            "pipeline": float(money.pipeline),
            "window": settings.renewal_window_days,
            "unconverted": [account_names[p] for p in money.unconverted],
        },
        "accounts": accounts,
        "focus": focus,
        "calendar": calendar,
        "thresholds": dict(settings.thresholds),
        "segments": segment_rows,
        "levers": levers,
        "gaps": gap_rows,
        "okrs": okr_rows,
        "unread": [{"file": f, "href": builder.link(f, document)} for f in inputs.unread],
        "totals": builder.counts(f for f in inputs.findings if f.plan in plan_ids),
    }


def _severity(builder: Builder, rule: str) -> str:
    return builder.config.setting(rule).severity


def _accounts_under(builder: Builder, key: str, seen: set[str]) -> set[str]:
    found = set()
    for kind, owner, child in builder.children.get(key, []):
        if kind == "account":
            found.add(owner.id)
        else:
            child_key = f"{owner.id}/{child.id}"
            if child_key not in seen:
                seen.add(child_key)
                found |= _accounts_under(builder, child_key, seen)
    return found


KIND = DocumentKind("index", "index.md.j2", PORTFOLIO, "README.md", context, plan_row)
