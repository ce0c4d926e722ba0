"""An advocate, a detractor or a high-influence stakeholder has not been contacted lately.

Relationships go cold quietly. The people the renewal rests on — advocates,
detractors and the influential — need a real conversation at least every
``max_age_days``; ``last_contact`` records the last one.

The method asks this of Group 1 (``group: renew``), whose relationships the
renewal rests on. Group 2 (``group: expand``) is "barely involved so far":
the team earns the right to reach them through Group 1's results, so no
recent conversation with a prospect is expected, and by default they are
not judged. Parameters: ``max_age_days``, and ``groups``, the groups judged
(``renew``, ``expand``).

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate, last_contact: 2026-06-02}

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew, stance: advocate, last_contact: 2026-11-10}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Day, Number, Problem, args
from engine.model.vocabulary import GROUPS
from engine.rules.base import Context, in_groups, key_person, person

ID = "contact-freshness"
SEVERITY = "warning"
DATED = True  # reads today
PARAMS = {"max_age_days": 60, "groups": ["renew"]}
CHOICES = {"groups": GROUPS}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    limit = params["max_age_days"]
    for plan in ctx.plans:
        for s in plan.stakeholders:
            if not key_person(s) or not in_groups(s, params):
                continue
            values = args(person=person(s), limit=Number(limit))
            if s.last_contact is None:
                key = f"{ID}.none"
            else:
                age = (ctx.today - s.last_contact).days
                if age <= limit:
                    continue
                key = f"{ID}.stale"
                values += args(count=Number(age), date=Day(s.last_contact))
            yield Problem(
                s.at("last_contact"),
                key,
                values,
                plan=plan.id,
                target=s.id,
                path=f"stakeholders/{s.id}/last_contact",
            )
