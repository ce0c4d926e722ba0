"""``revplan history`` on real git repositories built here (review.md, "revplan history")."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_diff import git, plan

from engine.config import default_config
from engine.i18n.catalogue import LOCALES
from engine.pipeline.file import process_file, process_file_on
from engine.pipeline.settings import settings_for
from tests.conftest import run_cli, run_node_tool

CONFIG = "apiVersion: revplan/v1\nkind: Config\nfail_on: error\n"

# A plan with findings that come and go with the day: an action due on 2026-07-01
# (overdue after it), a contact last met on 2026-05-01 (stale after 60 days), a
# plan reviewed on 2026-05-15 (stale after 90).
DATED = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: beta, name: Beta, arr: 50000, renewal_date: 2026-12-31}
owner: sam
reviewed: 2026-05-15
team:
  - {id: sam, name: Sam Lee, function: sales}
stakeholders:
  - {id: eva, name: Eva Roth, group: renew, roles: [executive_sponsor], stance: advocate, owner: sam, last_contact: 2026-05-01}
  - {id: tim, name: Tim Roth, group: renew, roles: [procurement], stance: detractor, owner: sam}
objectives:
  - id: win
    title: Win Tim
    key_results:
      - {id: nps, title: NPS, baseline: 0, target: 10, current: 2}
    actions:
      - {id: call, title: Call Tim, owner: sam, status: planned, due: 2026-07-01, stakeholders: [tim]}
"""


def at(day: str, *args: str, repo: Path) -> str:
    """Run git with both dates set to noon of ``day`` (UTC)."""
    stamp = f"{day}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        check=True,
        env=env,
    )
    return done.stdout.decode()


def commit(repo: Path, day: str, files: dict[str, str | None], message: str = "edit") -> str:
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    at(day, "add", "-A", repo=repo)
    at(day, "commit", "-q", "--allow-empty", "-m", message, repo=repo)
    return git(repo, "rev-parse", "HEAD").strip()


