"""A key contact has no backup who could hold the relationship.

Main contacts often leave within the first months after the sale, and then
the team must sell the solution all over again. Every advocate, and every
non-detractor with ``influence: high``, needs a ``backup``: a second person
at the customer who holds the relationship. A backup who is the same person,
a detractor, or who has left the company (``status: left``) is no backup.

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

from engine.findings import Problem
from engine.model.metrics import backup_problem, needs_backup
from engine.rules.base import Context

ID = "backup-per-contact"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        people = {s.id: s for s in reversed(plan.stakeholders)}
        for s in plan.stakeholders:
            if not needs_backup(s):
                continue
            why = backup_problem(s, people)
            if why is None:
                continue
            who = "advocate" if s.stance == "advocate" else f"high-influence {s.stance}"
            roles = f" ({', '.join(s.roles)})" if s.roles else ""
            if why == "no backup":
                detail = "has no backup"
            elif why.startswith("is "):
                detail = why
            else:
                detail = f"has no usable backup: {why}"
            yield Problem(
                s.at("backup"),
                f"{who} '{s.id}'{roles} {detail} — name a second person who keeps "
                f"the relationship if {s.id} leaves",
                plan=plan.id,
                target=s.id,
                path=f"stakeholders/{s.id}/backup",
            )
