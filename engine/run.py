"""Orchestration of a check: files -> per-file results -> repository checks -> waivers -> report."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .cache import Cache
from .config import Config
from .findings import SEVERITY_RANK, Finding, Problem
from .metrics import OKRMetrics, PlanMetrics
from .model import Waiver
from .process import FileResult, Settings, process_file
from .rules import RULES, RepoIndex

YAML_SUFFIXES = (".yaml", ".yml")
SKIPPED_DIRS = frozenset(("node_modules", "__pycache__"))
EXPIRY_NOTICE_DAYS = 14
# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64


class UsageError(Exception):
    """The run cannot start (exit 2): no plan files, a path that does not exist."""


@dataclass(frozen=True)
class Source:
    path: Path
    display: str
    explicit: bool


@dataclass
class Report:
    findings: list[Finding]
    results: list[FileResult]
    today: date
    fail_on: str
    expiring: list[Waiver] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)

    @property
    def checked(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "checked"]

    @property
    def skipped(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "skipped"]

    @property
    def plan_metrics(self) -> dict[str, PlanMetrics]:
        return {
            r.summary.id: r.metrics
            for r in self.checked
            if r.summary and isinstance(r.metrics, PlanMetrics)
        }

    @property
    def okr_metrics(self) -> dict[str, OKRMetrics]:
        return {
            r.summary.id: r.metrics
            for r in self.checked
            if r.summary and isinstance(r.metrics, OKRMetrics)
        }

    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        waived = 0
        for f in self.findings:
            if f.waived:
                waived += 1
            else:
                counts[f.severity] += 1
        kinds = [r.summary.kind for r in self.checked if r.summary]
        return {
            "files": len(self.checked),
            "plans": kinds.count("AccountPlan"),
            "okrs": kinds.count("OKRs"),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "waived": waived,
        }

    @property
    def failed(self) -> bool:
        bar = SEVERITY_RANK[self.fail_on]
        return any(not f.waived and SEVERITY_RANK[f.severity] >= bar for f in self.findings)


def display_path(path: Path) -> str:
    """Relative to the current directory when below it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _walk(folder: Path) -> Iterable[Path]:
    # os.walk does not follow symlinked folders, so a symlink loop cannot trap it.
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES):
                yield Path(root) / name


def discover(paths: list[Path], config: Config) -> list[Source]:
    """The YAML files to check, in a stable order, without the config itself."""
    sources: list[Source] = []
    if paths:
        for path in paths:
            if path.is_dir():
                sources += [Source(p, display_path(p), False) for p in _walk(path)]
            elif path.exists():
                sources.append(Source(path, display_path(path), True))
            else:
                raise UsageError(f"{path}: no such file or directory")
    else:
        patterns = config.plans or ()
        if patterns:
            for pattern in patterns:
                for p in sorted(config.root.glob(pattern)):
                    if p.is_file() and p.name.endswith(YAML_SUFFIXES):
                        sources.append(Source(p, display_path(p), False))
        elif Path("plans").is_dir():
            sources += [Source(p, display_path(p), False) for p in _walk(Path("plans"))]
        else:
            raise UsageError(
                "no plans to check: name files or folders, set plans: in revplan.yaml, "
                "or run where a plans/ folder is (revplan init creates one)"
            )
    config_file = config.path.resolve() if config.path else None
    unique: dict[str, Source] = {}
    for source in sources:
        try:
            resolved = source.path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            resolved = source.path
        if resolved != config_file:
            unique.setdefault(str(resolved), source)
    return sorted(unique.values(), key=lambda s: s.display)


def _read(source: Source) -> tuple[bytes | None, str | None]:
    try:
        return source.path.read_bytes(), None
    except OSError as exc:
        return None, exc.strerror or str(exc)


def _job(args: tuple[bytes | None, str, Settings, bool, bool, str | None]) -> FileResult:
    return process_file(*args)


