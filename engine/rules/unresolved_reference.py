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

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.findings import Item, Label, Location, Person, Phrase, Problem, Text, args
from engine.model.types import AccountPlan, Node, Stakeholder
from engine.model.vocabulary import ROLES
from engine.rules.base import Context, RepoIndex, item, person
from engine.suggest import Suggester

ID = "unresolved-reference"
SEVERITY = "error"


# What each reference must name, as an ``enum.id_kind`` value.
_WANTED = {
    "owner": "team",
    "plan_owner": "team",
    "backup": "stakeholders",
    "reports_to": "stakeholders",
    "stakeholders": "stakeholders",
    "via": "stakeholders",
    "met_by": "work",
}


def _kind(section: str) -> str:
    """A plan section (``AccountPlan.ids``) as an ``enum.id_kind`` value."""
    if section.endswith("/key_results"):
        return "key_results"
    return section.removeprefix("renewal.")


def _problem(
    loc: Location, field: str, name: str, candidates: Suggester, plan: str, path: str,
    holder: Person | Item | None, defined: Mapping[str, str] | None = None,
) -> Problem:  # fmt: skip
    """``field``: what the reference is (an ``enum.reference`` value); ``holder``: whose;
    ``defined``: the kind of every id of the plan, to name an id of the wrong kind."""
    close = candidates.closest(name)
    hint = Phrase("hint.suggest", args(close=Text(close))) if close else Phrase("hint.none")
    values = args(field=Label("reference", field), name=Text(name), hint=hint)
    actual = (defined or {}).get(name)
    if actual is not None and field in _WANTED:
        key = f"{ID}.kind"
        values += args(actual=Label("id_kind", actual), wanted=Label("id_kind", _WANTED[field]))
    elif path.startswith("waivers/"):
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


@dataclass(frozen=True)
class _Ids:
    """The ids one kind of reference may name, their did-you-mean index, and every
    id of the plan with its kind."""

    known: set[str]
    suggester: Suggester
    defined: Mapping[str, str]


def _refs(
    obj: Node, field: str, names: Iterable[str], ids: _Ids, plan: str, path: str
) -> Iterator[Problem]:
    for index, name in enumerate(names):
        if name not in ids.known:
            yield _problem(
                obj.at(field, index), field, name, ids.suggester, plan, f"{path}/{field}",
                _holder(obj), ids.defined,
            )  # fmt: skip


def _plan(plan: AccountPlan) -> Iterator[Problem]:
    p = plan.id
    defined: dict[str, str] = {}
    for section, name, _ in plan.ids():
        defined.setdefault(name, _kind(section))

    def ids(names: set[str]) -> _Ids:
        return _Ids(names, Suggester(names), defined)

    team = ids({m.id for m in plan.team})
    people = ids({s.id for s in plan.stakeholders})
    work = ids({o.id for o in plan.objectives} | {a.id for _, a in plan.actions()})
    if plan.owner and plan.owner not in team.known:
        yield _problem(
            plan.at("owner"), "plan_owner", plan.owner, team.suggester, p, "owner", None, defined
        )
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
    objectives = Suggester(okr_objectives)
    for summary in index.files:
        for link in summary.alignments:
            if link.target not in okr_objectives:
                yield _problem(
                    link.loc, "aligns_to", link.target, objectives, link.plan,
                    f"objectives/{link.objective}/aligns_to",
                    Item(link.objective, link.title or None),
                )  # fmt: skip
    by_id = {f.id: f for f in index.files}
    rules, plans = Suggester([*RULES, *sorted(index.custom_rules)]), Suggester(by_id)
    targets: dict[str, tuple[set[str], Suggester]] = {}
    # Findings about roles name the role, so a waiver may target a role too.
    for waiver, plan in index.waivers:
        path = f"waivers/{waiver.rule}"
        if waiver.rule and waiver.rule not in RULES and waiver.rule not in index.custom_rules:
            yield _problem(
                waiver.at("rule"), "waiver_rule", waiver.rule, rules, plan or "", path, None
            )
        if plan is None:
            continue
        if plan not in by_id:
            yield _problem(waiver.at("plan"), "waiver_plan", plan, plans, plan, path, None)
            continue
        if plan not in targets:
            ids = set(by_id[plan].ids) | set(ROLES)
            targets[plan] = ids, Suggester(ids)
        ids, suggester = targets[plan]
        if waiver.target and waiver.target not in ids:
            yield _problem(
                waiver.at("target"), "waiver_target", waiver.target, suggester, plan, path, None
            )
