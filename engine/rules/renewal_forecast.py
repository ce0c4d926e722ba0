"""An account renewing soon has no renewal forecast.

Within the renewal window (``renewal_window_days`` in revplan.yaml, 180 by
default) the forecast call asks of every account: will it renew? The team's
answer is ``renewal.forecast`` — ``commit``, ``best_case``, ``at_risk`` or
``churn`` — and the portfolio counts the accounts forecast at risk in the ARR
at risk. Without it the account's risk is only what the findings show. Make
the call, and revisit it at every review.

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation, renewal_date: 2027-03-31}

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation, renewal_date: 2027-03-31}
    renewal:
      forecast: commit
      probability: 0.8
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Day, Number, Problem, Text, args
from engine.rules.base import Context

ID = "renewal-forecast"
SEVERITY = "warning"
DATED = True  # reads today


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    window = ctx.portfolio.renewal_window_days
    for plan in ctx.plans:
        account = plan.account
        if account is None or not ctx.portfolio.renewing_soon(account.renewal_date, ctx.today):
            continue
        if plan.renewal and plan.renewal.forecast:
            continue
        assert account.renewal_date is not None  # renewing_soon says so
        yield Problem(
            account.at("renewal_date"),
            ID,
            args(plan=Text(plan.name), renewal=Day(account.renewal_date), window=Number(window)),
            plan=plan.id,
            path="renewal/forecast",
        )
