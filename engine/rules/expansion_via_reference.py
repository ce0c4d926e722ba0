"""An expansion opportunity has no ``via``, or a ``via`` person is not a Group 1 reference with an outcome.

The team earns the right to reach the rest of the organisation through
Group 1's results. Each opportunity goes ``via`` a hero from Group 1: a
``group: renew`` stakeholder who is a ``reference: true`` and has at least
one ``outcome`` — the story they will tell.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate}
      - {id: sofia, name: Sofia Rossi, group: expand}
    expansion:
      - {id: finance-emea, title: Finance EMEA invoice automation, stakeholders: [sofia], via: [maria]}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - id: maria
        name: Maria Chen
        group: renew
        stance: advocate
        reference: true
        outcomes: [Cut order-processing time by 30% in Q3]
      - {id: sofia, name: Sofia Rossi, group: expand}
    expansion:
      - {id: finance-emea, title: Finance EMEA invoice automation, stakeholders: [sofia], via: [maria]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem
from engine.rules.base import Context

ID = "expansion-via-reference"
SEVERITY = "warning"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        people = {s.id: s for s in reversed(plan.stakeholders)}
        for e in plan.expansion:
            path = f"expansion/{e.id}/via"
            if not e.via:
                yield Problem(
                    e.at("via"),
                    f"expansion '{e.id}' goes via no reference — name the Group 1 hero whose "
                    "results open the door",
                    plan=plan.id,
                    target=e.id,
                    path=path,
                )
            for index, person_id in enumerate(e.via):
                person = people.get(person_id)
                if person is None:
                    continue  # unresolved-reference says so
                gaps = []
                if person.group != "renew":
                    gaps.append("is not in Group 1 (renew)")
                if not person.reference:
                    gaps.append("is not a reference (reference: true)")
                if not person.outcomes:
                    gaps.append("has no outcome to tell")
                if person.status == "left":
                    gaps.append("has left the company")
                if gaps:
                    yield Problem(
                        e.at("via", index),
                        f"expansion '{e.id}' goes via '{person.id}', who {' and '.join(gaps)} — "
                        "make them a reference with results to show, or go via someone who is",
                        plan=plan.id,
                        target=e.id,
                        path=f"{path}/{person.id}",
                    )
