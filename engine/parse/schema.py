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

from engine.findings import Many, Phrase, Problem, Text, args, detailed
from engine.parse import numbers
from engine.parse.loader import Document, Path
from engine.resources import schema
from engine.suggest import slug

if TYPE_CHECKING:  # jsonschema is imported when a document fails: it takes a tenth of a second
    import jsonschema
    from jsonschema.exceptions import ValidationError


_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}


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
_KIND_HINT = "add kind: AccountPlan (an account plan) or kind: OKRs (an OKR set)"


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


_LEAVE_OUT = "if it is not a plan, leave it out with exclude: in revplan.yaml"


ANOTHER_CONFIG = (
    "a second revplan config (kind: Config) among the plans: a run reads one config only "
    "(--config, or the revplan.yaml found upwards) — move it out of the plan paths, or leave "
    "it out with exclude: in revplan.yaml"
)


def not_ours(doc: Document) -> str:
    """What a YAML file under the plan paths that is not a revplan document is, and how
    to fix it (a plan without its header, or another tool's file to leave out)."""
    start = f"start it with apiVersion: {API_VERSION} and kind: AccountPlan or OKRs"
    data = doc.data
    if data is None:
        return f"the file is empty (or holds only comments): if it is a plan, {start}; {_LEAVE_OUT}"
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a single value ({_shown(data)})"
        return (
            f"the file holds {what}, not a mapping: a plan is one mapping, one plan to a file "
            f"({start}); {_LEAVE_OUT}"
        )
    said = [f"{key}: {_shown(data[key])}" for key in ("apiVersion", "kind") if key in data]
    verb = "are" if len(said) > 1 else "is"
    what = f"its {' and '.join(said)} {verb} not revplan's" if said else "it has no apiVersion"
    return f"not a revplan document ({what}): if it is a plan, {start}; {_LEAVE_OUT}"


def identity_problems(doc: Document) -> list[Problem]:
    """What is wrong with a document's ``apiVersion`` and ``kind``, each located and with
    its fix: a document that says it is revplan's is never skipped without a word."""
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = []
    for field, check in (("apiVersion", _api_version_problem), ("kind", _kind_problem)):
        if field in data:
            message = check(data[field])
            if message:
                problems.append(detailed(doc.loc((field,)), "schema", message))
            continue
        misspelt = [k for k in data if isinstance(k, str) and k.casefold() == field.casefold()]
        if misspelt:
            problems.append(
                detailed(
                    doc.key_loc((misspelt[0],)),
                    "schema",
                    f"'{misspelt[0]}' is not a field — did you mean '{field}'? (field names "
                    "are case-sensitive)",
                )
            )
        elif field == "apiVersion":
            problems.append(
                detailed(
                    doc.loc(()),
                    "schema",
                    f"missing required field 'apiVersion' — add apiVersion: {API_VERSION} as "
                    "the first line",
                )
            )
        else:
            problems.append(
                detailed(doc.loc(()), "schema", f"missing required field 'kind' — {_KIND_HINT}")
            )
    return problems


def _api_version_problem(value: Any) -> str | None:
    if value == API_VERSION:
        return None
    if isinstance(value, str) and value.strip() == API_VERSION:
        return (
            f"apiVersion: {_shown(value)} must be exactly {API_VERSION} (a block scalar or "
            "spaces add characters): write apiVersion: revplan/v1"
        )
    if not isinstance(value, str):
        return f"apiVersion: {_type_message(value, 'string')}"
    return f"apiVersion: {_pattern_message(value, '^' + API_VERSION + '$')}"


def _kind_problem(value: Any) -> str | None:
    if value in DOCUMENT_KINDS:
        return None
    hint = _suggest(value, list(DOCUMENT_KINDS)) if isinstance(value, str) else ""
    fix = hint or f" — {_KIND_HINT}"
    return f"kind: {_shown(value)} is not one of {', '.join(DOCUMENT_KINDS)}{fix}"


