"""One run of the pipeline: config -> sources -> per-file results (in workers, through
the cache) -> repository rules -> waivers -> Report. The API the commands call."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.cache.codec import Encoded
from engine.cache.store import Cache
from engine.config import Config
from engine.errors import UsageError
from engine.findings import Finding
from engine.model.types import AccountPlan
from engine.pipeline import pool
from engine.pipeline.file import (
    FileResult,
    Settings,
    custom_programs,
    pack_plan,
    prepare,
    process_file,
)
from engine.pipeline.repository import repository_pass, waiver_entries
from engine.pipeline.settings import settings_for
from engine.report import Report
from engine.rules.waivers import apply_waivers
from engine.sources import Skip, Source, discover, read_source

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from engine.cache.layouts import Layout
    from engine.cache.parts import Outcome
    from engine.cache.store import CacheHit

# What a worker sends back for the cache to store: the content digest, the encoded
# result, and the stat signature the file had when read.
Stored = tuple[bytes, Encoded, os.stat_result | None]


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64


# Files per task sent to a worker: large enough to amortise the messages,
# small enough to keep the workers evenly busy to the end.
CHUNK = 16


# What a worker needs besides the file, set once per worker process.
_job_settings: dict[str, Any] = {}


def _start_worker(settings: Settings, keep_models: bool, caching: bool, pack: bool) -> None:
    _job_settings.update(settings=settings, keep_models=keep_models, caching=caching, pack=pack)


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


def _work(job: tuple[int, Source]) -> tuple[int, FileResult, Stored | None]:
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
        from engine.cache.store import read_with_stat

        raw, error, st = read_with_stat(source.file, read)
    pack = _job_settings["pack"]
    result = process_file(
        raw, source.display, settings, _job_settings["keep_models"] or pack, error
    )
    if pack:
        if isinstance(result.model, AccountPlan):
            result.packed = pack_plan(result.model)
        result.model = None
    if raw is None or not _job_settings["caching"]:
        return index, result, None
    from engine.cache.codec import encode_result
    from engine.cache.store import content_digest

    return index, result, (content_digest(raw), encode_result(result), st)


def start_helper(
    settings: Settings, jobs: int, cache: Cache | None, pack: bool = False
) -> Helper | None:
    """A ``Helper`` for a warm run (a cache to read, more than one core), else None;
    start it first thing, so that its start-up overlaps the run's. ``pack``: it packs
    the account plans it checks (see ``process_all``)."""
    if cache is None or jobs < 2 or not cache.path.is_file():
        return None
    return Helper.start(settings, pack)


class Helper:
    """A worker forked before the cache is read: it loads what checking a file needs
    (0.2 s) while the main process reads the cache, then checks the files the cache
    did not have. On a warm run with one plan edited, the start-up of the checking
    overlaps the reading instead of following it.

    Daemonic, so a run that does not need it does not wait for it; if it dies, the
    main process checks what it did not send back.
    """

    def __init__(self, connection: Connection, settings: Settings, pack: bool) -> None:
        self.connection = connection
        self.settings, self.pack = settings, pack

    @classmethod
    def start(cls, settings: Settings, pack: bool) -> Helper | None:
        import multiprocessing

        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform: no head start
            return None
        connection, child = context.Pipe()
        context.Process(target=_help, args=(child, settings, pack), daemon=True).start()
        child.close()
        return cls(connection, settings, pack)

    def work(
        self, todo: list[tuple[int, Source]]
    ) -> Iterator[tuple[int, FileResult, Stored | None]]:
        """Send ``todo`` now; the results, as ``_work`` returns them, as they come."""
        with suppress(OSError):  # it died: recv fails at once, the main process checks all
            self.connection.send(todo)
        return self._receive(todo)

    def _receive(
        self, todo: list[tuple[int, Source]]
    ) -> Iterator[tuple[int, FileResult, Stored | None]]:
        done = 0
        try:
            for _ in todo:
                yield self.connection.recv()
                done += 1
        except (EOFError, OSError):
            self.close()
            _start_worker(self.settings, False, True, self.pack)
            yield from map(_work, todo[done:])

    def close(self) -> None:
        self.connection.close()  # the helper, waiting for work, sees the end and exits


def _help(connection: Connection, settings: Settings, pack: bool) -> None:
    """The helper's life: get ready, check what it is sent, send each result back."""
    try:
        pool.start_worker(_start_worker, (settings, False, True, pack))
        prepare()
        for job in connection.recv():
            connection.send(_work(job))
    except BaseException:  # noqa: BLE001, S110 - the main process checks what is not sent back
        pass
    finally:
        connection.close()


