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

from .findings import Location, Problem

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
    max_nodes: int = 200_000


@dataclass
class Document:
    """One YAML file as plain values, with where each value and key stands."""

    file: str
    data: Any = None
    value_locs: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_locs: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # yaml-syntax problems

    def loc(self, path: Path) -> Location:
        """The value at ``path``, or the nearest enclosing value that has a place."""
        path = tuple(path)
        while path not in self.value_locs and path:
            path = path[:-1]
        line, col = self.value_locs.get(path, (1, 1))
        return Location(self.file, line, col)

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
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
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
    expected = {
        _TAG + "int": int,
        _TAG + "float": (int, float),
        _TAG + "bool": bool,
        _TAG + "null": type(None),
    }[tag]
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return float(value) if tag == _TAG + "float" else value
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


def _position_of_offset(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _Builder:
    """Turns one document's parser events into values and location maps."""

    def __init__(self, doc: Document, limits: Limits) -> None:
        self.doc = doc
        self.limits = limits
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliases = 0
        self.nodes = 0

    def _count(self, n: int, line: int, col: int) -> None:
        self.nodes += n
        if self.nodes > self.limits.max_nodes:
            raise _Abort(
                line,
                col,
                f"the document expands to more than {self.limits.max_nodes} values "
                "(limits.max_nodes); a plan this large is more likely an alias bomb",
            )

    def build(self, events: Any, first: Any) -> Any:
        """Consume events from a document's first node event to its end."""
        doc = self.doc
        value_locs, key_locs = doc.value_locs, doc.key_locs
        # Each frame: [container, path, is_mapping, pending_key, sizes_start]
        stack: list[list[Any]] = []
        event = first
        max_depth = self.limits.max_depth
        while True:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            etype = type(event)
            if etype is yaml.MappingEndEvent or etype is yaml.SequenceEndEvent:
                frame = stack.pop()
                value = frame[0]
                if frame[4] is not None:  # anchored collection: remember it for aliases
                    self.anchors[frame[4]] = (value, self.nodes - frame[5])
                if not stack:
                    return value
                event = next(events)
                continue

            # A node starts: where does it go?
            if stack:
                parent = stack[-1]
                if parent[2] and parent[3] is None:  # mapping awaiting a key
                    if etype is not yaml.ScalarEvent or event.tag not in (None, _TAG + "str"):
                        raise _Abort(
                            line,
                            col,
                            "a mapping key must be plain text "
                            "(lists, mappings and aliases cannot be keys)",
                        )
                    # Keys stay text as written: "1: x" is the field "1", not a number.
                    key = event.value
                    path = parent[1] + (key,)
                    if key in parent[0]:
                        first_line = key_locs[path][0]
                        doc.problems.append(
                            Problem(
                                Location(doc.file, line, col),
                                f"duplicate key '{key}' (first defined on line {first_line}); "
                                "a mapping may hold each key once — merge or rename them",
                            )
                        )
                        key = _DUPLICATE  # its value is read, checked for limits, dropped
                    parent[3] = key
                    key_locs.setdefault(parent[1] + (key,), (line, col))
                    event = next(events)
                    continue
                key = parent[3] if parent[2] else len(parent[0])
                path = parent[1] + (key,)
            else:
                parent = None
                path = ()

            if etype is yaml.ScalarEvent:
                value = self._scalar(event, line, col)
                self._count(1, line, col)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif etype is yaml.AliasEvent:
                self.aliases += 1
                if self.aliases > self.limits.max_aliases:
                    raise _Abort(
                        line,
                        col,
                        f"more than {self.limits.max_aliases} aliases (limits.max_aliases)",
                    )
                if event.anchor not in self.anchors:
                    raise _Abort(
                        line, col, f"alias *{event.anchor} refers to an anchor that is not closed"
                    )
                value, size = self.anchors[event.anchor]
                self._count(size, line, col)
            elif etype is yaml.MappingStartEvent or etype is yaml.SequenceStartEvent:
                tag = event.tag
                if tag not in (None, "!", _TAG + "map", _TAG + "seq"):
                    raise _Abort(line, col, _unknown_tag(tag))
                if len(stack) >= max_depth:
                    raise _Abort(
                        line, col, f"nesting deeper than {max_depth} levels (limits.max_depth)"
                    )
                self._count(1, line, col)
                is_map = etype is yaml.MappingStartEvent
                container: Any = {} if is_map else []
                value_locs[path] = (line, col)
                if parent is not None:
                    _attach(parent, container)
                stack.append([container, path, is_map, None, event.anchor, self.nodes])
                event = next(events)
                continue
            else:
                raise _Abort(line, col, f"unexpected YAML event {etype.__name__}")

            value_locs[path] = (line, col)
            if parent is None:
                return value
            _attach(parent, value)
            event = next(events)

    def _scalar(self, event: Any, line: int, col: int) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            if not event.style:  # plain: libyaml says '', the pure-Python parser None
                return resolve_plain(event.value)
            return event.value
        if tag in _KNOWN_SCALAR_TAGS:
            return _tagged_scalar(tag, event.value, line, col)
        raise _Abort(line, col, _unknown_tag(tag))


# Stands for the key of a duplicate entry: NUL cannot occur in YAML text.
_DUPLICATE = "\x00duplicate"


def _attach(parent: list[Any], value: Any) -> None:
    if parent[2]:
        if parent[3] != _DUPLICATE:
            parent[0][parent[3]] = value
        parent[3] = None
    else:
        parent[0].append(value)


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
    limits = limits or Limits()
    doc = Document(file=file)
    if "\x00" in text:
        line, col = _position_of_offset(text, text.index("\x00"))
        doc.problems.append(
            Problem(Location(file, line, col), "the file holds NUL bytes: it is binary, not YAML")
        )
        return doc
    loader = _EventLoader(text)
    events = _iter_events(loader)
    try:
        documents = 0
        for event in events:
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
                doc.data = _Builder(doc, limits).build(events, event)
    except _Abort as exc:
        doc.problems.append(Problem(Location(file, exc.line, exc.column), exc.message))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "malformed YAML"
        doc.problems.append(
            Problem(Location(file, line, col), f"{problem}{_syntax_hint(problem, text, mark)}")
        )
    except yaml.YAMLError as exc:  # reader errors carry no mark
        doc.problems.append(Problem(Location(file, 1, 1), str(exc).splitlines()[0]))
    finally:
        loader.dispose()
    return doc


def _iter_events(loader: Any) -> Any:
    while loader.check_event():
        yield loader.get_event()


def load_bytes(raw: bytes, file: str, limits: Limits | None = None) -> Document:
    limits = limits or Limits()
    if len(raw) > limits.max_file_bytes:
        doc = Document(file=file)
        doc.problems.append(
            Problem(
                Location(file, 1, 1),
                f"the file is {len(raw):,} bytes, over the limit of "
                f"{limits.max_file_bytes:,} (limits.max_file_bytes); split the plan",
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
        doc.problems.append(Problem(Location(file, line, col), error))
        return doc
    return load_text(text, file, limits)


def looks_like_ours(raw: bytes) -> bool:
    """Whether a file that failed to parse still claims to be a revplan file."""
    return (
        b"revplan/" in raw[:65536]
        or re.search(rb"kind:\s*['\"]?(AccountPlan|OKRs)\b", raw[:65536]) is not None
    )
