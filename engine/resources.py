"""Where the schemas and templates shipped with revplan live.

In a checkout they are the top-level ``schemas/`` and ``templates/`` folders;
an installed revplan carries them inside the package (see pyproject.toml).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent

SCHEMA_FILES = {
    "AccountPlan": "accountplan.schema.json",
    "OKRs": "okrs.schema.json",
    "Config": "config.schema.json",
}


def _folder(name: str) -> Path:
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def schemas_dir() -> Path:
    return _folder("schemas")


def templates_dir() -> Path:
    return _folder("templates")


@cache
def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a kind (AccountPlan, OKRs or Config)."""
    with open(schemas_dir() / SCHEMA_FILES[kind], encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def locales() -> tuple[str, ...]:
    """The shipped languages: a locale is a catalogue file, templates/locales/<locale>.yaml.
    English first (the default, and the fallback of every other), then by name."""
    names = (path.stem for path in (templates_dir() / "locales").glob("*.yaml"))
    return tuple(sorted(names, key=lambda name: (name != "en", name)))
