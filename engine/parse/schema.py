"""Schema validation: a document's values against its kind's JSON Schema.

Validity is decided by a compiled validator when one is available (fast);
the documents that fail are validated again with jsonschema, whose errors
carry the paths we turn into located, plan-author-friendly messages.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from engine.findings import Arg, Many, Number, Phrase, Problem, Text, Value, args, detailed
from engine.parse import numbers
from engine.parse.loader import Document, Path
from engine.resources import schema
from engine.suggest import slug

if TYPE_CHECKING:  # jsonschema is imported when a document fails: it takes a tenth of a second
    import jsonschema
    from jsonschema.exceptions import ValidationError


# A problem's wording: its message key (``schema.<variant>``) and arguments.
Said = tuple[str, tuple[Arg, ...]]


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    import jsonschema

    checker = jsonschema.FormatChecker(formats=("date",))
    cls = jsonschema.validators.validator_for(schema(kind))
    return cls(_string_end_anchors(schema(kind)), format_checker=checker)


# A pattern's closing ``$`` not escaped by a backslash.
_CLOSING_DOLLAR = re.compile(r"(?<!\\)\$$")


def _string_end_anchors(node: Any) -> Any:
    """The schema with each pattern's closing ``$`` as ``\\Z``.

    In JSON Schema (ECMA-262 regular expressions) ``$`` matches only at the end;
    Python's also matches before a final newline, so ``id: "acme\\n"`` (a block
    scalar) passed ``^[a-z0-9][a-z0-9_-]*$`` and became a file name with a newline.
    fastjsonschema makes the same change.
    """
    if isinstance(node, list):
        return [_string_end_anchors(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _string_end_anchors(value) for key, value in node.items()}
    if isinstance(node.get("pattern"), str):
        out["pattern"] = _CLOSING_DOLLAR.sub(r"\\Z", node["pattern"])
    return out


@cache
def _fast_validator(kind: str) -> Any:
    """A compiled validity check, or None when fastjsonschema is not installed."""
    try:
        import fastjsonschema
    except ImportError:
        return None
    # fastjsonschema knows drafts up to 7; our schemas use no 2020-12-only keyword.
    compat = dict(
        _validity_only(schema(kind)), **{"$schema": "http://json-schema.org/draft-07/schema#"}
    )
    # use_default=False: by default fastjsonschema writes schema defaults into the
    # document it checks. Without detailed exceptions the generated code is a third
    # of the size and compiles in a fifth of the time (it is compiled on every run).
    return fastjsonschema.compile(
        compat, formats={"date": _is_date}, use_default=False, detailed_exceptions=False
    )


# Keywords whose values are maps of names to schemas (the names are not keywords).
_NAMED_SCHEMAS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


# Keywords that annotate and never change whether a document is valid.
_ANNOTATIONS = ("title", "description", "examples", "default", "$comment")


def _validity_only(node: Any) -> Any:
    """The schema without annotations, and ``const: x`` as ``enum: [x]`` (same meaning).

    fastjsonschema cannot generate ``const`` without detailed exceptions.
    """
    if isinstance(node, list):
        return [_validity_only(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ANNOTATIONS:
            continue
        if key in _NAMED_SCHEMAS and isinstance(value, dict):
            out[key] = {name: _validity_only(sub) for name, sub in value.items()}
        elif key == "const" and "enum" not in node:
            out["enum"] = [value]
        elif key in ("const", "enum"):
            out[key] = value  # values, not schemas
        else:
            out[key] = _validity_only(value)
    return out


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _is_date(value: Any) -> bool:
    """jsonschema's "date" format check, without importing jsonschema."""
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def compile_validators() -> None:
    """Compile every kind's validity check now rather than on its first document."""
    for kind in ("AccountPlan", "OKRs"):
        _fast_validator(kind)


def is_valid(kind: str, data: Any) -> bool:
    fast = _fast_validator(kind)
    if fast is None:
        return bool(_validator(kind).is_valid(data))
    try:
        fast(data)
    except Exception:  # noqa: BLE001 - any failure means "explain with jsonschema"
        return False
    return True


# A file wrong everywhere (thousands of numbers where mappings belong) would take
# seconds to explain in full; the first errors are what its author needs.
MAX_SCHEMA_ERRORS = 100


API_VERSION = "revplan/v1"
DOCUMENT_KINDS = ("AccountPlan", "OKRs", "Config")