ACME = "plans/accounts/acme.yaml"
BETA = "plans/accounts/beta.yaml"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A half-year of history: plans added, edited twice on one day, changed on a merged
    branch, broken and fixed, removed, and four weeks without a commit."""
    root = tmp_path_factory.mktemp("history") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shas = {}
    shas["readme"] = commit(root, "2026-05-20", {"README.md": "plans to come\n"})
    shas["acme"] = commit(root, "2026-06-01", {"revplan.yaml": CONFIG, ACME: plan()})
    shas["beta"] = commit(root, "2026-06-03", {BETA: DATED})
    shas["beta2"] = commit(root, "2026-06-03", {ACME: plan(seats=60)})
    at("2026-06-10", "checkout", "-q", "-b", "side", repo=root)
    shas["side"] = commit(root, "2026-06-10", {ACME: plan(maria="detractor")})
    at("2026-06-12", "checkout", "-q", "main", repo=root)
    at("2026-06-12", "merge", "-q", "--no-ff", "-m", "merge side", "side", repo=root)
    shas["merge"] = git(root, "rev-parse", "HEAD").strip()
    shas["broken"] = commit(root, "2026-06-24", {BETA: "account: [unclosed\n"})
    shas["fixed"] = commit(root, "2026-06-30", {BETA: DATED})
    shas["removed"] = commit(root, "2026-07-08", {ACME: None})
    shas["late"] = commit(root, "2026-08-12", {ACME: plan(maria="advocate")})
    return {"root": root, "shas": shas}


def history(repo: dict[str, Any], *args: str, code: int = 0) -> dict[str, Any]:
    result = run_cli("history", "--format", "json", *args, cwd=repo["root"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


RANGE = ("--since", "2026-05-01", "--until", "2026-08-20")


@pytest.fixture(scope="module")
def weekly_output(repo) -> str:
    """The weekly samples of RANGE as JSON (one run, read by many tests)."""
    result = run_cli("history", "--format", "json", *RANGE, cwd=repo["root"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def weekly(weekly_output: str) -> dict[str, Any]:
    return json.loads(weekly_output)


def by_date(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["date"]: s for s in report["samples"]}


def test_weekly_samples_are_sundays_from_the_first_commit_with_plans(weekly) -> None:
    report = weekly
    dates = [s["date"] for s in report["samples"]]
    # Before 2026-06-01 no commit holds plans: those weeks are left out; the last
    # sample is of --until, the end of the range.
    assert dates[0] == "2026-06-07" and dates[-1] == "2026-08-20"
    assert all(date.fromisoformat(d).weekday() == 6 for d in dates[:-1])
    assert dates == sorted(dates) and len(dates) == 12
    assert report["every"] == "week"


def test_a_sample_is_the_last_commit_on_or_before_its_day_on_the_first_parent_line(
    repo, weekly
) -> None:
    samples = by_date(weekly)
    shas = repo["shas"]
    assert samples["2026-06-07"]["commit"] == shas["beta2"]  # two commits on 06-03: the last
    # The side branch's commit of 06-10 is not on main's first-parent line; the merge is.
    assert samples["2026-06-14"]["commit"] == shas["merge"]
    assert all(s["commit"] != shas["side"] for s in samples.values())
    # Four weeks without a commit: each is sampled at the same commit, on its own day.
    quiet = [samples[d]["commit"] for d in ("2026-07-12", "2026-07-19", "2026-08-09")]
    assert quiet == [shas["removed"]] * 3


def test_plans_added_removed_and_broken_show_in_their_samples(weekly) -> None:
    samples = by_date(weekly)
    assert set(samples["2026-06-07"]["plans"]) == {"acme", "beta"}
    broken = samples["2026-06-28"]
    assert set(broken["plans"]) == {"acme"}  # beta's YAML is broken: no plan to count
    # Its error still counts in the portfolio: the sample fails as check failed.
    assert broken["portfolio"]["errors"] == broken["plans"]["acme"]["errors"] + 1
    assert broken["portfolio"]["plans"] == 1
    assert set(samples["2026-07-12"]["plans"]) == {"beta"}
    assert set(samples["2026-08-16"]["plans"]) == {"acme", "beta"}


def test_the_merged_detractor_lowers_acme_role_coverage(weekly) -> None:
    samples = by_date(weekly)
    before, after = samples["2026-06-07"]["plans"]["acme"], samples["2026-06-14"]["plans"]["acme"]
    assert before["role_coverage"] == 1.0
    assert after["role_coverage"] == 0.6  # executive sponsor and budget owner lost
    assert after["errors"] > before["errors"]


def checkout_check(repo: dict[str, Any], sha: str, day: str, tmp: Path) -> dict[str, Any]:
    """``revplan check --today DAY`` on a checkout of ``sha``."""
    folder = tmp / f"{sha[:8]}-{day}"
    subprocess.run(
        ["git", "-C", str(repo["root"]), "worktree", "add", "-q", "--detach", str(folder), sha],
        check=True,
    )
    result = run_cli("check", "--format", "json", "--today", day, cwd=folder)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("day", ["2026-06-21", "2026-07-05", "2026-08-20"])
def test_a_sample_says_what_check_said_on_that_day_at_that_commit(
    repo, weekly, day: str, tmp_path: Path
) -> None:
    sample = by_date(weekly)[day]
    checked = checkout_check(repo, sample["commit"], day, tmp_path)
    summary = checked["summary"]
    assert {k: sample["portfolio"][k] for k in ("errors", "warnings", "infos")} == {
        k: summary[k] for k in ("errors", "warnings", "infos")
    }
    for plan_id, figures in sample["plans"].items():
        mine = [f for f in checked["findings"] if f["plan"] == plan_id and not f["waived"]]
        counts = {s: sum(f["severity"] == s[:-1] for f in mine) for s in ("errors", "warnings")}
        assert {k: figures[k] for k in counts} == counts, plan_id
        metrics = next(m for m in checked["metrics"]["plans"] if m["plan"] == plan_id)
        assert figures["backup_coverage"] == metrics["backup_coverage"]
        assert figures["health"] == metrics["health"]["score"]
        assert figures["role_coverage"] == len(metrics["roles_with_advocate"]) / 5


def test_a_dated_rule_on_a_later_day_gives_what_a_check_on_that_day_gives() -> None:
    """The cheap samples: parsed once, the day's rules again, the same results."""
    config = default_config()
    days = [
        date(2026, 6, 1),
        date(2026, 6, 2),
        date(2026, 7, 2),
        date(2026, 7, 31),
        date(2026, 9, 1),
    ]
    raw = DATED.encode()
    made = process_file_on(raw, BETA, settings_for(config, days[0]), tuple(days[1:]))
    rules = []
    for day, result in zip(days, made, strict=True):
        alone = process_file(raw, BETA, settings_for(config, day))
        assert result.findings == alone.findings
        assert result.metrics == alone.metrics
        rules.append({f.rule for f in result.findings})
    # The day does change them: overdue from July, stale contact from July, plan in September.
    assert "action-overdue" not in rules[0] and "action-overdue" in rules[2]
    assert "plan-freshness" not in rules[3] and "plan-freshness" in rules[4]
    assert made[1] is made[0]  # a day that changes nothing shares the day before's result


