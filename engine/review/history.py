"""``revplan history``: the portfolio's health over time (review.md, "revplan history").

A sample is what ``revplan check`` would have said at the end of a period: the plans
and the config of the last commit on or before that day (first-parent history),
checked with ``today`` = that day. A version of a plan (its blob, its path, the
config) is parsed once for every sample it appears in: the per-file job runs on
its first day and, on the later ones, only what reads the day runs again
(``process_file_on``), so 26 weekly samples cost little more than the plans that
changed.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from engine.config import Config
from engine.errors import UsageError
from engine.findings import tally
from engine.model.metrics import PlanMetrics
from engine.model.portfolio import AccountRow, health, portfolio
from engine.pipeline import pool
from engine.pipeline.file import FileResult, Settings, prepare, process_file_on
from engine.pipeline.settings import settings_for
from engine.report import Report
from engine.review.git import Commit, Entry, GitError, Repository
from engine.review.revision import config_entry, display, load_config_entry, plan_entries
from engine.session import CHUNK, PARALLEL_THRESHOLD, check

EVERY = ("week", "month", "commit")
DEFAULT_WEEKS = 26
# The figures of a plan, in the order the JSON, CSV and charts show them: the counts,
# then the shares (0..1).
FIGURES = (
    "errors",
    "warnings",
    "infos",
    "role_coverage",
    "backup_coverage",
    "detractors_addressed",
)


@dataclass(frozen=True)
class Sample:
    date: date
    commit: str
    portfolio: dict[str, Any]
    plans: dict[str, dict[str, Any]]  # by plan id, sorted


@dataclass(frozen=True)
class History:
    every: str
    since: date
    until: date
    samples: list[Sample]
    config: Config  # the newest sample's (its locale and catalogues word the output)


@dataclass
class _Point:
    """A sample to take: its day, its commit and what check would read there."""

    day: date
    commit: Commit
    config: Config
    config_key: tuple[str, str] | None  # the config file's path and blob: None for none
    entries: list[Entry] = field(default_factory=list)


def period_ends(since: date, until: date, every: str) -> list[date]:
    """The last day of each week (Sunday) or month from the one holding ``since`` on;
    the period holding ``until`` ends there, so the newest sample is of ``until``."""
    ends = []
    day = _period_end(since, every)
    while day < until:
        ends.append(day)
        day = _period_end(day + timedelta(days=1), every)
    ends.append(until)
    return ends


def _period_end(day: date, every: str) -> date:
    if every == "week":
        return day + timedelta(days=6 - day.weekday())
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def run_history(
    since: date | None,
    until: date | None,
    every: str,
    config_path: Path | None,
    today: date,
    paths: tuple[str, ...] = (),
    revision: str = "HEAD",
    jobs: int | None = None,
) -> History:
    """The samples from ``since`` (default: 26 weeks before ``today``) to ``until``
    (default ``today``); ``paths``: only the plans below them are counted (all are
    read, as check reads them); ``config_path``: ``--config``, read at each commit;
    ``jobs``: worker processes (default: the cores)."""
    until = until or today
    since = since or until - timedelta(weeks=DEFAULT_WEEKS)
    if since > until:
        raise UsageError(
            f"empty range: --since {since.isoformat()} is after --until {until.isoformat()}; "
            "give a --since on or before the --until"
        )
    with Repository(".") as repo:
        commits = repo.first_parent_log(revision)
        _require_history(repo, commits, since)
        points = list(_points(repo, commits, since, until, every, config_path))
        if not points:
            raise UsageError(
                f"no plans in the history of {revision} from {since.isoformat()} to "
                f"{until.isoformat()}: no commit on or before those days holds plan files"
                + (", or none in the range changed one" if every == "commit" else "")
                + " (see `git log`); give an earlier --since or a later --until"
            )
        samples = list(_samples(repo, points, paths, jobs or pool.default_jobs()))
    return History(every, since, until, samples, points[-1].config)


def _require_history(repo: Repository, commits: list[Commit], since: date) -> None:
    """A shallow clone whose oldest fetched commit is after ``since`` lacks the samples
    before it: say to fetch the history rather than draw a trend that starts late."""
    if not commits:
        return
    oldest = commits[-1]
    if oldest.sha in repo.shallow_boundary() and oldest.date.date() > since:
        raise GitError(
            f"shallow clone: the history before {oldest.date.date().isoformat()} was not "
            f"fetched, and the range starts on {since.isoformat()}; run `git fetch "
            "--unshallow` (in GitHub Actions, actions/checkout with `fetch-depth: 0`)"
        )


def _points(
    repo: Repository,
    commits: list[Commit],
    since: date,
    until: date,
    every: str,
    config_path: Path | None,
) -> Iterator[_Point]:
    """The samples to take, oldest first; none before the first commit holding plans."""
    configs: dict[tuple[str, str] | None, Config] = {}

    def point(day: date, commit: Commit) -> _Point:
        entry = config_entry(repo, commit.sha, config_path)
        key = (entry.path, entry.blob) if entry else None
        if key not in configs:
            configs[key] = load_config_entry(repo, entry, commit.sha[:12])
        config = configs[key]
        return _Point(day, commit, config, key, plan_entries(repo, commit.sha, config))

    chosen: list[_Point] = []
    if every == "commit":
        chosen = _changed_days(commits, since, until, point)
    else:
        for day in period_ends(since, until, every):
            # The log is newest first: the first commit of that day or before.
            commit = next((c for c in commits if c.date.date() <= day), None)
            if commit is not None:
                chosen.append(point(day, commit))
    started = False
    for taken in chosen:
        started = started or bool(taken.entries)
        if started:
            yield taken


def _changed_days(commits: list[Commit], since: date, until: date, point: Any) -> list[_Point]:
    """``--every commit``: each day on which a commit changed a plan or the config, as
    of that day's last commit, with today = that day."""
    in_range = [c for c in reversed(commits) if since <= c.date.date() <= until]
    before = next((c for c in commits if c.date.date() < since), None)
    previous = _fingerprint(point(since, before)) if before is not None else None
    by_day: dict[date, _Point] = {}
    changed: set[date] = set()
    for commit in in_range:  # oldest first
        taken = point(commit.date.date(), commit)
        mark = _fingerprint(taken)
        if mark != previous:
            changed.add(taken.day)
        previous = mark
        by_day[taken.day] = taken  # the day's last commit is its sample
    return [by_day[day] for day in sorted(changed)]


