"""The interface every output format implements, and text safe for terminals and logs."""

from __future__ import annotations

from typing import ClassVar

from engine.controls import CONTROL, undecodable_as_bytes
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

    def __init__(self, *, color: bool = False, verbose: bool = False, quiet: bool = False) -> None:
        self.color = color
        self.verbose = verbose
        self.quiet = quiet

    def render(self, report: Report) -> str:
        raise NotImplementedError


def counted(n: int, word: str) -> str:
    """``3 errors``, ``1 error``: the English counts of the summary lines."""
    return f"{n} {word}{'' if n == 1 else 's'}"
