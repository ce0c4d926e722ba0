"""Cache of per-file results, keyed by content hash, revplan's code and the settings.

For each set of settings, files under the cache folder: ``check-<salt>.cache``
holds a line per checked file (its display path, the stat signature it had,
the SHA-256 of its content, its result as JSON, a digest of what the
repository-wide rules read of it, and what ``revplan diff`` reads of every file:
``codec.Index``); ``check-<salt>.summaries`` and
``check-<salt>.metrics`` what only the repository-wide rules, and only the
JSON report and documents, read; ``check-<salt>.blobs`` the results of the
blobs of the last ``revplan diff``'s base side that the results (one per path,
the head's) lack; ``check-<salt>.repository`` the findings of
the repository-wide rules, with the digest of all their inputs (and the head
of each report kept in parts); ``check-<salt>.<format>`` each file's part of
that report (``engine.cache.parts``). A file whose
size, mtime, ctime and inode are unchanged is not read again; any other file
is read and hashed, and its entry is used only if the content hash matches.
An edit that leaves what the repository-wide rules read unchanged (the usual
edit: a date, a stance, a next step) reuses their findings without decoding
a summary.

The salt (revplan's version, the code of the engine and its schemas, the
settings) names the files and heads them. Every line is signed with the
user's secret key (``engine.cache.location``): a stale, truncated, damaged or
forged entry is ignored and recomputed, never trusted; so a cache folder that
someone else could write (a checkout, a restored CI cache) changes no verdict.
Where the folder is, and which folders are refused, is ``engine.cache.location``.
JSON, not pickle: a cache folder restored by CI must never be able to run
code; decoding builds only the result classes. Runs append what they learnt
in one write, and a file mostly made of outdated lines is rewritten
atomically, so a run that is killed leaves at worst half a line, skipped.
The files of other settings go when nobody has used them for a week.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from engine.cache.codec import (
    _CODECS,
    MAGIC,
    Encoded,
    _parse_all,
    decode_part,
    encode_part,
    salt_for,
)
from engine.findings import Finding
from engine.model.types import Waiver
from engine.pipeline.file import Deferred, FileResult, Settings, process_file

# A file modified this close to the moment its entry is written may change
# again within the same mtime tick: its stat signature is not trusted next time.
RACY_NS = 2_000_000_000


# Cache files of other settings (another day's "today", another config) go
# when nobody has used them for this long.
STALE_AFTER_S = 7 * 24 * 3600


_FIELDS_SEP = b"\t"


_NO_STAT = b"-"


def stat_signature(st: os.stat_result) -> bytes:
    return b"%d:%d:%d:%d" % (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def content_digest(raw: bytes) -> bytes:
    return hashlib.sha256(raw).hexdigest().encode()


def _unchanged(file: str, before: os.stat_result) -> bool:
    try:
        return stat_signature(os.stat(file)) == stat_signature(before)
    except OSError:
        return False


def read_with_stat(
    file: str, read: Callable[[], tuple[bytes | None, str | None]]
) -> tuple[bytes | None, str | None, os.stat_result | None]:
    """``read()``, and the file's stat if it did not change while being read."""
    try:
        before: os.stat_result | None = os.stat(file)
    except OSError:
        before = None
    raw, error = read()
    if before is None or not _unchanged(file, before):
        before = None
    return raw, error, before


