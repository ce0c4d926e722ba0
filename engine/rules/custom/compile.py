"""Compiling a custom rule's expressions once, and checking what they read.

Every expression is compiled when the config is loaded (and once per worker
process, from the rule's text). A rule's ``when`` and ``assert`` are also
compiled as one expression over the whole document (``flags``), which yields
a finding flag per element: one execution per rule and document, where
element by element would bind ``item`` anew for each. Only when that one
execution fails does the evaluator go element by element, to place the error.

CEL is ``common-expression-language`` (a Rust core): in revplan's pipeline it
ran the cookbook's rules 22x faster than ``cel-python`` (bench/cel_engines.py).
``when``, ``assert`` and each placeholder are also compiled to Python
(interpret.py) where the parse reads them as the library's compiler does: on
generated 20 KB plans the cookbook's rules take 0.8 ms a plan that way, 8 ms
by the library, conversion included.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from engine.rules.custom.definition import (
    EACH,
    FUNCTIONS,
    CustomRule,
    variables,
)
from engine.rules.custom.fields import misspelt
from engine.rules.custom.interpret import Program, native
from engine.rules.custom.reads import WHOLE, Demand, demands
from engine.rules.custom.runtime import cel
from engine.rules.custom.syntax import Unknown, parse

# "{expression}" in a message; "{{" and "}}" are literal braces.
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_STRING = re.compile(r"""(?:[rR]?"(?:\\.|[^"\\])*"|[rR]?'(?:\\.|[^'\\])*')""")
_BOUND = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")


class RuleCompileError(Exception):
    """``field``: which of the rule's fields (``when``, ``assert``, ``message``...) is wrong."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


@dataclass(frozen=True)
class ByLibrary:
    """A rule's programs in the CEL library, for what the Python ones defer (or all of
    it, where there are none)."""

    flags: Any  # cel.Program: the finding flags of the whole document
    # Element by element, ``item`` (and ``parent``) being the element at the position
    # the evaluator's ``__i`` (and ``__o``) name: no conversion per element.
    when: Any | None  # cel.Program of ``when``
    check: Any  # cel.Program of ``assert``
    placeholders: tuple[Any, ...]  # cel.Program of each placeholder, in order
    # What the programs read of each variable they read (reads.py): the evaluator
    # converts only that of a document.
    reads: tuple[tuple[str, Demand], ...]


@dataclass(frozen=True, eq=False)  # one per rule and process: identity is equality, hashed cheaply
class Compiled:
    rule: CustomRule
    # literal text, or (placeholder, its Python program or None)
    message: tuple[str | tuple[str, Program | None], ...]
    # ``when`` and ``assert`` in Python (interpret.py), item and parent bound by
    # name; None where they use CEL only the library runs.
    native: tuple[Program | None, Program] | None = None

    @cached_property
    def library(self) -> ByLibrary:
        """Compiled when first needed: a run whose rules all go by Python (or that
        reads every result from the cache) compiles only what validates them."""
        rule = self.rule
        sources = [part[0] for part in self.message if isinstance(part, tuple)]
        flags = cel.compile(flags_source(rule))
        when = cel.compile(at_position(rule, rule.when)) if rule.when is not None else None
        check = cel.compile(at_position(rule, rule.assert_))
        placeholders = tuple(cel.compile(at_position(rule, source)) for source in sources)
        programs = [flags, check, *([when] if when else []), *placeholders]
        return ByLibrary(flags, when, check, placeholders, reads_of(programs))


def _hint(name: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""


def _program(field: str, text: str) -> Any:
    try:
        return cel.compile(text)
    except (ValueError, RuntimeError, TypeError) as exc:
        raise RuleCompileError(field, f"`{field}` does not compile: {_parse_error(exc)}") from None


def _parse_error(exc: BaseException) -> str:
    """CEL's message in one line: where in the expression, and what it expected (the
    echo of the expression and its caret do not survive being put on one line)."""
    lines = [line.strip() for line in str(exc).splitlines()]
    lines = [line for line in lines if line and not line.startswith("|")]
    text = " ".join(lines)
    text = re.sub(r"^Failed to parse expression .*?: (?=ERROR)", "", text, flags=re.S)
    return re.sub(
        r"ERROR: <input>:(\d+):(\d+): ", r"at line \1, column \2 of the expression: ", text
    )


def _check_names(rule: CustomRule, field: str, text: str, program: Any) -> None:
    """Unknown variables and fields the schema does not have: a misspelling, most likely."""
    seen = variables(rule.kind, rule.each)
    code = _STRING.sub('""', text)
    bound = set(_BOUND.findall(code))
    functions = set(program.functions())
    for name in program.variables():
        if name in seen or name in bound or name in functions:
            continue
        raise RuleCompileError(
            field,
            f"`{field}` reads '{name}', which a rule of kind {rule.kind}"
            f"{f' with each: {rule.each}' if rule.each else ''} does not see"
            f"{_hint(name, [*seen, *FUNCTIONS])} (it sees: {', '.join(seen)})",
        )
    try:
        tree = parse(text)
    except Unknown:
        return  # CEL the parser does not know: the library's checks above stand alone
    for wrong in misspelt(tree, rule.kind, rule.each):
        raise RuleCompileError(
            field,
            f"`{field}` reads {wrong.name}.{wrong.field}, a field {wrong.noun} does not have"
            f"{_hint(wrong.field, wrong.fields)} (it has: {', '.join(wrong.fields)})",
        )


def flags_source(rule: CustomRule) -> str:
    """``when`` and ``assert`` as one expression: true where the rule finds a problem."""
    flag = f"!({rule.assert_})"
    if rule.when:
        flag = f"(({rule.when}) ? {flag} : false)"
    if rule.each is None:
        return flag
    path, _ = EACH[rule.kind][rule.each]
    if path[0] == "objectives" and len(path) == 4:
        return f"objectives.map(parent, has(parent.{path[2]}) ? parent.{path[2]}.map(item, {flag}) : [])"
    if path[0] == "renewal":
        return f"(has(renewal.requirements) ? renewal.requirements.map(item, {flag}) : [])"
    return f"{path[0]}.map(item, {flag})"


def at_position(rule: CustomRule, expression: str) -> str:
    """``expression`` on the element at position ``__i`` (of objective ``__o``)."""
    if rule.each is None:
        return expression
    path, _ = EACH[rule.kind][rule.each]
    if path[0] == "objectives" and len(path) == 4:
        inner = f"[parent.{path[2]}[__i]].map(item, {expression})[0]"
        return f"[objectives[__o]].map(parent, {inner})[0]"
    if path[0] == "renewal":
        return f"[renewal.requirements[__i]].map(item, {expression})[0]"
    return f"[{path[0]}[__i]].map(item, {expression})[0]"


@lru_cache(maxsize=256)  # config load, its examples and the check share one compile
def compile_rule(rule: CustomRule) -> Compiled:
    """The rule's programs; RuleCompileError says which field is wrong and how."""
    if rule.kind not in EACH:
        raise RuleCompileError(
            "kind", f"unknown kind '{rule.kind}'{_hint(rule.kind, list(EACH))} (one of: "
            f"{', '.join(EACH)})",
        )  # fmt: skip
    if rule.each is not None and rule.each not in EACH[rule.kind]:
        known = list(EACH[rule.kind])
        raise RuleCompileError(
            "each",
            f"unknown each '{rule.each}' for kind {rule.kind}{_hint(rule.each, known)} "
            f"(one of: {', '.join(known)})",
        )
    native_when = _checked(rule, "when", rule.when) if rule.when is not None else None
    native_check = _checked(rule, "assert", rule.assert_)
    parts: list[str | tuple[str, Program | None]] = []
    for text, source in _message_parts(rule.message or rule.summary):
        if source is None:
            parts.append(text)
            continue
        if not source.strip():
            raise RuleCompileError("message", "`message` has an empty placeholder {}")
        parts.append((source, _checked(rule, "message", source)))
    in_python = None  # both in Python, or the library runs the rule
    if native_check is not None and (rule.when is None or native_when is not None):
        in_python = (native_when, native_check)
    return Compiled(rule=rule, message=tuple(parts), native=in_python)


