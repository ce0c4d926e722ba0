"""The interface every output format implements, and text safe for terminals and logs."""

from __future__ import annotations

from typing import Any, ClassVar

from engine.controls import CONTROL, undecodable_as_bytes
from engine.i18n.words import CheckWords
from engine.report import Report


def safe_text(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), newlines as ``\\n``,
    and a non-UTF-8 file name's bytes as ``\\xNN``."""
    if text.isprintable():  # no control, separator or format character: the common case
        return text
    text = undecodable_as_bytes(text).replace("\n", "\\n")
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class Reporter:
    """Base class: ``render(report)`` returns the whole output as text."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(
        self,
        *,
        color: bool = False,
        verbose: bool = False,
        quiet: bool = False,
        words: CheckWords | None = None,
    ) -> None:
        self.color = color
        self.verbose = verbose
        self.quiet = quiet
        # The language of formats for people; machine formats keep the English message.
        self.words = words or CheckWords()

    def render(self, report: Report) -> str:
        raise NotImplementedError


def verdict_line(words: CheckWords, summary: dict[str, Any], failed: bool, fail_on: str) -> str:
    """``3 files checked (2 account plans, 1 OKR set): 1 error, ... — failed (fail on error)``."""
    return words(
        "summary",
        checked=words(
            "checked",
            count=summary["files"],  # the verb agrees with the files (el: Ελέγχθηκε 1 αρχείο)
            files=words("files", count=summary["files"]),
            plans=words("plans", count=summary["plans"]),
            okrs=words("okrs", count=summary["okrs"]),
        ),
        counts=words.counts(
            errors=summary["errors"], warnings=summary["warnings"], infos=summary["infos"]
        ),
        waived=words("waived", count=summary["waived"]) if summary["waived"] else "",
        verdict=words("failed" if failed else "passed"),
        fail_on=fail_on,
    )


def not_checked_line(words: CheckWords, summary: dict[str, Any]) -> str | None:
    """``not checked: 2 excluded, 1 in a hidden folder ...``: what discovery left out, if anything.

    Said after the verdict in every human format, so a green run never hides a
    file that was not looked at."""
    skips = summary["skipped"]
    left_out = [
        words(reason, count=skips[reason])
        for reason in ("excluded", "gitignored", "hidden")
        if skips[reason]
    ]
    if not left_out:
        return None
    total = sum(skips[reason] for reason in ("excluded", "gitignored", "hidden"))
    return words("not_checked", count=total, counts=words("list").join(left_out))