def claims_to_be_ours(data: dict[Any, Any]) -> bool:
    """Whether a mapping says, however misspelt, that it is a revplan document: an
    ``apiVersion`` of revplan's, or a ``kind`` of a plan or OKR set, under a key
    written in any case (``apiversion:``, ``Kind:``)."""
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        name = key.casefold()
        if name == "apiversion" and value.strip().startswith("revplan/"):
            return True
        # Not Config: Kubernetes' kubeconfig files are "kind: Config" too.
        if name == "kind" and value.strip() in ("AccountPlan", "OKRs"):
            return True
    return False


def another_config(doc: Document) -> Problem:
    """A second config (kind: Config) among the plans: a run reads one config only."""
    return Problem(doc.loc(("kind",)), "schema.another_config")


def not_ours(doc: Document) -> Problem:
    """What a YAML file under the plan paths that is not a revplan document is, and how
    to fix it (a plan without its header, or another tool's file to leave out)."""
    fix = args(start=Phrase("schema.hint.start", args(version=Text(API_VERSION))))
    data = doc.data
    if data is None:
        return Problem(doc.loc(()), "schema.not_ours.empty", fix)
    if isinstance(data, list):
        return Problem(doc.loc(()), "schema.not_ours.list", fix)
    if not isinstance(data, dict):
        return Problem(doc.loc(()), "schema.not_ours.single", (*fix, *args(value=_value(data))))
    said = [f"{key}: {_shown(data[key])}" for key in ("apiVersion", "kind") if key in data]
    if not said:
        return Problem(doc.loc(()), "schema.not_ours.no_api_version", fix)
    named = args(said=Many(tuple(map(Text, said))), count=Number(len(said)))
    return Problem(doc.loc(()), "schema.not_ours", (*fix, *named))


def identity_problems(doc: Document) -> list[Problem]:
    """What is wrong with a document's ``apiVersion`` and ``kind``, each located and with
    its fix: a document that says it is revplan's is never skipped without a word."""
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = []
    for field, check in (("apiVersion", _api_version_problem), ("kind", _kind_problem)):
        if field in data:
            said = check(data[field])
            if said:
                key, values = said
                where = Arg("where", Text(field))
                problems.append(Problem(doc.loc((field,)), key, (where, *values)))
            continue
        misspelt = [k for k in data if isinstance(k, str) and k.casefold() == field.casefold()]
        if misspelt:
            named = args(name=Text(misspelt[0]), field=Text(field))
            problems.append(Problem(doc.key_loc((misspelt[0],)), "schema.misspelt", named))
        elif field == "apiVersion":
            version = args(version=Text(API_VERSION))
            problems.append(Problem(doc.loc(()), "schema.no_api_version", version))
        else:
            problems.append(Problem(doc.loc(()), "schema.no_kind"))
    return problems


def _api_version_problem(value: Any) -> Said | None:
    if value == API_VERSION:
        return None
    if isinstance(value, str) and value.strip() == API_VERSION:
        return "schema.spaces", args(value=_value(value), version=Text(API_VERSION))
    if not isinstance(value, str):
        return _type_said(value, "string")
    return _pattern_said(value, "^" + API_VERSION + "$")


def _kind_problem(value: Any) -> Said | None:
    if value in DOCUMENT_KINDS:
        return None
    close = _closest(value, list(DOCUMENT_KINDS)) if isinstance(value, str) else ""
    hint = Phrase("hint.suggest", args(close=Text(close))) if close else Phrase("schema.hint.kind")
    options = Text(", ".join(DOCUMENT_KINDS))
    return "schema.enum", args(value=_value(value), options=options, hint=hint)


