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

from engine.findings import Many, Phrase, Problem, args
from engine.rules.base import Context, item, person

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
                    f"{ID}.none",
                    args(opportunity=item(e)),
                    plan=plan.id,
                    target=e.id,
                    path=path,
                )
            for index, person_id in enumerate(e.via):
                door_opener = people.get(person_id)
                if door_opener is None:
                    continue  # unresolved-reference says so
                gaps = []
                if door_opener.group != "renew":
                    gaps.append("not_group1")
                if not door_opener.reference:
                    gaps.append("not_reference")
                if not door_opener.outcomes:
                    gaps.append("no_outcome")
                if door_opener.status == "left":
                    gaps.append("left")
                if gaps:
                    yield Problem(
                        e.at("via", index),
                        f"{ID}.gaps",
                        args(
                            opportunity=item(e),
                            person=person(door_opener),
                            gaps=Many(tuple(Phrase(f"gap.{gap}") for gap in gaps)),
                        ),
                        plan=plan.id,
                        target=e.id,
                        path=f"{path}/{door_opener.id}",
                    )
