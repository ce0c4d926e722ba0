"""An action is past its ``due`` date and not ``done``.

An overdue action is a promise to the customer or to the team that slipped.
Do it, mark it done, or agree a new date.

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    objectives:
      - id: renew-110
        title: Renew at 110% of current ARR
        actions:
          - {id: value-review, title: Quarterly value review, due: 2026-10-15, status: in_progress}

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    objectives:
      - id: renew-110
        title: Renew at 110% of current ARR
        actions:
          - {id: value-review, title: Quarterly value review, due: 2026-10-15, status: done}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Day, Label, Number, Problem, args
from engine.rules.base import Context, item

ID = "action-overdue"
SEVERITY = "warning"
DATED = True  # reads today


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        for _, action in plan.actions():
            if action.open and action.due and action.due < ctx.today:
                yield Problem(
                    action.at("due"),
                    ID,
                    args(
                        action=item(action),
                        due=Day(action.due),
                        count=Number((ctx.today - action.due).days),
                        status=Label("action_status", action.status),
                    ),
                    plan=plan.id,
                    target=action.id,
                    path=f"actions/{action.id}/due",
                )