def schema_problems(doc: Document, kind: str, plan: str | None = None) -> list[Problem]:
    """Every schema error in the document, located and worded for a plan author."""
    separators = [
        Problem(
            doc.loc(path),
            "schema.grouped",
            args(
                where=Text(dotted(path)),
                written=Text(written),
                read=Text(numbers.read_as(written)),
                meant=Number(int(meant)),
            ),
            plan=plan,
            path=dotted(path),
        )
        for path, written, meant in numbers.grouped(doc)
    ]
    if is_valid(kind, doc.data):
        return separators
    problems: list[Problem] = separators
    errors = list(islice(_validator(kind).iter_errors(doc.data), MAX_SCHEMA_ERRORS + 1))
    more, errors = errors[MAX_SCHEMA_ERRORS:], errors[:MAX_SCHEMA_ERRORS]
    # A value that is wrong in shape is not also reported as an impossible date.
    shaped = {tuple(e.absolute_path) for e in errors if e.validator != "format"}
    for error in errors:
        if error.validator == "format" and tuple(error.absolute_path) in shaped:
            continue
        problems.extend(_explain(doc, error, plan))
    # One message per place: overlapping errors (e.g. type and enum) say the same.
    seen: set[tuple[int, int, Any]] = set()
    unique = []
    for problem in sorted(problems, key=_order):
        key = (problem.loc.line, problem.loc.column, _sameness(problem))
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    if more:
        where = tuple(more[0].absolute_path)
        limit = args(where=Text(dotted(where)), limit=Number(MAX_SCHEMA_ERRORS))
        unique.append(Problem(doc.loc(where), "schema.more", limit, plan=plan, path=dotted(where)))
    return unique


# At one place these say one thing: the first of them (a second missing field of the
# same mapping waits for the next run). Kept as it was so the English findings, and
# the baselines recorded from them, do not change.
_ONE_A_PLACE = frozenset(
    f"schema.{v}" for v in ("unknown_field", "required", "required_any", "enum", "date", "empty")
) | {"schema.twice"}


def _sameness(problem: Problem) -> Any:
    return "" if problem.key in _ONE_A_PLACE else (problem.key, problem.args)


def _order(problem: Problem) -> tuple[int, int, int, str]:
    """In the file's order; at one place, the ones said once a place first."""
    return (problem.loc.line, problem.loc.column, problem.key not in _ONE_A_PLACE, problem.key)


def dotted(path: Path) -> str:
    """``('stakeholders', 3, 'stance')`` -> ``stakeholders[3].stance``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _value(value: Any) -> Value:
    """A value as a message shows it: as written, or what it is (``a mapping``) in the
    reader's words (``schema.shown.<what>``)."""
    if isinstance(value, dict):
        return Phrase("schema.shown.mapping")
    if isinstance(value, list):
        return Phrase("schema.shown.list")
    if value is None:
        return Phrase("schema.shown.empty")
    return Text(_shown(value))


def _closest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else ""


def _explain(doc: Document, error: ValidationError, plan: str | None) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    where = dotted(path)
    validator = error.validator
    # What the schema asked for (the enum's options, the type, the pattern...).
    asked: Any = error.validator_value
    value = error.instance
    schema_part = error.schema if isinstance(error.schema, dict) else {}

    def problem(message: str) -> Problem:
        """A problem only jsonschema can word (a keyword revplan's schemas do not use)."""
        return detailed(doc.loc(path), "schema", f"{where}: {message}", plan=plan, path=where)

    def worded(variant: str, at_key: Path | None = None, **values: Value) -> Problem:
        """A problem the catalogues word (``schema.<variant>``), in every language."""
        loc = doc.key_loc(at_key) if at_key is not None else doc.loc(path)
        said = args(where=Text(where), **values)
        return Problem(loc, f"schema.{variant}", said, plan=plan, path=dotted(at_key or path))

    def told(said: Said) -> Problem:
        key, values = said
        return Problem(
            doc.loc(path), key, (Arg("where", Text(where)), *values), plan=plan, path=where
        )

    alternatives = error.context or []
    if (
        validator in ("anyOf", "oneOf")
        and alternatives
        and all(e.validator == "required" and not e.relative_path for e in alternatives)
    ):
        # e.g. a waiver needs `rule` or `rules`: name every way to satisfy it, not the first.
        ways = (
            ", ".join(f"'{f}'" for f in cast(list[str], e.validator_value)) for e in alternatives
        )
        yield worded("required_any", fields=Many(tuple(Text(way) for way in ways)))
    elif validator in ("anyOf", "oneOf") and alternatives:
        from jsonschema.exceptions import best_match

        yield from _explain(doc, best_match(alternatives), plan)
    elif validator == "additionalProperties" and isinstance(value, dict):
        allowed = list(schema_part.get("properties", {}))
        for key in value:
            if key not in allowed:
                key_path = path + (key,)
                close = _closest(key, allowed)
                hint = (
                    Phrase("hint.suggest", args(close=Text(close)))
                    if close
                    else Phrase("schema.hint.merge")
                    if key == "<<"
                    else Phrase("schema.hint.expected", args(options=Text(", ".join(allowed))))
                )
                yield worded(
                    "unknown_field",
                    key_path,
                    field=Text(dotted(key_path)),
                    name=Text(key),
                    hint=hint,
                )
    elif validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield worded("required", name=Text(missing))
    elif validator == "enum" or (validator == "const" and path == ("kind",)):
        options = (
            [str(o) for o in asked] if validator == "enum" else ["AccountPlan", "OKRs", "Config"]
        )
        close = _closest(str(value), options) if isinstance(value, str) else ""
        yield worded(
            "enum",
            value=_value(value),
            options=Text(", ".join(options)),
            hint=Phrase("hint.suggest", args(close=Text(close))) if close else Phrase("hint.none"),
        )
    elif validator == "const":
        yield problem(f"{_shown(value)} must be '{error.validator_value}'")
    elif validator == "type":
        # A number written as people write money or margins is told the number it means.
        meant = numbers.hint(path, value) if isinstance(value, str) else None
        yield told(_type_said(value, "number", meant) if meant else _type_said(value, asked))
    elif validator == "pattern":
        yield told(_pattern_said(value, asked))
    elif validator == "format":
        yield worded("date", value=_value(value))
    elif validator in ("minimum", "exclusiveMinimum", "maximum"):
        hint = numbers.hint(path, value) or Phrase("hint.none")
        limit = Text(str(error.validator_value))
        yield worded(f"bound.{validator}", value=_value(value), limit=limit, hint=hint)
    elif validator == "minLength":
        yield worded("empty")
    elif validator == "minItems":
        yield worded("min_items", count=Number(cast(int, error.validator_value)))
    elif validator == "uniqueItems":
        yield worded("twice")
    else:
        yield problem(error.message)


