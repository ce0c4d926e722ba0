"""How cached results are written: the salt that names a cache, and the JSON
codec of results, summaries, metrics, findings and waivers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from engine import __version__
from engine.findings import Finding, Location
from engine.model.types import Places, Waiver
from engine.pipeline.file import FileResult, Settings

MAGIC = b"revplan-cache-9"


def _code_fingerprint() -> bytes:
    """The engine's source, schemas and shipped catalogues: results change when they
    do, version or not (a finding's English message is worded from ``en.yaml``)."""
    from engine.resources import schemas_dir, templates_dir

    h = hashlib.sha256()
    package = Path(__file__).parent
    files = [
        Path(root) / name
        for root, dirs, names in os.walk(package)
        for name in names
        if name.endswith(".py")
    ]
    files += sorted(schemas_dir().glob("*.json"))
    files += sorted((templates_dir() / "locales").glob("*.yaml"))
    for file in sorted(files):
        h.update(file.relative_to(file.parent.parent).as_posix().encode())
        h.update(file.read_bytes())
    return h.digest()


def salt_for(settings: Settings) -> str:
    h = hashlib.sha256(MAGIC)
    h.update(f"\n{__version__}\n{settings!r}\n".encode())
    h.update(_code_fingerprint())
    return h.hexdigest()[:32]


# Models are never cached (only run_check asks for them), packed or not; summaries and
# metrics are stored apart, so that a run that does not read them does not decode them.
_NOT_CACHED = {"FileResult": ("summary", "metrics", "model", "packed")}


_PRIMITIVES = (str, int, float, bool, type(None), Any)


class _Codegen:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_date": date.fromisoformat,
            "_new": object.__new__,
            "_encode_location": _encode_location,
            "_encode_names": _encode_names,
            "_decode_names": _decode_names,
            "_places": Places.from_written,
        }
        self.source: list[str] = []
        self.classes: dict[type, str] = {}
        self.unions: dict[tuple[type, ...], str] = {}
        self.counter = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def identity(self, tp: Any) -> bool:
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if tp in _PRIMITIVES:
            return True
        if origin in (typing.Union, types.UnionType):
            return all(self.identity(a) for a in args)
        if origin is list or origin in (dict, Mapping):
            return self.identity(args[-1])
        return False

    def encode(self, tp: Any, src: str) -> str:
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if self.identity(tp):
            return src
        if tp is date:
            return f"{src}.isoformat()"
        if tp is Location:
            return f"_encode_location({src}, f)"
        if tp is Places:  # a plan's places are in the cached file itself
            return f"{src}.written()"
        if origin in (typing.Union, types.UnionType):
            return self.union(args, src, encode=True)
        if origin is frozenset and args[0] is str:
            return f"_encode_names({src})"
        if origin is frozenset:  # a set has no order: sorted, equal results give equal bytes
            x = self.name("_x")
            return f"sorted([{self.encode(args[0], x)} for {x} in {src}])"
        if origin in (tuple, list):
            x = self.name("_x")
            return f"[{self.encode(args[0], x)} for {x} in {src}]"
        if origin in (dict, Mapping):
            k, x = self.name("_k"), self.name("_x")
            return f"{{{k}: {self.encode(args[1], x)} for {k}, {x} in {src}.items()}}"
        return f"_encode_{self.dataclass(tp)}({src}, f)"

    def decode(self, tp: Any, src: str) -> str:
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if self.identity(tp):
            return src
        if tp is date:
            return f"_date({src})"
        if tp is Location:
            return f"_decode_location({src}, f)"
        if tp is Places:
            return f"_places(f, {src})"
        if origin in (typing.Union, types.UnionType):
            return self.union(args, src, encode=False)
        if origin is frozenset and args[0] is str:
            return f"_decode_names({src})"
        if origin in (tuple, frozenset):
            build = origin.__name__
            if self.identity(args[0]):
                return f"{build}({src})"
            x = self.name("_x")
            return f"{build}([{self.decode(args[0], x)} for {x} in {src}])"
        if origin is list:
            x = self.name("_x")
            return f"[{self.decode(args[0], x)} for {x} in {src}]"
        if origin in (dict, Mapping):
            k, x = self.name("_k"), self.name("_x")
            return f"{{{k}: {self.decode(args[1], x)} for {k}, {x} in {src}.items()}}"
        return f"_decode_{self.dataclass(tp)}({src}, f)"

    def union(self, args: tuple[Any, ...], src: str, encode: bool) -> str:
        options = tuple(a for a in args if a is not type(None))
        t = self.name("_t")
        if len(options) == 1:
            inner = self.encode(options[0], t) if encode else self.decode(options[0], t)
            return f"(None if ({t} := {src}) is None else {inner})"
        if not all(dataclasses.is_dataclass(a) for a in options):
            raise TypeError(f"the cache cannot store a union of {options!r}")
        if options not in self.unions:
            name = self.unions[options] = self.name("union")
            branches_out, branches_in = "", ""
            for a in options:
                cls = self.dataclass(a)
                branches_out += f"    if type(o) is _{cls}: return [{cls!r}, _encode_{cls}(o, f)]\n"
                branches_in += f"    if v[0] == {cls!r}: return _decode_{cls}(v[1], f)\n"
            self.source.append(
                f"def _encode_{name}(o, f):\n{branches_out}    raise TypeError(type(o))\n"
                f"def _decode_{name}(v, f):\n{branches_in}    raise ValueError(v[0])\n"
            )
        name = self.unions[options]
        call = f"_encode_{name}({t}, f)" if encode else f"_decode_{name}({t}, f)"
        return f"(None if ({t} := {src}) is None else {call})"

    def dataclass(self, cls: type) -> str:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"the cache cannot store {cls!r}")
        if cls in self.classes:
            return self.classes[cls]
        name = self.classes[cls] = cls.__name__
        self.namespace[f"_{name}"] = cls
        hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
        skipped = _NOT_CACHED.get(name, ())
        fields = [f for f in dataclasses.fields(cls) if f.init]
        kept = [f.name for f in fields if f.name not in skipped]
        if [f.name for f in fields[len(kept) :]] != list(skipped):
            raise TypeError(f"{name}: fields left out of the cache must come last")
        out, back = [], []
        for i, field_name in enumerate(kept):
            tp = hints[field_name]
            if field_name == "file" and tp is str:  # the cached file's own name: null
                t = self.name("_t")
                out.append(f"(None if ({t} := o.{field_name}) == f else {t})")
                back.append(f"(f if ({t} := v[{i}]) is None else {t})")
            else:
                out.append(self.encode(tp, f"o.{field_name}"))
                back.append(self.decode(tp, f"v[{i}]"))
        check = f"    if len(v) != {len(kept)}: raise ValueError('{name}: wrong length')\n"
        if skipped or not _plain_frozen(cls):
            build = f"    return _{name}({', '.join(back)})\n"
        elif hasattr(cls, "__slots__"):
            # What pickle does: no __init__ (a frozen one sets each field through
            # object.__setattr__), just the fields; a third faster, and a warm run
            # builds a few hundred thousand of these.
            for field_name in kept:
                self.namespace[f"_set_{name}_{field_name}"] = getattr(cls, field_name).__set__
            build = (
                "    o = _new(_"
                + name
                + ")\n"
                + "".join(
                    f"    _set_{name}_{field_name}(o, {expr})\n"
                    for field_name, expr in zip(kept, back, strict=True)
                )
                + "    return o\n"
            )
        else:
            fields_dict = ", ".join(
                f"{field_name!r}: {expr}" for field_name, expr in zip(kept, back, strict=True)
            )
            build = (
                f"    o = _new(_{name})\n    o.__dict__.update({{{fields_dict}}})\n    return o\n"
            )
        self.source.append(
            f"def _encode_{name}(o, f):\n    return [{', '.join(out)}]\n"
            f"def _decode_{name}(v, f):\n{check}{build}"
        )
        return name

    def compile(self) -> dict[str, Any]:
        # [line, column] in the cached file, [line, column, file] elsewhere.
        if [f.name for f in dataclasses.fields(Location)] != ["file", "line", "column"]:
            raise TypeError("Location changed: update the cache's location codec")
        self.namespace["_Location"] = Location
        for name in ("file", "line", "column"):
            self.namespace[f"_set_location_{name}"] = getattr(Location, name).__set__
        self.source.append(
            "def _decode_location(v, f):\n"
            "    o = _new(_Location)\n"
            "    _set_location_file(o, f if len(v) == 2 else v[2])\n"
            "    _set_location_line(o, v[0])\n"
            "    _set_location_column(o, v[1])\n"
            "    return o\n"
        )
        exec(compile("\n".join(self.source), "<revplan cache codec>", "exec"), self.namespace)  # noqa: S102 - our own classes' code
        return self.namespace