def process_all(
    sources: list[Source],
    settings: Settings,
    jobs: int = 1,
    cache: Cache | None = None,
    keep_models: bool = False,
    progress: Callable[[int], None] | None = None,
    helper: Helper | None = None,
    lookup: bool = True,
    undecoded: list[CacheHit] | None = None,
    pack_plans: int = 0,
) -> list[FileResult]:
    """Every file's result, in the order of ``sources``; cached ones are not recomputed
    (``lookup=False``: the caller knows they are not cached). With ``undecoded``, the
    cache's hits are not decoded but put there, and only the other files' results
    returned (``revplan diff`` reads only the files that differ between its sides).
    ``pack_plans``: the account plans checked (not those from the cache) come with
    their model packed (``FileResult.packed``), up to this many bytes of them in all,
    so that their documents need not read them again.

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
    cached = {hit.position for hit in hits}
    todo = [(i, source) for i, source in enumerate(sources) if i not in cached]
    if todo and settings.custom:
        custom_programs(settings)  # here, before the workers fork: compiled once, not per worker
    with ExitStack() as stack:
        if helper is not None:
            stack.callback(helper.close)
        done: Iterable[tuple[int, FileResult, Stored | None]]
        if helper is not None and todo and not pool.in_workers(jobs, len(todo), PARALLEL_THRESHOLD):
            done = helper.work(todo)  # sent now: checked while the cache is decoded
        else:
            done = stack.enter_context(
                pool.mapped(
                    _work,
                    todo,
                    jobs,
                    threshold=PARALLEL_THRESHOLD,
                    chunk=CHUNK,
                    setup=_start_worker,
                    args=(settings, keep_models, caching, pack_plans > 0),
                )
            )
        stack.enter_context(_long_lived())
        damaged = []
        if hits and cache is not None and undecoded is not None:
            cache.refresh(hits)
            undecoded += hits
        elif hits and cache is not None:
            for hit, result in zip(hits, cache.decode_all(hits, read), strict=True):
                if result is None:
                    damaged.append((hit.position, sources[hit.position]))
                results[hit.position] = result
            if progress:
                progress(len(hits) - len(damaged))
        room = [pack_plans]
        _collect(done, results, sources, cache, progress, room)
        if damaged:  # entries that would not decode: checked here, as if never cached
            _start_worker(settings, keep_models, caching, pack_plans > 0)
            _collect(map(_work, damaged), results, sources, cache, progress, room)
    if caching and cache is not None:
        cache.save()
    return [r for r in results if r is not None]


def _collect(
    done: Iterable[tuple[int, FileResult, Stored | None]],
    results: list[FileResult | None],
    sources: list[Source],
    cache: Cache | None,
    progress: Callable[[int], None] | None,
    room: list[int],
) -> None:
    """Each result in its place, stored in the cache; ``room[0]``: the bytes of packed
    plans still to keep (past them, a plan's documents read it again: memory stays
    bounded however many plans there are)."""
    for index, result, cached in done:
        if result.packed is not None:
            room[0] -= len(result.packed)
            if room[0] < 0:
                result.packed = None
        results[index] = result
        if cache is not None and cached is not None:
            source = sources[index]
            cache.put(source.display, source.explicit, *cached)
        if progress:
            progress(1)


def check(
    results: list[FileResult],
    config: Config,
    settings: Settings,
    fail_on: str,
    cache: Cache | None = None,
    skipped: list[Skip] | None = None,
    reported: frozenset[str] | None = None,
    repository_key: bytes = b"repository",
) -> Report:
    """Repository-wide rules and waivers over the per-file results; the report is of
    the files ``reported`` (display paths; None: all), the others' results are read.
    ``repository_key``: where the cache keeps the repository-wide rules' findings."""
    findings = [f for r in results for f in r.findings]
    entries = waiver_entries(results, config)

    def repository() -> list[Finding]:
        return repository_pass(results, config, settings)

    if cache is not None:
        findings += cache.repository_findings(results, config.waivers, repository, repository_key)
    else:
        findings += repository()
    findings, expiring, all_waivers = apply_waivers(findings, entries, settings)
    findings.sort(key=Finding.sort_key)
    if reported is not None:
        findings = [f for f in findings if f.file in reported]
        results = [r for r in results if r.file in reported]
        expiring = [w for w in expiring if w.loc.file in reported]
    return Report(
        findings,
        results,
        settings.today,
        fail_on,
        expiring,
        all_waivers,
        custom_rules=settings.custom,
        skipped=skipped or [],
        portfolio=settings.portfolio,
    )


def run_check(
    paths: tuple[Path, ...],
    config: Config,
    today: date | None,
    fail_on: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    keep_models: bool = False,
    progress: ProgressFactory | None = None,
    pack_plans: int = 0,
) -> tuple[Report, list[FileResult]]:
    """Load, validate and check; the per-file results keep their models if asked, or
    the account plans checked (not cached) their packed models, up to ``pack_plans``
    bytes of them (see ``process_all``)."""
    run = _CheckRun(paths, config, today, jobs, cache_dir, keep_models, pack_plans)
    return run.full(fail_on or config.fail_on, progress)


