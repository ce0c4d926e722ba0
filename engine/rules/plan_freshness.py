"""The plan's ``reviewed`` date is older than ``max_age_days``, or missing.

A plan is a living document: people leave, stances change, actions finish.
The team reviews the whole plan regularly and records the date in
``reviewed``.

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    reviewed: 2026-03-02

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    reviewed: 2026-11-02
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Day, Number, Problem, args
from engine.rules.base import Context

ID = "plan-freshness"
SEVERITY = "warning"
DATED = True  # reads today
PARAMS = {"max_age_days": 90}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    limit = params["max_age_days"]
    for plan in ctx.plans:
        values = args(limit=Number(limit))
        if plan.reviewed is None:
            key = f"{ID}.never"
        else:
            age = (ctx.today - plan.reviewed).days
            if age <= limit:
                continue
            key = f"{ID}.stale"
            values += args(count=Number(age), date=Day(plan.reviewed))
        yield Problem(plan.at("reviewed"), key, values, plan=plan.id, path="reviewed")
