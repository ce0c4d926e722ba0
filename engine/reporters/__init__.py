"""The output formats, by name: one module per format, each a Reporter."""

from __future__ import annotations

from engine.reporters.base import Reporter

# The formats' names, in reporters()' order, for checking a command line without
# importing every reporter (the XML one alone costs a run 5 ms).
FORMATS = ("text", "json", "sarif", "junit", "github")


def reporters() -> dict[str, type[Reporter]]:
    """Every output format by name (imported here to keep the package import light)."""
    from engine.reporters.github import GitHubReporter
    from engine.reporters.json import JsonReporter
    from engine.reporters.junit import JUnitReporter
    from engine.reporters.sarif import SarifReporter
    from engine.reporters.text import TextReporter

    return {
        cls.name: cls
        for cls in (TextReporter, JsonReporter, SarifReporter, JUnitReporter, GitHubReporter)
    }
