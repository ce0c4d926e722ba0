"""The two sides of ``revplan diff``, checked for little more than the plans that changed.

The work tree is checked exactly as ``revplan check`` checks it (its cache, its
workers). A revision is checked from its blobs: a file whose path and blob are
the same as the other side's, under the same settings, has the same result
and is not checked again; any other blob is looked up in the check's cache by
its content, and only the rest are checked, in the check's worker processes.
Models (with the places of their fields, to point at what changed) are built
only of the plans whose bytes differ between the sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from engine.cache.codec import Encoded, encode_result
from engine.cache.store import Cache, CacheHit, content_digest
from engine.config import Config
from engine.errors import UsageError
from engine.model.types import AccountPlan, OKRSet
from engine.pipeline import pool
from engine.pipeline.file import FileResult, Settings, model_of, process_file
from engine.pipeline.settings import settings_for
from engine.report import Report
from engine.review.git import Entry, Repository
from engine.review.revision import display
from engine.session import CHUNK, PARALLEL_THRESHOLD, check, run_check

Plan = AccountPlan | OKRSet


@dataclass
class Checked:
    """One side, checked: its report, and how to read each file's bytes again."""

    settings: Settings
    report: Report
    blobs: dict[str, str]  # display path -> blob, where known without reading the file
    read: Callable[[list[str]], Iterable[bytes | None]]  # display paths -> their bytes

    def models(self, files: list[str]) -> dict[str, Plan]:
        """The plans of ``files`` (display paths), with the places of their fields."""
        valid = {r.file: r.valid for r in self.report.results}
        models = {}
        for file, raw in zip(files, self.read(files), strict=True):
            model = None
            if raw is not None:
                model = model_of(raw, file, self.settings.limits, valid.get(file, False), True)
            if model is not None:
                models[file] = model
        return models


class Checker:
    """Checks the sides of one diff, sharing the results of files the same on both."""

    def __init__(self, repo: Repository, cache_dir: Path | None, jobs: int | None) -> None:
        self.repo, self.cache_dir = repo, cache_dir
        self.jobs = jobs or pool.default_jobs()

    def work_tree(self, config: Config, today: date, fail_on: str | None) -> Checked:
        """The work tree, as ``revplan check`` with no paths checks it."""
        settings = settings_for(config, today)
        try:
            report, _ = run_check((), config, today, fail_on, self.jobs, self.cache_dir)
        except UsageError:  # no plan files: a side with none
            report = check([], config, settings, fail_on or config.fail_on)
        blobs = {
            display(self.repo, path): blob for path, blob in self.repo.work_tree_blobs().items()
        }

        def read(files: list[str]) -> Iterable[bytes | None]:
            for file in files:
                try:
                    yield Path(file).read_bytes()
                except OSError:
                    yield None

        return Checked(settings, report, blobs, read)

    def revision(
        self,
        entries: list[Entry],
        config: Config,
        today: date,
        fail_on: str | None,
        other: Checked | None = None,
    ) -> Checked:
        """A revision's files (``entries``, its plan files) from their blobs; a file the
        same as on ``other`` (path, blob, settings) reuses its result there. The head
        side (no ``other``) records what it checks in the cache; the base side only
        reads it, so the cache stays the head's, as the next ``check`` wants it."""
        settings = settings_for(config, today)
        limit = settings.limits.max_file_bytes
        shown = [display(self.repo, e.path) for e in entries]
        blobs = dict(zip(shown, (e.blob for e in entries), strict=True))
        reuse: dict[str, FileResult] = {}
        if other is not None and other.settings == settings:
            known = {r.file: r for r in other.report.results}
            reuse = {f: known[f] for f in shown if other.blobs.get(f) == blobs[f] and f in known}
        todo = [i for i, f in enumerate(shown) if f not in reuse]
        # One byte past the limit, as a file is read: the loader reports the excess.
        raws = [raw[: limit + 1] for raw in self.repo.read_all([entries[i].blob for i in todo])]
        cache = self._cache(settings)
        computed = self._results([shown[i] for i in todo], raws, settings, cache, other is None)
        found = dict(zip((shown[i] for i in todo), computed, strict=True))
        results = [reuse.get(f) or found[f] for f in shown]
        if cache is not None:
            for file in reuse:  # the head's results: their digests as the head recorded them
                cache.remember(file)
        # The base side's repository-wide findings are kept apart from the head's.
        key = b"repository" if other is None else b"diff-base"
        report = check(results, config, settings, fail_on or config.fail_on, cache, None, None, key)

        def read(files: list[str]) -> Iterable[bytes | None]:
            return self.repo.read_all([blobs[f] for f in files])

        return Checked(settings, report, blobs, read)

    def _cache(self, settings: Settings) -> Cache | None:
        if self.cache_dir is None:
            return None
        from engine.cache.location import secret_key

        key = secret_key()
        return Cache(self.cache_dir, settings, key) if key is not None else None

    def _results(
        self,
        files: list[str],
        raws: list[bytes],
        settings: Settings,
        cache: Cache | None,
        store: bool,
    ) -> list[FileResult]:
        """Each file's result: from ``cache`` where it holds the same content, else
        checked (in workers when there are enough), and then recorded if ``store``."""
        results: list[FileResult | None] = [None] * len(files)
        hits: list[CacheHit] = []
        if cache is not None:
            hits = cache.match_contents(list(zip(files, raws, strict=True)))
            for hit, result in zip(hits, cache.decode_all(hits, raws.__getitem__), strict=True):
                results[hit.position] = result
        todo = [
            (i, files[i], raws[i], cache is not None) for i, r in enumerate(results) if r is None
        ]
        with pool.mapped(
            _check,
            todo,
            self.jobs,
            threshold=PARALLEL_THRESHOLD,
            chunk=CHUNK,
            setup=_setup,
            args=(settings,),
        ) as done:
            for i, result, stored in done:
                results[i] = result
                if cache is not None and stored is not None:
                    if store:
                        cache.put(files[i], False, stored[0], stored[1], None)
                    else:  # for the repository-wide findings: not stored, still known
                        cache.remember(files[i], stored[1].repository)
        if cache is not None and store:
            cache.save()
        return [r for r in results if r is not None]


# What a worker checks with, set once per worker process.
_worker: dict[str, Any] = {}


def _setup(settings: Settings) -> None:
    _worker["settings"] = settings


def _check(
    job: tuple[int, str, bytes, bool],
) -> tuple[int, FileResult, tuple[bytes, Encoded] | None]:
    """Check one blob's bytes where this runs; encoded for the cache when asked."""
    index, file, raw, encode = job
    result = process_file(raw, file, _worker["settings"])
    return index, result, (content_digest(raw), encode_result(result)) if encode else None
