"""Text output for people: ``path:line:col: severity rule-id message``, grouped by file."""

from __future__ import annotations

import re
from datetime import date
from itertools import groupby
from operator import attrgetter
from typing import Any

import click

from engine.findings import SEVERITY_RANK, Finding
from engine.model.types import Waiver
from engine.report import Report
from engine.reporters.base import Reporter, not_checked_line, safe_text, verdict_line

# click's styles: the same codes on every terminal it supports (Windows' included).
_STYLES: dict[str, dict[str, str | bool]] = {
    "error": {"fg": "red"},
    "warning": {"fg": "yellow"},
    "info": {"fg": "cyan"},
    "waived": {"dim": True},
}
# Beyond the controls safe_text escapes: tabs, and the Unicode line separators
# and bidirectional overrides that make a terminal show text other than what
# is there (a finding could be made to read as a different file or verdict).
_LAYOUT = re.compile("[\t\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """Plan text as it may reach a terminal: every control shown as an escape."""
    if text.isprintable():  # what safe_text and _LAYOUT escape is never printable
        return text
    return _LAYOUT.sub(_escape, safe_text(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class TextReporter(Reporter):
    name = "text"
    description = "for people (default): path:line:col: severity rule-id message"

    def _paint(self, text: str, key: str) -> str:
        return click.style(text, **_STYLES[key]) if self.color else text  # type: ignore[arg-type]

    def line(self, f: Finding) -> str:
        severity = self._paint(f.severity, "waived" if f.waived else f.severity)
        text = (
            f"{terminal_text(f.file)}:{f.line}:{f.column}: {severity} {f.rule} "
            f"{terminal_text(self.words.finding(f))}"
        )
        if f.waived:
            tag = self.words("waived_tag", reason=terminal_text(f.waiver_reason or ""))
            text += self._paint(tag, "waived")
        return text

    def render(self, report: Report) -> str:
        skipped = report.skipped if self.verbose else []
        blocks = [
            self.block(list(group), report.fail_on)
            for _, group in groupby(report.findings, key=attrgetter("file"))
        ]
        return self.assemble(
            [
                self.words(
                    "skipped",
                    path=terminal_text(s.display) + "/" * s.folder,
                    reason=self.words(f"skipped_{s.reason}"),
                )
                for s in skipped
            ],
            blocks,
            report.summary(),
            report.failed,
            report.fail_on,
            self.expiry_notes(report.expiring, report.today),
        )

    def block(self, findings: list[Finding], fail_on: str) -> str:
        """One file's findings, sorted, as lines (those --quiet shows, with it)."""
        bar = SEVERITY_RANK[fail_on]
        return "\n".join(
            self.line(f)
            for f in findings
            if not self.quiet or (not f.waived and SEVERITY_RANK[f.severity] >= bar)
        )

    def expiry_notes(self, expiring: list[Waiver], today: date) -> list[str]:
        say = self.words
        notes = []
        for w in expiring:
            expires = w.expires if isinstance(w.expires, date) else None
            days = (expires - today).days if expires else 0
            target = say("for_target", target=terminal_text(w.target)) if w.target else ""
            notes.append(
                say(
                    "expires",
                    rule=terminal_text(w.rule),
                    target=target,
                    where=f"{terminal_text(w.loc.file)}:{w.loc.line}",
                    days=say("days", count=days),
                    date=expires or terminal_text(str(w.expires)),
                )
            )
        return notes

    def assemble(
        self,
        head: list[str],
        blocks: list[str],
        summary: dict[str, Any],
        failed: bool,
        fail_on: str,
        notes: list[str],
    ) -> str:
        """The report from its parts: ``head`` lines, then ``blocks``, one per file in
        order with a blank line between them, then ``ending``."""
        lines = list(head)
        findings = "\n\n".join(b for b in blocks if b)
        if findings:
            lines.append(findings)
        text = "".join(line + "\n" for line in lines)
        return text + self.ending(bool(lines), summary, failed, fail_on, notes)

    def ending(
        self,
        after_lines: bool,
        summary: dict[str, Any],
        failed: bool,
        fail_on: str,
        notes: list[str],
    ) -> str:
        """What follows the findings (unless --quiet): the counts, the verdict and
        ``notes``, a blank line apart from the lines before, if there are any."""
        if self.quiet:
            return ""
        lines = [verdict_line(self.words, summary, failed, fail_on)]
        if left_out := not_checked_line(self.words, summary):
            lines.append(left_out)
        lines += notes
        return ("\n" if after_lines else "") + "\n".join(lines) + "\n"


REPORTER = TextReporter
