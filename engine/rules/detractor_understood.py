"""A detractor states neither ``concerns`` nor ``competitor``.

To win a detractor over the team must know why they are against us: do they
push a competitor, think we are not a fit, or have concerns of another kind?
Write it down, so the actions address the real reason.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: tom, name: Tom Berger, group: renew, stance: detractor}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - id: tom
        name: Tom Berger
        group: renew
        stance: detractor
        competitor: Globex
        concerns: [Price per seat is above Globex's offer]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, args
from engine.rules.base import Context, person

ID = "detractor-understood"
SEVERITY = "warning"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        for s in plan.stakeholders:
            if s.stance == "detractor" and s.active and not s.concerns and not s.competitor:
                yield Problem(
                    s.at("stance"),
                    ID,
                    args(person=person(s)),
                    plan=plan.id,
                    target=s.id,
                    path=f"stakeholders/{s.id}/concerns",
                )