def _encode_location(loc: Location, file: str) -> list[Any]:
    return [loc.line, loc.column] if loc.file == file else [loc.line, loc.column, loc.file]


_SEPARATOR = "\x1f"  # the ASCII unit separator: no id, name or path holds it


def _encode_names(names: frozenset[str]) -> str | list[str]:
    """A set of names as one string: a plan's sixty ids parse far faster that way."""
    ordered = sorted(names)  # a set has no order: sorted, equal results give equal bytes
    if not ordered or any(_SEPARATOR in name for name in ordered):
        return ordered
    return _SEPARATOR.join(ordered)


def _decode_names(value: str | list[str]) -> frozenset[str]:
    return frozenset(value.split(_SEPARATOR) if type(value) is str else value)


def _plain_frozen(cls: type) -> bool:
    """A frozen dataclass whose __init__ only stores its fields (no __post_init__)."""
    params = getattr(cls, "__dataclass_params__", None)
    return bool(params and params.frozen) and not hasattr(cls, "__post_init__")


# A part's encoder and decoder: (value, file its locations are in) -> JSON value, and back.
Codec = tuple[Callable[[Any, str], Any], Callable[[Any, str], Any]]


def _codecs() -> dict[str, Codec]:
    codegen = _Codegen()
    result = codegen.dataclass(FileResult)
    hints = typing.get_type_hints(FileResult)
    parts = {
        "summary": hints["summary"],
        "metrics": hints["metrics"],
        "findings": list[Finding],
        "waivers": tuple[Waiver, ...],
    }
    for name, tp in parts.items():
        codegen.source.append(
            f"def _encode_{name}(o, f):\n    return {codegen.encode(tp, 'o')}\n"
            f"def _decode_{name}(v, f):\n    return {codegen.decode(tp, 'v')}\n"
        )
    namespace = codegen.compile()
    codecs = {"result": (namespace[f"_encode_{result}"], namespace[f"_decode_{result}"])}
    codecs |= {name: (namespace[f"_encode_{name}"], namespace[f"_decode_{name}"]) for name in parts}
    return codecs


