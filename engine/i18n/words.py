"""What the check's outputs for people (text, GitHub) say, in the reader's language.

English is the check's own wording (``check:`` of ``en.yaml``, the ``message`` every
machine format keeps). Another locale words each finding from its key and
arguments with the ``check:`` entries of its catalogue, numbers and dates the
local way, and a key it lacks in English; the summary lines come from
``check.report``. Rule ids, severities, paths and positions are never translated:
they are what people type and tools match.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from engine.findings import Arg, Finding
from engine.i18n.catalogue import Catalogue
from engine.i18n.messages import CHECK_SECTION, check_catalogue, sentence
from engine.resources import templates_dir


class CheckWords:
    """The check's sentences in one locale; ``CheckWords()`` is English."""

    def __init__(self, locale: str = "en", overrides: tuple[Path, ...] = ()) -> None:
        self.locale = locale
        self.english = locale == "en" and not any((o / "en.yaml").is_file() for o in overrides)
        self.cat = check_catalogue() if self.english else _local(locale, overrides)

    @functools.cached_property
    def fingerprint(self) -> str:
        """The wording in use: a cached report is stale when a team's catalogue changes."""
        text = json.dumps(self.cat.messages, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def finding(self, f: Finding) -> str:
        return f.message if self.english else sentence(self.cat, f.key, f.args)

    def sentence(self, key: str, args: tuple[Arg, ...]) -> str:
        """A message of the check (under ``check.``) from its key and arguments."""
        return sentence(self.cat, key, args)

    def __call__(self, key: str, **values: Any) -> str:
        return self.cat(f"report.{key}", **values)

    def counts(self, **counts: int) -> str:
        """``3 errors, 1 warning``: each count in its plural form, listed the local way."""
        return self("list").join(self(name, count=n) for name, n in counts.items())


@functools.cache
def _local(locale: str, overrides: tuple[Path, ...]) -> Catalogue:
    """The locale's document catalogue under its ``check:`` entries (so labels of
    stances, roles and levers come in the locale's words too)."""
    full = Catalogue.load(locale, templates_dir() / "locales", *overrides)
    messages = dict(full.messages)
    cut = len(CHECK_SECTION)
    messages.update({k[cut:]: v for k, v in full.messages.items() if k.startswith(CHECK_SECTION)})
    return Catalogue(locale, messages)
