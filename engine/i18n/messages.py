"""Rule messages in the catalogue's language."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.findings import Finding
from engine.i18n.catalogue import Catalogue
from engine.model.metrics import PlanMetrics, backup_problem
from engine.model.types import AccountPlan, Objective, OKRSet, Stakeholder


@dataclass(frozen=True)
class Facts:
    """What a finding's message may need besides the finding itself."""

    plan: AccountPlan | None
    okrs: OKRSet | None
    metrics: PlanMetrics | None
    params: Mapping[str, Any]
    today: date


def _person(plan: AccountPlan | None, ident: str | None) -> Stakeholder | None:
    if plan is None or ident is None:
        return None
    return next((s for s in plan.stakeholders if s.id == ident), None)


def _objective(owner: AccountPlan | OKRSet | None, ident: str) -> Objective | None:
    if owner is None:
        return None
    return next((o for o in owner.objectives if o.id == ident), None)


def _name(person: Stakeholder | None, ident: str | None) -> str:
    return (person.name or person.id) if person else (ident or "")


def _who(cat: Catalogue, person: Stakeholder) -> str:
    """ "advocate, budget owner": why this contact matters."""
    stance = (
        cat.label("stance", person.stance)
        if person.stance in ("advocate", "detractor")
        else cat("msg.high_influence")
    )
    return cat("fmt.enum").join([stance, *(cat.label("role", r) for r in person.roles)])


def _path(finding: Finding) -> list[str]:
    return finding.path.split("/") if finding.path else []


def finding_message(cat: Catalogue, finding: Finding, facts: Facts) -> str:
    """The finding in the catalogue's language, rebuilt from its rule, target and the model."""
    try:
        text = _message(cat, finding, facts)
    except (LookupError, AttributeError, TypeError, ValueError):
        text = None  # the model changed shape since the check: say what the rule says
    if text is None:
        summary = cat(f"rule.{finding.rule}") if cat.has(f"rule.{finding.rule}") else finding.rule
        return cat("msg.generic", summary=summary, target=finding.target or "-")
    return text