def process_all(
    sources: list[Source],
    settings: Settings,
    jobs: int = 1,
    cache: Cache | None = None,
    keep_models: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[FileResult]:
    """Every file's result, in the order of ``sources``; cached ones are not recomputed."""
    results: list[FileResult | None] = [None] * len(sources)
    pending: list[tuple[int, tuple[bytes | None, str, Settings, bool, bool, str | None]]] = []
    for i, source in enumerate(sources):
        raw, error = _read(source)
        if cache is not None and raw is not None and not keep_models:
            cached = cache.get(raw, source.display, source.explicit)
            if cached is not None:
                results[i] = cached
                if progress:
                    progress(1)
                continue
        pending.append((i, (raw, source.display, settings, source.explicit, keep_models, error)))
    if jobs > 1 and len(pending) >= PARALLEL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            chunk = max(1, min(64, len(pending) // (jobs * 8)))
            done = pool.map(_job, [args for _, args in pending], chunksize=chunk)
            for (i, args), result in zip(pending, done, strict=True):
                results[i] = result
                _store(cache, args, result)
                if progress:
                    progress(1)
    else:
        for i, args in pending:
            results[i] = _job(args)
            _store(cache, args, results[i])
            if progress:
                progress(1)
    return [r for r in results if r is not None]


def _store(cache: Cache | None, args: tuple, result: FileResult | None) -> None:
    raw, display, _, explicit, keep_models, _ = args
    if cache is not None and raw is not None and result is not None and not keep_models:
        cache.put(raw, display, explicit, result)


def settings_for(config: Config, today: date) -> Settings:
    rules = []
    for rule_id in RULES:
        setting = config.setting(rule_id)
        rules.append(
            (
                rule_id,
                setting.severity,
                tuple(
                    (k, tuple(v) if isinstance(v, list) else v) for k, v in setting.params.items()
                ),
            )
        )
    return Settings(today=today, limits=config.limits, rules=tuple(rules))


def check(results: list[FileResult], config: Config, settings: Settings, fail_on: str) -> Report:
    """Repository-wide rules and waivers over the per-file results."""
    findings = [f for r in results for f in r.findings]
    index = RepoIndex(
        files=tuple(r.summary for r in results if r.summary),
        config_waivers=config.waivers,
    )
    for rule_id, severity, params in settings.rules:
        rule = RULES[rule_id]
        if rule.check_repository is None or severity == "off":
            continue
        for problem in rule.check_repository(index, dict(params)):
            findings.append(Finding.from_problem(rule_id, severity, problem))
    findings, expiring, waivers = apply_waivers(findings, index, settings)
    findings.sort(key=Finding.sort_key)
    return Report(findings, results, settings.today, fail_on, expiring, waivers)


def apply_waivers(
    findings: list[Finding], index: RepoIndex, settings: Settings
) -> tuple[list[Finding], list[Waiver], list[Waiver]]:
    """Mark waived findings; report expired and unused waivers; list those expiring soon."""
    today = settings.today
    # (waiver, the plan it is limited to, whether its plan was checked by the rules)
    entries: list[tuple[Waiver, str | None, bool]] = [
        (w, f.id, f.valid) for f in index.files for w in f.waivers
    ] + [(w, w.plan, True) for w in index.config_waivers]
    # Index by (rule, plan) so matching stays linear in findings + waivers;
    # plan None: a config waiver for every plan.
    active: dict[tuple[str, str | None], list[Waiver]] = {}
    for w, plan, _ in entries:
        if not (w.expires and w.expires < today):
            active.setdefault((w.rule, plan), []).append(w)
    used: set[int] = set()
    out = []
    for finding in findings:
        candidates = active.get((finding.rule, finding.plan), []) + active.get(
            (finding.rule, None), []
        )
        for w in candidates:
            if w.target is None or w.target == finding.target:
                used.add(id(w))
                finding = finding.waive(w.reason)
                break
        out.append(finding)
    problems: list[tuple[str, Problem]] = []
    for w, plan, checked in entries:
        where = f"waivers/{w.rule}/{w.target or ''}"
        if w.expires and w.expires < today:
            problems.append(
                (
                    "waiver-expired",
                    Problem(
                        w.at("expires"),
                        f"waiver of {w.rule}{_for(w, plan)} expired on {w.expires.isoformat()} "
                        "and no longer waives anything — renew it with a fresh reason or remove it",
                        plan=plan,
                        target=w.target,
                        path=where,
                    ),
                )
            )
        elif (
            id(w) not in used and checked and w.rule in RULES and settings.severity(w.rule) != "off"
        ):
            problems.append(
                (
                    "waiver-unused",
                    Problem(
                        w.loc,
                        f"waiver of {w.rule}{_for(w, plan)} matches no finding — the gap is "
                        "closed or the waiver names the wrong rule, plan or target; remove it",
                        plan=plan,
                        target=w.target,
                        path=where,
                    ),
                )
            )
    for rule_id, problem in problems:
        severity = settings.severity(rule_id)
        if severity != "off":
            out.append(Finding.from_problem(rule_id, severity, problem))
    soon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    expiring = [w for w, _, _ in entries if w.expires and today <= w.expires <= soon]
    return out, expiring, [w for w, _, _ in entries]


def _for(w: Waiver, plan: str | None) -> str:
    parts = [p for p in (plan, w.target) if p]
    return f" for {'/'.join(parts)}" if parts else ""
