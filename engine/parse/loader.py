"""Loader: YAML bytes -> plain values plus the source location of every value.

The document is built from libyaml's parser events rather than PyYAML's
composer: the C composer recurses and crashes on deeply nested input, and
walking events lets us enforce every limit (depth, aliases, size) while
building, in one pass, at the same speed.

Scalars are resolved the way a plan author means them (YAML 1.2 core rules):
``no``/``yes``/``on``/``off`` stay text, dates stay ``YYYY-MM-DD`` text, and
nothing outside the core types is ever constructed.
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.findings import Location, Number, Problem, Text, args, detailed
from engine.parse import indentation

try:  # libyaml's parser when present: several times faster
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]


Path = tuple[str | int, ...]


API_PREFIX = "revplan/"


KINDS = ("AccountPlan", "OKRs", "Config")


@dataclass(frozen=True)
class Limits:
    """Guards against hostile input; each is configurable under ``limits:``."""

    max_file_bytes: int = 2_000_000
    max_aliases: int = 100
    max_depth: int = 64
    # 25 times the largest example plan; a file just under it takes about half a
    # second to check (docs/threat-model.md has the measurements).
    max_nodes: int = 10_000


@dataclass
class Document:
    """One YAML file as plain values, with where each value and key stands."""

    file: str
    data: Any = None
    value_locs: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_locs: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # yaml-syntax problems
    # Numbers written with '.' before groups of three digits (480.000), as they
    # were written: YAML reads them as decimals, their author most likely did not.
    grouped: dict[Path, str] = field(default_factory=dict)

    def loc(self, path: Path) -> Location:
        """The value at ``path``, or the nearest enclosing value that has a place."""
        pos = self.value_locs.get(path) if type(path) is tuple else None
        if pos is None:  # the model asks for every value, so the common case comes first
            path = tuple(path)
            while path not in self.value_locs and path:
                path = path[:-1]
            pos = self.value_locs.get(path, (1, 1))
        return Location(self.file, pos[0], pos[1])

    def key_loc(self, path: Path) -> Location:
        """The key of the mapping entry at ``path`` (falls back to its value)."""
        pos = self.key_locs.get(tuple(path))
        if pos is None:
            return self.loc(path)
        return Location(self.file, pos[0], pos[1])

    @property
    def api_version(self) -> str | None:
        value = self.data.get("apiVersion") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def kind(self) -> str | None:
        value = self.data.get("kind") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def is_ours(self) -> bool:
        return (self.api_version or "").startswith(API_PREFIX)


class _Abort(Exception):
    """Stop building: the document broke a limit or the YAML is malformed."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


# YAML 1.2 core schema, plus digit separators ("480_000") people write for money.
_INT = re.compile(r"[-+]?[0-9][0-9_]*\Z")


_OCT = re.compile(r"0o[0-7]+\Z")


_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")


_GROUPED = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?\Z")


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


_TRUE = frozenset(("true", "True", "TRUE"))


_FALSE = frozenset(("false", "False", "FALSE"))


# Beyond this a number cannot be money or a count in a plan; keep the text so
# the schema reports it instead of it silently becoming something else.
_MAX_ABS_NUMBER = 1e15


_TAG = "tag:yaml.org,2002:"


_KNOWN_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null")}


def resolve_plain(text: str) -> Any:
    """The value of an untagged, unquoted scalar."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if not (first.isdigit() or first in "+-."):
        return text  # the common case: words
    number: int | float | None = None
    if _INT.match(text) and not text.endswith("_"):
        number = int(text.replace("_", "")) if len(text) <= 40 else None
    elif _OCT.match(text):
        number = int(text[2:], 8)
    elif _HEX.match(text):
        number = int(text[2:], 16)
    elif _FLOAT.match(text) and not text.endswith("_"):
        number = float(text.replace("_", ""))
    if number is None or not math.isfinite(number) or abs(number) > _MAX_ABS_NUMBER:
        return text
    return number


def _tagged_scalar(tag: str, text: str, line: int, col: int) -> Any:
    if tag == _TAG + "str":
        return text
    value = resolve_plain(text)
    if tag == _TAG + "float" and isinstance(value, int | float):
        return float(value)
    if tag == _TAG + "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if (tag == _TAG + "bool" and isinstance(value, bool)) or (
        tag == _TAG + "null" and value is None
    ):
        return value
    raise _Abort(line, col, f"'{text}' is not a valid {tag.removeprefix(_TAG)}")


def decode(raw: bytes) -> tuple[str, str | None]:
    """Decode file bytes to text. Returns (text, error message or None)."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), None
            except UnicodeDecodeError as exc:
                return "", f"the file is not valid {encoding.upper()} text ({exc.reason})"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return raw[: exc.start].decode("utf-8", "replace"), f"byte 0x{raw[exc.start]:02x}"


