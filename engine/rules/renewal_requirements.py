"""The plan has no renewal requirement, or a requirement is met by no objective or action.

The first question of the plan: what must happen for the customer to renew?
Each answer is a requirement, and each requirement needs work that delivers
it — the objectives or actions listed under ``met_by``.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    renewal:
      requirements:
        - {id: adoption, title: All five regional teams use the dashboard weekly}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    objectives:
      - {id: adoption-drive, title: Drive weekly use in every region}
    renewal:
      requirements:
        - {id: adoption, title: All five regional teams use the dashboard weekly, met_by: [adoption-drive]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, Text, args
from engine.rules.base import Context, item

ID = "renewal-requirements"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        if not plan.requirements:
            yield Problem(
                plan.at("renewal"),
                f"{ID}.none",
                args(plan=Text(plan.name)),
                plan=plan.id,
                path="renewal",
            )
        for q in plan.requirements:
            if not q.met_by:
                yield Problem(
                    q.at("met_by"),
                    f"{ID}.unmet",
                    args(requirement=item(q)),
                    plan=plan.id,
                    target=q.id,
                    path=f"renewal/{q.id}/met_by",
                )