def test_every_rule_that_reads_the_day_is_dated() -> None:
    """A rule run once for all days must not read the day: those that do are DATED."""
    import ast
    import importlib
    import inspect

    from engine.rules import RULE_MODULES, RULES

    for name in RULE_MODULES:
        module = importlib.import_module(f"engine.rules.{name}")
        code = ast.parse(inspect.getsource(module))
        names = {n.attr for n in ast.walk(code) if isinstance(n, ast.Attribute)}
        names |= {n.id for n in ast.walk(code) if isinstance(n, ast.Name)}
        reads = bool(names & {"today", "health_areas", "health"})
        assert RULES[module.ID].dated == reads or RULES[module.ID].check is None, name


def test_a_version_of_a_plan_is_parsed_once_for_all_its_samples(
    repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.pipeline.file as job

    parsed: list[str] = []
    real = job.load_bytes

    def counting(raw: bytes, file: str, *args: Any) -> Any:
        parsed.append(file)
        return real(raw, file, *args)

    monkeypatch.setattr(job, "load_bytes", counting)
    report = history(repo, *RANGE)
    # 18 plans in twelve samples, and only their versions parsed: acme's three sampled
    # versions; beta's two (fixed, it is the same bytes as before it broke).
    assert sum(len(s["plans"]) for s in report["samples"]) == 18
    assert parsed.count(ACME) == 3 and parsed.count(BETA) == 2


def test_monthly_samples_are_month_ends(repo) -> None:
    report = history(repo, "--every", "month", *RANGE)
    assert [s["date"] for s in report["samples"]] == [
        "2026-06-30",
        "2026-07-31",
        "2026-08-20",
    ]
    assert report["samples"][0]["commit"] == repo["shas"]["fixed"]


def test_every_commit_samples_each_day_a_plan_changed_once(repo) -> None:
    report = history(repo, "--every", "commit", *RANGE)
    shas = repo["shas"]
    samples = [(s["date"], s["commit"]) for s in report["samples"]]
    # The README commit changed no plan; 06-03's two commits are one sample, its last.
    assert samples == [
        ("2026-06-01", shas["acme"]),
        ("2026-06-03", shas["beta2"]),
        ("2026-06-12", shas["merge"]),
        ("2026-06-24", shas["broken"]),
        ("2026-06-30", shas["fixed"]),
        ("2026-07-08", shas["removed"]),
        ("2026-08-12", shas["late"]),
    ]


def test_paths_count_only_the_plans_below_them(repo) -> None:
    report = history(repo, *RANGE, "plans/accounts/beta.yaml")
    assert all(set(s["plans"]) <= {"beta"} for s in report["samples"])
    assert by_date(report)["2026-07-12"]["portfolio"]["plans"] == 1


def test_the_output_is_the_same_bytes_every_run(repo, weekly_output: str) -> None:
    again = run_cli("history", "--format", "json", *RANGE, cwd=repo["root"]).stdout
    assert again == weekly_output


def test_csv_is_one_row_per_sample_and_plan(repo, weekly) -> None:
    result = run_cli("history", "--format", "csv", *RANGE, cwd=repo["root"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("date,commit,plan,kind,errors,warnings,infos,role_coverage")
    report = weekly
    assert len(lines) - 1 == sum(len(s["plans"]) for s in report["samples"])
    assert lines[1].startswith(f"2026-06-07,{repo['shas']['beta2']},acme,account,")


def test_text_is_a_table_in_the_readers_language(repo) -> None:
    result = run_cli("history", *RANGE, "--locale", "de", cwd=repo["root"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "12" in lines[0] and "2026-08-20" in lines[0]
    assert lines[2].split()[0] == "Datum"
    assert lines[3].startswith("2026-06-07  " + repo["shas"]["beta2"][:12])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--since", "2026-09-01", "--until", "2026-08-01"), "empty range"),
        (("--since", "2026-01-01", "--until", "2026-05-25"), "no plans in the history"),
        (("--rev", "no-such-branch"), "unknown revision 'no-such-branch'"),
    ],
)
def test_what_it_cannot_sample_is_exit_2_saying_why(repo, args, says: str) -> None:
    result = run_cli("history", *args, cwd=repo["root"])
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output


def test_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("history", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not a git repository" in result.output


def test_a_shallow_clone_says_to_fetch_the_history(repo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo['root']}", str(clone)], check=True
    )
    result = run_cli("history", *RANGE, cwd=clone)
    assert result.exit_code == 2
    assert "shallow clone" in result.output and "fetch-depth: 0" in result.output
    # A range the fetched history holds is sampled.
    recent = run_cli("history", "--since", "2026-08-13", "--until", "2026-08-20", cwd=clone)
    assert recent.exit_code == 0, recent.output


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


@pytest.fixture(scope="module")
def charts(repo) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Markdown outputs (the weekly one in each language, one of a single sample) and
    their charts as the real Mermaid parser reads them (one run of the parser for all:
    it takes seconds to start)."""
    runs = {locale: RANGE + ("--locale", locale) for locale in LOCALES}
    runs["one"] = ("--since", "2026-08-20", "--until", "2026-08-20")
    outputs = {}
    for name, args in runs.items():
        result = run_cli("history", "--format", "markdown", *args, cwd=repo["root"])
        assert result.exit_code == 0, result.output
        outputs[name] = result.stdout
    # Of the other languages only their first charts: their titles are what differs.
    blocks = {n: mermaid_blocks(t)[: None if n == "en" else 2] for n, t in outputs.items()}
    parsed = iter(run_node_tool("parse.mjs", "mermaid", [b for v in blocks.values() for b in v]))
    return {name: (outputs[name], [next(parsed) for _ in blocks[name]]) for name in outputs}


def test_markdown_charts_parse_with_mermaid_and_draw_what_json_says(charts, weekly) -> None:
    for _, parsed in charts.values():
        assert parsed and all(p["ok"] and p["type"] == "xychart" for p in parsed), parsed
    portfolio = {p["xychart"]["title"]: p["xychart"] for p in charts["en"][1]}
    errors = portfolio["Errors"]
    assert [v for _, v in errors["plots"][0]["data"]] == [
        s["portfolio"]["errors"] for s in weekly["samples"]
    ]
    assert errors["plots"][0]["type"] == "line"
    assert (
        errors["plots"][0]["strokeFill"] == "#c0392b"
    )  # a colour of its own, not the pale default
    assert [p["xychart"]["title"] for p in charts["de"][1]] == ["Fehlschlagend", "Fehler"]


def test_chart_axes_fit_the_data_with_whole_ticks_and_readable_dates(charts) -> None:
    _, parsed = charts["en"]
    for chart in (p["xychart"] for p in parsed):
        low, high = chart["yAxis"]["min"], chart["yAxis"]["max"]
        values = [v for _, v in chart["plots"][0]["data"]]
        assert low <= min(values) and max(values) <= high
        # At least ten units apart from whole numbers: d3's ticks are then whole too.
        assert high - low >= 10 and float(low).is_integer() and float(high).is_integer()
        labels = chart["xAxis"]["categories"]
        assert len(set(labels)) == len(labels) == 12  # one a sample, each its own
        visible = [x for x in labels if x.strip("\u200b")]
        assert len(visible) <= 8 and visible[-1] == "08-20"
    # A share is drawn as a percentage on an axis fitted to it, not a fixed 0-100.
    coverage = next(p["xychart"] for p in parsed if p["xychart"]["title"] == "Roles covered")
    values = [v for _, v in coverage["plots"][0]["data"]]
    assert (coverage["yAxis"]["min"], coverage["yAxis"]["max"]) != (0, 100)
    assert (
        coverage["yAxis"]["max"] - max(values) <= 10
        and min(values) - coverage["yAxis"]["min"] <= 10
    )


def test_markdown_has_a_table_beside_each_chart_and_names_the_worse_weeks(charts) -> None:
    markdown, parsed = charts["en"]
    assert markdown.count("<details><summary>The numbers</summary>") == len(parsed)
    assert "| 2026-06-14 | " in markdown
    acme = markdown[markdown.index("##### acme") :]
    assert "Worse on 2026-06-14" in acme.split("#####")[1]


def test_one_sample_is_drawn_as_a_bar_and_says_so(charts) -> None:
    markdown, parsed = charts["one"]
    assert "One sample only" in markdown
    assert all(p["xychart"]["plots"][0]["type"] == "bar" for p in parsed)


def test_markdown_draws_the_accounts_that_fell_most_and_counts_the_rest() -> None:
    from engine.review.history import History, Sample
    from engine.review.output import catalogue
    from engine.review.trend import MAX_ACCOUNTS, render_markdown

    def figures(score: int) -> dict[str, Any]:
        return {"kind": "account", "errors": 0, "warnings": 0, "infos": 0,
                "role_coverage": 1.0, "backup_coverage": 1.0, "detractors_addressed": 1.0,
                "health": score, "rating": "green", "failing": False}  # fmt: skip

    days = [date(2026, 11, 1), date(2026, 11, 8)]
    plans = [{f"p{i:02d}": figures(90 - (i if d else 0)) for i in range(30)} for d in range(2)]
    samples = [Sample(day, "0" * 40, {"errors": 0}, p) for day, p in zip(days, plans, strict=True)]
    history = History("week", days[0], days[1], samples, default_config())
    markdown = render_markdown(history, catalogue("en"))
    drawn = re.findall(r"^##### (p\d\d)$", markdown, re.M)
    assert drawn[:3] == ["p29", "p28", "p27"] and len(drawn) == MAX_ACCOUNTS
    assert "4 more accounts changed: see `--format csv`." in markdown
    assert "p00" not in drawn  # its figures did not change


def test_worker_processes_give_the_same_samples(
    repo, weekly_output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.review.history as module

    monkeypatch.setattr(module, "PARALLEL_THRESHOLD", 1)  # two plans go to the workers
    result = run_cli("history", "--format", "json", "--jobs", "2", *RANGE, cwd=repo["root"])
    assert result.exit_code == 0, result.output
    assert result.stdout == weekly_output


def test_render_history_ends_the_portfolio_and_account_documents_with_their_trend(
    repo, tmp_path: Path
) -> None:
    out = tmp_path / "docs"
    args = ("render", "--out", str(out), "--today", "2026-08-20", "--history")
    result = run_cli(*args, cwd=repo["root"])
    assert result.exit_code == 0, result.output
    index = (out / "README.md").read_text()
    trend = index[index.index("## Trend: every week, 2026-02-19 to 2026-08-20") :]
    assert "### The portfolio" in trend and "#### Errors" in trend
    account = (out / "accounts" / "acme.md").read_text()
    assert "Worse on 2026-06-14" in account[account.index("## Trend") :]
    assert len(mermaid_blocks(trend)) == 7
    # The same trend on the same day: the documents are in sync.
    again = run_cli(*args, "--check", cwd=repo["root"])
    assert again.exit_code == 0, again.output


def test_the_config_can_ask_for_the_trend_and_no_history_turns_it_off(repo, tmp_path: Path) -> None:
    config = repo["root"] / "revplan.yaml"
    committed = config.read_text()
    config.write_text(committed + "render_history: true\n")  # an uncommitted edit
    try:
        asked = run_cli("render", "--out", str(tmp_path / "asked"), "--today", "2026-08-20",
                        cwd=repo["root"])  # fmt: skip
        off = run_cli("render", "--out", str(tmp_path / "off"), "--today", "2026-08-20",
                      "--no-history", cwd=repo["root"])  # fmt: skip
    finally:
        config.write_text(committed)
    assert asked.exit_code == off.exit_code == 0, asked.output + off.output
    assert "## Trend: every week" in (tmp_path / "asked" / "README.md").read_text()
    assert "## Trend" not in (tmp_path / "off" / "README.md").read_text()


def test_every_commit_over_days_without_a_change_is_exit_2(repo) -> None:
    args = ("--every", "commit", "--since", "2026-07-20", "--until", "2026-08-01")
    result = run_cli("history", *args, cwd=repo["root"])
    assert result.exit_code == 2
    assert "none in the range changed one" in result.output
