"""A detractor is not being worked on: no open action with an owner and a due date engages them.

Not everyone is on our side after the deal: some push a competitor, some
think we are not a fit, some have concerns. Renewal depends on winning them
over, and it keeps the competitor out. A detractor counts as addressed when
an action that is not yet ``done``, with an ``owner`` and a ``due`` date,
lists them under ``stakeholders``.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    stakeholders:
      - {id: tom, name: Tom Berger, group: renew, stance: detractor, competitor: Globex}
    objectives:
      - id: renew
        title: Renew at 110%
        actions:
          - {id: pricing, title: Pricing workshop with Tom, owner: omar, status: done, due: 2026-10-01, stakeholders: [tom]}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    stakeholders:
      - {id: tom, name: Tom Berger, group: renew, stance: detractor, competitor: Globex}
    objectives:
      - id: renew
        title: Renew at 110%
        actions:
          - {id: pricing, title: Pricing workshop with Tom, owner: omar, status: done, due: 2026-10-01, stakeholders: [tom]}
          - {id: tco, title: Show Tom the three-year cost against Globex, owner: omar, due: 2026-12-15, stakeholders: [tom]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Many, Phrase, Problem, args
from engine.rules.base import Context, item, person

ID = "detractor-addressed"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        addressed = set(ctx.metrics.plans[plan.id].detractors_addressed)
        for s in plan.stakeholders:
            if s.stance != "detractor" or not s.active or s.id in addressed:
                continue
            actions = plan.actions_engaging(s.id)
            open_actions = [a for a in actions if a.open]
            if not actions:
                key, values = f"{ID}.none", args(person=person(s))
            elif not open_actions:
                done = Many(tuple(item(a) for a in actions))
                key, values = f"{ID}.done", args(person=person(s), actions=done)
            else:
                # what each open action lacks to count as work on the detractor
                gaps = Many(
                    tuple(
                        Phrase(
                            f"{ID}.gap",
                            args(
                                action=item(a),
                                missing=Many(
                                    tuple(
                                        Label("action_field", name)
                                        for name, v in (("owner", a.owner), ("due", a.due))
                                        if not v
                                    )
                                ),
                            ),
                        )
                        for a in open_actions
                    )
                )
                incomplete = Many(tuple(item(a) for a in open_actions))
                key = f"{ID}.incomplete"
                values = args(person=person(s), actions=incomplete, gaps=gaps)
            yield Problem(
                s.at("stance"),
                key,
                values,
                plan=plan.id,
                target=s.id,
                path=f"stakeholders/{s.id}/stance",
            )