def _fingerprint(taken: _Point) -> tuple[Any, ...]:
    return (taken.config_key, tuple(taken.entries))


Key = tuple[str, str, tuple[str, str] | None]


def _samples(
    repo: Repository, points: list[_Point], paths: tuple[str, ...], jobs: int
) -> Iterator[Sample]:
    """Each point checked. A file's results for all the days it is sampled on are made
    together, when it is first needed (the new versions of a sample in ``jobs`` worker
    processes), and each is dropped once its sample is taken."""
    shown = [[display(repo, e.path) for e in p.entries] for p in points]
    days: dict[Key, list[date]] = {}
    for taken, names in zip(points, shown, strict=True):
        for entry, name in zip(taken.entries, names, strict=True):
            days.setdefault((entry.blob, name, taken.config_key), []).append(taken.day)
    ready: dict[Key, dict[date, FileResult]] = {}
    for taken, names in zip(points, shown, strict=True):
        settings = settings_for(taken.config, taken.day)
        keys = [(e.blob, n, taken.config_key) for e, n in zip(taken.entries, names, strict=True)]
        new = [(key[0], key[1], tuple(days[key][1:])) for key in keys if key not in ready]
        # One byte past the limit, as a file is read: the loader reports the excess.
        limit = taken.config.limits.max_file_bytes
        # Workers only while this process holds no results: forked later, they would
        # copy the pages of what it holds as they touch them (26 x 10,000 results).
        if not ready and pool.in_workers(jobs, len(new), PARALLEL_THRESHOLD):
            # The workers read the blobs themselves: only ids and results cross.
            setup = (settings, repo.start, limit)
            with pool.mapped(
                _versions, new, jobs, threshold=0, chunk=CHUNK, setup=_start, args=setup
            ) as made:
                done = list(made)
        else:
            done = [
                process_file_on(repo.read(blob)[: limit + 1], name, settings, later)
                for blob, name, later in new
            ]
        for (blob, name, _), results in zip(new, done, strict=True):
            key = (blob, name, taken.config_key)
            ready[key] = dict(zip(days[key], results, strict=True))
        sampled = []
        for key in keys:
            sampled.append(ready[key].pop(taken.day))
            if not ready[key]:
                del ready[key]
        reported = frozenset(n for n in names if _below(n, paths)) if paths else None
        report = check(sampled, taken.config, settings, taken.config.fail_on, reported=reported)
        yield _sample(taken, report)


