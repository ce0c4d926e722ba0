"""An account's currency has no exchange rate in the config.

The portfolio's totals (ARR, renewing, at risk, pipeline) are in the
config's ``reporting_currency``; every other currency is converted with
``fx_rates`` (the value of one unit in the reporting currency). A plan whose
currency has no rate cannot be added: it is left out of the totals and
listed as ``unconverted`` — and this finding says so, so no total silently
misses an account. Add the rate to revplan.yaml.

Anti-pattern::

    # file: revplan.yaml
    apiVersion: revplan/v1
    kind: Config
    reporting_currency: EUR
    fx_rates: {USD: 0.92}
    ---
    # file: acme.yaml
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation, currency: JPY, arr: 18000000}

Best practice::

    # file: revplan.yaml
    apiVersion: revplan/v1
    kind: Config
    reporting_currency: EUR
    fx_rates: {USD: 0.92, JPY: 0.0061}
    ---
    # file: acme.yaml
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation, currency: JPY, arr: 18000000}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, Text, args
from engine.rules.base import Context

ID = "currency-rate"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    reporting = ctx.portfolio.reporting_currency
    if reporting is None:  # no totals across currencies are asked for
        return
    for plan in ctx.plans:
        account = plan.account
        if account is None or ctx.portfolio.rate(account.currency) is not None:
            continue
        assert account.currency is not None  # no currency: the reporting one
        yield Problem(
            account.at("currency"),
            ID,
            args(plan=Text(plan.name), currency=Text(account.currency), reporting=Text(reporting)),
            plan=plan.id,
            path="account/currency",
        )
