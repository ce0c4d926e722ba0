"""An open action engages a stakeholder who has left the company (``status: left``).

Main contacts often leave within the first months after the sale; then the
team must sell the solution all over again. An action still planned with
someone who has gone will not happen as written: the relationship it was to
build has to be rebuilt with whoever holds it now — the person's backup, if
they named one who is still there, or someone new. Done actions keep their
record and are not judged.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate, status: left, backup: kenji}
      - {id: kenji, name: Kenji Sato, group: renew, stance: supporter}
    objectives:
      - id: renew-110
        title: Renew at 110% of current ARR
        actions:
          - {id: value-review, title: Quarterly value review, status: planned, stakeholders: [maria]}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate, status: left, backup: kenji}
      - {id: kenji, name: Kenji Sato, group: renew, stance: supporter}
    objectives:
      - id: renew-110
        title: Renew at 110% of current ARR
        actions:
          - {id: value-review, title: Quarterly value review, status: planned, stakeholders: [kenji]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, args
from engine.rules.base import Context, item, person

ID = "action-engages-departed"
SEVERITY = "warning"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        people = {s.id: s for s in reversed(plan.stakeholders)}
        for _, action in plan.actions():
            if not action.open:
                continue
            for index, name in enumerate(action.stakeholders):
                gone = people.get(name)
                if gone is None or gone.active:
                    continue
                backup = people.get(gone.backup or "")
                values = args(action=item(action), person=person(gone))
                if backup is not None and backup.active and backup.id not in action.stakeholders:
                    key, values = f"{ID}.backup", values + args(backup=person(backup))
                else:
                    key = f"{ID}.nobody"
                yield Problem(
                    action.at("stakeholders", index),
                    key,
                    values,
                    plan=plan.id,
                    target=action.id,
                    path=f"actions/{action.id}/stakeholders/{name}",
                )
