"""Shared by the render tests: running the CLI, and plans built for a purpose."""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from conftest import REPO

from engine.cli import main

TODAY = "2026-11-23"  # plans/revplan.yaml pins the same date

# Text that breaks Markdown, HTML, Jinja, Liquid, GitHub math and Mermaid if written raw.
HOSTILE = (
    "A|B <script>alert(1)</script> {{ 7*7 }} {% raw %} *em* _u_ `code` "
    '[link](http://x.y) $m$ #h ~s~ \\ & &amp; "q" (p) end'
)


def run(args: list[str], cwd: Path, monkeypatch: Any) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, args, catch_exceptions=False)


def copy_plans(root: Path) -> Path:
    """A copy of the example repository's plans/ under ``root``."""
    shutil.copytree(REPO / "plans", root / "plans")
    return root / "plans"


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


def hostile_plan(text: str = HOSTILE) -> dict[str, Any]:
    """A complete, valid plan whose every free-text field holds ``text`` (tagged by field)."""

    def t(tag: str) -> str:
        return f"{tag}: {text}"

    return {
        "apiVersion": "revplan/v1",
        "kind": "AccountPlan",
        "account": {
            "id": "hostile",
            "name": t("name"),
            "segment": t("segment"),
            "priority": 1,
            "currency": "USD",
            "arr": 100000,
            "gross_margin": 0.8,
            "acquisition_cost": 50000,
            "support_cost_per_year": 10000,
            "contract_start": "2026-01-01",
            "renewal_date": "2027-01-01",
        },
        "owner": "ann",
        "reviewed": "2026-11-01",
        "team": [
            {"id": "ann", "name": t("team"), "function": "sales"},
            {"id": "bo", "name": "Bo", "function": "marketing"},
            {"id": "cy", "name": "Cy", "function": "customer_success"},
        ],
        "stakeholders": [
            {
                "id": "p1",
                "name": t("person"),
                "title": "line one\n# Injected heading\n| x | y |",
                "department": t("department"),
                "group": "renew",
                "roles": ["executive_sponsor", "end_user", "administrator", "procurement",
                          "budget_owner"],
                "stance": "advocate",
                "influence": "high",
                "reference": True,
                "backup": "p2",
                "owner": "ann",
                "last_contact": "2026-11-20",
                "needs": {"see": t("see"), "hear": t("hear"), "know": t("know")},
                "outcomes": [t("outcome")],
            },
            {
                "id": "p2",
                "name": t("backup"),
                "group": "renew",
                "reports_to": "p1",
                "stance": "supporter",
                "influence": "medium",
            },
            {
                "id": "p3",
                "name": t("detractor"),
                "group": "renew",
                "stance": "detractor",
                "influence": "medium",
                "competitor": t("competitor"),
                "concerns": [t("concern"), "- a list?", "1. a list?"],
                "owner": "bo",
            },
            {"id": "p4", "name": t("group2"), "group": "expand", "stance": "unknown"},
        ],
        "objectives": [
            {
                "id": "o1",
                "group": "renew",
                "title": t("objective"),
                "key_results": [
                    {"id": "k1", "title": t("kr"), "baseline": 0, "target": 10, "current": 4,
                     "unit": t("unit")},
                ],
                "actions": [
                    {"id": "a1", "title": t("action"), "owner": "cy", "due": "2026-12-01",
                     "status": "planned", "stakeholders": ["p3", "p1"]},
                ],
            }
        ],
        "renewal": {"requirements": [{"id": "r1", "title": t("requirement"), "met_by": ["o1"]}]},
        "messages": {"renew": t("renew message"), "expand": t("expand message")},
        "expansion": [
            {"id": "e1", "title": t("opportunity"), "business_unit": t("unit"), "value": 5000,
             "stakeholders": ["p4"], "via": ["p1"]},
        ],
        "milestones": [
            {"id": "m1", "title": t("milestone"), "date": "2026-06-01", "status": "done",
             "review": {"date": "2026-06-08",
                        "perspectives": ["customer", "sales", "marketing", "customer_success"],
                        "notes": t("notes")}},
        ],
        # p3 has no last_contact: a finding, waived with a reason to show
        "waivers": [{"rule": "contact-freshness", "target": "p3", "reason": t("reason"),
                     "expires": "2027-01-31"}],
    }  # fmt: skip


