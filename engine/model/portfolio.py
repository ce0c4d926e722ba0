"""The CRO's numbers, computed in one place: money in the reporting currency, the
portfolio's totals and each account's health (docs/health.md).

Amounts are converted and summed as decimals (``Decimal(str(x))``: exactly the
number the plan and the config write), so a total never depends on the order
the plans were read in; they become floats only when printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

AREAS = ("relationships", "renewal", "execution", "freshness")
DEFAULT_WEIGHTS = (("relationships", 0.4), ("renewal", 0.3), ("execution", 0.2), ("freshness", 0.1))
DEFAULT_THRESHOLDS = (("green", 75.0), ("amber", 50.0))
AT_RISK_FORECASTS = ("at_risk", "churn")


@dataclass(frozen=True)
class PortfolioSettings:
    """The config's ``reporting_currency``, ``fx_rates``, ``renewal_window_days`` and
    ``health`` (tuples, not dicts: part of the cache key, so their repr must be stable)."""

    reporting_currency: str | None = None
    fx_rates: tuple[tuple[str, str], ...] = ()  # (currency, rate as written), sorted
    renewal_window_days: int = 180
    weights: tuple[tuple[str, float], ...] = DEFAULT_WEIGHTS
    thresholds: tuple[tuple[str, float], ...] = DEFAULT_THRESHOLDS

    def rate(self, currency: str | None) -> Decimal | None:
        """The value of one unit of ``currency`` in the reporting currency; None if the
        config has none. An amount without a currency is in the reporting currency."""
        if currency is None or currency == self.reporting_currency:
            return Decimal(1)
        for name, rate in self.fx_rates:
            if name == currency:
                return Decimal(rate)
        return None

    def renewing_soon(self, renewal: date | None, today: date) -> bool:
        """Renewing within ``renewal_window_days`` of today, today and the last day included
        (a renewal already past is not renewing soon)."""
        return renewal is not None and 0 <= (renewal - today).days <= self.renewal_window_days


def portfolio_settings(data: dict[str, Any]) -> PortfolioSettings:
    """The settings from a validated config's top-level mapping."""
    health = data.get("health") or {}
    weights = dict(DEFAULT_WEIGHTS) | (health.get("weights") or {})
    thresholds = dict(DEFAULT_THRESHOLDS) | (health.get("thresholds") or {})
    window = data.get("renewal_window_days")
    return PortfolioSettings(
        reporting_currency=data.get("reporting_currency"),
        # str(): 0.92 stays 0.92, never 0.92000000000000003996802888650563545525074005126953125
        fx_rates=tuple(sorted((k, str(v)) for k, v in (data.get("fx_rates") or {}).items())),
        renewal_window_days=180 if window is None else window,
        weights=tuple((area, float(weights[area])) for area in AREAS),
        thresholds=(("green", float(thresholds["green"])), ("amber", float(thresholds["amber"]))),
    )


def convert(amount: float | None, currency: str | None, settings: PortfolioSettings) -> Decimal:
    """``amount`` in the reporting currency (0 for no amount). Raises KeyError for a
    currency without a rate: callers leave such a plan out of the totals and say so."""
    if amount is None:
        return Decimal(0)
    rate = settings.rate(currency)
    if rate is None:
        raise KeyError(currency)
    return Decimal(str(amount)) * rate


@dataclass(frozen=True)
class Health:
    score: int  # 0..100
    rating: str  # green | amber | red
    areas: tuple[tuple[str, float | None], ...] = ()  # each area's 0..1, to see why

    def as_json(self) -> dict[str, Any]:
        areas = {area: None if v is None else round(v, 4) for area, v in self.areas}
        return {"score": self.score, "rating": self.rating, "areas": areas}


def health(areas: dict[str, float | None], failing: bool, settings: PortfolioSettings) -> Health:
    """The weighted mean of the areas that apply (each 0..1) as 0..100; its rating by the
    thresholds. A plan with a finding at the fail level is never green."""
    total = weight_sum = 0.0
    for area, weight in settings.weights:
        value = areas.get(area)
        if value is not None and weight > 0:
            total += value * weight
            weight_sum += weight
    score = round(100 * total / weight_sum) if weight_sum else 100
    limits = dict(settings.thresholds)
    if score >= limits["green"] and not failing:
        rating = "green"
    elif score >= limits["amber"]:
        rating = "amber"
    else:
        rating = "red"
    return Health(score, rating, tuple((area, areas.get(area)) for area in AREAS))