def _checked(rule: CustomRule, field: str, text: str) -> Program | None:
    """``text`` compiled by the library (its names checked against the schema), and
    in Python where the parse reads it as the library does (None: it does not)."""
    program = _program(field, text)
    _check_names(rule, field, text, program)
    names = set(program.variables())
    functions = {f for f in program.functions() if _NAMED.fullmatch(f)}
    return native(text) if demands([text], names, functions) is not None else None


def reads_of(programs: list[Any]) -> tuple[tuple[str, Demand], ...]:
    """What the programs read of each variable: by the field-use analysis, or every
    variable whole where it cannot tell."""
    names = {n for p in programs for n in p.variables()}
    functions = {f for p in programs for f in p.functions() if _NAMED.fullmatch(f)}
    found = demands([p.source for p in programs], names, functions)
    if found is None:
        found = {n.removeprefix("."): WHOLE for n in names}
    return tuple(sorted(found.items()))


_NAMED = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # a function's name, not an operator's


def _message_parts(message: str) -> list[tuple[str, str | None]]:
    """The message as (literal text, None) and (placeholder, its expression) pieces."""
    parts: list[tuple[str, str | None]] = []
    end = 0
    for match in PLACEHOLDER.finditer(message):
        parts.append((message[end : match.start()], None))
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append((token[0], None))
        else:
            parts.append((token, match.group(1)))
        end = match.end()
    parts.append((message[end:], None))
    return [p for p in parts if p[0] or p[1] is not None]


@lru_cache(maxsize=8)  # per file: the tuple's hash, not one per rule
def compiled(rules: tuple[CustomRule, ...]) -> tuple[Compiled, ...]:
    """Every rule's programs, compiled once per process (the config has checked them)."""
    return tuple(compile_rule(rule) for rule in rules)
