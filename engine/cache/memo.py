"""The last text report, kept file by file, so that a warm run redoes only what changed.

A run that prints the text report with the cache on stores, under the cache
folder, each file's part of the report: its lines, their counts, the findings
there that the repository-wide rules or the waivers added, which waivers the
file's own findings used, and the file's content digest. A later run with the
same settings, output options and files reads those parts instead of every
file's result, and checks again only the files whose content changed, when

- no file was added, removed or renamed, and the config's waivers are the same;
- each changed file gives the repository-wide rules the same input as before
  (its summary and waivers: the cache's repository digest), has the same kind,
  id and validity, and its own findings use the same waivers.

Then every other file's part is what a full run would print: the repository-wide
findings and the waivers in force are the same, and no waiver went from used to
unused or back. Otherwise the run takes the full path and stores the memo
afresh. The usual edit (a date, a stance, a next step) keeps to the fast path;
one that moves an id or an alignment to another line does not.

Like the other cache files: checksummed lines, ignored when anything disagrees.
Each part carries the generation of the full run that stored the memo, so
parts of different full runs are never mixed.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Any

from engine.cache.codec import decode_part, encode_part, json_line
from engine.cache.store import Cache, content_digest, read_with_stat, stat_signature
from engine.config import Config
from engine.findings import Finding, fails, tally
from engine.pipeline.file import FileResult
from engine.pipeline.repository import waiver_entries
from engine.report import Report
from engine.reporters.text import TextReporter
from engine.rules.waivers import WaiverMatcher
from engine.sources import Source, read_source

# Beyond this many changed files the full path costs about as much.
MAX_CHANGED = 64


# A block's lines share one line of the memo, parted by this: a control
# character, which the text reporter never prints raw.
_LINE_BREAK = "\x1e"


_STATUSES = {b"checked", b"skipped"}


_KINDS = {b"AccountPlan", b"OKRs", b"-"}


@dataclass(frozen=True)
class TextOutcome:
    """The text report (UTF-8 bytes when assembled from the memo) and the verdict."""

    text: str | bytes
    failed: bool


class TextMemo:
    """The memo of the text report for one cache (settings) and one reporter."""

    def __init__(self, cache: Cache, config: Config, reporter: TextReporter, fail_on: str) -> None:
        self.cache, self.config, self.reporter, self.fail_on = cache, config, reporter, fail_on
        # key -> generation, stat signature, content digest, tally, meta, extras, block
        self._parts = cache.log("memo", 7)
        # b"head" -> inputs digest, generation, waivers, their plans, other files' blocks, notes
        self._head = cache.log("memo-head", 6)
        self._keys: list[bytes] = []
        self._displays: list[str] = []  # the sources' display paths, sorted
        self._kept: Callable[[bytes], bool] = bool
        self._head_fields: list[bytes] = []

    # --- the fast path ---------------------------------------------------------

    def changed(self, sources: list[Source], max_bytes: int) -> list[int] | None:
        """The indices of the sources whose content changed since the memo was stored,
        or None when the memo cannot serve this run (the full path must run)."""
        if not self._use_keys(sources):
            return None
        self._head.read()
        head = self._head.entries.get(b"head")
        if head is None or head[0] != self._inputs_digest():
            return None
        self._head_fields = head
        generation = head[1]
        self._parts.read()
        parts = self._parts.entries
        changed = []
        for i, key in enumerate(self._keys):
            part = parts.get(key)
            if part is None or part[0] != generation:
                return None
            try:
                st = os.stat(sources[i].file)
            except OSError:
                return None
            if part[1] == stat_signature(st):
                continue
            source = sources[i]
            raw, _, read_st = read_with_stat(
                source.file, lambda source=source: read_source(source, max_bytes)
            )
            if raw is not None and content_digest(raw) == part[2]:
                if read_st is not None:  # the same content with a new stat (a fresh checkout)
                    self._parts.put(key, [part[0], self.cache.signature(read_st), *part[2:]])
                continue
            changed.append(i)
            if len(changed) > MAX_CHANGED:
                return None
        return changed

    def report(self, changed: list[int], results: list[FileResult]) -> TextOutcome | None:
        """The report, from the memo and the ``results`` of the ``changed`` files; None
        when a change reaches beyond its file (the full path must run)."""
        head, parts = self._head_fields, self._parts.entries
        try:
            matcher = self._matcher(head)
            for i, result in zip(changed, results, strict=True):
                key = self._keys[i]
                part = parts[key]
                meta = json.loads(part[4])
                recorded = self.cache.recorded(key)
                if recorded is None or _meta(result, recorded[2]) != meta[:-1]:
                    return None
                own, used = matcher.waive(result.findings)
                if sorted(used) != meta[-1] or any(f.file != result.file for f in own):
                    return None
                extras = decode_part("findings", part[5], result.file)
                new = self._part(head[1], recorded[0], recorded[1], result, own, extras, meta)
                if new is None:
                    return None
                self._parts.put(key, new)
            outcome = self._assemble(head)
        except Exception:  # noqa: BLE001 - a damaged memo is recomputed, never trusted
            return None
        self._parts.save(self._kept)
        return outcome

    # --- storing a full run's report ---------------------------------------------

    def record(
        self, sources: list[Source], results: list[FileResult], report: Report
    ) -> TextOutcome:
        """Store the memo of a full run (when every file can be kept in it) and return
        the report: assembled from the parts stored, so both paths print the same."""
        fields = self._fields(results, report) if self._use_keys(sources) else None
        if fields is None:
            return TextOutcome(self.reporter.render(report), report.failed)
        head, parts = fields
        for key, part in parts.items():
            self._parts.put(key, part)
        self._head.put(b"head", head)
        # Rewritten, not appended to: a full run replaces every part.
        self._parts.save(self._kept, compact=True)
        self._head.save(lambda key: True, compact=True)
        return self._assemble(head)

    def _fields(
        self, results: list[FileResult], report: Report
    ) -> tuple[list[bytes], dict[bytes, list[bytes]]] | None:
        if len(results) != len(self._keys):
            return None
        entries = waiver_entries(results, self.config)
        matcher = WaiverMatcher(entries, report.today)
        by_file = {
            file: list(group) for file, group in groupby(report.findings, attrgetter("file"))
        }
        staged: list[tuple[bytes, FileResult, list[Finding], list[Finding], list[Any]]] = []
        for key, result in zip(self._keys, results, strict=True):
            recorded = self.cache.recorded(key)
            if recorded is None:  # a file the cache could not keep (unreadable)
                return None
            own, used = matcher.waive(result.findings)
            extras = _without(by_file.pop(result.file, []), own)
            if extras is None or any(f.file != result.file for f in own):
                return None
            staged.append((key, result, own, extras, [*_meta(result, recorded[2]), sorted(used)]))
        others = [
            [file, tally(findings), self.reporter.block(findings, self.fail_on)]
            for file, findings in sorted(by_file.items())
        ]
        if any(_LINE_BREAK in block for _, _, block in others):
            return None
        plans = [[plan, checked] for _, plan, checked in entries]
        head = [
            self._inputs_digest(),
            b"",
            encode_part("waivers", tuple(w for w, _, _ in entries), ""),
            json_line(plans),
            json_line(others),
            json_line(self.reporter.expiry_notes(report.expiring, report.today)),
        ]
        if not all(_utf8_bytes(field) for field in head):
            return None  # a path that is not UTF-8: left to the full path
        parts = {}
        for key, result, own, extras, meta in staged:
            recorded = self.cache.recorded(key)
            assert recorded is not None
            part = self._part(b"", recorded[0], recorded[1], result, own, extras, meta)
            if part is None:
                return None
            parts[key] = part
        generation = hashlib.sha256()
        for field in head[2:]:
            generation.update(field + b"\n")
        for key in self._keys:
            generation.update(b"\t".join([key, *parts[key][2:]]) + b"\n")
        head[1] = generation.hexdigest()[:32].encode()
        for part in parts.values():
            part[0] = head[1]
        return head, parts

    # --- shared -----------------------------------------------------------------------

    def _use_keys(self, sources: list[Source]) -> bool:
        """Key the parts by the sources' cache keys; False if one cannot be a key."""
        keys = [self.cache.key(s.display, s.explicit) for s in sources]
        self._keys = [key for key in keys if key is not None]
        self._displays = [s.display for s in sources]
        self._kept = set(self._keys).__contains__
        return len(self._keys) == len(keys)

    def _inputs_digest(self) -> bytes:
        """What decides whether the memo can serve at all: the output options, the
        config's waivers and the files, in order."""
        h = hashlib.sha256(json_line([self.reporter.color, self.reporter.quiet, self.fail_on]))
        h.update(encode_part("waivers", self.config.waivers, ""))
        for key in self._keys:
            h.update(key + b"\n")
        return h.hexdigest()[:32].encode()

    def _matcher(self, head: list[bytes]) -> WaiverMatcher:
        waivers = decode_part("waivers", head[2], "")
        plans = json.loads(head[3])
        entries = [(w, plan, checked) for w, (plan, checked) in zip(waivers, plans, strict=True)]
        return WaiverMatcher(entries, self.cache.settings.today)

    def _part(
        self,
        generation: bytes,
        signature: bytes,
        digest: bytes,
        result: FileResult,
        own: list[Finding],
        extras: list[Finding],
        meta: list[Any],
    ) -> list[bytes] | None:
        findings = sorted(own + extras, key=Finding.sort_key)
        block = self.reporter.block(findings, self.fail_on)
        if _LINE_BREAK in block or not block.isascii() and not _utf8(block):
            return None
        tally_line = " ".join(map(str, [result.status, result.kind or "-", *tally(findings)]))
        return [
            generation,
            signature,
            digest,
            tally_line.encode(),
            json_line(meta),
            encode_part("findings", extras, result.file),
            block.replace("\n", _LINE_BREAK).encode(),
        ]

    def _assemble(self, head: list[bytes]) -> TextOutcome:
        """The report from the parts, without decoding them one by one."""
        parts = [self._parts.entries[key] for key in self._keys]
        tallies = b" ".join(part[3] for part in parts).split(b" ")
        statuses, kinds = tallies[0::6], tallies[1::6]
        if (
            len(tallies) != 6 * len(parts)
            or not set(statuses) <= _STATUSES
            or not set(kinds) <= _KINDS
        ):
            raise ValueError("memo: a damaged tally")
        counts = [sum(map(int, tallies[n::6])) for n in range(2, 6)]
        blocks = [part[6] for part in parts]
        # The parts are in the files' order, the report's; other files' blocks go between.
        for file, other_counts, text in reversed(json.loads(head[4])):
            counts = [a + b for a, b in zip(counts, other_counts, strict=True)]
            at = bisect.bisect_right(self._displays, file)
            blocks.insert(at, text.replace("\n", _LINE_BREAK).encode())
        # Bytes to the end: the lines are never decoded, only joined.
        body = b"\n\n".join(block for block in blocks if block).replace(_LINE_BREAK.encode(), b"\n")
        checked = [k for status, k in zip(statuses, kinds, strict=True) if status == b"checked"]
        summary = {
            "files": len(checked),
            "plans": checked.count(b"AccountPlan"),
            "okrs": checked.count(b"OKRs"),
            "errors": counts[0],
            "warnings": counts[1],
            "infos": counts[2],
            "waived": counts[3],
        }
        failed = fails(counts, self.fail_on)
        notes = json.loads(head[5])
        ending = self.reporter.ending(bool(body), summary, failed, self.fail_on, notes)
        return TextOutcome((body + b"\n" if body else b"") + ending.encode(), failed)


def _utf8(text: str) -> bool:
    """Whether ``text`` is UTF-8 as it is (a path may hold undecodable bytes, kept
    as surrogates: its report is left to the full path)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _utf8_bytes(blob: bytes) -> bool:
    try:
        blob.decode()
    except UnicodeDecodeError:
        return False
    return True


def _meta(result: FileResult, repository: bytes) -> list[Any]:
    """What of a file the other files' parts depend on (with the waivers it uses)."""
    return [result.status, result.kind, result.plan_id, result.valid, repository.decode()]


def _without(findings: list[Finding], own: Iterable[Finding]) -> list[Finding] | None:
    """``findings`` less ``own`` (each once), or None if one of ``own`` is missing."""
    left = Counter(own)
    extras = []
    for finding in findings:
        if left[finding] > 0:
            left[finding] -= 1
        else:
            extras.append(finding)
    return None if +left else extras
