"""The CRO's numbers (spec/portfolio.md): money in one currency, the renewal window,
the renewal call, key-result check-ins and the account health score."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, check_json, run_cli

from engine.model.portfolio import PortfolioSettings, health

CONFIG = """\
apiVersion: revplan/v1
kind: Config
reporting_currency: EUR
fx_rates: {USD: 0.92, JPY: 0.0061}
"""
# Plans without stakeholders pass: only what a test writes fails them.
QUIET = (
    CONFIG
    + "rules:\n"
    + "".join(
        f"  {rule}: {{severity: off}}\n"
        for rule in ("advocate-per-role", "cross-functional-team", "renewal-requirements")
    )
)


def plan(ident: str, account: str = "", rest: str = "") -> str:
    return (
        f"apiVersion: revplan/v1\nkind: AccountPlan\naccount: {{id: {ident}, name: {ident}"
        f"{', ' + account if account else ''}}}\n{textwrap.dedent(rest)}"
    )


def repo(tmp_path: Path, config: str, **plans: str) -> Path:
    (tmp_path / "revplan.yaml").write_text(config, encoding="utf-8")
    for name, text in plans.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def portfolio_of(tmp_path: Path, config: str = CONFIG, **plans: str) -> dict:
    _, report = check_json(repo(tmp_path, config, **plans))
    return report


def hits(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# --- money ------------------------------------------------------------------------


def test_totals_convert_every_currency_with_the_config_rates(tmp_path):
    report = portfolio_of(
        tmp_path,
        eur=plan(
            "eur", "currency: EUR, arr: 100000", "expansion: [{id: x, title: X, value: 5000}]"
        ),
        usd=plan("usd", "currency: USD, arr: 100000"),
        jpy=plan(
            "jpy", "currency: JPY, arr: 10000000", "expansion: [{id: y, title: Y, value: 1000000}]"
        ),
    )
    totals = report["portfolio"]
    assert totals["reporting_currency"] == "EUR"
    assert totals["accounts"] == 3
    assert totals["arr"] == 100000 + 92000 + 61000
    assert totals["pipeline"] == 5000 + 6100
    assert totals["unconverted"] == []


def test_totals_are_decimal_exact(tmp_path):
    # As floats, 0.1 + 0.1 + 0.1 is 0.30000000000000004.
    config = CONFIG.replace("USD: 0.92", "USD: 0.1")
    plans = {f"p{i}": plan(f"p{i}", "currency: USD, arr: 1") for i in range(3)}
    assert portfolio_of(tmp_path, config, **plans)["portfolio"]["arr"] == 0.3


def test_a_currency_without_a_rate_is_a_located_error_and_never_silently_left_out(tmp_path):
    folder = repo(
        tmp_path,
        CONFIG,
        eur=plan("eur", "currency: EUR, arr: 100"),
        cny=plan("cny", "currency: CNY, arr: 1000"),
    )
    code, report = check_json(folder)
    assert code == 1
    [finding] = hits(report, "currency-rate")
    assert finding["severity"] == "error" and finding["plan"] == "cny"
    assert (finding["file"].endswith("cny.yaml"), finding["line"]) == (True, 3)
    assert "CNY" in finding["message"] and "fx_rates" in finding["message"]
    assert report["portfolio"]["arr"] == 100.0
    assert report["portfolio"]["unconverted"] == ["cny"]


def test_without_a_reporting_currency_one_currency_is_the_reporting_one(tmp_path):
    config = "apiVersion: revplan/v1\nkind: Config\n"
    report = portfolio_of(
        tmp_path,
        config,
        a=plan("a", "currency: JPY, arr: 10"),
        b=plan("b", "currency: JPY, arr: 5"),
    )
    assert report["portfolio"]["reporting_currency"] == "JPY"
    assert report["portfolio"]["arr"] == 15.0
    assert hits(report, "currency-rate") == []


def test_amounts_in_several_currencies_without_rates_are_never_added(tmp_path):
    config = "apiVersion: revplan/v1\nkind: Config\n"
    report = portfolio_of(
        tmp_path,
        config,
        a=plan("a", "currency: JPY, arr: 10"),
        b=plan("b", "currency: USD, arr: 5"),
    )
    assert report["portfolio"]["arr"] == 0.0
    assert report["portfolio"]["unconverted"] == ["a", "b"]


# --- the renewal window -----------------------------------------------------------


@pytest.mark.parametrize(
    ("renewal", "soon"),
    [
        ("2026-11-22", False),  # yesterday: past
        ("2026-11-23", True),  # today
        ("2027-05-22", True),  # today + 180 days: the window's last day
        ("2027-05-23", False),  # today + 181 days
    ],
)
def test_the_renewal_window_counts_from_today_both_ends_included(tmp_path, renewal, soon):
    report = portfolio_of(
        tmp_path, a=plan("a", f"currency: EUR, arr: 1000, renewal_date: {renewal}")
    )
    assert report["portfolio"]["arr_renewing"] == (1000.0 if soon else 0.0)
    assert bool(hits(report, "renewal-forecast")) is soon


def test_the_window_is_the_configs(tmp_path):
    config = CONFIG + "renewal_window_days: 30\n"
    report = portfolio_of(tmp_path, config, a=plan("a", "arr: 1000, renewal_date: 2027-01-31"))
    assert report["portfolio"]["arr_renewing"] == 0.0


def test_at_risk_is_renewing_soon_and_failing_or_forecast_at_risk(tmp_path):
    soon = "currency: EUR, arr: {arr}, renewal_date: 2027-01-31"
    report = portfolio_of(
        tmp_path,
        QUIET,
        churn=plan("churn", soon.format(arr=1), "renewal: {forecast: churn}\nreviewed: 2026-11-20"),
        risk=plan(
            "risk", soon.format(arr=10), "renewal: {forecast: at_risk}\nreviewed: 2026-11-20"
        ),
        commit=plan(
            "commit", soon.format(arr=100), "renewal: {forecast: commit}\nreviewed: 2026-11-20"
        ),
        # An error finding (an owner nobody on the team is): failing.
        failing=plan("failing", soon.format(arr=1000), "renewal: {forecast: commit}\nowner: ghost"),
        later=plan("later", "arr: 10000, renewal_date: 2028-01-31", "renewal: {forecast: churn}"),
    )
    totals = report["portfolio"]
    assert totals["arr_renewing"] == 1111.0
    assert totals["arr_at_risk"] == 1011.0
    assert totals["failing_accounts"] == 1


# --- notice-date ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice", "forecast", "fires"),
    [
        ("2026-12-23", "at_risk", True),  # today + 30 days: the last one within
        ("2026-12-24", "at_risk", False),  # today + 31
        ("2026-11-22", "churn", False),  # past: the contract has renewed
        ("2026-11-23", "churn", True),
        ("2026-12-01", "commit", False),
    ],
)
def test_notice_date_fires_within_its_days_on_a_doubtful_renewal(tmp_path, notice, forecast, fires):
    rest = f"reviewed: 2026-11-20\nrenewal: {{forecast: {forecast}, notice_date: {notice}}}\n"
    report = portfolio_of(tmp_path, a=plan("a", "renewal_date: 2027-12-31", rest))
    found = hits(report, "notice-date")
    assert bool(found) is fires
    if fires:
        assert found[0]["severity"] == "error" and found[0]["line"] == 5


def test_notice_date_fires_on_a_red_account_whatever_the_forecast(tmp_path):
    # Never reviewed and nothing else to judge: health 0, red.
    report = portfolio_of(tmp_path, a=plan("a", "", "renewal: {notice_date: 2026-12-01}"))
    [found] = hits(report, "notice-date")
    assert "red" in found["message"]


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "the renewal is forecast at risk"),
        ("zh", "续约预测为“有风险”"),
        ("ja", "更新予測は「リスクあり」"),
        ("el", "η πρόβλεψη ανανέωσης είναι «σε κίνδυνο»"),
    ],
)
def test_the_forecast_is_named_in_the_readers_words_not_as_typed(tmp_path, locale, said):
    rest = "reviewed: 2026-11-20\nrenewal: {forecast: at_risk, notice_date: 2026-12-01}\n"
    root = repo(tmp_path, CONFIG, a=plan("a", "renewal_date: 2027-12-31", rest))
    args = ("check", str(root), "--no-cache", "--today", "2026-11-23", "--locale", locale)
    output = run_cli(*args).output
    assert said in output and "at_risk" not in output.split("notice-date", 1)[1], output


def test_notice_date_takes_its_days_from_the_config(tmp_path):
    config = CONFIG + "rules:\n  notice-date: {days: 60}\n"
    rest = "renewal: {forecast: at_risk, notice_date: 2027-01-15}\n"
    assert hits(portfolio_of(tmp_path, config, a=plan("a", "", rest)), "notice-date")


# --- check-ins --------------------------------------------------------------------

KR = """\
objectives:
  - id: o
    title: O
    key_results:
      - id: wau
        title: Weekly active users
        baseline: 100
        target: 200
{extra}        checkins:
{checkins}
"""


def checkin_plan(checkins: list[str], extra: str = "") -> str:
    lines = "\n".join(f"          - {c}" for c in checkins)
    return plan("a", "", KR.format(checkins=lines, extra=extra))


def test_current_is_the_latest_checkin_by_date_however_they_are_written(tmp_path):
    text = checkin_plan(["{date: 2026-11-20, value: 180}", "{date: 2026-10-01, value: 120}"])
    report = portfolio_of(tmp_path, a=text)
    [metrics] = report["metrics"]["plans"]
    assert metrics["key_result_scores"]["o/wau"] == 0.8
    assert hits(report, "key-result-checkin") == []


def test_two_checkins_on_one_date_are_reported_at_the_second(tmp_path):
    text = checkin_plan(["{date: 2026-11-20, value: 150}", "{date: 2026-11-20, value: 180}"])
    [found] = hits(portfolio_of(tmp_path, a=text), "key-result-checkin")
    assert "two check-ins on" in found["message"] and found["line"] == 14


def test_a_current_that_disagrees_with_the_latest_checkin_is_reported(tmp_path):
    text = checkin_plan(["{date: 2026-11-20, value: 150}"], extra="        current: 170\n")
    [found] = hits(portfolio_of(tmp_path, a=text), "key-result-checkin")
    assert "170" in found["message"] and "150" in found["message"]


@pytest.mark.parametrize(("day", "stale"), [("2026-11-09", False), ("2026-11-08", True)])
def test_a_checkin_older_than_max_age_days_is_stale(tmp_path, day, stale):
    text = checkin_plan([f"{{date: {day}, value: 150}}"])
    assert bool(hits(portfolio_of(tmp_path, a=text), "key-result-checkin")) is stale


# --- health -----------------------------------------------------------------------


def areas(value: float) -> dict[str, float | None]:
    return {"relationships": value, "renewal": value, "execution": value, "freshness": value}


@pytest.mark.parametrize(
    ("score", "rating"),
    [(1.0, "green"), (0.75, "green"), (0.74, "amber"), (0.50, "amber"), (0.49, "red"), (0, "red")],
)
def test_health_ratings_at_each_threshold(score, rating):
    assert health(areas(score), False, PortfolioSettings()).rating == rating


def test_a_failing_plan_is_never_green():
    found = health(areas(1.0), True, PortfolioSettings())
    assert (found.score, found.rating) == (100, "amber")


def test_health_weights_and_thresholds_come_from_the_config(tmp_path):
    config = QUIET + "health:\n  weights: {freshness: 0}\n  thresholds: {green: 10, amber: 5}\n"
    # Never reviewed (freshness 0, weighted 0 here); nothing else is judged.
    report = portfolio_of(tmp_path, config, a=plan("a", "", "renewal: {forecast: commit}"))
    [metrics] = report["metrics"]["plans"]
    assert metrics["health"]["score"] == 100 and metrics["health"]["rating"] == "green"


@pytest.mark.parametrize(
    ("rules", "freshness"),
    [
        ("", 0.5),  # reviewed 100 days ago: stale at 90; maria met 50 days ago: fresh at 60
        ("  plan-freshness: {max_age_days: 120}\n", 1.0),
        ("  plan-freshness: {max_age_days: 120}\n  contact-freshness: {max_age_days: 30}\n", 0.5),
        # A Group 2 prospect (ken, met 83 days ago) counts only when contact-freshness
        # judges Group 2.
        ("  contact-freshness: {groups: [renew, expand]}\n", 0.25),
    ],
)
def test_health_freshness_takes_the_freshness_rules_limits_from_the_config(
    tmp_path, rules, freshness
):
    people = """\
    reviewed: 2026-08-15
    stakeholders:
      - {id: maria, name: Maria, group: renew, stance: advocate, last_contact: 2026-10-04}
      - {id: ken, name: Ken, group: expand, stance: advocate, last_contact: 2026-09-01}
    """
    report = portfolio_of(tmp_path, QUIET + rules, a=plan("a", "", people))
    [metrics] = report["metrics"]["plans"]
    assert metrics["health"]["areas"]["freshness"] == freshness


def test_the_example_plans_health_complete_green_failing_never_green():
    _, report = check_json(REPO / "plans")
    ratings = {m["plan"]: m["health"]["rating"] for m in report["metrics"]["plans"]}
    failing = {f["plan"] for f in report["findings"] if f["severity"] == "error"}
    assert ratings["hoshino-precision"] == "green"
    assert all(ratings[p] != "green" for p in failing)


def test_the_cached_json_prints_the_same_portfolio(tmp_path):
    (tmp_path / "r").mkdir()
    folder = repo(
        tmp_path / "r",
        CONFIG,
        a=plan("a", "currency: USD, arr: 100, renewal_date: 2027-01-01", "owner: ghost"),
        b=plan("b", "currency: CNY, arr: 100"),
    )
    args = ["check", str(folder), "--format", "json", "--today", "2026-11-23"]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    cold, warm = run_cli(*args, *cache), run_cli(*args, *cache)
    plain = run_cli(*args, "--no-cache")
    assert cold.stdout == warm.stdout == plain.stdout
    assert json.loads(plain.stdout)["portfolio"]["arr_at_risk"] == 92.0
