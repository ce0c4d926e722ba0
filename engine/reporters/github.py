"""GitHub Actions output: workflow-command annotations and a job-summary page.

Annotations are ``::error file=F,line=L,col=C,title=RULE::message`` lines on
standard output; GitHub shows them on the pull request's changed files and on
the run. GitHub shows at most 10 error and 10 warning annotations (and 10
notices) per step, so the findings past that are printed as plain log lines and
counted in one notice: never silently dropped.

Escaping follows GitHub's toolkit (``@actions/core`` command.ts): in the
message ``%``, CR and LF become ``%25``, ``%0D``, ``%0A``; in properties
``:`` and ``,`` also become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from engine.baseline import Comparison, describe_fingerprint
from engine.findings import SEVERITY_RANK, Finding
from engine.i18n.words import CheckWords
from engine.report import Report
from engine.reporters.base import Reporter, not_checked_line, safe_text, verdict_line

ANNOTATIONS_PER_KIND = 10
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
SUMMARY_ROWS = 200  # the job summary is for reading; the log and the other formats have all
SUMMARY_CELL_CHARS = 500
# Markdown and HTML that plan text could use to restyle the summary page.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as the message, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workspace_path(file: str) -> str:
    """``file`` relative to $GITHUB_WORKSPACE (where GitHub resolves annotation paths)."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return file
    try:
        return Path(os.path.abspath(file)).relative_to(os.path.abspath(workspace)).as_posix()
    except ValueError:
        return file


def annotation(f: Finding, message: str | None = None) -> str:
    """The workflow command of ``f``, saying ``message`` (the English one by default)."""
    properties = ",".join(
        f"{key}={escape_property(value)}"
        for key, value in (
            ("file", workspace_path(f.file)),
            ("line", str(f.line)),
            ("col", str(f.column)),
            ("title", f.rule),
        )
    )
    text = f.message if message is None else message
    return f"::{COMMANDS[f.severity]} {properties}::{escape_data(_printable(text))}"


def plain_line(f: Finding, message: str) -> str:
    # Starts with "revplan:" so no text from a plan can make the line a workflow
    # command: the runner reads "::" at the start of a line (after spaces).
    return (
        f"revplan: {safe_text(f.file)}:{f.line}:{f.column}: {f.severity} {f.rule} "
        f"{safe_text(message)}"
    )


def _printable(text: str) -> str:
    """Control characters shown as escapes, but line breaks kept (escape_data encodes them)."""
    return "\n".join(safe_text(part) for part in text.replace("\r\n", "\n").split("\n"))


class GitHubReporter(Reporter):
    name = "github"
    description = "GitHub Actions annotations (chosen by itself when GITHUB_ACTIONS=true)"

    def render(self, report: Report) -> str:
        bar = SEVERITY_RANK[report.fail_on]
        shown = [
            f
            for f in report.findings
            if not f.waived and (not self.quiet or SEVERITY_RANK[f.severity] >= bar)
        ]
        by_kind = {kind: [f for f in shown if f.severity == kind] for kind in COMMANDS}
        overflow = any(len(found) > ANNOTATIONS_PER_KIND for found in by_kind.values())
        budget = {kind: ANNOTATIONS_PER_KIND for kind in COMMANDS}
        if overflow:
            budget["info"] -= 1  # keep a notice for the summary of the rest
        annotated = {id(f) for kind, found in by_kind.items() for f in found[: budget[kind]]}

        say = self.words
        out = [(annotation if id(f) in annotated else plain_line)(f, say.finding(f)) for f in shown]
        rest = [f for f in shown if id(f) not in annotated]
        if rest:
            tallied = {
                f"{kind}s": n for kind in COMMANDS if (n := sum(f.severity == kind for f in rest))
            }
            message = say(
                "overflow",
                count=len(rest),
                more=say("more", count=len(rest)),
                counts=say.counts(**tallied),
                limit=ANNOTATIONS_PER_KIND,
            )
            out.append(f"::notice title=revplan::{escape_data(message)}")
        if not self.quiet:
            out.append("revplan: " + _verdict(say, report))
        return "\n".join(out) + ("\n" if out else "")


def _cell(text: str) -> str:
    text = safe_text(text)
    if len(text) > SUMMARY_CELL_CHARS:
        text = text[: SUMMARY_CELL_CHARS - 1] + "…"
    return _MARKDOWN.sub(r"\\\1", text.replace("&", "&amp;"))


def _verdict(say: CheckWords, report: Report) -> str:
    return verdict_line(say, report.summary(), report.failed, report.fail_on)


def step_summary(
    report: Report, comparison: Comparison | None = None, words: CheckWords | None = None
) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: the verdict, the findings that count, baseline news."""
    say = words or CheckWords()
    verdict = say("failed" if report.failed else "passed")
    lines = [f"## {say('title', verdict=verdict)}", "", _verdict(say, report), ""]
    if left_out := not_checked_line(say, report.summary()):
        lines += [_cell(left_out), ""]
    open_findings = [f for f in report.findings if not f.waived]
    if open_findings:
        lines += [say("columns"), "|---|---|---|---|"]
        for f in open_findings[:SUMMARY_ROWS]:
            where = _cell(f"{workspace_path(f.file)}:{f.line}:{f.column}")
            lines.append(f"| {f.severity} | {where} | {f.rule} | {_cell(say.finding(f))} |")
        if len(open_findings) > SUMMARY_ROWS:
            lines.append("")
            lines.append(say("rows_left", count=len(open_findings) - SUMMARY_ROWS))
        lines.append("")
    if comparison is not None:
        lines.append(_cell(comparison.describe()[0]))
        lines += [f"- fixed: {_cell(describe_fingerprint(fp))}" for fp, _ in comparison.fixed]
        lines.append("")
    for w in report.expiring:
        target = say("for_target", target=_cell(w.target)) if w.target else ""
        expires = w.expires if isinstance(w.expires, date) else _cell(str(w.expires))
        lines.append("- " + say("expires_on", rule=_cell(w.rule), target=target, date=expires))
    return "\n".join(lines).rstrip("\n") + "\n"


REPORTER = GitHubReporter
