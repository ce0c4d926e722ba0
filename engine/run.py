"""Orchestration of a check: files -> per-file results -> repository checks -> waivers -> report."""

from __future__ import annotations

import fnmatch
import functools
import gc
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .config import Config
from .findings import Finding, Problem, fails, tally
from .metrics import OKRMetrics, PlanMetrics
from .model import Waiver
from .process import FileResult, Settings, prepare, process_file
from .rules import RULES, RepoIndex

if TYPE_CHECKING:
    from .cache import Cache, CacheHit

YAML_SUFFIXES = (".yaml", ".yml")
SKIPPED_DIRS = frozenset(("node_modules", "__pycache__"))
EXPIRY_NOTICE_DAYS = 14
# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64
# Files per task sent to a worker: large enough to amortise the messages,
# small enough to keep the workers evenly busy to the end.
CHUNK = 16


class UsageError(Exception):
    """The run cannot start (exit 2): no plan files, a path that does not exist."""


class Source(NamedTuple):  # a tuple: a run makes one per file, four times faster
    file: str  # the path to open, as given or found (a string: 100,000 Paths cost)
    display: str
    explicit: bool

    @property
    def path(self) -> Path:
        return Path(self.file)


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
        checked = self.checked
        return {r.plan_id: r.metrics for r in checked if isinstance(r.metrics, PlanMetrics)}

    @property
    def okr_metrics(self) -> dict[str, OKRMetrics]:
        checked = self.checked
        return {r.plan_id: r.metrics for r in checked if isinstance(r.metrics, OKRMetrics)}

    def summary(self) -> dict[str, int]:
        errors, warnings, infos, waived = tally(self.findings)
        kinds = [r.kind for r in self.checked]
        return {
            "files": len(kinds),
            "plans": kinds.count("AccountPlan"),
            "okrs": kinds.count("OKRs"),
            "errors": errors,
            "warnings": warnings,
            "infos": infos,
            "waived": waived,
        }

    @property
    def failed(self) -> bool:
        return fails(tally(self.findings), self.fail_on)


def display_path(path: Path) -> str:
    """Relative to the current directory when below it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _child(parent: str, name: str) -> str:
    """``str(Path(parent) / name)``, without building the Path."""
    if parent == ".":
        return name
    return parent + name if parent.endswith("/") else f"{parent}/{name}"


class _Found:
    """Files found under one folder, with display paths and resolved paths worked
    out once per folder rather than once per file (the slow part on big trees)."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.resolved: list[str] = []
        self._folders: dict[str, tuple[str, str]] = {}

    def add(self, folder: str, name: str, is_symlink: bool) -> None:
        known = self._folders.get(folder)
        if known is None:
            shown = display_path(Path(folder))
            known = self._folders[folder] = (
                "" if shown == "." else _child(shown, ""),
                _child(os.path.realpath(folder), ""),
            )
        file = _child(folder, name)
        self.sources.append(Source(file, known[0] + name, False))
        self.resolved.append(_resolved(file) if is_symlink else known[1] + name)