def _message(cat: Catalogue, f: Finding, facts: Facts) -> str | None:  # noqa: C901 - one case per rule
    rule, target, plan = f.rule, f.target, facts.plan
    key = f"msg.{rule}"
    person = _person(plan, target)
    who = _name(person, target)

    if rule in ("yaml-syntax", "schema"):
        return cat(key, detail=f.message)
    if rule == "duplicate-id":
        return cat(key, id=target or f.plan or "")
    if rule == "alignment-cycle":
        loop = re.search(r"loop: (.+?) —", f.message)
        return cat(key, loop=loop.group(1) if loop else target or "")
    if rule == "unresolved-reference":
        return _unresolved(cat, f, facts)
    if rule in ("waiver-expired", "waiver-unused"):
        parts = _path(f)
        waived_rule = parts[1] if len(parts) > 1 else ""
        scope = cat.join([p for p in (f.plan, target) if p])
        if rule == "waiver-expired":
            # The finding says which date (run.apply_waivers): several waivers may
            # share a rule and target, so looking the waiver up again could pick another.
            found = re.search(r"expired on (\S+) and no longer waives", f.message)
            expires = _iso_date(found.group(1)) if found else None
            return cat(f"{key}", rule=waived_rule, scope=scope, date=cat.date(expires) or "?")
        return cat(key, rule=waived_rule, scope=scope)
    if rule == "lever-coverage":
        okrs = facts.okrs
        covered = {o.lever for o in okrs.objectives} if okrs else set()
        missing = [lv for lv in ("generation", "growth", "retention") if lv not in covered]
        return cat(key, levers=cat.labels("lever", missing), count=len(missing))
    if rule in ("objective-has-key-results", "key-results-count", "key-result-measurable"):
        owner: AccountPlan | OKRSet | None = plan or facts.okrs
        parts = _path(f)
        objective = _objective(owner, parts[1] if len(parts) > 1 else target or "")
        if objective is None:
            return None
        if rule == "objective-has-key-results":
            return cat(key, objective=objective.title or objective.id)
        if rule == "key-results-count":
            return cat(
                key,
                objective=objective.title or objective.id,
                count=len(objective.key_results),
                min=facts.params.get("min", 1),
                max=facts.params.get("max", 5),
            )
        kr = next(k for k in objective.key_results if k.id == target)
        title = kr.title or kr.id
        missing = [n for n, v in (("baseline", kr.baseline), ("target", kr.target)) if v is None]
        if missing:
            return cat(f"{key}.missing", kr=title, fields=cat.labels("kr_field", missing))
        return cat(f"{key}.equal", kr=title, value=kr.target)
    if plan is None:
        return None

    if rule == "action-overdue" or rule == "action-owner":
        action = next(a for _, a in plan.actions() if a.id == target)
        title = action.title or action.id
        if rule == "action-owner":
            if not action.owner:
                return cat(f"{key}.none", action=title)
            return cat(f"{key}.not_on_team", action=title, owner=action.owner)
        days = (facts.today - action.due).days
        return cat(
            key,
            action=title,
            due=cat.date(action.due),
            days=days,
            count=days,
            status=cat.label("action_status", action.status),
        )
    if rule == "advocate-per-role":
        m = facts.metrics
        role = cat.label("role", target)
        advocates = m.advocates_by_role.get(target, []) if m else []
        holders = [
            _person(plan, i)
            for i in (m.holders_by_role.get(target, []) if m else [])
            if i not in advocates
        ]
        if advocates:
            return cat(
                f"{key}.too_few",
                role=role,
                count=len(advocates),
                min=facts.params.get("min", 1),
            )
        if holders:
            held = cat.join(
                cat.paren(_name(p, None), _stance_or_left(cat, p)) for p in holders if p is not None
            )
            return cat(f"{key}.not_advocate", role=role, holders=held)
        return cat(f"{key}.nobody", role=role)
    if rule == "backup-per-contact":
        people = {s.id: s for s in reversed(plan.stakeholders)}
        why = backup_problem(person, people)
        backup = _name(people.get(person.backup or ""), person.backup)
        if why == "no backup":
            return cat(f"{key}.none", person=who, who=_who(cat, person))
        if why and why.startswith("is "):
            return cat(f"{key}.self", person=who)
        if why and why.endswith("has left the company"):
            return cat(f"{key}.left", person=who, who=_who(cat, person), backup=backup)
        if why:
            return cat(f"{key}.detractor", person=who, who=_who(cat, person), backup=backup)
        return None
    if rule == "contact-freshness":
        limit = facts.params.get("max_age_days", 60)
        if person.last_contact is None:
            return cat(f"{key}.none", person=who, who=_who(cat, person))
        days = (facts.today - person.last_contact).days
        return cat(
            f"{key}.stale",
            person=who,
            who=_who(cat, person),
            days=days,
            count=days,
            date=cat.date(person.last_contact),
            limit=limit,
        )
    if rule == "relationship-owner":
        return cat(key, person=who, who=_who(cat, person))
    if rule == "audience-needs":
        return cat(key, person=who, who=_who(cat, person))
    if rule == "detractor-understood":
        return cat(key, person=who)
    if rule == "detractor-addressed":
        engaging = [a for _, a in plan.actions() if person.id in a.stakeholders]
        open_actions = [a for a in engaging if a.open]
        if not engaging:
            return cat(f"{key}.none", person=who)
        if not open_actions:
            done = cat.join(a.title or a.id for a in engaging)
            return cat(f"{key}.done", person=who, actions=done)
        incomplete = cat.join(a.title or a.id for a in open_actions)
        return cat(f"{key}.incomplete", person=who, actions=incomplete)
    if rule == "renewal-requirements":
        if target is None:
            return cat(f"{key}.none")
        requirement = next(q for q in plan.requirements if q.id == target)
        return cat(f"{key}.unmet", requirement=requirement.title or requirement.id)
    if rule == "two-messages":
        missing = [
            g
            for g, text in (("renew", plan.messages.renew), ("expand", plan.messages.expand))
            if not text
        ]
        if missing:
            return cat(f"{key}.missing", groups=cat.labels("group", missing), count=len(missing))
        return cat(f"{key}.same")
    if rule == "cross-functional-team":
        present = {m.function for m in plan.team}
        wanted = facts.params.get("functions", ["sales", "marketing", "customer_success"])
        missing = [fn for fn in wanted if fn not in present]
        return cat(key, functions=cat.labels("function", missing))
    if rule == "objective-has-actions":
        objective = _objective(plan, target or "")
        return cat(key, objective=objective.title or objective.id)
    if rule == "expansion-via-reference":
        opportunity = next(e for e in plan.expansion if e.id == target)
        title = opportunity.title or opportunity.id
        parts = _path(f)
        if len(parts) < 4:
            return cat(f"{key}.none", opportunity=title)
        via = _person(plan, parts[3])
        gaps = []
        if via.group != "renew":
            gaps.append(cat("msg.gap.not_group1"))
        if not via.reference:
            gaps.append(cat("msg.gap.not_reference"))
        if not via.outcomes:
            gaps.append(cat("msg.gap.no_outcome"))
        if via.status == "left":
            gaps.append(cat("msg.gap.left"))
        return cat(f"{key}.gaps", opportunity=title, person=_name(via, None), gaps=cat.join(gaps))
    if rule == "milestone-review":
        milestone = next(m for m in plan.milestones if m.id == target)
        title = milestone.title or milestone.id
        if milestone.review is None:
            return cat(f"{key}.none", milestone=title, date=cat.date(milestone.date))
        wanted = facts.params.get(
            "perspectives", ["customer", "sales", "marketing", "customer_success"]
        )
        missing = [p for p in wanted if p not in milestone.review.perspectives]
        return cat(
            f"{key}.missing",
            milestone=title,
            perspectives=cat.labels("perspective", missing),
            count=len(missing),
        )
    if rule == "break-even":
        m = facts.metrics
        account = plan.account
        if m is None or m.break_even_months is None or account is None:
            return None
        if math.isinf(m.break_even_months):
            return cat(
                f"{key}.never",
                contribution=cat.money(m.yearly_contribution, account.currency),
            )
        return cat(
            f"{key}.late",
            months=cat.number(m.break_even_months),
            date=cat.month(m.break_even_date),
            renewal=cat.date(account.renewal_date),
        )
    if rule == "plan-freshness":
        limit = facts.params.get("max_age_days", 90)
        if plan.reviewed is None:
            return cat(f"{key}.never", limit=limit)
        days = (facts.today - plan.reviewed).days
        return cat(f"{key}.stale", days=days, count=days, date=cat.date(plan.reviewed), limit=limit)
    return None