# Where libyaml breaks lines (YAML 1.1): positions found outside the parser
# must count lines the same way as the parser's own marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _position_of_offset(text: str, offset: int) -> tuple[int, int]:
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


def _inside(text: str, line: int, col: int) -> tuple[int, int]:
    """A parser position moved inside the text: at the end of a file without a
    final newline, libyaml points at a line after the last one."""
    end = _position_of_offset(text, len(text))
    return min((line, col), end)


def _reader_error_position(text: str, exc: yaml.YAMLError) -> tuple[int, int]:
    # libyaml gives the offending character's offset in UTF-8 bytes; the
    # character itself is exact, and its first occurrence is where reading stopped.
    character = getattr(exc, "character", None)
    offset = text.find(chr(character)) if isinstance(character, int) else -1
    return _position_of_offset(text, offset) if offset >= 0 else (1, 1)


class _Builder:
    """Turns one document's parser events into values and location maps."""

    def __init__(self, doc: Document, limits: Limits) -> None:
        self.doc = doc
        self.limits = limits
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliases = 0
        self.nodes = 0
        self.repeated = 0  # characters of text that aliases repeat

    def _repeat_text(self, value: Any, line: int, col: int) -> None:
        # A hundred aliases of one 2 MB value would repeat it into every finding
        # that quotes it (hundreds of MB of output): aliases may repeat at most
        # as much text as one file may hold.
        self.repeated += _text_size(value)
        if self.repeated > self.limits.max_file_bytes:
            raise _Abort(
                line,
                col,
                f"aliases repeat more than {self.limits.max_file_bytes:,} characters of text "
                "(limits.max_file_bytes); write the values out instead of aliasing them",
            )

    def _too_many_nodes(self, line: int, col: int) -> _Abort:
        return _Abort(
            line,
            col,
            f"the document expands to more than {self.limits.max_nodes} values "
            "(limits.max_nodes); a plan this large is more likely an alias bomb",
        )

    def build(self, get_event: Any, first: Any) -> Any:
        """Consume events from a document's first node event to its end.

        This loop runs once per YAML value of every file, so it is written for
        speed: the open container's state lives in locals, not in a frame list.
        """
        doc = self.doc
        value_locs, key_locs = doc.value_locs, doc.key_locs
        anchors = self.anchors
        max_depth, max_nodes = self.limits.max_depth, self.limits.max_nodes
        nodes = self.nodes
        # The open container: its value, path, kind, the key awaiting its value
        # (None: awaiting a key), its anchor and the node count when it opened.
        container: Any = None
        base: Path = ()
        in_map = False
        key: Any = None
        anchor: str | None = None
        opened = 0
        outer: list[tuple[Any, Path, bool, str | None, int]] = []  # enclosing containers
        event = first
        while True:
            etype = type(event)
            if etype is _MAP_END or etype is _SEQ_END:
                if anchor is not None:  # anchored collection: remember it for aliases
                    anchors[anchor] = (container, nodes - opened)
                if not outer:
                    self.nodes = nodes
                    return container
                container, base, in_map, anchor, opened = outer.pop()
                key = None
                event = get_event()
                continue

            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if in_map and key is None:  # a mapping awaiting a key
                if etype is not _SCALAR or event.tag not in (None, _STR_TAG):
                    raise _Abort(
                        line,
                        col,
                        "a mapping key must be plain text "
                        "(lists, mappings and aliases cannot be keys)",
                    )
                # Keys stay text as written: "1: x" is the field "1", not a number.
                key = event.value
                if key in container:
                    first_line = key_locs[base + (key,)][0]
                    doc.problems.append(
                        Problem(
                            Location(doc.file, line, col),
                            "yaml-syntax.duplicate_key",
                            args(name=Text(key), line=Number(first_line)),
                        )
                    )
                    key = _DUPLICATE  # its value is read, checked for limits, dropped
                key_locs.setdefault(base + (key,), (line, col))
                event = get_event()
                continue

            if container is None:
                path: Path = ()
            elif in_map:
                path = base + (key,)
            else:
                path = base + (len(container),)

            if etype is _SCALAR:
                tag = event.tag
                if tag is None or tag == "!":
                    value = event.value
                    # plain (libyaml says '', the pure-Python parser None), and not
                    # plain words, which most values are: resolve it
                    if not event.style and (value[:1] in _NUMBER_START or value in _SPECIAL):
                        written, value = value, resolve_plain(value)
                        if type(value) is float and _GROUPED.match(written):
                            doc.grouped[path] = written
                elif tag in _KNOWN_SCALAR_TAGS:
                    value = _tagged_scalar(tag, event.value, line, col)
                else:
                    raise _Abort(line, col, _unknown_tag(tag))
                nodes += 1
                if nodes > max_nodes:
                    raise self._too_many_nodes(line, col)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
            elif etype is _ALIAS:
                self.aliases += 1
                if self.aliases > self.limits.max_aliases:
                    raise _Abort(
                        line,
                        col,
                        f"more than {self.limits.max_aliases} aliases (limits.max_aliases)",
                    )
                if event.anchor not in anchors:
                    raise _Abort(
                        line,
                        col,
                        f"alias *{event.anchor} refers to no anchor &{event.anchor} "
                        "defined before it (or to the list or mapping it stands in)",
                    )
                value, size = anchors[event.anchor]
                nodes += size
                if nodes > max_nodes:
                    raise self._too_many_nodes(line, col)
                self._repeat_text(value, line, col)
            elif etype is _MAP_START or etype is _SEQ_START:
                tag = event.tag
                if tag not in (None, "!", _TAG + "map", _TAG + "seq"):
                    raise _Abort(line, col, _unknown_tag(tag))
                if len(outer) + (container is not None) >= max_depth:
                    raise _Abort(
                        line, col, f"nesting deeper than {max_depth} levels (limits.max_depth)"
                    )
                nodes += 1
                if nodes > max_nodes:
                    raise self._too_many_nodes(line, col)
                child: Any = {} if etype is _MAP_START else []
                value_locs[path] = (line, col)
                if container is not None:
                    if not in_map:
                        container.append(child)
                    elif key is not _DUPLICATE:
                        container[key] = child
                    outer.append((container, base, in_map, anchor, opened))
                container, base, in_map, key = child, path, etype is _MAP_START, None
                anchor, opened = event.anchor, nodes
                event = get_event()
                continue
            else:
                raise _Abort(line, col, f"unexpected YAML event {etype.__name__}")

            value_locs[path] = (line, col)
            if container is None:
                self.nodes = nodes
                return value
            if not in_map:
                container.append(value)
            else:
                if key is not _DUPLICATE:
                    container[key] = value
                key = None
            event = get_event()


