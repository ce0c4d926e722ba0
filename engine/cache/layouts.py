"""How each format's report is cut into files' parts and put back together.

A format's report is, between a head and a tail, the blocks of the files in
order (each file's findings as that format prints them), then what spans the
files: the counts, the verdict, for JSON the metrics. ``engine.cache.parts``
keeps each file's block in the cache; a layout says how to make one, what
else of a file the report needs, and how to assemble the report from them.
Each layout renders through its reporter's own functions, which the
reporter's ``render`` uses too, so that both paths print the same bytes.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, ClassVar, NamedTuple

from engine.cache.codec import json_line
from engine.findings import Finding
from engine.model.metrics import OKRMetrics, PlanMetrics, segment_metrics
from engine.model.portfolio import AccountRow, PortfolioSettings
from engine.pipeline.file import FileResult
from engine.report import Report
from engine.reporters.json import JsonReporter
from engine.reporters.sarif import SarifReporter, repository_prefix
from engine.reporters.text import TextReporter
from engine.rules.custom.definition import CustomRule

# Stands for the files' blocks in a document rendered around them: JSON never
# prints a control character raw.
_BODY = "\x00"


class Layout:
    """One format's parts; subclasses fill them in."""

    name: ClassVar[str] = ""
    # Between two files' blocks (the blocks of files without findings are left out).
    separator: ClassVar[str] = ""
    # Fields of a file's part besides its block (``file_fields``).
    fields: ClassVar[int] = 0

    def options(self) -> list[Any]:
        """The output options the blocks depend on."""
        return []

    def render(self, report: Report) -> str:
        """The whole report, as its reporter renders it."""
        raise NotImplementedError

    def block(self, findings: list[Finding]) -> str:
        """One file's findings (sorted), as the report prints them."""
        raise NotImplementedError

    def file_fields(self, result: FileResult, failing: bool) -> list[bytes]:
        """What else of a file the report shows, as ``fields`` single-line fields
        (``failing``: the file has a finding at the level that fails the run)."""
        return []

    def notes(self, expiring: list[Any], today: Any) -> list[str]:
        """What the report says of the waivers about to expire."""
        return []

    def finish(
        self,
        body: bytes,
        summary: dict[str, Any],
        failed: bool,
        notes: list[str],
        fields: list[list[bytes]],
    ) -> bytes:
        """The report: the files' blocks (``body``, joined) and what spans the files;
        ``fields``: each file's ``file_fields``, in the files' order."""
        raise NotImplementedError


class TextLayout(Layout):
    name = "text"
    separator = "\n\n"

    def __init__(self, reporter: TextReporter, fail_on: str) -> None:
        self.reporter, self.fail_on = reporter, fail_on

    def options(self) -> list[Any]:
        words = self.reporter.words
        return [
            self.reporter.color,
            self.reporter.quiet,
            self.fail_on,
            words.locale,
            words.fingerprint,
        ]

    def render(self, report: Report) -> str:
        return self.reporter.render(report)

    def block(self, findings: list[Finding]) -> str:
        return self.reporter.block(findings, self.fail_on)

    def notes(self, expiring: list[Any], today: Any) -> list[str]:
        return self.reporter.expiry_notes(expiring, today)

    def finish(
        self,
        body: bytes,
        summary: dict[str, Any],
        failed: bool,
        notes: list[str],
        fields: list[list[bytes]],
    ) -> bytes:
        ending = self.reporter.ending(bool(body), summary, failed, self.fail_on, notes)
        return (body + b"\n" if body else b"") + ending.encode()


class _SegmentRow(NamedTuple):
    """What the segment totals read of a plan's metrics, as the cache keeps it."""

    plan: str
    segment: str | None
    currency: str | None
    arr: float | None
    yearly_contribution: float | None
    acquisition_cost: float | None


