"""A key contact has no backup who could hold the relationship.

Main contacts often leave within the first months after the sale, and then
the team must sell the solution all over again. Every advocate, and every
non-detractor with ``influence: high``, needs a ``backup``: a second person
at the customer who holds the relationship. A backup who is the same person,
a detractor, or who has left the company (``status: left``) is no backup.

The method asks this of Group 1 (``group: renew``), the people who bought
and use the product: the relationship the renewal rests on must survive one
person leaving. Group 2 (``group: expand``) are prospects the team has not
won yet — there is no relationship to back up, and the team reaches them
through Group 1's references (``expansion-via-reference``) — so by default
they are not judged. Parameter ``groups``: the groups judged (``renew``,
``expand``); ``groups: [renew, expand]`` asks a backup of Group 2's key
people too.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, roles: [executive_sponsor], stance: advocate}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, roles: [executive_sponsor], stance: advocate, backup: kenji}
      - {id: kenji, name: Kenji Sato, group: renew, stance: supporter}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Many, Phrase, Problem, args
from engine.model.metrics import backup_gap, needs_backup
from engine.model.vocabulary import GROUPS
from engine.rules.base import Context, in_groups, person

ID = "backup-per-contact"
SEVERITY = "error"
PARAMS = {"groups": ["renew"]}
CHOICES = {"groups": GROUPS}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        people = {s.id: s for s in reversed(plan.stakeholders)}
        for s in plan.stakeholders:
            if not needs_backup(s) or not in_groups(s, params):
                continue
            gap = backup_gap(s, people)
            if gap is None:
                continue
            roles = Many(tuple(Label("role", r) for r in s.roles))
            values = args(
                person=person(s),
                roles=Phrase(f"{ID}.roles", args(roles=roles))
                if s.roles
                else Phrase(f"{ID}.no_roles"),
            )
            backup = people.get(s.backup or "")
            if backup is not None and gap in ("left", "detractor"):
                values += args(backup=person(backup))
            yield Problem(
                s.at("backup"),
                f"{ID}.{gap}",
                values,
                plan=plan.id,
                target=s.id,
                path=f"stakeholders/{s.id}/backup",
            )