_CODECS = _codecs()


def json_line(data: Any) -> bytes:
    # One line: JSON escapes newlines and tabs inside strings. A path that is not
    # UTF-8 (kept as surrogates) is written as its bytes: such a line does not parse
    # back, so it is recomputed, as a damaged one is, instead of failing the run.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogateescape"
    )


class Encoded(NamedTuple):
    """A result as lines of JSON, the digest of what the repository-wide rules read,
    and its ``Index``."""

    result: bytes
    summary: bytes
    metrics: bytes
    repository: bytes
    index_line: bytes  # the Index, as JSON


class Index(NamedTuple):
    """What ``revplan diff`` reads of every file, kept beside its result so that a
    file the same on both sides is never decoded: the file's kind and plan id, and
    whether its findings all lie in it and are of its plan (or of none), so that
    what other files' findings reach is known without them."""

    kind: str | None
    plan_id: str
    valid: bool
    contained: bool

    @classmethod
    def of(cls, result: FileResult) -> Index:
        contained = all(
            f.file == result.file and f.plan in (None, "", result.plan_id) for f in result.findings
        )
        return cls(result.kind, result.plan_id, result.valid, contained)


def decode_indexes(blobs: list[bytes]) -> list[Index | None]:
    """What ``encode_result`` stored as each result's index, parsed together (one JSON
    parse for 10,000 files); None where one is not an index (damaged)."""
    return [_index(value) for value in _parse_all(blobs)]


def _index(value: Any) -> Index | None:
    if not (isinstance(value, list) and len(value) == 4):
        return None
    kind, plan_id, valid, contained = value
    if (
        kind in (None, "AccountPlan", "OKRs")
        and type(plan_id) is str
        and type(valid) is bool
        and type(contained) is bool
    ):
        return Index(kind, plan_id, valid, contained)
    return None


def encode_result(result: FileResult) -> Encoded:
    file = result.file
    summary = encode_part("summary", result.summary, file)
    # The repository-wide rules read the summary and the waivers (with the plan's id);
    # the waivers, and so every file's part of a report, whether the plan was checked.
    waivers = json_line(
        [
            result.plan_id,
            result.status,
            result.kind,
            result.valid,
            _CODECS["waivers"][0](result.waivers, file),
        ]
    )
    return Encoded(
        encode_part("result", result, file),
        summary,
        encode_part("metrics", result.metrics, file),
        hashlib.sha256(summary + b"\n" + waivers).hexdigest()[:32].encode(),
        json_line(list(Index.of(result))),
    )


def _json(blob: bytes) -> Any:
    """``blob``'s JSON value; ValueError for anything else, nesting too deep for the
    parser included (a damaged or planted entry 200,000 levels deep was a
    RecursionError, which nothing caught). No entry revplan writes is a hundred deep."""
    try:
        return json.loads(blob)
    except RecursionError:
        raise ValueError("nested too deep") from None


def _parse_all(blobs: list[bytes]) -> list[Any]:
    """Each blob's JSON value, None where a blob is not one JSON value."""
    values: list[Any] | None
    try:
        values = _json(b"[%s]" % b",".join(blobs))
    except ValueError:
        values = None
    if values is not None and len(values) == len(blobs):
        return values
    # A damaged entry (or one holding two values, "1,2"): parse one by one to find it.
    return [_parse_or_none(blob) for blob in blobs]


def _parse_or_none(blob: bytes) -> Any:
    try:
        return _json(blob)
    except ValueError:
        return None


def encode_part(part: str, value: Any, file: str) -> bytes:
    """The JSON line of a ``result`` (without summary and metrics), a ``summary``,
    ``metrics``, a list of ``findings`` or a tuple of ``waivers`` (``file``: the file
    their locations are in, if one)."""
    return json_line(_CODECS[part][0](value, file))


def decode_part(part: str, blob: bytes, file: str) -> Any:
    """What ``encode_part`` encoded."""
    return _CODECS[part][1](_json(blob), file)