class JsonLayout(Layout):
    name = "json"
    separator = ",\n    "  # as JsonReporter.assemble lays out the findings
    fields = 2  # what the metrics need of the file; its metrics' line

    def __init__(self, settings: PortfolioSettings, today: date) -> None:
        self.settings, self.today = settings, today

    def options(self) -> list[Any]:
        return [repr(self.settings)]

    def render(self, report: Report) -> str:
        return JsonReporter().render(report)

    def block(self, findings: list[Finding]) -> str:
        return self.separator.join(map(JsonReporter.finding_line, findings))

    def file_fields(self, result: FileResult, failing: bool) -> list[bytes]:
        metrics = result.metrics if result.status == "checked" else None
        if isinstance(metrics, PlanMetrics):
            m = metrics
            row = [m.plan, m.segment, m.currency, m.arr, m.yearly_contribution, m.acquisition_cost]
            renewal = m.renewal_date.isoformat() if m.renewal_date else None
            account = [m.plan, m.currency, m.arr, renewal, m.forecast, m.pipeline, failing]
            about = ["plan", result.plan_id, row, account]
            line = JsonReporter.plan_line(m, failing, self.settings)
            return [json_line(about), line.encode()]
        if isinstance(metrics, OKRMetrics):
            about = ["okrs", result.plan_id]
            return [json_line(about), JsonReporter.metrics_line(metrics).encode()]
        return [b"[]", b""]

    def finish(
        self,
        body: bytes,
        summary: dict[str, Any],
        failed: bool,
        notes: list[str],
        fields: list[list[bytes]],
    ) -> bytes:
        # As Report.plan_metrics: one entry a plan id, the last file's, where the first was.
        plans: dict[str, tuple[bytes, _SegmentRow, AccountRow]] = {}
        okrs: dict[str, bytes] = {}
        abouts = json.loads(b"[%s]" % b",".join(about for about, _ in fields))
        for about, (_, line) in zip(abouts, fields, strict=True):
            if not about:
                continue
            if about[0] == "plan":
                plan, currency, arr, renewal, forecast, pipeline, failing = about[3]
                day = date.fromisoformat(renewal) if renewal else None
                account = AccountRow(plan, currency, arr, day, forecast, pipeline, failing)
                plans[about[1]] = (line, _SegmentRow(*about[2]), account)
            elif about[0] == "okrs":
                okrs[about[1]] = line
            else:
                raise ValueError("a damaged metrics entry")
        segments = segment_metrics(row for _, row, _ in plans.values())
        accounts = (account for _, _, account in plans.values())
        document = JsonReporter.assemble(
            [_BODY + "f"] if body else [],
            summary,
            JsonReporter.portfolio_json(accounts, self.settings, self.today),
            [_BODY + "p"] if plans else [],
            [JsonReporter.metrics_line(s) for s in segments],
            [_BODY + "o"] if okrs else [],
        ).encode()
        # The lines are never decoded, only joined.
        lines = {
            b"f": body,
            b"p": b",\n      ".join(line for _, (line, _, _) in sorted(plans.items())),
            b"o": b",\n      ".join(line for _, line in sorted(okrs.items())),
        }
        pieces = document.split(_BODY.encode())
        return pieces[0] + b"".join(lines[piece[:1]] + piece[1:] for piece in pieces[1:])


class SarifLayout(Layout):
    name = "sarif"
    separator = ","

    def __init__(self, custom: tuple[CustomRule, ...] = ()) -> None:
        self.custom = custom

    def options(self) -> list[Any]:
        # The URIs are relative to the repository root: a block depends on where
        # the run starts from.
        return [repository_prefix()]

    def render(self, report: Report) -> str:
        return SarifReporter().render(report)

    def block(self, findings: list[Finding]) -> str:
        return self.separator.join(
            SarifReporter().results(findings, repository_prefix(), self.custom)
        )

    def finish(
        self,
        body: bytes,
        summary: dict[str, Any],
        failed: bool,
        notes: list[str],
        fields: list[list[bytes]],
    ) -> bytes:
        head, tail = SarifReporter.frame(self.custom)
        return head.encode() + body + tail.encode()