def gaps_repository(root: Path) -> Path:
    """A repository whose plans break (nearly) every rule, each in every way it can."""
    plans = root / "plans"
    write_yaml(
        root / "revplan.yaml",
        {"apiVersion": "revplan/v1", "kind": "Config", "today": TODAY,
         "rules": {"key-results-count": {"min": 1, "max": 2}},
         # USD (gappy's) has no rate: a currency-rate finding.
         "reporting_currency": "EUR", "fx_rates": {"JPY": 0.0061},
         # Fails only where a stakeholder has no last_contact (p3): a rule-error.
         "custom_rules": [{"id": "contact-dated", "summary": "Contacts are dated",
                           "each": "stakeholders",
                           "assert": "days_since(item.last_contact) > -100000"}]},
    )  # fmt: skip
    kr = {"id": "k", "title": "Measured", "baseline": 0, "target": 10, "current": 5}
    write_yaml(
        plans / "gappy.yaml",
        {
            "apiVersion": "revplan/v1",
            "kind": "AccountPlan",
            "account": {"id": "gappy", "name": "Gappy Ltd", "segment": "smb", "priority": 3,
                        "currency": "USD", "arr": 10000, "gross_margin": 0.5,
                        "acquisition_cost": 9000, "support_cost_per_year": 8000,
                        "contract_start": "2026-01-01", "renewal_date": "2027-01-01"},
            "owner": "ghost",  # unresolved: not on the team
            "team": [{"id": "sam", "name": "Sam", "function": "sales"},
                     {"id": "cat", "name": "Cat", "function": "customer_success"}],
            "stakeholders": [
                {"id": "nob", "name": "No Backup", "group": "renew", "roles": ["end_user"],
                 "stance": "advocate", "influence": "high", "owner": "sam",
                 "last_contact": "2026-11-20", "needs": {"see": "x"}, "reference": True},
                {"id": "selfie", "name": "Self Backup", "group": "renew",
                 "roles": ["administrator"], "stance": "advocate", "backup": "selfie",
                 "owner": "sam", "last_contact": "2026-11-20", "needs": {"see": "x"}},
                {"id": "friend", "name": "Backed By Foe", "group": "renew",
                 "roles": ["budget_owner"], "stance": "advocate", "backup": "foe",
                 "owner": "sam", "last_contact": "2026-11-20", "needs": {"see": "x"}},
                {"id": "bigshot", "name": "Big Shot", "group": "renew",
                 "roles": ["procurement"], "stance": "neutral", "influence": "high",
                 "backup": "gone"},
                {"id": "gone", "name": "Gone Away", "group": "renew", "stance": "supporter",
                 "status": "left", "reports_to": "nobody-here"},
                {"id": "stale", "name": "Long Ago", "group": "renew", "stance": "advocate",
                 "roles": ["end_user"], "backup": "nob", "owner": "sam",
                 "last_contact": "2026-01-05", "needs": {"see": "x"}, "reference": True,
                 "outcomes": ["A result"]},
                {"id": "foe", "name": "Silent Foe", "group": "renew", "stance": "detractor",
                 "owner": "sam", "last_contact": "2026-11-20"},
                {"id": "foe2", "name": "Worked Foe", "group": "renew", "stance": "detractor",
                 "concerns": ["Price"], "owner": "sam", "last_contact": "2026-11-20"},
                {"id": "foe3", "name": "Done Foe", "group": "renew", "stance": "detractor",
                 "competitor": "Globex", "owner": "sam", "last_contact": "2026-11-20"},
                {"id": "far", "name": "Far Away", "group": "expand", "stance": "unknown"},
            ],
            "objectives": [
                {"id": "empty", "group": "renew", "title": "Nothing planned"},
                {"id": "many", "group": "renew", "title": "Too many results",
                 "aligns_to": ["okr-set/nope"],
                 "key_results": [dict(kr, id="k1", checkins=[{"date": "2026-10-01", "value": 5}]),
                                 dict(kr, id="k2"),
                                 {"id": "k3", "title": "No baseline", "target": 5},
                                 {"id": "k4", "title": "Flat", "baseline": 5, "target": 5}],
                 "actions": [
                     {"id": "late", "title": "Late work", "owner": "sam", "due": "2026-10-01",
                      "status": "in_progress", "stakeholders": ["foe2"]},
                     {"id": "orphan", "title": "Nobody does it", "due": "2026-12-01",
                      "stakeholders": ["foe2"]},
                     {"id": "outsider", "title": "Done by a stranger", "owner": "zed",
                      "due": "2026-12-01"},
                     {"id": "finished", "title": "Finished work", "owner": "sam",
                      "due": "2026-09-01", "status": "done", "stakeholders": ["foe3"]},
                     {"id": "farewell", "title": "Meet who left", "owner": "sam",
                      "due": "2026-12-01", "stakeholders": ["gone"]},
                 ]},
            ],
            "renewal": {"forecast": "at_risk", "notice_date": "2026-12-10",
                        "requirements": [{"id": "unplanned", "title": "Nobody delivers"}]},
            "messages": {"renew": "Same words", "expand": "same   WORDS"},
            "expansion": [
                {"id": "nowhere", "title": "No door-opener", "value": 1000},
                {"id": "weak", "title": "Weak door-opener", "value": 1000, "via": ["far"]},
            ],
            "milestones": [
                {"id": "unreviewed", "title": "Passed quietly", "date": "2026-05-01",
                 "status": "done"},
                {"id": "partial", "title": "Half reviewed", "date": "2026-06-01",
                 "status": "done", "review": {"date": "2026-06-05", "perspectives": ["sales"]}},
            ],
            "waivers": [
                {"rule": "plan-freshness", "reason": "Expired", "expires": "2026-01-01"},
                {"rule": "action-overdue", "target": "finished", "reason": "Matches nothing"},
            ],
        },
    )  # fmt: skip
    write_yaml(
        plans / "late.yaml",
        {
            "apiVersion": "revplan/v1",
            "kind": "AccountPlan",
            "account": {"id": "late", "name": "Late Payer", "currency": "EUR", "arr": 12000,
                        "acquisition_cost": 50000, "support_cost_per_year": 0,
                        "contract_start": "2026-01-01", "renewal_date": "2027-01-01"},
            "owner": "sam",
            "reviewed": "2026-01-01",
            "team": [{"id": "sam", "name": "Sam", "function": "sales"},
                     {"id": "mo", "name": "Mo", "function": "marketing"},
                     {"id": "cat", "name": "Cat", "function": "customer_success"}],
        },
    )  # fmt: skip
    write_yaml(
        plans / "broken-schema.yaml",
        {"apiVersion": "revplan/v1", "kind": "AccountPlan",
         "account": {"id": "broken", "name": "Broken", "priority": "first"}},
    )  # fmt: skip
    (plans / "broken-yaml.yaml").write_text(
        "apiVersion: revplan/v1\nkind: AccountPlan\naccount: [unclosed\n", encoding="utf-8"
    )
    objective = {"lever": "growth", "type": "committed", "key_results": [kr]}
    write_yaml(
        plans / "okrs.yaml",
        {"apiVersion": "revplan/v1", "kind": "OKRs", "id": "okr-set", "title": "Loops",
         "function": "revenue",
         "objectives": [dict(objective, id="a", title="A", aligns_to=["okr-set/b"]),
                        dict(objective, id="b", title="B", aligns_to=["okr-set/a"])]},
    )  # fmt: skip
    write_yaml(
        plans / "okrs-again.yaml",
        {"apiVersion": "revplan/v1", "kind": "OKRs", "id": "okr-set", "title": "Same id",
         "function": "company", "objectives": [dict(objective, id="c", title="C")]},
    )  # fmt: skip
    return plans


def plan_texts(plans: Path) -> list[str]:
    """Every text the plans (and config) hold, longest first: the team's words, which
    may be English."""
    found: list[str] = []
    pending: list[object] = []
    for path in plans.rglob("*.yaml"):
        with contextlib.suppress(yaml.YAMLError):  # a broken plan's text is shown nowhere
            pending.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            pending += value
        elif isinstance(value, str):
            found.append(value)
    return sorted(set(found), key=len, reverse=True)
