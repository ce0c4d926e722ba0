"""Findings' sentences, built from a message key and typed arguments by a catalogue.

A rule says what it found as a key ("backup-per-contact.left") and arguments
(engine.findings: Text, Number, Day, Money, Label, Item, Person, Many, Phrase).
Catalogues word them: the check's English from the ``check:`` section of
``templates/locales/en.yaml``, documents from each locale's ``msg:`` section.
A catalogue may word a finding more coarsely than the rule tells it apart: a key
it lacks falls back to the key without its last part ("duplicate-id.section" ->
"duplicate-id").

A placeholder names an argument and may pick a view of it:

- ``{person}``: how the catalogue shows the value (a name, a title, a local date,
  a label, a list joined the local way);
- ``{person.id}``: one field as written (of each item, for a list);
- ``{loop|arrow}``: a list joined by the catalogue's ``fmt.join.arrow``;
  ``{date|month}``: month and year; ``{person|who}``: why a contact matters;
  ``{person|named}``: the name with the id to type ("Eleni Georgiou (eleni)");
  ``{person|profile}``: and their roles ("Eleni Georgiou (eleni, budget owner)");
  ``{limit|every_days}``: a number through the catalogue's plural entry
  ``unit.every_days`` ("every day", "every 60 days");
  any other view selects ``view.<name>.<stance>`` (or ``.other``) of the catalogue;
- ``{value:g}``: a number in a Python format.

Plural forms follow the ``count`` argument (a number, or a list's length); any
other number takes its own plural form through a ``unit.<view>`` entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engine.findings import (
    Arg,
    Day,
    Finding,
    Item,
    Label,
    Many,
    Money,
    Number,
    Person,
    Phrase,
    Problem,
    Text,
    Value,
)
from engine.i18n.catalogue import PLACEHOLDER, Catalogue, CatalogueError
from engine.resources import templates_dir

CHECK_SECTION = "check."
DOCUMENT_SECTION = "msg."


class CheckCatalogue(Catalogue):
    """The check's own wording: numbers and dates as written, English list joins,
    enum values as their catalogue entry or their name with spaces."""

    def number(self, value: float | None, digits: int = 1) -> str:
        return "" if value is None else str(value)

    def date(self, value: Any, style: str = "medium") -> str:
        return "" if value is None else value.isoformat()

    def month(self, value: Any) -> str:
        return self.date(value)

    def money(self, value: float | None, currency: str | None) -> str:
        return self.number(value)

    def label(self, kind: str, value: str | None) -> str:
        if value is None:
            return ""
        key = f"enum.{kind}.{value}"
        return self(key) if key in self.messages else value.replace("_", " ")

    def join(self, items: Iterable[str]) -> str:
        words = [i for i in items if i]
        if len(words) < 2:
            return "".join(words)
        return f"{', '.join(words[:-1])} and {words[-1]}"


@functools.cache
def check_catalogue() -> CheckCatalogue:
    """The English check messages (read once a process: a finding's message is made
    as the finding is)."""
    messages = Catalogue.load("en", templates_dir() / "locales").messages
    own = {k[len(CHECK_SECTION) :]: v for k, v in messages.items() if k.startswith(CHECK_SECTION)}
    own.update({k: v for k, v in messages.items() if k.startswith("unit.")})  # {n|unit} views
    return CheckCatalogue("en", own)


def english(key: str, args: tuple[Arg, ...]) -> str:
    """A problem's sentence as the check prints it."""
    return sentence(check_catalogue(), key, args)


def to_finding(rule: str, severity: str, problem: Problem) -> Finding:
    """The finding a rule's problem makes, with its English sentence."""
    return Finding.from_problem(rule, severity, problem, english(problem.key, problem.args))


def finding_message(cat: Catalogue, finding: Finding) -> str:
    """The finding in a document's language."""
    if resolve(cat, DOCUMENT_SECTION, finding.key) is None:
        # A finding without a key this catalogue words: say what the rule checks.
        rule = f"rule.{finding.rule}"
        summary = cat(rule) if cat.has(rule) else finding.rule
        return cat("msg.generic", summary=summary, target=finding.target or "-")
    return sentence(cat, finding.key, finding.args, DOCUMENT_SECTION)


def resolve(cat: Catalogue, prefix: str, key: str) -> str | None:
    """The catalogue's entry for ``key``: the key itself, or the nearest key it extends."""
    while key:
        if prefix + key in cat.messages:
            return prefix + key
        key = key.rpartition(".")[0]
    return None


def sentence(cat: Catalogue, key: str, args: tuple[Arg, ...], prefix: str = "") -> str:
    """The message ``key`` of the catalogue (under ``prefix``), its placeholders filled."""
    entry = resolve(cat, prefix, key)
    if entry is None:
        raise CatalogueError(f"no message '{prefix}{key}' in the {cat.locale} catalogue")
    values = {a.name: a.value for a in args}
    parts = _parts(cat.pattern(entry, _count(values.get("count"))))
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part)
            continue
        name, field, view, spec = part
        if name not in values:
            raise CatalogueError(
                f"message '{entry}' of the {cat.locale} catalogue needs a value for '{name}'"
            )
        out.append(_show(cat, prefix, values[name], field, view, spec))
    return "".join(out)


