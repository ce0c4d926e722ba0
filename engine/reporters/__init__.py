"""The output formats, by name: one module per format, each a Reporter.

A format is a module ``engine/reporters/<name>.py`` whose ``REPORTER`` is its
Reporter class, and its name in ``FORMATS``.
"""

from __future__ import annotations

import importlib

from engine.reporters.base import Reporter

# The formats, in the order `--help` and reporters() give them: names only, so that a
# command line is checked without importing every reporter (the XML one costs 5 ms).
FORMATS = ("text", "json", "sarif", "junit", "github")


def reporters() -> dict[str, type[Reporter]]:
    """Every output format by name (imported here to keep the package import light)."""
    found: dict[str, type[Reporter]] = {}
    for name in FORMATS:
        reporter: type[Reporter] = importlib.import_module(f"{__name__}.{name}").REPORTER
        found[reporter.name] = reporter
    return found
