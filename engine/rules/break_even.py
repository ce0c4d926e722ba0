"""The account breaks even after its renewal date, or never.

The break-even point is how long the customer must stay for its acquisition
cost to be recovered: ``acquisition_cost / ((arr × gross_margin −
support_cost_per_year) / 12)`` months from ``contract_start``. If that falls
after ``renewal_date``, the account loses money unless it renews — the plan
must make renewal safe, or lower the cost to serve. It is never reached when
the yearly contribution is zero or negative. Plans without the money fields
are not judged.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account:
      id: acme
      name: Acme Corporation
      arr: 120000
      gross_margin: 0.8
      acquisition_cost: 150000
      support_cost_per_year: 30000
      contract_start: 2026-04-01
      renewal_date: 2027-03-31

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account:
      id: acme
      name: Acme Corporation
      arr: 480000
      gross_margin: 0.8
      acquisition_cost: 150000
      support_cost_per_year: 60000
      contract_start: 2026-04-01
      renewal_date: 2027-03-31
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Day, Money, Number, Problem, Text, args
from engine.rules.base import Context

ID = "break-even"
SEVERITY = "warning"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        m = ctx.metrics.plans[plan.id]
        account = plan.account
        if m.break_even_months is None or account is None:
            continue
        if math.isinf(m.break_even_months):
            yield Problem(
                account.at("acquisition_cost"),
                f"{ID}.never",
                args(
                    plan=Text(plan.name),
                    contribution=Money(m.yearly_contribution, account.currency),
                ),
                plan=plan.id,
                path="account/break-even",
            )
        elif (
            m.break_even_date and account.renewal_date and m.break_even_date > account.renewal_date
        ):
            yield Problem(
                account.at("renewal_date"),
                f"{ID}.late",
                args(
                    plan=Text(plan.name),
                    months=Number(round(m.break_even_months, 1)),
                    date=Day(m.break_even_date),
                    renewal=Day(account.renewal_date),
                ),
                plan=plan.id,
                path="account/break-even",
            )