@functools.cache
def _parts(pattern: str) -> list[Any]:
    """Text and placeholders alternating; a placeholder as (name, field, view, spec)."""
    parts: list[Any] = PLACEHOLDER.split(pattern)
    for i in range(1, len(parts), 2):
        spec_less, _, spec = parts[i].partition(":")
        named, _, view = spec_less.partition("|")
        name, _, field = named.partition(".")
        parts[i] = (name, field, view, spec)
    return parts


def placeholder_names(pattern: str) -> set[str]:
    """The arguments a message's text uses."""
    return {part[0] for part in _parts(pattern)[1::2]}


def _count(value: Value | None) -> int | float | None:
    if isinstance(value, Number):
        return value.value
    if isinstance(value, Many):
        return len(value.items)
    return None


def _show(cat: Catalogue, prefix: str, value: Value, field: str, view: str, spec: str) -> str:
    if field:
        raw = [getattr(v, field) for v in value.items] if isinstance(value, Many) else None
        if raw is None:
            raw = getattr(value, field)
        if isinstance(raw, list | tuple):
            return _join(cat, view, [str(r) for r in raw])
        return str(raw)
    if spec:
        if isinstance(value, Money):
            return "" if value.amount is None else format(value.amount, spec)
        if isinstance(value, Number):
            return format(value.value, spec)
        raise CatalogueError(f"a format ({spec}) is for numbers, not {type(value).__name__}")
    if view in _VIEWS:
        return _VIEWS[view](cat, prefix, value)
    if isinstance(value, Many):
        return _join(cat, view, [_show(cat, prefix, v, "", "", "") for v in value.items])
    if view and isinstance(value, Number) and cat.has(f"unit.{view}"):
        return cat(f"unit.{view}", count=value.value)  # the number's own plural form
    if view:
        return _select(cat, prefix, view, value)
    return _default(cat, prefix, value)


def _default(cat: Catalogue, prefix: str, value: Value) -> str:
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Number):
        return cat.number(value.value)
    if isinstance(value, Day):
        return cat.date(value.value)
    if isinstance(value, Money):
        return cat.money(value.amount, value.currency)
    if isinstance(value, Label):
        return cat.label(value.kind, value.value)
    if isinstance(value, Item):
        return value.title or value.id
    if isinstance(value, Person):
        return value.name or value.id
    if isinstance(value, Phrase):
        return sentence(cat, value.key, value.args, prefix)
    raise TypeError(f"not a message argument: {value!r}")


def _join(cat: Catalogue, view: str, words: list[str]) -> str:
    if not view:
        return cat.join(words)
    key = f"fmt.join.{view}"
    if key not in cat.messages:
        raise CatalogueError(f"no list join '{key}' in the {cat.locale} catalogue")
    return cat(key).join(words)


def _select(cat: Catalogue, prefix: str, view: str, value: Value) -> str:
    """``view.<view>.<stance>`` or ``view.<view>.other``, filled with the person's fields."""
    if not isinstance(value, Person):
        raise CatalogueError(f"the view '{view}' shows a person, not {type(value).__name__}")
    key = f"view.{view}.{value.stance}"
    if key not in cat.messages:
        key = f"view.{view}.other"
    # The stance in the locale's words (the English check has no labels: its own name).
    stance = cat.label("stance", value.stance)
    return cat(key, id=value.id, name=value.name or value.id, stance=stance)


def _month(cat: Catalogue, prefix: str, value: Value) -> str:
    if not isinstance(value, Day):
        raise CatalogueError(f"the view 'month' shows a date, not {type(value).__name__}")
    return cat.month(value.value)


def _who(cat: Catalogue, prefix: str, value: Value) -> str:
    """ "advocate, budget owner": why this contact matters."""
    if not isinstance(value, Person):
        raise CatalogueError(f"the view 'who' shows a person, not {type(value).__name__}")
    if value.stance in ("advocate", "detractor"):
        why = cat.label("stance", value.stance)
    else:
        why = cat(f"{prefix}high_influence")
    return cat("fmt.enum").join([why, *(cat.label("role", r) for r in value.roles)])


def _named(cat: Catalogue, prefix: str, value: Value) -> str:
    """ "Eleni Georgiou (eleni)": the person by name, with the id to type."""
    if not isinstance(value, Person):
        raise CatalogueError(f"the view 'named' shows a person, not {type(value).__name__}")
    if not value.name or value.name == value.id:
        return value.id
    return cat.paren(value.name, value.id) if cat.has("fmt.paren") else f"{value.name} ({value.id})"


def _profile(cat: Catalogue, prefix: str, value: Value) -> str:
    """ "Eleni Georgiou (eleni, budget owner)": the person, the id to type, their roles."""
    if not isinstance(value, Person):
        raise CatalogueError(f"the view 'profile' shows a person, not {type(value).__name__}")
    roles = [cat.label("role", role) for role in value.roles]
    named = bool(value.name) and value.name != value.id
    head, notes = (value.name or value.id, [value.id, *roles]) if named else (value.id, roles)
    if not notes:
        return head
    note = cat("fmt.enum").join(notes) if cat.has("fmt.enum") else ", ".join(notes)
    return cat.paren(head, note) if cat.has("fmt.paren") else f"{head} ({note})"


_VIEWS: Mapping[str, Callable[[Catalogue, str, Value], str]] = {
    "month": _month,
    "who": _who,
    "named": _named,
    "profile": _profile,
}