def _type_said(value: Any, expected: str | list[str], hint: Phrase | None = None) -> Said:
    """``{value} should be {wanted}{hint}``: the types as catalogue words
    (``schema.type_name.<type>``), and what to write instead."""
    names = [expected] if isinstance(expected, str) else list(expected)
    shown = _value(value)
    if (
        "boolean" in names
        and isinstance(value, str)
        and value.lower() in ("yes", "no", "on", "off")
    ):
        return "schema.ambiguous", args(value=shown)
    wanted = Many(tuple(Phrase(f"schema.type_name.{n}") for n in names))
    return "schema.type", args(value=shown, wanted=wanted, hint=hint or _type_hint(value, names))


def _type_hint(value: Any, names: list[str]) -> Phrase:
    if "string" in names and isinstance(value, int | float) and not isinstance(value, bool):
        return Phrase("schema.hint.quote", args(text=Text(str(value))))
    if "string" in names and isinstance(value, bool):
        return Phrase("schema.hint.quote_bool")
    if "number" in names and isinstance(value, str):
        return Phrase("schema.hint.plain_number")
    if "array" in names and isinstance(value, dict):
        return Phrase("schema.hint.list_lines")
    if "object" in names and isinstance(value, list):
        return Phrase("schema.hint.mapping_lines")
    if "array" in names and isinstance(value, str | int | float):
        return Phrase("schema.hint.list_of_one", args(text=Text(str(value))))
    if "array" in names and value is None:
        return Phrase("schema.hint.empty_list")
    return Phrase("hint.none")


def _pattern_said(value: Any, pattern: str) -> Said:
    shown = args(value=_value(value))
    if pattern.startswith("^[0-9]{4}"):
        return "schema.pattern.date", shown
    if pattern.startswith("^revplan/"):
        return "schema.pattern.api_version", shown
    if "/" in pattern:
        return "schema.pattern.okr_reference", shown
    if pattern.startswith("^[a-z0-9]"):
        example = Text(slug(str(value)) or "my-id")
        return "schema.pattern.id", (*shown, Arg("example", example))
    # (The validator's patterns end in \\Z rather than $: see _string_end_anchors.)
    if pattern.removesuffix("\\Z").removesuffix("$") == "^[A-Z]{3}":
        return "schema.pattern.currency", shown
    # Shown as the schema file writes it: its closing anchors as $ again.
    written = re.sub(r"(?<!\\)\\Z", "$", pattern)
    return "schema.pattern", (*shown, Arg("pattern", Text(written)))