# What a worker needs besides a job: the sample's settings, and a reader of the blobs.
_worker: dict[str, Any] = {}


def _start(settings: Settings, start: str, limit: int) -> None:
    prepare()
    _worker.update(settings=settings, start=start, limit=limit)


def _versions(job: tuple[str, str, tuple[date, ...]]) -> list[FileResult]:
    """One version of a file on the sample's day and on each later one it is in."""
    blob, name, later = job
    if "repo" not in _worker:  # one cat-file a worker, ended with it
        _worker["repo"] = Repository(_worker["start"])
    raw = _worker["repo"].read(blob)[: _worker["limit"] + 1]
    return process_file_on(raw, name, _worker["settings"], later)


def _below(name: str, paths: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p.rstrip("/") + "/") for p in paths)


def _sample(taken: _Point, report: Report) -> Sample:
    """The figures ``check --format json`` shows, per plan and for the portfolio."""
    config = taken.config
    settings = report.portfolio
    roles = config.setting("advocate-per-role").params.get("roles") or []
    failing = report.failing_files()
    by_file: dict[str, list[Any]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file, []).append(finding)
    plans: dict[str, dict[str, Any]] = {}
    rows: dict[str, AccountRow] = {}
    for result in report.checked:
        if not result.kind:
            continue
        errors, warnings, infos, _ = tally(by_file.get(result.file, ()))
        figures: dict[str, Any] = {
            "kind": "account" if result.kind == "AccountPlan" else "okrs",
            "errors": errors,
            "warnings": warnings,
            "infos": infos,
        }
        m = result.metrics
        fails = result.file in failing
        if isinstance(m, PlanMetrics):
            score = health(m.health_areas, fails, settings)
            covered = [r for r in roles if m.advocates_by_role.get(r)]
            figures |= {
                "role_coverage": _share(len(covered), len(roles)),
                "backup_coverage": None
                if m.backup_coverage is None
                else round(m.backup_coverage, 4),
                "detractors_addressed": _share(len(m.detractors_addressed), len(m.detractors))
                if m.detractors
                else 1.0,
                "health": score.score,
                "rating": score.rating,
            }
            rows[result.plan_id] = AccountRow(
                m.plan, m.currency, m.arr, m.renewal_date, m.forecast, m.pipeline, fails
            )
        figures["failing"] = fails
        plans[result.plan_id] = figures  # as check's metrics: one a plan id, the last file's
    totals = portfolio(rows.values(), settings, report.today)
    errors, warnings, infos, _ = tally(report.findings)
    kinds = Counter(f["kind"] for f in plans.values())
    accounts = [f for f in plans.values() if f["kind"] == "account"]
    figures_total: dict[str, Any] = {
        "plans": len(plans),
        "failing_plans": sum(f["failing"] for f in plans.values()),
        "errors": errors,
        "warnings": warnings,
        "infos": infos,
        "accounts": kinds["account"],
        "okrs": kinds["okrs"],
        "reporting_currency": totals.reporting_currency,
        "arr": float(totals.arr),
        "arr_at_risk": float(totals.arr_at_risk),
    }
    for name in ("role_coverage", "backup_coverage", "detractors_addressed", "health"):
        known = [f[name] for f in accounts if f[name] is not None]
        mean = sum(known) / len(known) if known else None
        figures_total[name] = None if mean is None else round(mean, 4 if name != "health" else 1)
    return Sample(taken.day, taken.commit.sha, figures_total, dict(sorted(plans.items())))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
