"""An advocate, a detractor or a high-influence stakeholder has no ``owner`` on the team.

Every relationship that matters is owned by one team member, who keeps in
touch and knows where it stands. Without an owner, everyone assumes someone
else is talking to them. (An ``owner`` naming someone not on the team is an
``unresolved-reference``.)

The method asks this of Group 1 (``group: renew``): the relationships the
team already has. Group 2 (``group: expand``) is reached through Group 1's
references — each expansion names them in ``via``
(``expansion-via-reference``) — so by default its people are not judged.
Parameter ``groups``: the groups judged (``renew``, ``expand``);
``groups: [renew, expand]`` asks an owner for Group 2's key people too.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: omar, name: Omar Haddad, function: customer_success}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate, owner: omar}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, args
from engine.model.vocabulary import GROUPS
from engine.rules.base import Context, in_groups, key_person, person

ID = "relationship-owner"
SEVERITY = "warning"
PARAMS = {"groups": ["renew"]}
CHOICES = {"groups": GROUPS}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        for s in plan.stakeholders:
            if key_person(s) and not s.owner and in_groups(s, params):
                yield Problem(
                    s.loc,
                    ID,
                    args(person=person(s)),
                    plan=plan.id,
                    target=s.id,
                    path=f"stakeholders/{s.id}/owner",
                )