_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent


_MAP_START, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent


_SEQ_START, _SEQ_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


_STR_TAG = _TAG + "str"


# What resolve_plain turns into something other than the text itself can only
# start with one of these characters or be one of these words.
_NUMBER_START = frozenset("0123456789+-.")


_SPECIAL = _NULLS | _TRUE | _FALSE


def _text_size(value: Any) -> int:
    """Characters of text in a value, keys included (a number or a flag counts one).

    Walks what the aliases inside expand to: the node limit, checked first,
    bounds the total walked over all aliases of a document.
    """
    size, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, dict):
            size += sum(map(len, item))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            size += 1
    return size


# Stands for the key of a duplicate entry. Not a string: any string can be a key
# (a double-quoted "\0duplicate" included), and that key must stay an unknown field.
_DUPLICATE: Any = object()


def _unknown_tag(tag: str) -> str:
    shown = tag.replace(_TAG, "!!")
    return (
        f"YAML tag {shown} is not allowed: plans hold plain text, numbers, "
        "lists and mappings only — remove the tag"
    )


def _syntax_hint(problem: str, text: str, mark: Any) -> str:
    lines = text.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\t" in problem or "\t" in line[: mark.column + 1 if mark else 0]:
        return " — indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return " — a value containing ': ' needs quotes"
    if "could not find expected ':'" in problem:
        return " — check the indentation and that each key ends with ':'"
    return ""


