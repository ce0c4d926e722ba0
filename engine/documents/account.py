"""The account document: one per account plan, rendered where the plan is read."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from engine.documents.builder import PLAN, Builder, DocumentKind
from engine.findings import Finding
from engine.model import portfolio as figures
from engine.model.metrics import PlanMetrics, backup_gap, needs_backup, objective_score
from engine.model.types import AccountPlan, Action, Stakeholder
from engine.rules.base import key_person


def context(
    builder: Builder,
    plan: AccountPlan,
    m: PlanMetrics,
    document: str,
    findings: Iterable[Finding],
) -> dict[str, Any]:
    """The account document's context: health, money, renewal, people, objectives."""
    today = builder.today
    findings = list(findings)
    waived = builder.waived(findings)
    account = plan.account
    currency = account.currency if account else None
    people = {s.id: s for s in reversed(plan.stakeholders)}
    team = {t.id: t for t in reversed(plan.team)}
    actions = {a.id: (o, a) for o, a in reversed(list(plan.actions()))}
    objectives = {o.id: o for o in reversed(plan.objectives)}

    def member(ident: str | None) -> dict[str, Any] | None:
        if not ident:
            return None
        t = team.get(ident)
        return {
            "id": ident,
            "name": (t.name or ident) if t else ident,
            "title": None,
            "known": t is not None,
            "left": False,
        }

    def person(ident: str | None) -> dict[str, Any] | None:
        if not ident:
            return None
        s = people.get(ident)
        return {
            "id": ident,
            "name": (s.name or ident) if s else ident,
            "title": s.title if s else None,
            "known": s is not None,
            "left": bool(s and not s.active),
        }

    overdue_waived = waived["action-overdue"]

    def is_late(action: Action) -> bool:
        return action.open and action.due is not None and action.due < today

    def overdue_days(action: Action) -> int | None:
        """Days past due; None when not due yet, done, or a waiver accepts the delay."""
        if is_late(action) and action.id not in overdue_waived:
            assert action.due is not None
            return (today - action.due).days
        return None

    def overdue_shown(action: Action) -> int | str | None:
        """As the status column shows it: the days, or "waived" for an accepted delay."""
        return "waived" if is_late(action) and action.id in overdue_waived else overdue_days(action)

    # One row per action, however many detractors it engages: a row for each of them
    # held each person the action engages once per detractor (an action engaging
    # 1,600 detractors: 2.6 million rows, 580 MB).
    action_rows: dict[int, dict[str, Any]] = {}

    def action_row(action: Any) -> dict[str, Any]:
        row = action_rows.get(id(action))
        if row is None:
            row = action_rows[id(action)] = {
                "action": action,
                "owner": member(action.owner),
                "overdue": overdue_shown(action),
                "engages": [person(i) for i in action.stakeholders],
            }
        return row

    renewal_date = account.renewal_date if account else None
    call = plan.renewal
    renewal = {
        "date": renewal_date,
        "days": (renewal_date - today).days if renewal_date else None,
        # The team's renewal call, first on the page.
        "forecast": call.forecast if call else None,
        "probability": call.probability if call else None,
        "notice_date": call.notice_date if call else None,
        "notice_passed": bool(call and call.notice_date and call.notice_date < today),
    }

    # Health
    needing = m.contacts_needing_backup
    backups_waived = waived["backup-per-contact"]
    unbacked = [i for i in needing if i not in m.contacts_backed_up]
    roles_waived = waived["advocate-per-role"]
    missing = [r for r in builder.roles if not m.advocates_by_role.get(r)]
    detractors_waived = waived["detractor-addressed"]
    unaddressed = [i for i in m.detractors if i not in m.detractors_addressed]
    counts = builder.counts(findings)
    health = {
        "findings": counts,
        "score": figures.health(m.health_areas, builder.failing(counts), builder.config.portfolio),
        "roles_total": len(builder.roles),
        "roles_covered": [r for r in builder.roles if m.advocates_by_role.get(r)],
        "roles_missing": [r for r in missing if r not in roles_waived],
        "roles_waived": [r for r in missing if r in roles_waived],
        "backup_needed": len(needing),
        "backup_ok": len(m.contacts_backed_up),
        "without_backup": [person(i) for i in unbacked if i not in backups_waived],
        "backup_waived": [person(i) for i in unbacked if i in backups_waived],
        "detractors": len(m.detractors),
        "detractors_addressed": len(m.detractors_addressed),
        "detractors_open": [person(i) for i in unaddressed if i not in detractors_waived],
        "detractors_waived": [person(i) for i in unaddressed if i in detractors_waived],
        "valid": plan.valid,
    }

    # Money
    months = m.break_even_months
    money: dict[str, Any] = {
        "currency": currency,
        "arr": account.arr if account else None,
        "gross_margin": account.gross_margin if account and account.arr is not None else None,
        "support_cost": account.support_cost_per_year if account else None,
        "acquisition_cost": m.acquisition_cost,
        "contribution": m.yearly_contribution,
        "break_even_months": None if months is None or math.isinf(months) else months,
        "never": months is not None and math.isinf(months),
        "break_even_date": m.break_even_date,
        "before_renewal": None
        if not (m.break_even_date and renewal_date)
        else m.break_even_date <= renewal_date,
        "months_vs_renewal": _months_between(m.break_even_date, renewal_date),
        "return": m.account_return,
        "known": m.yearly_contribution is not None,
    }

    # Group 1: renewal requirements
    requirements = []
    for q in plan.requirements:
        delivered: list[dict[str, Any]] = []
        for ident in q.met_by:
            if ident in objectives:
                o = objectives[ident]
                score = objective_score(o)
                delivered.append(
                    {"kind": "objective", "title": o.title or o.id, "score": score,
                     "done": score is not None and score >= 1.0, "at_risk": False,
                     "status": None, "due": None, "overdue": None}
                )  # fmt: skip
            elif ident in actions:
                a = actions[ident][1]
                late = overdue_days(a)
                delivered.append(
                    {"kind": "action", "title": a.title or a.id, "score": None,
                     "done": not a.open, "at_risk": a.status == "blocked" or late is not None,
                     "status": a.status, "due": a.due, "overdue": overdue_shown(a)}
                )  # fmt: skip
        if not delivered:
            state = "missing"
        elif any(d["at_risk"] for d in delivered):
            state = "at_risk"
        elif all(d["done"] for d in delivered):
            state = "met"
        else:
            state = "in_progress"
        requirements.append(
            {"requirement": q, "met_by": delivered, "state": state,
             "waived": state != "met" and q.id in waived["renewal-requirements"]}
        )  # fmt: skip

    # Group 1: role coverage
    roles = []
    for role in builder.roles:
        advocates = []
        for ident in m.advocates_by_role.get(role, []):
            s = people[ident]
            advocates.append(
                {"person": person(ident), "backup": person(s.backup),
                 "backup_problem": backup_gap(s, people), "waived": ident in backups_waived}
            )  # fmt: skip
        others = [
            {"person": person(i), "stance": people[i].stance, "left": not people[i].active,
             "group": people[i].group}
            for i in m.holders_by_role.get(role, [])
            if i not in m.advocates_by_role.get(role, [])
        ]  # fmt: skip
        if not advocates:
            state = "waived" if role in roles_waived else "missing"
        elif any(a["backup_problem"] and not a["waived"] for a in advocates):
            state = "weak"
        else:
            state = "covered"
        roles.append({"role": role, "advocates": advocates, "others": others, "state": state})

    def stakeholder_row(s: Stakeholder) -> dict[str, Any]:
        judged = needs_backup(s) and s.group in builder.judging.backup_groups
        gap = backup_gap(s, people) if judged else None
        age = (today - s.last_contact).days if s.last_contact else None
        judged_fresh = key_person(s) and s.group in builder.judging.contact_groups
        stale = judged_fresh and (age is None or age > builder.judging.contact_fresh_days)
        return {
            "person": s,
            "backup": person(s.backup),
            "backup_problem": gap,
            "waived": s.id in backups_waived,
            "owner": member(s.owner),
            "reports_to": person(s.reports_to),
            "stale": stale and s.id not in waived["contact-freshness"],
            "stale_waived": stale and s.id in waived["contact-freshness"],
        }

    group1 = [stakeholder_row(s) for s in plan.stakeholders if s.group == "renew"]
    group2 = [stakeholder_row(s) for s in plan.stakeholders if s.group == "expand"]
    ungrouped = [
        stakeholder_row(s) for s in plan.stakeholders if s.group not in ("renew", "expand")
    ]

    detractors = []
    for s in plan.stakeholders:
        if s.stance != "detractor":
            continue
        engaging = plan.actions_engaging(s.id)
        detractors.append(
            {
                "person": s,
                "owner": member(s.owner),
                "open": [action_row(a) for a in engaging if a.open],
                "done": [action_row(a) for a in engaging if not a.open],
                "addressed": s.id in m.detractors_addressed,
                "waived": s.id in detractors_waived,
                "understood_waived": s.id in waived["detractor-understood"],
            }
        )

    # Group 2: expansion
    expansion = []
    for e in plan.expansion:
        via = []
        for ident in e.via:
            reference = people.get(ident)
            via.append(
                {"person": person(ident),
                 "outcomes": list(reference.outcomes) if reference else [],
                 "ready": bool(reference and reference.group == "renew" and reference.reference
                               and reference.outcomes and reference.active)}
            )  # fmt: skip
        expansion.append(
            {"opportunity": e, "reach": [person(i) for i in e.stakeholders], "via": via}
        )
    pipeline = sum(e.value for e in plan.expansion if e.value is not None)

    # Objectives
    objective_rows = [
        {**builder.objective_row(o, document), "actions": [action_row(a) for a in o.actions]}
        for o in plan.objectives
    ]

    # Next steps: every open action, by due date (undated last), across objectives.
    steps = [(o, a) for o, a in plan.actions() if a.open]
    steps.sort(key=lambda step: (step[1].due is None, step[1].due or today))
    next_steps = [{**action_row(a), "objective": o} for o, a in steps]

    # Competitors and risks in one place.
    risks = {
        "competitors": [s for s in plan.stakeholders if s.stance == "detractor" and s.competitor],
        "concerns": [s for s in plan.stakeholders if s.stance == "detractor" and s.concerns],
        "blocked": [step for step in next_steps if step["action"].status == "blocked"],
        "requirements": [
            r for r in requirements if r["state"] in ("missing", "at_risk") and not r["waived"]
        ],
    }

    milestones = []
    wanted = builder.config.setting("milestone-review").params.get("perspectives", [])
    for ms in plan.milestones:
        review = ms.review
        milestones.append(
            {
                "milestone": ms,
                "past": bool(ms.date and ms.date < today),
                "review": review,
                "present": [p for p in wanted if review and p in review.perspectives],
                "missing": [p for p in wanted if review and p not in review.perspectives],
            }
        )

    return {
        "plan": plan,
        "account": account,
        "metrics": m,
        "source": builder.source_link(plan.file, document),
        "file": plan.file,
        "owner": member(plan.owner),
        "team": plan.team,
        "renewal": renewal,
        "health": health,
        "next_steps": next_steps,
        "risks": risks,
        "money": money,
        "requirements": requirements,
        "roles": roles,
        "group1": group1,
        "group2": group2,
        "ungrouped": ungrouped,
        "detractors": detractors,
        "needs": [r for r in group1 + group2 + ungrouped if r["person"].needs],
        "expansion": expansion,
        "pipeline": pipeline if plan.expansion else None,
        "objectives": objective_rows,
        "milestones": milestones,
        "findings": builder.finding_rows(findings, document),
        "map": relationship_map(builder, plan, team),
        "freshness_days": builder.judging.contact_fresh_days,
    }