def schema_problems(doc: Document, kind: str, plan: str | None = None) -> list[Problem]:
    """Every schema error in the document, located and worded for a plan author."""
    separators = [
        detailed(
            doc.loc(path),
            "schema",
            f"{dotted(path)}: {written} is read as {numbers.read_as(written)} — YAML takes "
            f"'.' for the decimal point; for {int(meant):,} write {meant}",
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
    seen: set[tuple[int, int, str]] = set()
    unique = []
    for problem in sorted(problems, key=lambda p: (p.loc.line, p.loc.column, _detail(p))):
        key = (problem.loc.line, problem.loc.column, _detail(problem))
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    if more:
        where = tuple(more[0].absolute_path)
        unique.append(
            detailed(
                doc.loc(where),
                "schema",
                f"{dotted(where)}: more schema errors follow; revplan stops after "
                f"{MAX_SCHEMA_ERRORS} in one file — fix these and check again",
                plan=plan,
                path=dotted(where),
            )
        )
    return unique


def _detail(problem: Problem) -> str:
    detail = problem.args[0].value
    return detail.text if isinstance(detail, Text) else ""


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


def _closest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else ""


def _suggest(word: str, options: list[str]) -> str:
    close = _closest(word, options)
    return f" — did you mean '{close}'?" if close else ""


def _explain(doc: Document, error: ValidationError, plan: str | None) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    where = dotted(path)
    validator = error.validator
    # What the schema asked for (the enum's options, the type, the pattern...).
    asked: Any = error.validator_value
    value = error.instance
    schema_part = error.schema if isinstance(error.schema, dict) else {}

    def problem(message: str, at_key: Path | None = None) -> Problem:
        loc = doc.key_loc(at_key) if at_key is not None else doc.loc(path)
        return detailed(loc, "schema", message, plan=plan, path=dotted(at_key or path))

    def worded(variant: str, at_key: Path | None = None, **values: Text | Phrase | Many) -> Problem:
        """A problem the catalogues word (``schema.<variant>``), in every language."""
        loc = doc.key_loc(at_key) if at_key is not None else doc.loc(path)
        said = args(where=Text(where), **values)
        return Problem(loc, f"schema.{variant}", said, plan=plan, path=dotted(at_key or path))

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
            value=Text(_shown(value)),
            options=Text(", ".join(options)),
            hint=Phrase("hint.suggest", args(close=Text(close))) if close else Phrase("hint.none"),
        )
    elif validator == "const":
        yield problem(f"{where}: {_shown(value)} must be '{error.validator_value}'")
    elif validator == "type":
        # A number written as people write money or margins is told the number it means.
        meant = numbers.hint(path, value) if isinstance(value, str) else ""
        message = f"{_shown(value)} should be a number{meant}" if meant else None
        yield problem(f"{where}: {message or _type_message(value, asked)}")
    elif validator == "pattern":
        yield problem(f"{where}: {_pattern_message(value, asked)}")
    elif validator == "format":
        yield worded("date", value=Text(_shown(value)))
    elif validator == "propertyNames":
        yield problem(f"{where}: {error.message}")
    elif validator in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = {
            "minimum": "at least",
            "exclusiveMinimum": "more than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }[validator]
        limit = error.validator_value
        yield problem(
            f"{where}: {_shown(value)} must be {bound} {limit}{numbers.hint(path, value)}"
        )
    elif validator == "minLength":
        yield worded("empty")
    elif validator == "minItems":
        yield problem(f"{where}: needs at least {error.validator_value} item(s)")
    elif validator == "uniqueItems":
        yield worded("twice")
    else:
        yield problem(f"{where}: {error.message}")


def _type_message(value: Any, expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
    message = f"{_shown(value)} should be {wanted}"
    if (
        "boolean" in names
        and isinstance(value, str)
        and value.lower() in ("yes", "no", "on", "off")
    ):
        message = f"{_shown(value)} is ambiguous in YAML — write true or false"
    elif "string" in names and isinstance(value, int | float) and not isinstance(value, bool):
        message += f" — put it in quotes to make it text: '{value}'"
    elif "string" in names and isinstance(value, bool):
        message += " — put it in quotes to make it text"
    elif "number" in names and isinstance(value, str):
        message += " — write a plain number such as 480000 (no units, finite)"
    elif "array" in names and isinstance(value, dict):
        message += " — write each item on its own line starting with '- '"
    elif "object" in names and isinstance(value, list):
        message += " — write 'field: value' lines here, not a '- ' list"
    elif "array" in names and isinstance(value, str | int | float):
        message += f" — write [{value}] for a list of one"
    elif "array" in names and value is None:
        message += " — write [] for an empty list, or remove the field"
    return message


def _pattern_message(value: Any, pattern: str) -> str:
    if pattern.startswith("^[0-9]{4}"):
        return f"{_shown(value)} is not a date — write YYYY-MM-DD, e.g. 2026-11-02"
    if pattern.startswith("^revplan/"):
        return f"{_shown(value)} is not a supported apiVersion — write revplan/v1"
    if "/" in pattern:
        return (
            f"{_shown(value)} is not an OKR reference — write "
            "'<OKRs id>/<objective id>', e.g. cro-fy27/nrr-115"
        )
    if pattern.startswith("^[a-z0-9]"):
        return (
            f"{_shown(value)} is not a valid id — use lower-case letters, digits, "
            f"'-' and '_' (e.g. '{slug(str(value)) or 'my-id'}')"
        )
    if pattern == "^[A-Z]{3}$":
        return f"{_shown(value)} is not a currency code — write three capitals, e.g. USD"
    return f"{_shown(value)} does not match {pattern}"
