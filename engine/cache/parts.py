"""Each file's part of a report, kept in the cache, so that a warm run redoes only what changed.

A run that prints one report (text, JSON or SARIF) with the cache on stores,
in the cache file of that format (``check-<salt>.<format>``), each file's
part of the report: its block (its findings as the format prints them), their
counts, what else of the file the format shows (for JSON, its metrics), the
findings there that the repository-wide rules or the waivers added, and which
waivers its own findings used. Like every cache entry, a part is keyed by the
file and holds the digest of the content it was made from.

What a file's block depends on besides its content is the same for every file:
what the repository-wide rules and the waivers read of all of them (each file's
status, kind, id, validity, summary and waivers: the cache's repository digest),
the config's waivers and the output options, digested as the report's *inputs*,
and which waivers are used. The report's head (in ``check-<salt>.repository``,
beside the repository-wide findings) holds the inputs digest, the *context*
(the inputs digest and the waivers used, digested), the waivers, the findings
in files that are not checked (the config's waivers) and the notes; each part
holds the context it was made in. A warm run checks again, with the cache, only
the files whose content changed (``Cache.match_all``), and assembles the report
from the parts when

- the inputs digest, with the changed files' new digests, is the head's, and
  every other part was made in the head's context from the file's content;
- each changed file's own findings use the waivers they used before (so that no
  waiver went from used to unused or back) and lie in that file.

Then every other file's block is what a full run would print. Otherwise the run
takes the full path and stores every part afresh. The usual edit (a date, a
stance, a next step) keeps to the fast path; one that moves an id or an
alignment to another line does not. A part that is damaged or does not agree
is not used; the counts, the verdict, the notes and the metrics' segment totals
are worked out again from the parts on every run, never kept whole.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from engine.cache.codec import decode_part, encode_part, json_line
from engine.cache.layouts import Layout
from engine.cache.store import Cache, CacheHit
from engine.config import Config
from engine.findings import Finding, fails, tally
from engine.pipeline.file import FileResult
from engine.pipeline.repository import waiver_entries
from engine.report import Report
from engine.rules.waivers import WaiverMatcher
from engine.sources import Skip, Source, read_source, skip_counts

# Beyond this many changed files the full path costs about as much.
MAX_CHANGED = 64


# A block's lines share one field, parted by this: a control character, which
# no format prints raw.
_LINE_BREAK = "\x1e"


_STATUSES = {b"checked", b"skipped"}


_KINDS = {b"AccountPlan", b"OKRs", b"-"}


# A part's fields: content digest, context, waivers used, tally, extras, the
# layout's fields, block.
_DIGEST, _CONTEXT, _USED, _TALLY, _EXTRAS, _FIRST_OWN = range(6)


@dataclass(frozen=True)
class Outcome:
    """The report (UTF-8 bytes when assembled from parts) and the verdict."""

    text: str | bytes
    failed: bool


class ReportParts:
    """The parts of one format's report, for one cache (settings)."""

    def __init__(
        self,
        cache: Cache,
        config: Config,
        layout: Layout,
        fail_on: str,
        skipped: list[Skip] | None = None,
    ) -> None:
        self.cache, self.config, self.layout, self.fail_on = cache, config, layout, fail_on
        self.skipped = skipped or []  # found again on every run: never kept in the parts
        self._parts = cache.report_log(layout.name, 6 + layout.fields)
        self._head_key = b"report-" + layout.name.encode()
        self._keys: list[bytes] = []
        self._displays: list[str] = []
        self._head: list[bytes] = []
        self._kept: Callable[[bytes], bool] = bool
        self._hits: dict[int, CacheHit] = {}  # by the index of the source

    # --- the fast path ---------------------------------------------------------

    def changed(self, sources: list[Source], max_bytes: int) -> list[int] | None:
        """The indices of the sources whose content changed since the cache saw it,
        or None when the parts cannot serve this run (the full path must run)."""
        if not self._use_keys(sources):
            return None
        head = self.cache.repository_entry(self._head_key)
        if head is None or len(head) != 6:
            return None
        self._head = head

        def read(i: int) -> bytes | None:
            return read_source(sources[i], max_bytes)[0]

        hits = self.cache.match_all([(s.display, s.explicit, s.file) for s in sources], read)
        if len(sources) - len(hits) > MAX_CHANGED:
            return None
        parts = self._parts.read_entries()
        context = head[1]
        for hit in hits:
            part = parts.get(hit.key)
            if part is None or part[_CONTEXT] != context or part[_DIGEST] != hit.entry[1]:
                return None
        self.cache.refresh(hits)
        self._hits = {hit.position: hit for hit in hits}
        return [i for i in range(len(sources)) if i not in self._hits]

    def report(self, changed: list[int], results: list[FileResult]) -> Outcome | None:
        """The report, from the parts and the ``results`` of the ``changed`` files; None
        when a change reaches beyond its file (the full path must run)."""
        head, parts = self._head, self._parts.entries
        try:
            fresh = dict(zip(changed, results, strict=True))
            repository = []
            for i in range(len(self._keys)):
                hit: CacheHit | None = self._hits.get(i)
                if hit is not None:
                    repository.append(hit.entry[3])
                    continue
                digest = self.cache.repository_digest(fresh[i].file)
                if digest is None:  # a file the cache could not keep (unreadable)
                    return None
                repository.append(digest)
            if self._inputs_digest(repository) != head[0]:
                return None
            matcher = self._matcher(head)
            for i, result in fresh.items():
                key = self._keys[i]
                part = parts.get(key)
                recorded = self.cache.recorded(key)
                if part is None or part[_CONTEXT] != head[1] or recorded is None:
                    return None
                own, used = matcher.waive(result.findings)
                if _used(used) != part[_USED] or any(f.file != result.file for f in own):
                    return None
                extras = decode_part("findings", part[_EXTRAS], result.file)
                new = self._part(head[1], recorded[1], result, own, extras, part[_USED])
                if new is None:
                    return None
                self._parts.put(key, new)
            outcome = self._assemble(head)
        except Exception:  # noqa: BLE001 - a damaged part is recomputed, never trusted
            return None
        self._parts.save(self._kept)
        return outcome

    # --- storing a full run's report ---------------------------------------------

    def record(self, sources: list[Source], results: list[FileResult], report: Report) -> Outcome:
        """Store the parts of a full run (when every file can be kept in them) and
        return the report: assembled from the parts stored, so both paths print the same."""
        fields = self._fields(results, report) if self._use_keys(sources) else None
        if fields is None:
            return Outcome(self.layout.render(report), report.failed)
        head, parts = fields
        for key, part in parts.items():
            self._parts.put(key, part)
        self._head = head
        # Rewritten, not appended to: a full run replaces every part.
        self._parts.save(self._kept, compact=True)
        self.cache.put_repository_entry(self._head_key, head)
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
        # Which waivers are used, as apply_waivers found: a finding is waived by its match.
        in_use = {i for f in report.findings if f.waived and (i := matcher.match(f)) is not None}
        staged = []
        repository = []
        for key, result in zip(self._keys, results, strict=True):
            recorded = self.cache.recorded(key)
            digest = self.cache.repository_digest(result.file)
            if recorded is None or digest is None:  # a file the cache could not keep
                return None
            repository.append(digest)
            own, used = matcher.waive(result.findings)
            extras = _without(by_file.pop(result.file, []), own)
            if extras is None or any(f.file != result.file for f in own):
                return None
            staged.append((key, recorded[1], result, own, extras, _used(used)))
        inputs = self._inputs_digest(repository)
        context = _digest(inputs + b"\n" + _used(in_use))
        try:
            others = [
                [file, tally(findings), _stored(self.layout.block(findings))]
                for file, findings in sorted(by_file.items())
            ]
        except (ValueError, UnicodeEncodeError):
            return None
        plans = [[plan, checked] for _, plan, checked in entries]
        head = [
            inputs,
            context,
            encode_part("waivers", tuple(w for w, _, _ in entries), ""),
            json_line(plans),
            json_line(others),
            json_line(self.layout.notes(report.expiring, report.today)),
        ]
        if not all(_utf8_bytes(field) for field in head):
            return None  # a path that is not UTF-8: left to the full path
        parts = {}
        for key, digest, result, own, extras, own_used in staged:
            part = self._part(context, digest, result, own, extras, own_used)
            if part is None:
                return None
            parts[key] = part
        return head, parts

    # --- shared -----------------------------------------------------------------------

    def _use_keys(self, sources: list[Source]) -> bool:
        """Key the parts by the sources' cache keys; False if one cannot be a key, or
        the files are not in the report's order (the order of their paths)."""
        keys = [self.cache.key(s.display, s.explicit) for s in sources]
        self._keys = [key for key in keys if key is not None]
        self._displays = [s.display for s in sources]
        self._kept = set(self._keys).__contains__
        in_order = all(a < b for a, b in zip(self._displays, self._displays[1:], strict=False))
        return in_order and len(self._keys) == len(keys)

    def _inputs_digest(self, repository: Iterable[bytes]) -> bytes:
        """What every file's block depends on besides its content: the format and its
        options, the config's waivers, the files in order and what of each the
        repository-wide rules and the waivers read."""
        h = hashlib.sha256(json_line([self.layout.name, self.layout.options()]))
        h.update(encode_part("waivers", self.config.waivers, ""))
        for key, digest in zip(self._keys, repository, strict=True):
            h.update(b"%s\t%s\n" % (key, digest))
        return h.hexdigest()[:32].encode()

    def _matcher(self, head: list[bytes]) -> WaiverMatcher:
        waivers = decode_part("waivers", head[2], "")
        plans = json.loads(head[3])
        entries = [(w, plan, checked) for w, (plan, checked) in zip(waivers, plans, strict=True)]
        return WaiverMatcher(entries, self.cache.settings.today)

    def _part(
        self,
        context: bytes,
        digest: bytes,
        result: FileResult,
        own: list[Finding],
        extras: list[Finding],
        used: bytes,
    ) -> list[bytes] | None:
        findings = sorted(own + extras, key=Finding.sort_key)
        try:
            block = _stored(self.layout.block(findings)).encode()
            fields = self.layout.file_fields(result, fails(tally(findings), self.fail_on))
        except (ValueError, UnicodeEncodeError):
            return None
        if any(b"\t" in field or b"\n" in field for field in fields):
            return None
        tally_line = " ".join(map(str, [result.status, result.kind or "-", *tally(findings)]))
        return [
            digest,
            context,
            used,
            tally_line.encode(),
            encode_part("findings", extras, result.file),
            *fields,
            block,
        ]

    def _assemble(self, head: list[bytes]) -> Outcome:
        """The report from the parts, without decoding them one by one."""
        parts = [self._parts.entries[key] for key in self._keys]
        tallies = b" ".join(part[_TALLY] for part in parts).split(b" ")
        statuses, kinds = tallies[0::6], tallies[1::6]
        if (
            len(tallies) != 6 * len(parts)
            or not set(statuses) <= _STATUSES
            or not set(kinds) <= _KINDS
        ):
            raise ValueError("a damaged tally")
        counts = [sum(map(int, tallies[n::6])) for n in range(2, 6)]
        blocks = [part[-1] for part in parts]
        # The parts are in the files' order, the report's; other files' blocks go between.
        for file, other_counts, text in reversed(json.loads(head[4])):
            counts = [a + b for a, b in zip(counts, other_counts, strict=True)]
            at = bisect.bisect_right(self._displays, file)
            blocks.insert(at, text.encode())
        separator = _stored(self.layout.separator).encode()
        # Bytes to the end: the blocks are never decoded, only joined.
        body = separator.join(block for block in blocks if block)
        body = body.replace(_LINE_BREAK.encode(), b"\n")
        checked = [k for status, k in zip(statuses, kinds, strict=True) if status == b"checked"]
        summary = {
            "files": len(checked),
            "plans": checked.count(b"AccountPlan"),
            "okrs": checked.count(b"OKRs"),
            "errors": counts[0],
            "warnings": counts[1],
            "infos": counts[2],
            "waived": counts[3],
            "skipped": skip_counts(self.skipped),
        }
        failed = fails(counts, self.fail_on)
        notes = json.loads(head[5])
        own_fields = [part[_FIRST_OWN:-1] for part in parts]
        return Outcome(self.layout.finish(body, summary, failed, notes, own_fields), failed)


def _stored(block: str) -> str:
    """A block as one field: its newlines as ``_LINE_BREAK`` (a block holding that, or
    text that is not UTF-8 as it is, such as an undecodable path, is not kept)."""
    if _LINE_BREAK in block or "\t" in block:
        raise ValueError("a block the cache cannot keep")
    block.encode()  # UnicodeEncodeError: the same
    return block.replace("\n", _LINE_BREAK)


def _used(indices: Iterable[int]) -> bytes:
    return json_line(sorted(indices))


def _digest(blob: bytes) -> bytes:
    return hashlib.sha256(blob).hexdigest()[:32].encode()


def _utf8_bytes(blob: bytes) -> bool:
    try:
        blob.decode()
    except UnicodeDecodeError:
        return False
    return True


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
