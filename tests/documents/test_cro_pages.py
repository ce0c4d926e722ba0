"""The documents a CRO opens (issue 19): the portfolio page's renewal calendar, focus
list, owner and health per account; each account page's renewal call first."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import run_cli

CONFIG = """\
apiVersion: revplan/v1
kind: Config
today: 2026-11-23
reporting_currency: EUR
fx_rates: {USD: 0.92, JPY: 0.0061}
health:
  thresholds: {green: 80, amber: 40}
rules:
  advocate-per-role: {severity: off}
  cross-functional-team: {severity: off}
  renewal-requirements: {severity: off}
"""

PLANS = {
    # In the calendar's last month (April), the top priority.
    "alpha": """\
    account: {id: alpha, name: Alpha, priority: 1, currency: EUR, arr: 100000, renewal_date: 2027-04-30}
    owner: ana
    team: [{id: ana, name: Ana Alves, function: sales}]
    renewal: {forecast: commit, probability: 0.9}
    """,
    # Renews today, forecast at risk: first in the focus list despite priority 3.
    "beta": """\
    account: {id: beta, name: Beta, priority: 3, currency: USD, arr: 100000, renewal_date: 2026-11-23}
    renewal: {forecast: at_risk}
    """,
    # Renews on the first day after the calendar, within the renewal window; its owner
    # is nobody in the plan (fails).
    "gamma": """\
    account: {id: gamma, name: Gamma, priority: 2, currency: EUR, arr: 50000, renewal_date: 2027-05-01}
    owner: ghost
    renewal: {forecast: best_case}
    """,
    # Renewed yesterday: no longer in the calendar.
    "delta": """\
    account: {id: delta, name: Delta, currency: JPY, arr: 10000000, renewal_date: 2026-11-22}
    renewal: {forecast: commit}
    """,
    # A currency without a rate (failing: currency-rate), renewing in January, no forecast.
    "eps": """\
    account: {id: eps, name: Eps, currency: CNY, arr: 100000, renewal_date: 2027-01-15}
    """,
    # Renews after the window: its account page is the one these tests read.
    "zeta": """\
    account: {id: zeta, name: Zeta, currency: EUR, arr: 1000, renewal_date: 2028-01-31}
    owner: ana
    team: [{id: ana, name: Ana Alves, function: sales}]
    renewal:
      forecast: churn
      probability: 0.1
      notice_date: 2027-12-31
      requirements:
        - {id: sso, title: Single sign-on, met_by: [sso-build]}
        - {id: price, title: Price held}
    stakeholders:
      - {id: max, name: Max Muster, group: renew, stance: advocate, roles: [budget_owner],
         last_contact: 2026-11-20}
      - {id: olga, name: Olga Orlova, group: renew, stance: detractor, competitor: Rival Inc,
         concerns: [Too expensive, Slow support], last_contact: 2026-11-20}
    objectives:
      - id: keep
        title: Keep them
        key_results: [{id: k, title: K, baseline: 0, target: 1, current: 0}]
        actions:
          - {id: sso-build, title: Build SSO, owner: ana, due: 2026-12-20, status: blocked}
          - {id: undated, title: Undated step, owner: ana, status: planned}
          - {id: call, title: Call Olga, owner: ana, due: 2026-12-01, status: planned,
             stakeholders: [olga]}
          - {id: finished, title: Finished step, owner: ana, due: 2026-11-01, status: done}
          - {id: late, title: Late but accepted, owner: ana, due: 2026-11-10, status: in_progress}
    waivers:
      - {rule: backup-per-contact, target: max, reason: Max buys alone, expires: 2027-06-30}
      - {rule: action-overdue, target: late, reason: Waiting on their legal team, expires: 2027-01-31}
    """,
}


def section(doc: str, heading: str) -> str:
    return doc.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cro")
    (root / "plans").mkdir()
    (root / "plans" / "revplan.yaml").write_text(CONFIG, encoding="utf-8")
    for name, text in PLANS.items():
        head = "apiVersion: revplan/v1\nkind: AccountPlan\n"
        (root / "plans" / f"{name}.yaml").write_text(head + textwrap.dedent(text), encoding="utf-8")
    result = run_cli("render", "plans", "--out", "docs", "--no-cache", cwd=root)
    assert result.exit_code == 0, result.output
    return root / "docs"


@pytest.fixture(scope="module")
def index(docs: Path) -> str:
    return (docs / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def zeta(docs: Path) -> str:
    return (docs / "accounts" / "zeta.md").read_text(encoding="utf-8")


def test_the_calendar_lists_the_next_two_quarters_by_month_from_today(index: str) -> None:
    calendar = section(index, "Renewals in the next two quarters")
    rows = [line for line in calendar.splitlines() if line.startswith("| ") and "---" not in line]
    months = [row.split(" | ")[0].lstrip("| ") for row in rows[1:]]
    assert months == [
        "November 2026", "December 2026", "January 2027", "February 2027", "March 2027",
        "April 2027",
    ]  # fmt: skip
    by_month = dict(zip(months, rows[1:], strict=True))
    # Renewing today is in; yesterday's renewal (delta) and May's (gamma) are not.
    assert (
        "[Beta](accounts/beta.md), Nov 23, 2026, \\$100,000, ⚠️ at risk, "
        in by_month["November 2026"]
    )
    assert "| €92,000 |" in by_month["November 2026"]  # converted: 100,000 × 0.92
    assert "Delta" not in calendar and "Gamma" not in calendar
    assert by_month["December 2026"].endswith("| — | no renewal |")
    # Each account with its forecast call, probability, health and plan owner.
    assert (
        "[Alpha](accounts/alpha.md), Apr 30, 2027, €100,000, commit (90%), 🟡 75, owner: Ana Alves"
        in by_month["April 2027"]
    )
    # A month holding an account without a rate has no total, never a smaller one.
    assert "| ⚠️ no total: a currency has no exchange rate |" in by_month["January 2027"]
    assert "Eps](accounts/eps.md), Jan 15, 2027, CN¥100,000, ⚠️ no forecast call yet" in index


def test_the_focus_list_leads_with_the_accounts_at_risk(index: str) -> None:
    focus = [line for line in section(index, "Focus accounts").splitlines() if line]
    names = [line.split("](")[0].removeprefix("- **[") for line in focus]
    # At risk, soonest renewal first (Gamma: within the 180-day window, after the
    # calendar's months); then the top priorities not already listed.
    assert names == ["Beta", "Eps", "Gamma", "Alpha"]
    assert "⚠️ **at risk: forecast at risk**" in focus[0]
    assert "⚠️ **at risk: renews within 180 days and fails the check**" in focus[1]
    assert "at risk" not in focus[3]
    # Never reviewed: 75, amber under the config's green of 80 (green by default).
    assert "health: 🟡 75 · owner: Ana Alves" in focus[3]


def test_the_accounts_table_shows_owner_and_health(index: str) -> None:
    table = section(index, "Accounts by priority")
    assert "| Priority | Account | Plan owner | Segment |" in table
    gamma = next(line for line in table.splitlines() if "Gamma" in line)
    # An owner the plan does not name is shown as written; a failing plan is never green.
    assert "| ghost |" in gamma and "| 🟡 " in gamma
    # The thresholds are the config's.
    assert "🟢 from 80, 🟡 from 40, 🔴 below" in table


def test_the_account_page_opens_with_the_renewal_call(zeta: str) -> None:
    first = zeta.split("| | |", 1)[0]  # before the facts table
    assert (
        "> **Renewal call:** ⚠️ **churn (10%)** · renews Jan 31, 2028 · notice by Dec 31, 2027"
        " · health: 🟡 " in first  # amber from 40 in this config
    )


def test_next_steps_are_the_open_actions_by_due_date(zeta: str) -> None:
    steps = section(zeta, "Next steps")
    rows = [line for line in steps.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row.split(" | ")[1] for row in rows[1:]] == [
        "Late but accepted",
        "Call Olga",
        "Build SSO",
        "Undated step",
    ]
    assert "| Dec 20, 2026 | Build SSO | Ana Alves | Keep them | ⛔ Blocked |" in steps


def test_competitors_and_risks_are_in_one_place(zeta: str) -> None:
    risks = [line for line in section(zeta, "Competitors and risks").splitlines() if line]
    assert risks == [
        "- ⚔️ Rival Inc, pushed by Olga Orlova",
        "- 👎 Olga Orlova: Too expensive",
        "- 👎 Olga Orlova: Slow support",
        "- ⛔ Build SSO is blocked (Keep them)",
        "- ⚠️ Single sign-on: at risk",  # its only delivery is blocked
        "- ❌ Price held: nothing delivers it",
    ]


def test_a_waived_gap_shows_as_waived_never_as_failing(zeta: str) -> None:
    health = section(zeta, "Health")
    assert (
        "- ✅ Key contacts with a backup who can hold the relationship: 0 of 1"
        " — ☑️ waived: Max Muster" in health
    )
    people = next(line for line in section(zeta, "Group 1 — renew and buy more").splitlines()
                  if line.startswith("| **Max Muster**"))  # fmt: skip
    assert "| ☑️ no backup (waived) |" in people and "⚠️" not in people
    # The budget owner's role is covered: its advocate's missing backup is waived.
    assert "| ✅ Budget owner | Max Muster | ☑️ no backup (waived) |" in zeta
    # An overdue action whose delay a waiver accepts: waived, never "⚠️ overdue".
    step = next(line for line in section(zeta, "Next steps").splitlines() if "Late but" in line)
    assert step.endswith("| ☑️ In progress, overdue (waived) |") and "⚠️" not in step