def _stance_or_left(cat: Catalogue, person: Stakeholder) -> str:
    if not person.active:
        return cat("label.left_company")
    return cat.label("stance", person.stance)


# path field -> what the reference names (the "<field>" of unresolved-reference paths)
_REFERENCE_FIELDS = ("owner", "backup", "reports_to", "stakeholders", "via", "met_by", "aligns_to")


def _unresolved(cat: Catalogue, f: Finding, facts: Facts) -> str | None:
    parts = _path(f)
    if parts and parts[0] == "waivers":
        # waivers/<rule>/<name>: the waiver's rule, plan or target names nothing
        return cat("msg.unresolved-reference.waiver", name=parts[-1])
    # "owner/<name>" (the plan's owner) or "<section>/<id>/<field>/<name>"; aligns_to
    # names hold a slash themselves ("cro-fy27/nrr-115").
    if len(parts) >= 2 and parts[0] == "owner":
        field, name = "plan_owner", "/".join(parts[1:])
    elif len(parts) >= 4 and parts[2] in _REFERENCE_FIELDS:
        field, name = parts[2], "/".join(parts[3:])
    else:
        return None
    holder = f.target
    plan = facts.plan
    if holder and plan is not None:
        found = _person(plan, holder)
        if found is not None:
            holder = _name(found, holder)
        else:
            work = {o.id: o.title for o in plan.objectives}
            work.update({a.id: a.title for _, a in plan.actions()})
            work.update({e.id: e.title for e in plan.expansion})
            work.update({q.id: q.title for q in plan.requirements})
            holder = work.get(holder) or holder
    elif holder and facts.okrs is not None:
        objective = _objective(facts.okrs, holder)
        holder = objective.title if objective and objective.title else holder
    what = cat.label("reference", field)
    if holder:
        return cat("msg.unresolved-reference.of", holder=holder, field=what, name=name)
    return cat("msg.unresolved-reference.plain", field=what, name=name)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