def _resolved(file: str) -> str:
    try:
        return str(Path(file).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return file


def _walk(folder: str, found: _Found) -> None:
    """YAML files below ``folder``, sorted, skipping hidden and tool folders.

    Symlinked folders are not followed, so a symlink loop cannot trap the walk.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            name = entry.name
            if not name.startswith(".") and name not in SKIPPED_DIRS and not entry.is_symlink():
                subfolders.append(name)
        elif entry.name.endswith(YAML_SUFFIXES):
            found.add(folder, entry.name, entry.is_symlink())
    for name in subfolders:
        _walk(_child(folder, name), found)


def _glob(root: str, pattern: str) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    """``Path(root).glob(pattern)`` as Python 3.11 matches, on strings (a pattern of
    literal, wildcard and ``**`` parts), each with its directory entry when known."""
    parts = [part for part in pattern.split("/") if part and part != "."]
    if pattern.endswith("/"):
        parts.append("")  # a trailing slash matches folders only
    if os.path.isdir(root):
        yield from _select(root, parts)


def _select(
    parent: str, parts: list[str], entry: os.DirEntry[str] | None = None
) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    if not parts or not parts[0]:
        yield parent, entry
        return
    pattern, rest = parts[0], parts[1:]
    if pattern == "**":
        yielded: set[str] = set()
        for folder in _folders_below(parent):
            for found in _select(folder, rest):
                if found[0] not in yielded:
                    yielded.add(found[0])
                    yield found
    elif "**" in pattern:
        raise ValueError("Invalid pattern: '**' can only be an entire path component")
    elif "*" in pattern or "?" in pattern or "[" in pattern:
        match = re.compile(fnmatch.translate(pattern)).fullmatch
        try:
            with os.scandir(parent) as scan:
                entries = list(scan)
        except PermissionError:
            return
        if not rest:  # the last part ("*.yaml"): the matches themselves, without recursing
            yield from ((_child(parent, c.name), c) for c in entries if match(c.name))
            return
        for child in entries:
            try:
                if not child.is_dir():
                    continue
            except OSError:
                continue
            if match(child.name):
                yield from _select(_child(parent, child.name), rest, child)
    else:
        path = _child(parent, pattern)
        if os.path.isdir(path) if rest else os.path.exists(path):
            yield from _select(path, rest)


def _folders_below(folder: str) -> Iterator[str]:
    yield folder
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except PermissionError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir and not entry.is_symlink():
            yield from _folders_below(_child(folder, entry.name))


def _is_file(path: str, entry: os.DirEntry[str] | None) -> bool:
    try:
        return entry.is_file() if entry is not None else os.path.isfile(path)
    except OSError:
        return False


def discover(paths: list[Path], config: Config) -> list[Source]:
    """The YAML files to check, in a stable order, without the config itself."""
    found = _Found()
    if paths:
        for path in paths:
            if path.is_dir():
                _walk(str(path), found)
            elif path.exists() or path.is_symlink():  # a broken link: say why
                found.sources.append(Source(str(path), display_path(path), True))
                found.resolved.append(_resolved(str(path)))
            else:
                raise UsageError(f"{path}: no such file or directory")
    else:
        patterns = config.plans or ()
        if patterns:
            root = str(config.root)
            for pattern in patterns:
                if not pattern or pattern.startswith("/"):
                    list(config.root.glob(pattern))  # pathlib says what is wrong with it
                # By path part, as sorting split paths would, without 10,000 lists: no
                # name holds NUL, which sorts before every other character.
                matches = sorted(_glob(root, pattern), key=lambda m: m[0].replace("/", "\0"))
                for file, entry in matches:
                    folder, slash, name = file.rpartition("/")
                    if name.endswith(YAML_SUFFIXES) and _is_file(file, entry):
                        folder = folder or ("/" if slash else ".")
                        found.add(folder, name, entry is None or entry.is_symlink())
        elif Path("plans").is_dir():
            _walk("plans", found)
        else:
            raise UsageError(
                "no plans to check: name files or folders, set plans: in revplan.yaml, "
                "or run where a plans/ folder is (revplan init creates one)"
            )
    config_file = str(config.path.resolve()) if config.path else None
    unique: dict[str, Source] = {}
    for source, resolved in zip(found.sources, found.resolved, strict=True):
        if resolved != config_file:
            unique.setdefault(resolved, source)
    return sorted(unique.values(), key=lambda s: s.display)


def read_source(source: Source, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The file's bytes, at most one past ``max_bytes`` (the loader reports the excess).

    A plan may be a symlink, and git keeps symlinks: one to /dev/zero or to a
    pipe must not make the run read forever or hang on open.
    """
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return None, exc.strerror or str(exc)
    with os.fdopen(fd, "rb") as file:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None, "it is not a regular file (a device, a pipe or a folder)"
            return file.read(max_bytes + 1), None
        except OSError as exc:
            return None, exc.strerror or str(exc)


# What a worker needs besides the file, set once per worker process.
_job_settings: dict[str, Any] = {}


def _start_worker(settings: Settings, keep_models: bool, caching: bool) -> None:
    _job_settings.update(settings=settings, keep_models=keep_models, caching=caching)


def _start_pool_worker(settings: Settings, keep_models: bool, caching: bool) -> None:
    _start_worker(settings, keep_models, caching)
    # A file's objects die with its result; the modules and schemas loaded so far
    # live for good. Collecting cycles less often, and never among the long-lived,
    # makes a worker about a tenth faster.
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


@contextmanager
def _long_lived() -> Iterator[None]:
    """Objects made here (results, kept to the end of the run; no cycles among them)
    need no cyclic garbage collection: on a warm run it cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _work(job: tuple[int, Source]) -> tuple[int, FileResult, tuple | None]:
    """Read and check one file where this runs (a worker, or the main process).

    Workers read the files themselves, so that only paths and results cross
    between processes. With a cache, the worker also hashes the content and
    encodes the result (in parallel), for the main process to store.
    """
    index, source = job
    settings: Settings = _job_settings["settings"]
    read = functools.partial(read_source, source, settings.limits.max_file_bytes)
    if not _job_settings["caching"]:
        raw, error = read()
        st = None
    else:
        from .cache import read_with_stat

        raw, error, st = read_with_stat(source.file, read)
    result = process_file(
        raw, source.display, settings, source.explicit, _job_settings["keep_models"], error
    )
    if raw is None or not _job_settings["caching"]:
        return index, result, None
    from .cache import content_digest, encode_result

    return index, result, (content_digest(raw), encode_result(result), st)


def start_helper(settings: Settings, jobs: int, cache: Cache | None) -> Helper | None:
    """A ``Helper`` for a warm run (a cache to read, more than one core), else None;
    start it first thing, so that its start-up overlaps the run's."""
    if cache is None or jobs < 2 or not cache.path.is_file():
        return None
    return Helper.start(settings)


class Helper:
    """A worker forked before the cache is read: it loads what checking a file needs
    (0.2 s) while the main process reads the cache, then checks the files the cache
    did not have. On a warm run with one plan edited, the start-up of the checking
    overlaps the reading instead of following it.

    Daemonic, so a run that does not need it does not wait for it; if it dies, the
    main process checks what it did not send back.
    """

    def __init__(self, connection: Any, settings: Settings) -> None:
        self.connection = connection
        self.settings = settings

    @classmethod
    def start(cls, settings: Settings) -> Helper | None:
        import multiprocessing

        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform: no head start
            return None
        connection, child = context.Pipe()
        context.Process(target=_help, args=(child, settings), daemon=True).start()
        child.close()
        return cls(connection, settings)

    def work(
        self, todo: list[tuple[int, Source]]
    ) -> Iterator[tuple[int, FileResult, tuple | None]]:
        """Send ``todo`` now; the results, as ``_work`` returns them, as they come."""
        with suppress(OSError):  # it died: recv fails at once, the main process checks all
            self.connection.send(todo)
        return self._receive(todo)

    def _receive(
        self, todo: list[tuple[int, Source]]
    ) -> Iterator[tuple[int, FileResult, tuple | None]]:
        done = 0
        try:
            for _ in todo:
                yield self.connection.recv()
                done += 1
        except (EOFError, OSError):
            self.close()
            _start_worker(self.settings, False, True)
            yield from map(_work, todo[done:])

    def close(self) -> None:
        self.connection.close()  # the helper, waiting for work, sees the end and exits


def _help(connection: Any, settings: Settings) -> None:
    """The helper's life: get ready, check what it is sent, send each result back."""
    try:
        _start_pool_worker(settings, False, True)
        prepare()
        for job in connection.recv():
            connection.send(_work(job))
    except BaseException:  # noqa: BLE001, S110 - the main process checks what is not sent back
        pass
    finally:
        connection.close()


def default_jobs() -> int:
    """The cores this process may use (a container or taskset may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process_all(
    sources: list[Source],
    settings: Settings,
    jobs: int = 1,
    cache: Cache | None = None,
    keep_models: bool = False,
    progress: Callable[[int], None] | None = None,
    helper: Helper | None = None,
    lookup: bool = True,
) -> list[FileResult]:
    """Every file's result, in the order of ``sources``; cached ones are not recomputed
    (``lookup=False``: the caller knows they are not cached).

    The result of a file does not depend on ``jobs``, the cache or the ``helper``:
    workers run the same pure function, and results are put back in the sources'
    order. The helper (see ``start_helper``) is closed when this returns.
    """
    caching = cache is not None and not keep_models
    results: list[FileResult | None] = [None] * len(sources)
    max_bytes = settings.limits.max_file_bytes

    def read(i: int) -> bytes | None:
        return read_source(sources[i], max_bytes)[0]

    hits: list[CacheHit] = []
    if caching and cache is not None and lookup:
        hits = cache.match_all([(s.display, s.explicit, s.file) for s in sources], read)
    cached = {hit.index for hit in hits}
    todo = [(i, source) for i, source in enumerate(sources) if i not in cached]
    with ExitStack() as stack:
        if helper is not None:
            stack.callback(helper.close)
        if jobs > 1 and len(todo) >= PARALLEL_THRESHOLD:
            from concurrent.futures import ProcessPoolExecutor  # 20 ms: only when used

            pool = stack.enter_context(
                ProcessPoolExecutor(
                    max_workers=jobs,
                    initializer=_start_pool_worker,
                    initargs=(settings, keep_models, caching),
                )
            )
            done: Iterable[tuple[int, FileResult, tuple | None]] = pool.map(
                _work, todo, chunksize=CHUNK
            )
        elif helper is not None and todo:
            done = helper.work(todo)  # sent now: checked while the cache is decoded
        else:
            _start_worker(settings, keep_models, caching)
            done = map(_work, todo)
        stack.enter_context(_long_lived())
        damaged = []
        if hits and cache is not None:
            for hit, result in zip(hits, cache.decode_all(hits, read), strict=True):
                if result is None:
                    damaged.append((hit.index, sources[hit.index]))
                results[hit.index] = result
            if progress:
                progress(len(hits) - len(damaged))
        _collect(done, results, sources, cache, progress)
        if damaged:  # entries that would not decode: checked here, as if never cached
            _start_worker(settings, keep_models, caching)
            _collect(map(_work, damaged), results, sources, cache, progress)
    if caching and cache is not None:
        cache.save()
    return [r for r in results if r is not None]


def _collect(
    done: Iterable[tuple[int, FileResult, tuple | None]],
    results: list[FileResult | None],
    sources: list[Source],
    cache: Cache | None,
    progress: Callable[[int], None] | None,
) -> None:
    for index, result, cached in done:
        results[index] = result
        if cache is not None and cached is not None:
            source = sources[index]
            cache.put(source.display, source.explicit, *cached)
        if progress:
            progress(1)


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


def check(
    results: list[FileResult],
    config: Config,
    settings: Settings,
    fail_on: str,
    cache: Cache | None = None,
) -> Report:
    """Repository-wide rules and waivers over the per-file results."""
    findings = [f for r in results for f in r.findings]
    entries = waiver_entries(results, config)

    def repository() -> list[Finding]:
        # (A summary is None only if its file vanished since it was checked.)
        index = RepoIndex(
            files=tuple(s for r in results if r.kind and (s := r.summary) is not None),
            waivers=tuple((w, plan) for w, plan, _ in entries),
        )
        return repository_findings(index, settings)

    if cache is not None:
        findings += cache.repository_findings(results, config.waivers, repository)
    else:
        findings += repository()
    findings, expiring, all_waivers = apply_waivers(findings, entries, settings)
    findings.sort(key=Finding.sort_key)
    return Report(findings, results, settings.today, fail_on, expiring, all_waivers)


def repository_findings(index: RepoIndex, settings: Settings) -> list[Finding]:
    """What the rules that span files find."""
    findings = []
    for rule_id, severity, params in settings.rules:
        rule = RULES[rule_id]
        if rule.check_repository is None or severity == "off":
            continue
        for problem in rule.check_repository(index, dict(params)):
            findings.append(Finding.from_problem(rule_id, severity, problem))
    return findings


def waiver_entries(
    results: list[FileResult], config: Config
) -> list[tuple[Waiver, str | None, bool]]:
    """Each waiver, the plan it is for (None: every plan), and whether the rules
    checked that plan: the plans' own, in the files' order, then the config's."""
    entries = [(w, r.plan_id, r.valid) for r in results for w in r.waivers]
    return entries + [(w, w.plan, True) for w in config.waivers]


class WaiverMatcher:
    """Which waiver, if any, waives a finding: of the waivers in force, the first
    for its rule and plan, else the first for its rule and every plan, whose
    target (if it names one) is the finding's."""

    def __init__(self, entries: list[tuple[Waiver, str | None, bool]], today: date) -> None:
        # Indexed by (rule, plan) so that matching stays linear in findings + waivers.
        self._active: dict[tuple[str, str | None], list[int]] = {}
        for index, (w, plan, _) in enumerate(entries):
            if not (w.expires and w.expires < today):
                self._active.setdefault((w.rule, plan), []).append(index)
        self._waivers = [w for w, _, _ in entries]

    def waive(self, findings: Iterable[Finding]) -> tuple[list[Finding], set[int]]:
        """The findings as the waivers leave them, and the waivers they use (indices)."""
        out, used = [], set()
        for finding in findings:
            index = self.match(finding)
            if index is not None:
                used.add(index)
                waiver = self._waivers[index]
                finding = finding.waive(waiver.reason, waiver.expires)
            out.append(finding)
        return out, used

    def match(self, finding: Finding) -> int | None:
        """The index in ``entries`` of the waiver that waives ``finding``."""
        active = self._active
        for key in ((finding.rule, finding.plan), (finding.rule, None)):
            for index in active.get(key, ()):
                target = self._waivers[index].target
                if target is None or target == finding.target:
                    return index
        return None


def apply_waivers(
    findings: list[Finding],
    entries: list[tuple[Waiver, str | None, bool]],
    settings: Settings,
) -> tuple[list[Finding], list[Waiver], list[Waiver]]:
    """Mark waived findings; report expired and unused waivers; list those expiring soon.

    ``entries``: each waiver, the plan it is limited to (None: every plan), and
    whether that plan was checked by the completeness rules.
    """
    today = settings.today
    out, used = WaiverMatcher(entries, today).waive(findings)
    problems: list[tuple[str, Problem]] = []
    for index, (w, plan, checked) in enumerate(entries):
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
            index not in used and checked and w.rule in RULES and settings.severity(w.rule) != "off"
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
