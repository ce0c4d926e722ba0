"""The two sides of ``revplan diff``, checked for little more than the plans that changed.

The work tree is checked as ``revplan check`` checks it (its cache, its
workers), except that a result the cache holds is not decoded until the diff
asks for it: of a file that is the same on both sides, it asks only for what
``codec.Index`` keeps beside the result (``engine.review.findings`` says when
it needs more). A revision is checked from its blobs: a file whose path and
blob are the same as the other side's, under the same settings, is the other
side's file, not checked again; any other blob is looked up in the check's
cache by its content, and only the rest are checked, in the check's worker
processes. Models (with the places of their fields, to point at what changed)
are built only of the plans whose bytes differ between the sides.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from engine.cache.codec import Encoded, Index, decode_indexes, encode_result
from engine.cache.store import Cache, CacheHit, content_digest
from engine.config import Config
from engine.errors import UsageError
from engine.findings import Finding
from engine.model.types import AccountPlan, OKRSet
from engine.pipeline import pool
from engine.pipeline.file import FileResult, Settings, model_of, process_file
from engine.pipeline.repository import repository_pass
from engine.pipeline.settings import settings_for
from engine.review.git import Entry, Repository
from engine.review.revision import display
from engine.session import CHUNK, PARALLEL_THRESHOLD, process_all, start_helper
from engine.sources import Source, discover, read_source

Plan = AccountPlan | OKRSet

# Where the cache keeps each side's repository-wide findings: the head's where
# ``revplan check`` keeps them, the base's apart.
HEAD_KEY, BASE_KEY = b"repository", b"diff-base"


@dataclass(eq=False)
class File:
    """One file of a side: what the diff reads of every file, and its result, decoded
    from the cache only when asked for. A file the same on both sides (path, blob,
    settings) is one ``File``, shared."""

    name: str  # the display path
    blob: str | None  # its blob, where known without reading it
    index: Index
    repository: bytes | None  # the cache's repository digest (None: not known)
    result: FileResult | None  # None: not decoded yet
    hit: CacheHit | None = None  # where it is decoded from
    read: Callable[[], bytes | None] = lambda: None  # its bytes, if it must be checked again


def _known(name: str, blob: str | None, result: FileResult, cache: Cache | None) -> File:
    """A file whose result is at hand (checked, or decoded)."""
    digest = cache.repository_digest(name) if cache is not None else None
    return File(name, blob, Index.of(result), digest, result)


def _cached(
    name: str,
    blob: str | None,
    hit: CacheHit,
    index: Index | None,
    cache: Cache,
    read: Callable[[], bytes | None],
) -> File:
    """A file the cache holds, left undecoded (decoded at once if its index is damaged)."""
    file = File(name, blob, index or Index(None, "", False, False), hit.entry[3], None, hit, read)
    if index is None:  # a damaged index: recomputed, never trusted
        return _known(name, blob, decode([file], cache, cache.settings)[0], cache)
    return file


def decode(files: list[File], cache: Cache | None, settings: Settings) -> list[FileResult]:
    """The files' results: decoded together where not yet (one JSON parse), and
    checked again where an entry turns out damaged."""
    todo = [f for f in files if f.result is None and f.hit is not None]
    if todo and cache is not None:
        # Numbered afresh: the files may come from both sides' lists.
        hits = [f.hit._replace(position=i) for i, f in enumerate(todo) if f.hit is not None]
        for file, result in zip(
            todo, cache.decode_all(hits, lambda i: todo[i].read()), strict=True
        ):
            file.result = result
    for f in files:
        if f.result is None:
            f.result = process_file(f.read(), f.name, settings)
    return [f.result for f in files if f.result is not None]


@dataclass
class Checked:
    """One side, checked: its files in the order ``check`` reports them, and how to
    read each file's bytes again."""

    settings: Settings
    config: Config
    fail_on: str
    files: list[File]
    cache: Cache | None
    key: bytes  # where the cache keeps this side's repository-wide findings
    read: Callable[[list[str]], Iterable[bytes | None]]  # display paths -> their bytes

    @property
    def blobs(self) -> dict[str, str]:
        """Display path -> blob, where known without reading the file."""
        return {f.name: f.blob for f in self.files if f.blob is not None}

    def results(self, files: list[File]) -> list[FileResult]:
        return decode(files, self.cache, self.settings)

    def repository_findings(self) -> list[Finding]:
        """The findings of the rules that span files, from the cache when their inputs
        are the same as when it kept them (then no file is decoded for them)."""

        def compute() -> list[Finding]:
            return repository_pass(self.results(self.files), self.config, self.settings)

        if self.cache is None:
            return compute()
        digests = [(f.name, f.repository) for f in self.files if f.index.kind]
        also = HEAD_KEY if self.key != HEAD_KEY else None
        return self.cache.repository_findings_of(
            digests, self.config.waivers, compute, self.key, also
        )

    def models(self, files: list[str]) -> dict[str, Plan]:
        """The plans of ``files`` (display paths), with the places of their fields."""
        valid = {f.name: f.index.valid for f in self.files}
        models = {}
        for file, raw in zip(files, self.read(files), strict=True):
            model = None
            if raw is not None:
                model = model_of(raw, file, self.settings.limits, valid.get(file, False), True)
            if model is not None:
                models[file] = model
        return models


