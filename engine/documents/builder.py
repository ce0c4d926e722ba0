"""Each document's context, built from the check's models, metrics and findings."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from engine.config import Config
from engine.documents.escape import relative_link
from engine.documents.inputs import SLUG, AlignedObjective, AnyObjective, Inputs, PlanSummary
from engine.findings import SEVERITY_RANK, Finding
from engine.i18n.catalogue import Catalogue
from engine.i18n.messages import finding_message
from engine.model.metrics import (
    KEY_ROLES,
    LEVERS,
    PlanMetrics,
    backup_problem,
    kr_score,
    needs_backup,
    objective_score,
)
from engine.model.types import AccountPlan, OKRSet, Stakeholder


def _grade(score: float | None) -> str:
    """The usual OKR colours: red below 0.4, yellow to 0.7, green from 0.7."""
    if score is None:
        return "none"
    shown = round(score, 2)  # graded as shown, so 0.398 shown as 0.40 is yellow
    return "red" if shown < 0.4 else "yellow" if shown < 0.7 else "green"


class _Builder:
    """Builds each document's context; one in each process that renders."""

    def __init__(
        self, okrs: Iterable[OKRSet], config: Config, today: date, out: Path, cat: Catalogue
    ) -> None:
        self.config, self.today, self.out, self.cat = config, today, out, cat
        self.okrs: dict[str, OKRSet] = {}
        for okr_set in okrs:
            self.okrs.setdefault(okr_set.id, okr_set)
        self.roles = list(config.setting("advocate-per-role").params.get("roles", KEY_ROLES))
        self.freshness_days = config.setting("contact-freshness").params.get("max_age_days", 60)
        # Every objective that aligns to an OKR objective: "<set>/<objective>" -> children
        self.children: dict[str, list[tuple[str, PlanSummary | OKRSet, AnyObjective]]] = (
            defaultdict(list)
        )
        for okr_set in self.okrs.values():
            for objective in okr_set.objectives:
                for parent in objective.aligns_to:
                    self.children[parent].append(("okr", okr_set, objective))

    def add_plans(self, plans: Iterable[PlanSummary]) -> None:
        """The account objectives under the OKR objectives (for OKR documents and the index)."""
        for plan in plans:
            for objective in plan.aligned_objectives:
                for parent in objective.aligns_to:
                    self.children[parent].append(("account", plan, objective))

    # --- shared pieces -----------------------------------------------------

    def folder(self, document: str) -> Path:
        return self.out / Path(document).parent

    def source_link(self, file: str, document: str) -> str:
        return relative_link(file, self.folder(document))

    def finding_rows(self, findings: Iterable[Finding], document: str) -> dict[str, list]:
        """The document's findings, worst first."""
        cat = self.cat
        open_rows, waived_rows = [], []
        rank = lambda f: (-SEVERITY_RANK[f.severity], f.file, f.line, f.column, f.rule)  # noqa: E731
        for f in sorted(findings, key=rank):
            row = {
                "rule": f.rule,
                "severity": f.severity,
                "icon": {"error": "❌", "warning": "⚠️", "info": "ℹ️"}[f.severity],
                "message": finding_message(cat, f),
                "where": f"{Path(f.file).name}:{f.line}",
                "href": f"{self.source_link(f.file, document)}#L{f.line}",
                "reason": f.waiver_reason,
                "expires": f.waiver_expires,
            }
            (waived_rows if f.waived else open_rows).append(row)
        return {"open": open_rows, "waived": waived_rows}

    def counts(self, findings: Iterable[Finding]) -> dict[str, int]:
        findings = list(findings)
        counts = Counter(f.severity for f in findings if not f.waived)
        waived = sum(1 for f in findings if f.waived)
        return {
            "error": counts["error"],
            "warning": counts["warning"],
            "info": counts["info"],
            "waived": waived,
        }

    def okr_ref(self, ref: str, document: str) -> dict[str, Any]:
        """An aligns_to reference "<set>/<objective>", resolved to a title and a link."""
        set_id, _, objective_id = ref.partition("/")
        okrs = self.okrs.get(set_id)
        objective = (
            next((o for o in okrs.objectives if o.id == objective_id), None) if okrs else None
        )
        if okrs is None or objective is None or not SLUG.match(set_id):
            return {"ref": ref, "title": ref, "set": None, "href": None, "found": False}
        anchor = f"#{objective_id}" if SLUG.match(objective_id) else ""
        href = (
            relative_link(str(self.out / "okrs" / f"{set_id}.md"), self.folder(document)) + anchor
        )
        return {
            "ref": ref,
            "title": objective.title or objective_id,
            "set": okrs.name,
            "href": href,
            "found": True,
        }

    # --- the account document ----------------------------------------------

    def account(
        self,
        plan: AccountPlan,
        m: PlanMetrics,
        document: str,
        findings: Iterable[Finding],
    ) -> dict[str, Any]:
        today = self.today
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

        def overdue_days(action: Any) -> int | None:
            if action.open and action.due and action.due < today:
                return (today - action.due).days
            return None

        def action_row(action: Any) -> dict[str, Any]:
            return {
                "action": action,
                "owner": member(action.owner),
                "overdue": overdue_days(action),
                "engages": [person(i) for i in action.stakeholders],
            }

        renewal_date = account.renewal_date if account else None
        renewal = {
            "date": renewal_date,
            "days": (renewal_date - today).days if renewal_date else None,
        }

        # Health
        needing = m.contacts_needing_backup
        without_backup = [person(i) for i in needing if i not in m.contacts_backed_up]
        health = {
            "findings": self.counts(findings),
            "roles_total": len(self.roles),
            "roles_covered": [r for r in self.roles if m.advocates_by_role.get(r)],
            "roles_missing": [r for r in self.roles if not m.advocates_by_role.get(r)],
            "backup_needed": len(needing),
            "backup_ok": len(m.contacts_backed_up),
            "without_backup": without_backup,
            "detractors": len(m.detractors),
            "detractors_addressed": len(m.detractors_addressed),
            "detractors_open": [person(i) for i in m.detractors if i not in m.detractors_addressed],
            "valid": plan.valid,
        }

        # Money
        months = m.break_even_months
        money = {
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
            delivered = []
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
                         "status": a.status, "due": a.due, "overdue": late}
                    )  # fmt: skip
            if not delivered:
                state = "missing"
            elif any(d["at_risk"] for d in delivered):
                state = "at_risk"
            elif all(d["done"] for d in delivered):
                state = "met"
            else:
                state = "in_progress"
            requirements.append({"requirement": q, "met_by": delivered, "state": state})

        # Group 1: role coverage
        roles = []
        for role in self.roles:
            advocates = []
            for ident in m.advocates_by_role.get(role, []):
                s = people[ident]
                problem = backup_problem(s, people)
                advocates.append(
                    {"person": person(ident), "backup": person(s.backup),
                     "backup_problem": _backup_reason(problem)}
                )  # fmt: skip
            others = [
                {"person": person(i), "stance": people[i].stance, "left": not people[i].active,
                 "group": people[i].group}
                for i in m.holders_by_role.get(role, [])
                if i not in m.advocates_by_role.get(role, [])
            ]  # fmt: skip
            if not advocates:
                state = "missing"
            elif any(a["backup_problem"] for a in advocates):
                state = "weak"
            else:
                state = "covered"
            roles.append({"role": role, "advocates": advocates, "others": others, "state": state})

        def stakeholder_row(s: Stakeholder) -> dict[str, Any]:
            problem = backup_problem(s, people) if needs_backup(s) else None
            age = (today - s.last_contact).days if s.last_contact else None
            key = s.active and (s.stance in ("advocate", "detractor") or s.influence == "high")
            return {
                "person": s,
                "backup": person(s.backup),
                "backup_problem": _backup_reason(problem),
                "owner": member(s.owner),
                "reports_to": person(s.reports_to),
                "contact_age": age,
                "stale": key and (age is None or age > self.freshness_days),
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
            engaging = [a for _, a in plan.actions() if s.id in a.stakeholders]
            detractors.append(
                {
                    "person": s,
                    "owner": member(s.owner),
                    "open": [action_row(a) for a in engaging if a.open],
                    "done": [action_row(a) for a in engaging if not a.open],
                    "addressed": s.id in m.detractors_addressed,
                }
            )

        # Group 2: expansion
        expansion = []
        for e in plan.expansion:
            via = []
            for ident in e.via:
                s = people.get(ident)
                via.append(
                    {"person": person(ident),
                     "outcomes": list(s.outcomes) if s else [],
                     "ready": bool(s and s.group == "renew" and s.reference and s.outcomes
                                   and s.active)}
                )  # fmt: skip
            expansion.append(
                {"opportunity": e, "reach": [person(i) for i in e.stakeholders], "via": via}
            )
        pipeline = sum(e.value for e in plan.expansion if e.value is not None)

        # Objectives
        objective_rows = [
            {**self.objective_row(o, document), "actions": [action_row(a) for a in o.actions]}
            for o in plan.objectives
        ]

        milestones = []
        wanted = self.config.setting("milestone-review").params.get("perspectives", [])
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
            "source": self.source_link(plan.file, document),
            "file": plan.file,
            "owner": member(plan.owner),
            "team": plan.team,
            "renewal": renewal,
            "reviewed_days": (today - plan.reviewed).days if plan.reviewed else None,
            "health": health,
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
            "findings": self.finding_rows(findings, document),
            "map": self.relationship_map(plan, team),
            "freshness_days": self.freshness_days,
        }

    def relationship_map(self, plan: AccountPlan, team: Mapping[str, Any]) -> dict[str, Any]:
        """Stakeholders as nodes (by group, coloured by stance), reports-to and backup edges."""
        cat = self.cat
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
                edges.append(
                    {"source": ids[s.id], "target": ids[s.reports_to], "kind": "reports_to"}
                )
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

    def objective_row(self, o: Any, document: str) -> dict[str, Any]:
        """An objective with its scores and links, as account and OKR documents show it."""
        score = objective_score(o)
        key_results = []
        for kr in o.key_results:
            kr_value = kr_score(kr)
            key_results.append({"kr": kr, "score": kr_value, "grade": _grade(kr_value)})
        return {
            "objective": o,
            "anchor": o.id if SLUG.match(o.id) else None,
            "score": score,
            "grade": _grade(score),
            "aligns": [self.okr_ref(r, document) for r in o.aligns_to],
            "key_results": key_results,
        }

    # --- the OKR document ------------------------------------------------------

    def okr_document(
        self,
        okrs: OKRSet,
        document: str,
        findings: Iterable[Finding],
    ) -> dict[str, Any]:
        objectives = []
        for o in okrs.objectives:
            aligned = [
                {"kind": kind, "owner": owner, "objective": child, "score": _score(child),
                 "grade": _grade(_score(child)),
                 "href": self.doc_link(kind, owner, child, document)}
                for kind, owner, child in self.children.get(f"{okrs.id}/{o.id}", [])
            ]  # fmt: skip
            objectives.append(
                {
                    **self.objective_row(o, document),
                    "okr_children": [a for a in aligned if a["kind"] == "okr"],
                    "accounts": [a for a in aligned if a["kind"] == "account"],
                }
            )
        by_lever = []
        for lever in LEVERS:
            scores = [objective_score(o) for o in okrs.objectives if o.lever == lever]
            known = [s for s in scores if s is not None]
            mean = sum(known) / len(known) if known else None
            by_lever.append(
                {"lever": lever, "count": len(scores), "score": mean, "grade": _grade(mean)}
            )
        return {
            "okrs": okrs,
            "source": self.source_link(okrs.file, document),
            "file": okrs.file,
            "objectives": objectives,
            "levers": by_lever,
            "tree": self.tree(okrs, document),
            "findings": self.finding_rows(findings, document),
        }

    def doc_link(
        self, kind: str, owner: PlanSummary | OKRSet, objective: AnyObjective, document: str
    ) -> str | None:
        folder = "accounts" if kind == "account" else "okrs"
        if not SLUG.match(owner.id):
            return None
        anchor = f"#{objective.id}" if SLUG.match(objective.id) else ""
        target = str(self.out / folder / f"{owner.id}.md")
        return relative_link(target, self.folder(document)) + anchor

    def tree(self, okrs: OKRSet, document: str) -> list[dict[str, Any]]:
        """The alignment tree through this set's objectives: ancestors, them, descendants."""
        mine = {f"{okrs.id}/{o.id}" for o in okrs.objectives}
        parents: dict[str, list[str]] = {}
        objects: dict[str, tuple[str, PlanSummary | OKRSet, AnyObjective]] = {}
        for s in self.okrs.values():
            for o in s.objectives:
                key = f"{s.id}/{o.id}"
                objects.setdefault(key, ("okr", s, o))
                parents.setdefault(key, list(o.aligns_to))

        def ancestors(key: str, seen: set[str]) -> set[str]:
            found = set()
            for parent in parents.get(key, []):
                if parent in objects and parent not in seen:
                    seen.add(parent)
                    found |= {parent} | ancestors(parent, seen)
            return found

        def descendants(key: str, seen: set[str]) -> set[str]:
            found = set()
            for kind, owner, child in self.children.get(key, []):
                child_key = (
                    f"{kind}:{owner.id}/{child.id}"
                    if kind == "account"
                    else f"{owner.id}/{child.id}"
                )
                if child_key not in seen:
                    seen.add(child_key)
                    found |= {child_key} | (
                        descendants(child_key, seen) if kind == "okr" else set()
                    )
            return found

        relevant = set(mine)
        for key in mine:
            relevant |= ancestors(key, {key}) | descendants(key, {key})
        roots = sorted(
            {k for k in relevant if k in objects and not any(p in objects for p in parents[k])}
            | {k for k in mine if not any(p in objects for p in parents[k])},
            key=lambda k: self._order(k, objects),
        )
        rows: list[dict[str, Any]] = []

        def walk(key: str, depth: int, path: tuple[str, ...]) -> None:
            kind, owner, objective = objects[key]
            score = _score(objective)
            rows.append(
                {"depth": depth, "kind": kind, "owner": owner, "objective": objective,
                 "score": score, "grade": _grade(score), "mine": key in mine,
                 "href": None if key in mine and kind == "okr" and owner.id == okrs.id
                 else self.doc_link(kind, owner, objective, document),
                 "anchor": objective.id if key in mine and SLUG.match(objective.id) else None}
            )  # fmt: skip
            if kind != "okr":
                return
            for child_kind, child_owner, child in self.children.get(key, []):
                child_key = (
                    f"account:{child_owner.id}/{child.id}"
                    if child_kind == "account"
                    else f"{child_owner.id}/{child.id}"
                )
                if child_key not in relevant or child_key in path:
                    continue
                objects.setdefault(child_key, (child_kind, child_owner, child))
                walk(child_key, depth + 1, path + (child_key,))

        for root in roots:
            walk(root, 0, (root,))
        return rows

    def _order(self, key: str, objects: Mapping[str, Any]) -> tuple[int, int]:
        kind, owner, objective = objects[key]
        sets = list(self.okrs)
        return (sets.index(owner.id) if owner.id in sets else len(sets),
                list(owner.objectives).index(objective))  # fmt: skip

    # --- the portfolio index ---------------------------------------------------

    def index_row(self, plan: AccountPlan, m: PlanMetrics) -> dict[str, Any]:
        """What the portfolio index shows of a plan, worked out where the plan was read."""
        a = plan.account
        renewal_date = a.renewal_date if a else None
        months = m.break_even_months
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
            "days": (renewal_date - self.today).days if renewal_date else None,
            "roles_covered": len([r for r in self.roles if m.advocates_by_role.get(r)]),
            "roles_total": len(self.roles),
            "pipeline": sum(e.value for e in plan.expansion if e.value is not None),
            "valid": plan.valid,
            "yearly_contribution": m.yearly_contribution,
            "acquisition_cost": m.acquisition_cost,
        }

    def index(
        self,
        plans: list[tuple[PlanSummary, dict[str, Any], list[Finding]]],
        rendered: Mapping[str, str],
        inputs: Inputs,
        document: str,
    ) -> dict[str, Any]:
        """The portfolio: ``plans`` are each plan's summary, index row and findings."""
        cat = self.cat
        accounts = [
            {"plan": plan, **row, "href": rendered[plan.id], "findings": self.counts(findings)}
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
                (s, o) for s in self.okrs.values() for o in s.objectives if o.lever == lever
            ]
            scores = [objective_score(o) for _, o in okr_objectives]
            known = [s for s in scores if s is not None]
            mean = sum(known) / len(known) if known else None
            served = set()
            for s, o in okr_objectives:
                served |= self._accounts_under(f"{s.id}/{o.id}", set())
            levers.append(
                {"lever": lever, "objectives": len(okr_objectives), "score": mean,
                 "grade": _grade(mean),
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
                 "count": gap["count"], "accounts": names, "severity": self._severity(gap["rule"])}
            )  # fmt: skip
        gap_rows.sort(key=lambda g: (-len(g["accounts"]), -g["count"], g["rule"]))

        okr_rows = []
        for s in self.okrs.values():
            if s.id not in rendered:
                continue
            scores = [objective_score(o) for o in s.objectives]
            known = [x for x in scores if x is not None]
            mean = sum(known) / len(known) if known else None
            okr_rows.append(
                {"okrs": s, "href": rendered[s.id], "score": mean, "grade": _grade(mean),
                 "objectives": len(s.objectives)}
            )  # fmt: skip

        return {
            "accounts": accounts,
            "focus": [r for r in accounts if r["priority"] is not None][:2] or accounts[:2],
            "segments": segment_rows,
            "levers": levers,
            "gaps": gap_rows,
            "okrs": okr_rows,
            "unread": [
                {"file": f, "href": relative_link(f, self.folder(document))} for f in inputs.unread
            ],
            "totals": self.counts(f for f in inputs.findings if f.plan in plan_ids),
        }

    def _severity(self, rule: str) -> str:
        return self.config.setting(rule).severity

    def _accounts_under(self, key: str, seen: set[str]) -> set[str]:
        found = set()
        for kind, owner, child in self.children.get(key, []):
            if kind == "account":
                found.add(owner.id)
            else:
                child_key = f"{owner.id}/{child.id}"
                if child_key not in seen:
                    seen.add(child_key)
                    found |= self._accounts_under(child_key, seen)
        return found


def _score(objective: AnyObjective) -> float | None:
    return (
        objective.score if isinstance(objective, AlignedObjective) else objective_score(objective)
    )


def _months_between(first: date | None, second: date | None) -> int | None:
    """Whole months from ``first`` to ``second`` (negative when ``second`` is earlier)."""
    if first is None or second is None:
        return None
    return (second.year - first.year) * 12 + (second.month - first.month)


def _backup_reason(problem: str | None) -> str | None:
    """backup_problem's English reason as a catalogue key."""
    if problem is None:
        return None
    if problem == "no backup":
        return "none"
    if problem.startswith("is "):
        return "self"
    return "left" if problem.endswith("has left the company") else "detractor"
