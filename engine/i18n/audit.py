"""What a catalogue file lacks or gets wrong, measured against the English one.

``revplan locales check`` prints these. A key the file lacks falls back to English
(a note: a team's file may correct single entries). A key English does not have is
a typo that nothing would ever show (an error, with the nearest real key); so is a
placeholder the message would be given no value for, and a file name that is not a
locale. A plural entry without a form the language's CLDR plural rules ask for is a
warning: those counts read in the 'other' form.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError

from engine.i18n.catalogue import CatalogueError, placeholders, read_catalogue

ERROR = "error"
WARNING = "warning"
NOTE = "note"

# CLDR's plural categories, in the order people list them.
_FORM_ORDER = ["zero", "one", "two", "few", "many", "other"]


def _names(message: str | dict[str, str]) -> set[str]:
    return {re.split(r"[.|:]", placeholder, maxsplit=1)[0] for placeholder in placeholders(message)}


@dataclass(frozen=True)
class CatalogueProblem:
    """One line of ``revplan locales check``: where, how bad, and what to do."""

    line: int
    column: int
    severity: str
    message: str


def key_lines(path: Path) -> dict[str, tuple[int, int]]:
    """Each dotted key of a catalogue file -> its 1-based line and column."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[str, tuple[int, int]] = {}
    pending = [(root, "")]
    while pending:
        node, prefix = pending.pop()
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            name = f"{prefix}{key.value}"
            lines[name] = (key.start_mark.line + 1, key.start_mark.column + 1)
            pending.append((value, f"{name}."))
    return lines


def audit(path: Path, english_path: Path) -> list[CatalogueProblem]:
    """The problems of the catalogue at ``path`` (named ``<locale>.yaml``)."""
    try:
        locale = Locale.parse(path.stem.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return [
            CatalogueProblem(
                1,
                1,
                ERROR,
                f"'{path.stem}' is not a locale: name the file by its CLDR code "
                "(de.yaml, pt_BR.yaml)",
            )
        ]
    try:
        english = read_catalogue(english_path)
        own = read_catalogue(path)
    except CatalogueError as exc:
        return [CatalogueProblem(1, 1, ERROR, str(exc))]
    where = key_lines(path)
    problems = list(_unknown(own, english, where))
    problems += _missing(own, english)
    for key in sorted(own.keys() & english.keys()):
        line, column = where.get(key, (1, 1))
        for severity, message in _mismatches(key, own[key], english[key], locale):
            problems.append(CatalogueProblem(line, column, severity, message))
    return sorted(problems, key=lambda p: (p.line, p.column, p.message))


def _unknown(
    own: dict[str, str | dict[str, str]],
    english: dict[str, str | dict[str, str]],
    where: dict[str, tuple[int, int]],
) -> Iterator[CatalogueProblem]:
    known = sorted(english)
    for key in sorted(own.keys() - english.keys()):
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
        hint = f" — did you mean '{close[0]}'?" if close else " — remove it"
        line, column = where.get(key, (1, 1))
        yield CatalogueProblem(line, column, ERROR, f"unknown key '{key}'; nothing shows it{hint}")


def _missing(
    own: dict[str, str | dict[str, str]], english: dict[str, str | dict[str, str]]
) -> list[CatalogueProblem]:
    lacking = sorted(english.keys() - own.keys())
    if not lacking:
        return []
    shown = ", ".join(lacking[:5]) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
    return [
        CatalogueProblem(
            1,
            1,
            NOTE,
            f"{len(lacking)} of {len(english)} keys are not here and show in English: {shown}",
        )
    ]


def _mismatches(
    key: str, own: str | dict[str, str], english: str | dict[str, str], locale: Locale
) -> Iterator[tuple[str, str]]:
    # By the value each names: a translation may show it another way ({person|named}).
    extra = _names(own) - _names(english)
    if extra:
        names = ", ".join("{" + name + "}" for name in sorted(extra))
        yield ERROR, f"'{key}' uses {names}, which this message is never given"
    if isinstance(own, dict):
        wanted = set(locale.plural_form.tags) | {"other"}
        lacking = wanted - set(own)
        if lacking:
            forms = ", ".join(sorted(lacking, key=_FORM_ORDER.index))
            yield (
                WARNING,
                (
                    f"'{key}' lacks the plural form(s) {forms} that {locale} counts use; "
                    "those counts read in the 'other' form"
                ),
            )
        unused = set(own) - wanted
        if unused:
            forms = ", ".join(sorted(unused, key=_FORM_ORDER.index))
            yield NOTE, f"'{key}': {locale} has no plural form {forms}; it is never shown"
