"""The interface every output format implements, and text safe for terminals and logs."""

from __future__ import annotations

import re
from typing import ClassVar

from engine.report import Report

# C0 and C1 controls (ESC included) from plan text must never reach a terminal
# or a CI log raw: they could rewrite the screen or forge output.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``); newlines as ``\\n``."""
    if text.isprintable():  # no control, separator or format character: the common case
        return text
    text = text.replace("\n", "\\n")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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