class Checker:
    """Checks the sides of one diff, sharing the files the same on both, and one cache
    for each settings."""

    def __init__(self, repo: Repository, cache_dir: Path | None, jobs: int | None) -> None:
        self.repo, self.cache_dir = repo, cache_dir
        self.jobs = jobs or pool.default_jobs()
        self._caches: dict[Settings, Cache | None] = {}

    def work_tree(self, config: Config, today: date, fail_on: str | None) -> Checked:
        """The work tree, as ``revplan check`` with no paths checks it."""
        settings = settings_for(config, today)
        cache = self._cache(settings)
        helper = start_helper(settings, self.jobs, cache)
        try:
            sources = discover([], config).sources
        except UsageError:  # no plan files: a side with none
            sources = []
        except BaseException:
            if helper is not None:
                helper.close()
            raise
        limit = settings.limits.max_file_bytes
        hits: list[CacheHit] = []
        results = iter(
            process_all(sources, settings, self.jobs, cache, helper=helper, undecoded=hits)
        )
        blobs = {
            display(self.repo, path): blob for path, blob in self.repo.work_tree_blobs().items()
        }
        indexes = decode_indexes([hit.entry[4] for hit in hits])
        by_position = {hit.position: (hit, index) for hit, index in zip(hits, indexes, strict=True)}
        files = []
        for i, source in enumerate(sources):
            name, blob = source.display, blobs.get(source.display)
            if i in by_position and cache is not None:
                reading = functools.partial(_bytes_of, source, limit)
                files.append(_cached(name, blob, *by_position[i], cache, reading))
            else:
                files.append(_known(name, blob, next(results), cache))

        def read(names: list[str]) -> Iterable[bytes | None]:
            for name in names:
                try:
                    yield Path(name).read_bytes()
                except OSError:
                    yield None

        return Checked(settings, config, fail_on or config.fail_on, files, cache, HEAD_KEY, read)

    def revision(
        self,
        entries: list[Entry],
        config: Config,
        today: date,
        fail_on: str | None,
        other: Checked | None = None,
    ) -> Checked:
        """A revision's files (``entries``, its plan files) from their blobs; a file the
        same as on ``other`` (path, blob, settings) is ``other``'s. The head side (no
        ``other``) records what it checks in the cache; the base side only reads it,
        so the cache stays the head's, as the next ``check`` wants it."""
        settings = settings_for(config, today)
        limit = settings.limits.max_file_bytes
        shown = [display(self.repo, e.path) for e in entries]
        blobs = dict(zip(shown, (e.blob for e in entries), strict=True))
        reuse: dict[str, File] = {}
        if other is not None and other.settings == settings:
            known = {f.name: f for f in other.files}
            reuse = {f: known[f] for f in shown if f in known and known[f].blob == blobs[f]}
        todo = [f for f in shown if f not in reuse]
        cache = self._cache(settings)
        kept: dict[str, File] = {}
        if cache is not None and other is not None:  # the base side: its blobs' results
            hits = cache.match_blobs([(f, blobs[f]) for f in todo])
            for hit, index in zip(hits, decode_indexes([h.entry[4] for h in hits]), strict=True):
                name = hit.display
                reading = functools.partial(self._blob, blobs[name], limit)
                kept[name] = _cached(name, blobs[name], hit, index, cache, reading)
            todo = [f for f in todo if f not in kept]
        # One byte past the limit, as a file is read: the loader reports the excess.
        raws = [raw[: limit + 1] for raw in self.repo.read_all([blobs[f] for f in todo])]
        found = self._files(todo, raws, blobs, settings, cache, other is None)
        if cache is not None and other is not None:
            cache.save_blobs()
        files = [reuse.get(f) or kept.get(f) or found[f] for f in shown]

        def read(names: list[str]) -> Iterable[bytes | None]:
            return self.repo.read_all([blobs[f] for f in names])

        key = HEAD_KEY if other is None else BASE_KEY
        return Checked(settings, config, fail_on or config.fail_on, files, cache, key, read)

    def _blob(self, blob: str, limit: int) -> bytes:
        return self.repo.read(blob)[: limit + 1]

    def _cache(self, settings: Settings) -> Cache | None:
        if settings not in self._caches:
            cache = None
            if self.cache_dir is not None:
                from engine.cache.location import secret_key

                key = secret_key()
                cache = Cache(self.cache_dir, settings, key) if key is not None else None
            self._caches[settings] = cache
        return self._caches[settings]

    def _files(
        self,
        names: list[str],
        raws: list[bytes],
        blobs: dict[str, str],
        settings: Settings,
        cache: Cache | None,
        store: bool,
    ) -> dict[str, File]:
        """Each blob's file: from ``cache`` where it holds the same content, else
        checked (in workers when there are enough), and then recorded if ``store``."""
        files: dict[str, File] = {}
        if cache is not None:
            hits = cache.match_contents(list(zip(names, raws, strict=True)))
            indexes = decode_indexes([hit.entry[4] for hit in hits])
            for hit, index in zip(hits, indexes, strict=True):
                reading = functools.partial(_same, raws[hit.position])
                name = hit.display
                files[name] = _cached(name, blobs[name], hit, index, cache, reading)
        todo = [
            (i, name, raws[i], cache is not None)
            for i, name in enumerate(names)
            if name not in files
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
                name = names[i]
                digest = None
                if cache is not None and stored is not None:
                    if store:
                        cache.put(name, False, stored[0], stored[1], None)
                    else:  # the base side: found by its blob next time
                        cache.put_blob(name, blobs[name], stored[0], stored[1])
                    digest = stored[1].repository
                files[name] = File(name, blobs[name], Index.of(result), digest, result)
        if cache is not None and store:
            cache.save()
        return files


def _bytes_of(source: Source, limit: int) -> bytes | None:
    return read_source(source, limit)[0]


def _same(raw: bytes) -> bytes:
    return raw


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
