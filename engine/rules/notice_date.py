"""The customer's notice date is close and the renewal is in doubt.

``renewal.notice_date`` is the last day the customer can give notice; after
it the contract renews by itself. When it is within ``days`` (30 by
default) and the team forecasts the account ``at_risk`` or ``churn``, or its
health is red (docs/health.md), this is the last chance to act: escalate to
the executive sponsor, agree the open requirements, or plan for the loss.

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation, renewal_date: 2027-03-31}
    renewal:
      forecast: at_risk
      notice_date: 2026-12-15

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation, renewal_date: 2027-03-31}
    renewal:
      forecast: at_risk
      notice_date: 2027-01-31
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Day, Label, Number, Problem, Text, args
from engine.model.portfolio import AT_RISK_FORECASTS, health
from engine.rules.base import Context

ID = "notice-date"
SEVERITY = "error"
DATED = True  # reads today
PARAMS = {"days": 30}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        renewal = plan.renewal
        if renewal is None or renewal.notice_date is None:
            continue
        left = (renewal.notice_date - ctx.today).days
        if not 0 <= left <= params["days"]:
            continue
        values = args(plan=Text(plan.name), date=Day(renewal.notice_date))
        if renewal.forecast in AT_RISK_FORECASTS:
            key = f"{ID}.forecast"
            values += args(forecast=Label("forecast", renewal.forecast))
        else:
            # A rule cannot see the other rules' findings: the health score (without
            # the cap of a failing plan) stands for "the plan fails".
            score = health(ctx.metrics.plans[plan.id].health_areas, False, ctx.portfolio)
            if score.rating != "red":
                continue
            key = f"{ID}.health"
            values += args(score=Number(score.score))
        yield Problem(
            renewal.at("notice_date"), key, values, plan=plan.id, path="renewal/notice_date"
        )
