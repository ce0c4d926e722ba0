"""Reporters: one class per output format, all behind the same interface.

A reporter turns a Report into text; the CLI decides where it goes.
"""

from __future__ import annotations

import re
from typing import ClassVar

from ..run import Report

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


# The formats' names, in reporters()' order, for checking a command line without
# importing every reporter (the XML one alone costs a run 5 ms).
FORMATS = ("text", "json", "sarif", "junit", "github")


def reporters() -> dict[str, type[Reporter]]:
    """Every output format by name (imported here to keep the package import light)."""
    from .github import GitHubReporter
    from .json import JsonReporter
    from .junit import JUnitReporter
    from .sarif import SarifReporter
    from .text import TextReporter

    return {
        cls.name: cls
        for cls in (TextReporter, JsonReporter, SarifReporter, JUnitReporter, GitHubReporter)
    }
