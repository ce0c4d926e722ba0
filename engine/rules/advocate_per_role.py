"""A key role has no advocate among the people who bought and use the product.

Renewal and every later sale rest on references: advocates who speak for us,
covering the key roles — the product's end users, its administrators,
procurement, the budget owner and the executive sponsor. A role is covered by
a Group 1 (``group: renew``) stakeholder with ``stance: advocate`` who holds
it and is still at the company. When the role is held only by people who are
neutral or against us, win one of them over or develop another advocate.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, roles: [executive_sponsor, budget_owner], stance: advocate}
      - {id: raj, name: Raj Patel, group: renew, roles: [end_user, administrator], stance: advocate}
      - {id: tom, name: Tom Berger, group: renew, roles: [procurement], stance: detractor}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, roles: [executive_sponsor, budget_owner], stance: advocate}
      - {id: raj, name: Raj Patel, group: renew, roles: [end_user, administrator], stance: advocate}
      - {id: tom, name: Tom Berger, group: renew, roles: [procurement], stance: detractor}
      - {id: ana, name: Ana Lima, group: renew, roles: [procurement], stance: advocate}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Many, Number, Phrase, Problem, Text, args
from engine.model.types import Stakeholder
from engine.model.vocabulary import ROLES
from engine.rules.base import Context, person

ID = "advocate-per-role"
SEVERITY = "error"
PARAMS = {"roles": list(ROLES), "min": 1}
CHOICES = {"roles": ROLES}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    wanted = params["min"]
    for plan in ctx.plans:
        m = ctx.metrics.plans[plan.id]
        people = {s.id: s for s in reversed(plan.stakeholders)}
        for role in params["roles"]:
            advocates = m.advocates_by_role.get(role, [])
            if len(advocates) >= wanted:
                continue
            others = [people[i] for i in m.holders_by_role.get(role, []) if i not in advocates]
            if advocates:
                # ".held": someone else holds the role, who could be won over
                key = f"{ID}.too_few.held" if others else f"{ID}.too_few"
                values = args(
                    role=Label("role", role),
                    count=Number(len(advocates)),
                    advocates=Many(tuple(Text(a) for a in advocates)),
                    min=Number(wanted),
                )
            elif others:
                key = f"{ID}.not_advocate"
                holders = Many(tuple(_holder(s) for s in others))
                values = args(role=Label("role", role), holders=holders, count=Number(len(others)))
            else:
                key, values = f"{ID}.nobody", args(role=Label("role", role))
            loc = others[0].at("roles") if others else plan.at("stakeholders")
            yield Problem(loc, key, values, plan=plan.id, target=role, path=f"roles/{role}")


def _holder(s: Stakeholder) -> Phrase:
    """Who holds the role, and how they stand (or that they left)."""
    state = Label("stance", s.stance) if s.active else Label("stakeholder_status", "left")
    key = f"{ID}.holder.group2" if s.group == "expand" else f"{ID}.holder"
    return Phrase(key, args(person=person(s), state=state))
