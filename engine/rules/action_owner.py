"""An action has no ``owner``, or the owner is not on the account team.

Work that belongs to nobody does not get done. Each action is owned by one
member of the account team (an id from ``team``).

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    objectives:
      - id: renew-110
        title: Renew at 110% of current ARR
        actions:
          - {id: value-review, title: Quarterly value review, due: 2026-12-15}

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

from engine.findings import Phrase, Problem, Text, args
from engine.rules.base import Context, item
from engine.suggest import Suggester

ID = "action-owner"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        team = {m.id for m in plan.team}
        suggester = Suggester(team)
        for _, action in plan.actions():
            if not action.owner:
                key, values = f"{ID}.none", args(action=item(action))
            elif action.owner not in team:
                close = suggester.closest(action.owner)
                hint = (
                    Phrase("hint.suggest", args(close=Text(close)))
                    if close
                    else Phrase(f"{ID}.hint.add")
                )
                key = f"{ID}.not_on_team"
                values = args(action=item(action), owner=Text(action.owner), hint=hint)
            else:
                continue
            yield Problem(
                action.at("owner"),
                key,
                values,
                plan=plan.id,
                target=action.id,
                path=f"actions/{action.id}/owner",
            )
