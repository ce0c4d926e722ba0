"""An advocate or a high-influence stakeholder has no ``needs`` (see / hear / know).

The people who bought the product want results, not marketing. For each
advocate and each influential person the plan says what they must see (the
proof), hear (from whom) and know (the facts) to renew and to speak for us.

The method asks this of Group 1 (``group: renew``), person by person. Group 2
(``group: expand``) is addressed as one audience — the plan's
``messages.expand`` (``two-messages``), carried by Group 1's references — so
by default its people are not judged. Parameter ``groups``: the groups
judged (``renew``, ``expand``).

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - id: maria
        name: Maria Chen
        group: renew
        stance: advocate
        needs:
          see: Dashboard adoption by region
          hear: Peers in other regions succeeding
          know: Renewal price is fixed for two years
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, args
from engine.model.vocabulary import GROUPS
from engine.rules.base import Context, in_groups, person

ID = "audience-needs"
SEVERITY = "warning"
PARAMS = {"groups": ["renew"]}
CHOICES = {"groups": GROUPS}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        for s in plan.stakeholders:
            key = s.stance == "advocate" or s.influence == "high"
            if key and s.active and not s.needs and in_groups(s, params):
                yield Problem(
                    s.at("needs"),
                    ID,
                    args(person=person(s)),
                    plan=plan.id,
                    target=s.id,
                    path=f"stakeholders/{s.id}/needs",
                )