def relationship_map(
    builder: Builder, plan: AccountPlan, team: Mapping[str, Any]
) -> dict[str, Any]:
    """Stakeholders as nodes (by group, coloured by stance), reports-to and backup edges."""
    cat = builder.cat
    ids: dict[str, str] = {}
    nodes = []
    for s in plan.stakeholders:
        if s.id in ids:
            continue  # a duplicate id: the first definition stands
        ids[s.id] = f"p{len(ids)}"
        owner = team.get(s.owner or "")
        lines = [s.name or s.id]
        if s.title:
            lines.append(s.title)
        state = cat("label.left_company") if not s.active else cat.label("stance", s.stance)
        lines.append(state)
        if s.owner:
            lines.append(cat("map.owner", name=owner.name if owner else s.owner))
        nodes.append(
            {"id": ids[s.id], "lines": lines, "group": s.group,
             "style": "left" if not s.active else s.stance}
        )  # fmt: skip
    edges = []
    for s in plan.stakeholders:
        if s.reports_to in ids and s.reports_to != s.id:
            edges.append({"source": ids[s.id], "target": ids[s.reports_to], "kind": "reports_to"})
        if s.backup in ids and s.backup != s.id:
            edges.append({"source": ids[s.backup], "target": ids[s.id], "kind": "backup"})
    styles = ("advocate", "supporter", "neutral", "detractor", "unknown", "left")
    classes = {style: [n["id"] for n in nodes if n["style"] == style] for style in styles}
    unknown = [n["id"] for n in nodes if n["style"] not in styles]
    classes["unknown"] += unknown
    return {
        "groups": [
            {
                "id": "g1",
                "group": "renew",
                "nodes": [n for n in nodes if n["group"] == "renew"],
            },
            {
                "id": "g2",
                "group": "expand",
                "nodes": [n for n in nodes if n["group"] == "expand"],
            },
        ],
        "loose": [n for n in nodes if n["group"] not in ("renew", "expand")],
        "edges": edges,
        "classes": {k: v for k, v in classes.items() if v},
        "empty": not nodes,
    }


def _months_between(first: date | None, second: date | None) -> int | None:
    """Whole months from ``first`` to ``second`` (negative when ``second`` is earlier)."""
    if first is None or second is None:
        return None
    return (second.year - first.year) * 12 + (second.month - first.month)


KIND = DocumentKind("account", "account.md.j2", PLAN, "accounts", context)