def load_text(text: str, file: str, limits: Limits | None = None) -> Document:
    """Parse one YAML text into a Document; problems are yaml-syntax findings."""
    return _load_text(text, file, limits or Limits(), _EventLoader)


def _load_text(text: str, file: str, limits: Limits, loader_class: Any) -> Document:
    doc = Document(file=file)
    if "\x00" in text:
        line, col = _position_of_offset(text, text.index("\x00"))
        doc.problems.append(Problem(Location(file, line, col), "yaml-syntax.binary"))
        return doc
    loader = loader_class(text)
    get_event = loader.get_event
    try:
        documents = 0
        while (event := get_event()) is not None:
            etype = type(event)
            if etype is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    raise _Abort(
                        mark.line + 1,
                        mark.column + 1,
                        "the file holds more than one YAML document ('---'); "
                        "put each plan in a file of its own",
                    )
            elif etype in (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent,
                           yaml.SequenceStartEvent):  # fmt: skip
                doc.data = _Builder(doc, limits).build(get_event, event)
    except _Abort as exc:
        doc.problems.append(
            detailed(Location(file, exc.line, exc.column), "yaml-syntax", exc.message)
        )
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in str(exc.problem) and loader_class is not yaml.SafeLoader:
            # libyaml scans deep flow nesting ahead and stops at its own fixed
            # depth (1000); PyYAML's parser streams it, so limits.max_depth
            # decides, at the place where it is exceeded.
            return _load_text(text, file, limits, yaml.SafeLoader)
        mark = exc.problem_mark or exc.context_mark
        line, col = _inside(text, mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "malformed YAML"
        message = f"{problem}{_syntax_hint(problem, text, mark)}"
        if problem.startswith(indentation.SUSPECT):
            found = indentation.mistake(text, line)
            if found is not None:
                line, col, message = found
        what = (exc.context or "").removeprefix("while scanning ").removeprefix("while parsing ")
        if exc.problem and exc.context_mark and what.startswith(("a flow", "a quoted")):
            # Where the unclosed quote or bracket began is what the author must find.
            start = exc.context_mark
            message += f" (in {what} that starts on line {start.line + 1}, "
            message += f"column {start.column + 1})"
        doc.problems.append(detailed(Location(file, line, col), "yaml-syntax", message))
    except yaml.YAMLError as exc:  # reader errors (a control character) carry no mark
        line, col = _reader_error_position(text, exc)
        doc.problems.append(
            detailed(Location(file, line, col), "yaml-syntax", str(exc).splitlines()[0])
        )
    finally:
        loader.dispose()
    return doc


def load_bytes(raw: bytes, file: str, limits: Limits | None = None) -> Document:
    limits = limits or Limits()
    if len(raw) > limits.max_file_bytes:
        doc = Document(file=file)
        doc.problems.append(
            detailed(
                Location(file, 1, 1),
                "yaml-syntax",
                f"the file is larger than the limit of {limits.max_file_bytes:,} bytes "
                "(limits.max_file_bytes); split the plan",
            )
        )
        return doc
    text, error = decode(raw)
    if error is not None:
        doc = Document(file=file)
        if error.startswith("byte "):
            line, col = _position_of_offset(text, len(text))
            error = f"the file is not UTF-8 text: {error} at this point; save it as UTF-8"
        else:
            line, col = 1, 1
        doc.problems.append(detailed(Location(file, line, col), "yaml-syntax", error))
        return doc
    return load_text(text, file, limits)