class _Log:
    """An append-only file of signed lines, ``<mac> <key>\t<fields...>``.

    A run appends what it learnt in one write; a later line for a key replaces
    an earlier one. A line whose signature fails (a run killed mid-write, a
    damaged disk, a hand edit, a line written by anyone without the user's key)
    is skipped. When most lines are outdated, or the
    file is not one of ours, it is rewritten with the live entries, atomically.
    """

    def __init__(self, path: Path, header: bytes, fields: int, key: bytes) -> None:
        self.path, self.header, self.fields, self.key = path, header, fields, key
        self.entries: dict[bytes, list[bytes]] = {}
        self.new: dict[bytes, list[bytes]] = {}
        self.read_done = False
        self.lines = 0  # lines in the file, outdated and damaged ones included
        self.rewrite = False  # the file cannot be appended to

    def read(self) -> None:
        self.read_done = True
        try:
            # Never through a symlink: one to /dev/zero would never end.
            with open(os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:
                blob = handle.read()
        except FileNotFoundError:
            return
        except OSError:
            self.rewrite = True
            return
        if not blob.startswith(self.header):
            self.rewrite = True  # another format or damaged: not ours
            return
        entries = self.entries
        fields, key, blake2b = self.fields, self.key, hashlib.blake2b
        lines = blob[len(self.header) :].split(b"\n")
        self.lines = len(lines)
        for line in lines:
            payload = line[_MAC_HEX + 1 :]
            # As _line wrote it (comparing hex bytes, not parsing them).
            mac = blake2b(payload, key=key, digest_size=_MAC_BYTES).hexdigest().encode()
            if not hmac.compare_digest(mac, line[:_MAC_HEX]):
                continue
            parts = payload.split(_FIELDS_SEP, fields)
            if len(parts) == fields + 1:
                entries[parts[0]] = parts[1:]
        entries.update(self.new)  # what this run learnt before reading stands

    def read_entries(self) -> dict[bytes, list[bytes]]:
        """The entries, the file read first if it was not yet."""
        if not self.read_done:
            self.read()
        return self.entries

    def put(self, key: bytes, fields: list[bytes]) -> None:
        if self.entries.get(key) != fields:
            self.entries[key] = self.new[key] = fields

    def save(self, keep: Callable[[bytes], bool], compact: bool = False) -> bool:
        """Append the new lines, or rewrite the file when it is mostly outdated lines
        (or ``compact``). Returns whether it was rewritten."""
        if not self.read_done:
            compact = compact or not self._appendable()
        compact = compact or self.rewrite
        compact = compact or self.lines + len(self.new) > 2 * len(self.entries) + 1000
        if not self.new and not compact:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if compact or not self.path.is_file():
                live = sorted((k, v) for k, v in self.entries.items() if keep(k))
                import tempfile  # only here: a run that rewrites nothing need not load it

                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
                try:
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(self.header + b"".join(self._line(k, v) for k, v in live))
                    os.replace(tmp, self.path)
                except BaseException:
                    os.unlink(tmp)
                    raise
            else:
                body = b"".join(self._line(k, v) for k, v in sorted(self.new.items()))
                # Never through a symlink (it would write wherever it points).
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW)
                with os.fdopen(fd, "r+b") as handle:
                    # A run killed mid-write may have left half a line: start afresh after it.
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":
                        body = b"\n" + body
                    handle.write(body)  # one write: lines stay whole
        except OSError:
            return False  # a cache that cannot be written only costs time
        self.new = {}
        return compact

    def _appendable(self) -> bool:
        """Whether the file (not read this run) is ours, so lines can be added to it."""
        try:
            with open(os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:
                return handle.read(len(self.header)) == self.header
        except FileNotFoundError:
            return True
        except OSError:
            return False

    def _line(self, key: bytes, fields: list[bytes]) -> bytes:
        payload = _FIELDS_SEP.join([key, *fields])
        mac = hashlib.blake2b(payload, key=self.key, digest_size=_MAC_BYTES).hexdigest()
        return b"%s %s\n" % (mac.encode(), payload)


# Each line's signature: keyed BLAKE2b (a MAC by design, RFC 7693), 128 bits, in hex.
# Over a CRC32 it costs about 2.3 ms more per MB read (all 9 MB of a 1,000-plan cache:
# 24 ms against 3 ms; a warm run reads less than half of it).
_MAC_BYTES = 16
_MAC_HEX = 2 * _MAC_BYTES


class CacheHit(NamedTuple):
    """A file with a usable cache entry."""

    position: int  # in the list given to match_all
    display: str
    explicit: bool
    file: str  # the path to open
    key: bytes
    entry: list[bytes]
    st: os.stat_result | None  # a new stat signature to record for it, if any


class Cache:
    """Per-file results of earlier runs with the same settings; see the module docstring."""

    def __init__(self, folder: Path, settings: Settings, secret: bytes) -> None:
        self.folder, self.secret = folder, secret
        self.settings = settings
        self.salt = salt_for(settings)
        self.path = folder / f"check-{self.salt}.cache"
        # display path + explicit -> stat signature, content digest, result, repository
        # digest, index
        self._results = self.log("cache", 5)
        # ... -> content digest, summary / metrics: read only when asked for
        self._parts = {"summary": self.log("summaries", 2), "metrics": self.log("metrics", 2)}
        # "repository" -> digest of the repository-wide rules' inputs, their findings
        self._repository = self.log("repository", 2)
        # display path + blob -> as in _results: the results of the base side of the
        # last revplan diff, whose blobs the results (one a path, the head's) lack
        self._blobs = self.log("blobs", 5)
        self._blobs_used: set[bytes] = set()
        # display path -> repository digest, of each result of this run
        self._repository_digests: dict[str, bytes] = {}
        self._started_ns = time.time_ns()

    def log(self, suffix: str, fields: int) -> _Log:
        """A log file of these settings: ``check-<salt>.<suffix>``."""
        header = MAGIC + b" " + self.salt.encode() + b"\n"
        return _Log(self.folder / f"check-{self.salt}.{suffix}", header, fields, self.secret)

    @staticmethod
    def key(display: str, explicit: bool) -> bytes | None:
        key = display.encode("utf-8", "surrogateescape") + (b"\x01" if explicit else b"\x00")
        # The line format cannot hold these: such a file is simply not cached.
        return None if b"\t" in key or b"\n" in key else key

    @staticmethod
    def _entries(log: _Log) -> dict[bytes, list[bytes]]:
        return log.read_entries()

    def report_log(self, name: str, fields: int) -> _Log:
        """The log of each file's part of the ``name`` report (``engine.cache.parts``)."""
        return self.log(name, fields)

    def match_all(
        self, files: list[tuple[str, bool, str]], read: Callable[[int], bytes | None]
    ) -> list[CacheHit]:
        """The files, of (display path, explicit, path to open), that have a usable
        entry; ``read(i)`` reads the i-th file's bytes.

        A file with the stat signature recorded for it is not read; any other
        file with an entry is read and hashed, and its entry used if the content
        is the same (a CI checkout gives every file a new mtime).
        """
        entries = self._entries(self._results)
        hits: list[CacheHit] = []
        for i, (display, explicit, file) in enumerate(files):
            key = self.key(display, explicit)
            entry = entries.get(key) if key is not None else None
            if key is None or entry is None:
                continue
            try:
                st = os.stat(file)
            except OSError:
                continue
            if entry[0] == stat_signature(st):
                hits.append(CacheHit(i, display, explicit, file, key, entry, None))
                continue
            raw = read(i)
            if raw is not None and content_digest(raw) == entry[1]:
                # st: the signature to record
                hits.append(CacheHit(i, display, explicit, file, key, entry, st))
        return hits

    def match_contents(self, files: list[tuple[str, bytes]]) -> list[CacheHit]:
        """The files, of (display path, content), whose entry holds that content: for
        contents with no file to stat (a revision's blobs, read by revplan diff)."""
        entries = self._entries(self._results)
        hits: list[CacheHit] = []
        for i, (display, raw) in enumerate(files):
            key = self.key(display, False)
            entry = entries.get(key) if key is not None else None
            if key is not None and entry is not None and content_digest(raw) == entry[1]:
                hits.append(CacheHit(i, display, False, display, key, entry, None))
        return hits

    def match_blobs(self, files: list[tuple[str, str]]) -> list[CacheHit]:
        """The files, of (display path, git blob), whose result ``put_blob`` kept: a
        revision's blobs the results lack, found without reading them."""
        entries = self._entries(self._blobs)
        hits: list[CacheHit] = []
        for i, (display, blob) in enumerate(files):
            key = self._blob_key(display, blob)
            entry = entries.get(key) if key is not None else None
            if key is not None and entry is not None:
                hits.append(CacheHit(i, display, False, display, key, entry, None))
                self._blobs_used.add(key)
        return hits

    def put_blob(self, display: str, blob: str, digest: bytes, encoded: Encoded) -> None:
        """Keep the result of a revision's blob (``revplan diff``'s base side) until the
        next ``save_blobs`` that does not use it."""
        key = self._blob_key(display, blob)
        if key is not None:
            fields = [_NO_STAT, digest, encoded.result, encoded.repository, encoded.index_line]
            self._blobs.put(key, fields)
            self._blobs_used.add(key)

    def save_blobs(self) -> None:
        """Rewrite the blobs' results with those this run used: the next diff of the same
        sides needs them, and the file stays a diff's size."""
        unused = set(self._blobs.entries) != self._blobs_used
        self._blobs.save(self._blobs_used.__contains__, compact=unused)

    def _blob_key(self, display: str, blob: str) -> bytes | None:
        key = self.key(display, False)
        return None if key is None else key + blob.encode("ascii")

    def decode_all(
        self, hits: list[CacheHit], read: Callable[[int], bytes | None]
    ) -> list[FileResult | None]:
        """The results of ``match_all``'s hits, None where an entry turns out damaged;
        ``read`` as for ``match_all``. Parsed together: one JSON parse, not one per file."""
        results: list[FileResult | None] = []
        values = _parse_all([hit.entry[2] for hit in hits])
        for hit, value in zip(hits, values, strict=True):
            result = self._decode(hit, value, read)
            results.append(result)
            if result is not None:
                self.refresh([hit])
        return results

    def refresh(self, hits: list[CacheHit]) -> None:
        """Record the new stat signature of each hit whose content was the same with
        another stat (a fresh checkout), so that it is not read next time."""
        for hit in hits:
            if hit.st is not None and _unchanged(hit.file, hit.st):
                self._results.put(hit.key, [self.signature(hit.st), *hit.entry[1:]])

    def _decode(
        self, hit: CacheHit, value: Any, read: Callable[[int], bytes | None]
    ) -> FileResult | None:
        key, entry, display = hit.key, hit.entry, hit.display
        try:
            result: FileResult = _CODECS["result"][1](value, display)
        except Exception:  # noqa: BLE001 - a corrupt entry is recomputed, never trusted
            return None
        if result.file != display:
            return None
        digest = entry[1]

        def part(name: str) -> Deferred:
            def load() -> Any:
                stored = self._entries(self._parts[name]).get(key)
                if stored is not None and stored[0] == digest:
                    try:
                        return decode_part(name, stored[1], display)
                    except Exception:  # noqa: BLE001 - as for the result: work it out again
                        pass
                raw = read(hit.position)
                return getattr(process_file(raw, display, self.settings), name)

            return Deferred(load)

        # Decoded on first use: these fields resolve a Deferred when read.
        result.summary = part("summary")  # type: ignore[assignment]
        result.metrics = part("metrics")  # type: ignore[assignment]
        self._repository_digests[display] = entry[3]
        return result

    def put(
        self,
        display: str,
        explicit: bool,
        digest: bytes,
        encoded: Encoded,
        st: os.stat_result | None,
    ) -> None:
        """Record a result (``encode_result``); ``st`` is the stat the content had, if known."""
        key = self.key(display, explicit)
        if key is None:
            return
        signature = self.signature(st) if st is not None else _NO_STAT
        self._results.put(
            key, [signature, digest, encoded.result, encoded.repository, encoded.index_line]
        )
        # Unread: no need to read them to add to them.
        self._parts["summary"].put(key, [digest, encoded.summary])
        self._parts["metrics"].put(key, [digest, encoded.metrics])
        self._repository_digests[display] = encoded.repository

    def recorded(self, key: bytes) -> tuple[bytes, bytes, bytes] | None:
        """A file's stat signature, content digest and repository digest, as recorded."""
        entry = self._results.entries.get(key)  # what this run put: no need to read the file
        if entry is None:
            entry = self._entries(self._results).get(key)
        return None if entry is None else (entry[0], entry[1], entry[3])

    def remember(self, display: str, repository: bytes | None = None) -> None:
        """Note the repository digest of a result that this cache neither decoded nor
        put (revplan diff's base side: the head's results, or ones not stored): by
        default the one recorded for ``display``, whose result it must be."""
        if repository is None:
            key = self.key(display, False)
            recorded = self.recorded(key) if key is not None else None
            if recorded is None:
                return
            repository = recorded[2]
        self._repository_digests[display] = repository

    def repository_digest(self, display: str) -> bytes | None:
        """The repository digest of a result this run decoded or put, if any."""
        return self._repository_digests.get(display)

    def repository_entry(self, key: bytes) -> list[bytes] | None:
        """A repository-wide entry other than the rules' findings (a report's head):
        the fields ``put_repository_entry`` stored, or None."""
        entry = self._entries(self._repository).get(key) if key != b"repository" else None
        return None if entry is None else [entry[0], *entry[1].split(_FIELDS_SEP)]

    def put_repository_entry(self, key: bytes, fields: list[bytes]) -> None:
        """Store an entry of fields without tabs or newlines, rewriting the (small) file."""
        self._entries(self._repository)  # read first: the file is rewritten with every entry
        self._repository.put(key, [fields[0], _FIELDS_SEP.join(fields[1:])])
        self._repository.save(lambda key: True, compact=True)

    def repository_findings(
        self,
        results: list[FileResult],
        config_waivers: tuple[Waiver, ...],
        compute: Callable[[], list[Finding]],
        name: bytes = b"repository",
    ) -> list[Finding]:
        """The repository-wide rules' findings: ``compute()``, unless their inputs (each
        file's summary and waivers, the config's waivers) are those of the last run
        (kept under ``name``: revplan diff keeps its base side's apart)."""
        digests = [(r.file, self._repository_digests.get(r.file)) for r in results if r.kind]
        return self.repository_findings_of(digests, config_waivers, compute, name)

    def repository_findings_of(
        self,
        digests: list[tuple[str, bytes | None]],
        config_waivers: tuple[Waiver, ...],
        compute: Callable[[], list[Finding]],
        name: bytes = b"repository",
        also: bytes | None = None,
    ) -> list[Finding]:
        """``repository_findings`` from the repository digest of each plan's file (None:
        not known, so no shortcut); the findings kept under ``also`` serve too when
        their inputs are these (revplan diff's base side, where only a stance changed)."""
        h = hashlib.sha256(encode_part("waivers", config_waivers, ""))
        for file, known in digests:
            if known is None:  # a result this cache did not see: no shortcut
                return compute()
            h.update(b"%s\t%s\n" % (file.encode("utf-8", "surrogateescape"), known))
        inputs = h.hexdigest().encode()
        entries = self._entries(self._repository)
        for stored in (entries.get(name), entries.get(also) if also else None):
            if stored is not None and stored[0] == inputs:
                try:
                    findings: list[Finding] = decode_part("findings", stored[1], "")
                    return findings
                except Exception:  # noqa: BLE001 - recomputed, never trusted
                    pass
        findings = compute()
        self._repository.put(name, [inputs, encode_part("findings", findings, "")])
        self._repository.save(lambda key: True, compact=True)  # one line, rewritten
        return findings

    def signature(self, st: os.stat_result) -> bytes:
        """Skip reading this file next time while its stat signature holds, unless it was
        modified so recently that a change within the same mtime tick could go unseen."""
        return stat_signature(st) if st.st_mtime_ns < self._started_ns - RACY_NS else _NO_STAT

    def save(self) -> None:
        """Write what this run learnt; a cache that cannot be written only costs time."""
        compacted = self._results.save(self._still_there)
        for log in self._parts.values():
            if compacted and not log.read_done:
                log.read()  # compact them together: the parts follow the results
            log.save(lambda key: key in self._results.entries, compact=compacted)
        self._remove_stale()

    @staticmethod
    def _still_there(key: bytes) -> bool:
        """Entries of files that are gone are dropped (when the file is rewritten)."""
        return os.path.exists(key[:-1].decode("utf-8", "surrogateescape"))

    def _remove_stale(self) -> None:
        """Every file of other settings (``check-<salt>.*``) unused for a week goes."""
        cutoff = time.time() - STALE_AFTER_S
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if (
                        entry.name.startswith("check-")
                        and not entry.name.startswith(f"check-{self.salt}.")
                        and entry.stat().st_mtime < cutoff
                    ):
                        os.unlink(entry.path)
        except OSError:
            pass
