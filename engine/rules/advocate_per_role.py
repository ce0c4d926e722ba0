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

from engine.findings import Problem
from engine.model.vocabulary import ROLES
from engine.rules.base import Context

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
            role_name = role.replace("_", " ")
            if advocates:
                message = (
                    f"role {role_name} has {len(advocates)} advocate(s) "
                    f"({', '.join(advocates)}), fewer than the {wanted} wanted"
                )
            elif others:
                held = ", ".join(
                    f"{s.id} ({s.stance if s.active else 'has left'}"
                    f"{', Group 2' if s.group == 'expand' else ''})"
                    for s in others
                )
                message = f"role {role_name} has no advocate: {held} hold{'s' if len(others) == 1 else ''} it"
            else:
                message = f"role {role_name} has no advocate and nobody in the plan holds it"
            message += (
                " — win them over or develop another advocate"
                if others
                else " — find who holds it at the customer and make them an advocate"
            )
            loc = others[0].at("roles") if others else plan.at("stakeholders")
            yield Problem(loc, message, plan=plan.id, target=role, path=f"roles/{role}")