def run_report_check(
    paths: tuple[Path, ...],
    config: Config,
    today: date | None,
    fail_on: str,
    jobs: int | None,
    cache_dir: Path,
    layout: Layout,
    progress: ProgressFactory | None = None,
) -> Outcome:
    """One report (text, JSON or SARIF, as ``layout`` lays it out), from the files'
    parts in the cache where they still hold (see ``engine.cache.parts``): only
    the changed files are checked again; otherwise from a full check, whose
    report's parts the cache keeps."""
    from engine.cache.parts import Outcome, ReportParts

    run = _CheckRun(paths, config, today, jobs, cache_dir, keep_models=False)
    assert run.cache is not None
    if run.reported is not None:  # the parts are of whole repositories' reports
        report, _ = run.full(fail_on, progress)
        return Outcome(layout.render(report), report.failed)
    parts = ReportParts(run.cache, config, layout, fail_on, run.skipped)
    changed = parts.changed(run.sources, run.settings.limits.max_file_bytes)
    if changed is not None:
        results = process_all(
            [run.sources[i] for i in changed],
            run.settings,
            run.jobs,
            run.cache,
            helper=run.take_helper(),
            lookup=False,
        )
        outcome = parts.report(changed, results)
        if outcome is not None:
            return outcome
    report, results = run.full(fail_on, progress)
    return parts.record(run.sources, results, report)


# How a caller shows progress: given the number of files, a context whose value is
# called with the number of files done since the last call.
ProgressFactory = Callable[[int], AbstractContextManager[Callable[[int], None]]]


def _open_cache(folder: Path | None, settings: Settings) -> Cache | None:
    """The cache in ``folder``, signed with the user's key; None without a folder or a key."""
    if folder is None:
        return None
    from engine.cache.location import secret_key

    key = secret_key()
    return Cache(folder, settings, key) if key is not None else None


class _CheckRun:
    """A check's files, settings and cache, and the helper started for it."""

    def __init__(
        self,
        paths: tuple[Path, ...],
        config: Config,
        today: date | None,
        jobs: int | None,
        cache_dir: Path | None,
        keep_models: bool,
        pack_plans: int = 0,
    ) -> None:
        self.config, self.keep_models, self.pack_plans = config, keep_models, pack_plans
        self.settings = settings_for(config, today or config.today or date.today())
        self.cache = _open_cache(cache_dir, self.settings)
        self.jobs = jobs or pool.default_jobs()
        # Before the files are even found: the helper's start-up is the longest wait
        # of a warm run with a file to check again.
        self.helper = (
            None
            if keep_models
            else start_helper(self.settings, self.jobs, self.cache, pack_plans > 0)
        )
        try:
            found = discover(list(paths), config)
            if not found.sources:
                raise UsageError(
                    "no YAML files found in " + ", ".join(map(str, paths or ("plans/",)))
                )
            self.sources, self.skipped = found.sources, found.skipped
            # Files named on the command line are reported on, but read with the
            # repository's plans: references into other files resolve, and the
            # rules that span files see them all (as a type checker reads a project).
            self.reported: frozenset[str] | None = None
            if paths:
                self.sources, self.reported = _with_repository(self.sources, config)
        except BaseException:
            if self.helper is not None:
                self.helper.close()
            raise

    def take_helper(self) -> Helper | None:
        """The helper, for one use (it is closed after it)."""
        helper, self.helper = self.helper, None
        return helper

    def full(
        self, fail_on: str, progress: ProgressFactory | None = None
    ) -> tuple[Report, list[FileResult]]:
        """Every file's result (from the cache where it has them) and the report."""
        sources, settings = self.sources, self.settings
        check_files = functools.partial(
            process_all,
            sources,
            settings,
            self.jobs,
            self.cache,
            self.keep_models,
            helper=self.take_helper(),
            pack_plans=self.pack_plans,
        )
        if progress is not None:
            with progress(len(sources)) as update:
                results = check_files(update)
        else:
            results = check_files()
        report = check(
            results, self.config, settings, fail_on, self.cache, self.skipped, self.reported
        )
        return report, report.results


def _with_repository(
    named: list[Source], config: Config
) -> tuple[list[Source], frozenset[str] | None]:
    """The sources ``named`` and the repository's other plans (the config's plans,
    else plans/), in display order, and which are reported (None: all of them)."""
    try:
        repository = discover([], config).sources
    except UsageError:  # no plans: globs and no plans/ folder: the named files are all
        return named, None
    seen = {os.path.realpath(s.file) for s in named}
    others = [s for s in repository if os.path.realpath(s.file) not in seen]
    if not others:
        return named, None
    return sorted(named + others, key=lambda s: s.display), frozenset(s.display for s in named)
