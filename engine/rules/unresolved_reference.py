"""A reference names nothing: no such team member, stakeholder, objective or OKR.

Plans link people and work by id: a relationship's ``owner``, a contact's
``backup``, ``reports_to``, the ``stakeholders`` an action engages, the
``via`` references of an expansion, what ``met_by`` a renewal requirement,
``aligns_to`` (``<OKRs id>/<objective id>``, across files), and a waiver's
``rule``, ``plan`` and ``target``. A reference that names nothing is a link
that silently does not exist — usually a typo, so the nearest id is
suggested. (An action's ``owner`` is checked by ``action-owner``.)

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, backup: kenj, owner: omar}
      - {id: kenji, name: Kenji Sato, group: renew}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, backup: kenji, owner: omar}
      - {id: kenji, name: Kenji Sato, group: renew}
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from engine.findings import Item, Label, Location, Person, Phrase, Problem, Text, args
from engine.model.types import AccountPlan, Node, Stakeholder
from engine.model.vocabulary import ROLES
from engine.rules.base import Context, FileSummary, RepoIndex, item, person

ID = "unresolved-reference"
SEVERITY = "error"


def _problem(
    loc: Location, field: str, name: str, candidates: Iterable[str], plan: str, path: str,
    holder: Person | Item | None,
) -> Problem:  # fmt: skip
    """``field``: what the reference is (an ``enum.reference`` value); ``holder``: whose."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    hint = Phrase("hint.suggest", args(close=Text(close[0]))) if close else Phrase("hint.none")
    values = args(field=Label("reference", field), name=Text(name), hint=hint)
    if path.startswith("waivers/"):
        key = f"{ID}.waiver"
    elif holder is not None and holder.id:
        key, values = f"{ID}.of", values + args(holder=holder)
    else:
        key = f"{ID}.plain"
    target = holder.id if holder is not None else None
    return Problem(loc, key, values, plan=plan, target=target, path=f"{path}/{name}")


def _holder(obj: Node) -> Person | Item | None:
    if isinstance(obj, Stakeholder):
        return person(obj)
    return item(obj) if hasattr(obj, "id") else None


def _refs(
    obj: Node, field: str, names: Iterable[str], known: set[str], plan: str, path: str
) -> Iterator[Problem]:
    for index, name in enumerate(names):
        if name not in known:
            yield _problem(
                obj.at(field, index), field, name, known, plan, f"{path}/{field}", _holder(obj)
            )


def _plan(plan: AccountPlan) -> Iterator[Problem]:
    p = plan.id
    team = {m.id for m in plan.team}
    people = {s.id for s in plan.stakeholders}
    work = {o.id for o in plan.objectives} | {a.id for _, a in plan.actions()}
    if plan.owner and plan.owner not in team:
        yield _problem(plan.at("owner"), "plan_owner", plan.owner, team, p, "owner", None)
    for s in plan.stakeholders:
        path = f"stakeholders/{s.id}"
        if s.owner:
            yield from _refs(s, "owner", [s.owner], team, p, path)
        if s.backup:
            yield from _refs(s, "backup", [s.backup], people, p, path)
        if s.reports_to:
            yield from _refs(s, "reports_to", [s.reports_to], people, p, path)
    for _, action in plan.actions():
        path = f"actions/{action.id}"
        yield from _refs(action, "stakeholders", action.stakeholders, people, p, path)
    for q in plan.requirements:
        path = f"renewal/{q.id}"
        yield from _refs(q, "met_by", q.met_by, work, p, path)
    for e in plan.expansion:
        path = f"expansion/{e.id}"
        yield from _refs(e, "stakeholders", e.stakeholders, people, p, path)
        yield from _refs(e, "via", e.via, people, p, path)


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    """References inside one plan."""
    for plan in ctx.repo.plans:
        yield from _plan(plan)


def check_repository(index: RepoIndex, params: Mapping[str, Any]) -> Iterator[Problem]:
    """aligns_to across files, and every waiver's rule, plan and target."""
    from engine.rules import RULES

    okr_objectives = {
        f"{f.id}/{objective}" for f in index.files if f.kind == "OKRs" for objective in f.objectives
    }
    for summary in index.files:
        for link in summary.alignments:
            if link.target not in okr_objectives:
                yield _problem(
                    link.loc, "aligns_to", link.target, okr_objectives, link.plan,
                    f"objectives/{link.objective}/aligns_to",
                    Item(link.objective, link.title or None),
                )  # fmt: skip
    claims: dict[str, list[FileSummary]] = {}  # an id claimed twice is duplicate-id's to report
    for summary in index.files:
        claims.setdefault(summary.id, []).append(summary)
    # Findings about roles name the role, so a waiver may target a role too.
    for waiver, plan in index.waivers:
        path = f"waivers/{waiver.rule}"
        if waiver.rule and waiver.rule not in RULES:
            yield _problem(
                waiver.at("rule"), "waiver_rule", waiver.rule, RULES, plan or "", path, None
            )
        if plan is None:
            continue
        if plan not in claims:
            yield _problem(waiver.at("plan"), "waiver_plan", plan, claims, plan, path, None)
            continue
        # A plan's own waiver (no plan: of its own) names ids of its own file only.
        files = claims[plan]
        if waiver.plan is None:
            files = [f for f in files if f.file == waiver.loc.file]
        ids = set(ROLES).union(*(f.ids for f in files))
        if waiver.target and waiver.target not in ids:
            yield _problem(
                waiver.at("target"), "waiver_target", waiver.target, ids, plan, path, None
            )
