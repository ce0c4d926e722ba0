"""An account objective has no action.

An objective in an account plan is only a wish until someone does something
about it: each needs at least one action with an owner and a due date.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    objectives:
      - id: renew-110
        title: Renew at 110% of current ARR

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    objectives:
      - id: renew-110
        title: Renew at 110% of current ARR
        actions:
          - {id: value-review, title: Quarterly value review, owner: omar, due: 2026-12-15}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, args
from engine.rules.base import Context, item

ID = "objective-has-actions"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        for objective in plan.objectives:
            if not objective.actions:
                yield Problem(
                    objective.at("actions"),
                    ID,
                    args(objective=item(objective)),
                    plan=plan.id,
                    target=objective.id,
                    path=f"objectives/{objective.id}/actions",
                )