@dataclass(frozen=True)
class AccountRow:
    """What the portfolio reads of one account plan (from its metrics)."""

    plan: str
    currency: str | None
    arr: float | None
    renewal_date: date | None
    forecast: str | None
    pipeline: float | None
    failing: bool


@dataclass(frozen=True)
class Portfolio:
    reporting_currency: str | None
    accounts: int
    failing_accounts: int
    arr: Decimal
    arr_renewing: Decimal
    arr_at_risk: Decimal
    pipeline: Decimal
    unconverted: tuple[str, ...]  # plans left out of the money totals: no rate for their currency

    def as_json(self) -> dict[str, Any]:
        return {
            "reporting_currency": self.reporting_currency,
            "accounts": self.accounts,
            "failing_accounts": self.failing_accounts,
            "arr": float(self.arr),
            "arr_renewing": float(self.arr_renewing),
            "arr_at_risk": float(self.arr_at_risk),
            "pipeline": float(self.pipeline),
            "unconverted": list(self.unconverted),
        }


def at_risk(row: AccountRow, settings: PortfolioSettings, today: date) -> bool:
    """Renewing soon and failing, or forecast at risk or to churn."""
    return settings.renewing_soon(row.renewal_date, today) and (
        row.failing or row.forecast in AT_RISK_FORECASTS
    )


def reporting(rows: Iterable[AccountRow], settings: PortfolioSettings) -> PortfolioSettings:
    """The settings with their reporting currency: without ``reporting_currency``, the
    one currency the plans use, when they use one."""
    if settings.reporting_currency is not None:
        return settings
    used = {r.currency for r in rows if r.currency}
    return replace(settings, reporting_currency=used.pop()) if len(used) == 1 else settings


def portfolio(rows: Iterable[AccountRow], settings: PortfolioSettings, today: date) -> Portfolio:
    """The totals over every account. Without ``reporting_currency`` the one currency the
    plans use is the reporting one; with several and none configured, every plan in a
    currency without a rate is ``unconverted`` (the ``currency-rate`` rule reports it)."""
    rows = sorted(rows, key=lambda r: r.plan)
    settings = reporting(rows, settings)
    arr = renewing = risk = pipeline = Decimal(0)
    unconverted = []
    for row in rows:
        try:
            account_arr = convert(row.arr, row.currency, settings)
            account_pipeline = convert(row.pipeline, row.currency, settings)
        except KeyError:
            unconverted.append(row.plan)
            continue
        arr += account_arr
        pipeline += account_pipeline
        if settings.renewing_soon(row.renewal_date, today):
            renewing += account_arr
            if at_risk(row, settings, today):
                risk += account_arr
    return Portfolio(
        reporting_currency=settings.reporting_currency,
        accounts=len(rows),
        failing_accounts=sum(r.failing for r in rows),
        arr=arr,
        arr_renewing=renewing,
        arr_at_risk=risk,
        pipeline=pipeline,
        unconverted=tuple(unconverted),
    )


@dataclass(frozen=True)
class Month:
    """One month of the renewal calendar: the accounts renewing in it (by renewal date,
    then id) and their ARR in the reporting currency (None when one has no rate)."""

    start: date  # its first day
    plans: tuple[str, ...]
    arr: Decimal | None


CALENDAR_MONTHS = 6  # the next two quarters


def renewal_calendar(
    rows: Iterable[AccountRow], settings: PortfolioSettings, today: date
) -> list[Month]:
    """The next two quarters by month, today's month first: who renews in each, from
    today on (a renewal already past is no longer in the calendar)."""
    rows = sorted(rows, key=lambda r: r.plan)
    settings = reporting(rows, settings)
    months = []
    for step in range(CALENDAR_MONTHS):
        year, month = divmod(today.month - 1 + step, 12)
        if today.year + year > date.max.year:
            break
        start = date(today.year + year, month + 1, 1)
        renewing = sorted(
            (
                r
                for r in rows
                if r.renewal_date is not None
                and r.renewal_date >= today
                and (r.renewal_date.year, r.renewal_date.month) == (start.year, start.month)
            ),
            key=lambda r: (r.renewal_date, r.plan),
        )
        total: Decimal | None = Decimal(0)
        for r in renewing:
            try:
                total = None if total is None else total + convert(r.arr, r.currency, settings)
            except KeyError:
                total = None  # never a total that silently leaves an account out
        months.append(Month(start, tuple(r.plan for r in renewing), total))
    return months
