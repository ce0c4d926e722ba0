"""Running custom rules on one document: in Python where they can be, else by the library.

A rule whose expressions interpret.py compiled runs element by element in
Python on the document's own values (``Document.scope``): nothing converted.
Where it defers on an element (an error, a type mix, a case only the library
is sure of), that element is judged by the library, as every element of a
rule interpret.py does not compile is. For the library, the document's
variables are converted to CEL once for all its rules, when a rule first needs
them, each with only what some rule reads of it (reads.py: converting is most
of the library's cost, about 2 µs a string, key or map). The library runs a
rule once over the whole document (``ByLibrary.flags``); if that fails (a field
read without ``has()``, a type mismatch, a result that is not a bool), element
by element, so that each element that fails is reported where it is, as a
``rule-error``, and the others are still judged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from engine.findings import Location, Problem, Text, args
from engine.rules.custom.compile import Compiled
from engine.rules.custom.definition import EACH, ID_LISTS, days_between, top_level_fields
from engine.rules.custom.interpret import Program, truth
from engine.rules.custom.reads import WHOLE, Demand, merge, project
from engine.rules.custom.runtime import cel

Path = tuple[str | int, ...]
RULE_ERROR = "rule-error"
MESSAGE_KEY = "custom-rule"
# What an absent top-level field is bound to, so that ``stakeholders.exists(...)``
# works on a plan without stakeholders (``has(plan.x)`` still tells).
_EMPTY_LISTS = ("team", "stakeholders", "objectives", "expansion", "milestones", "waivers")
_EMPTY_MAPS = ("account", "renewal", "messages", "period")


@dataclass(frozen=True)
class Outcome:
    """One finding (``error`` None) or evaluation error of a rule at ``path``."""

    rule: str
    path: Path
    item: Any
    text: str
    error: str | None = None


def _functions(today: str) -> dict[str, Callable[..., int]]:
    return {
        "days_since": lambda day: days_between(day, today),
        "days_until": lambda day: days_between(today, day),
        "days_between": days_between,
    }


def elements(data: dict[str, Any], pattern: tuple[str, ...]) -> list[tuple[Path, Any, Any]]:
    """(path, element, parent) of every element a path pattern names: the list at its
    keys, its last step "*"; the parent of an action or key result
    (``objectives.*.actions.*``) is the objective holding it."""
    if len(pattern) == 4 and pattern[0] == "objectives":
        inner = pattern[2]
        return [
            (("objectives", o, inner, i), element, objective)
            for o, objective in enumerate(_list_at(data, ("objectives",)))
            if type(objective) is dict
            for i, element in enumerate(_list_at(objective, (inner,)))
        ]
    keys = pattern[:-1]
    return [((*keys, i), element, None) for i, element in enumerate(_list_at(data, keys))]


def _list_at(value: Any, keys: tuple[str, ...]) -> list[Any]:
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return []
        value = value[key]
    return value if isinstance(value, list) else []


class Document:
    """One document's variables: as they are for the rules evaluated in Python
    (``scope``), and converted to CEL for the library once, in one context for all
    its rules, each with only what the rules read of it (``reads``), when a rule first
    needs it. ``at(path)`` points ``__i`` (and ``__o``) at one element, which the
    library's element-by-element programs read through a resolver, costing no
    conversion."""

    def __init__(
        self,
        data: dict[str, Any],
        kind: str,
        today: str,
        reads: Callable[[], dict[str, Demand]],
    ) -> None:
        self.data = data
        self.kind = kind
        self.today = today
        self.reads = reads
        values: dict[str, Any] = {}
        for name in top_level_fields(kind):
            if name in data:
                values[name] = data[name]
            elif name in _EMPTY_LISTS:
                values[name] = []
            elif name in _EMPTY_MAPS:
                values[name] = {}
        values["plan"] = data
        values["today"] = today
        self.values = values
        self.scope = _Scope(values, self._ids)
        self.position: dict[str, int] = {}
        self._context: Any = None
        self._targets: dict[str | None, list[tuple[Path, Any, Any]]] = {}

    @property
    def context(self) -> Any:
        """The library's context, converted on first use."""
        if self._context is None:
            values = {**self.values}
            reads = self.reads()
            if "ids" in reads:
                values["ids"] = self.scope["ids"]
            chosen = {n: project(values[n], d) for n, d in reads.items() if n in values}
            self._context = cel.Context(variables=chosen, functions=_functions(self.today))
            self._context.set_variable_resolver(self.position.get)
        return self._context

    def _ids(self) -> dict[str, Any]:
        """Every id to its element."""
        ids: dict[str, Any] = {}
        for pattern in ID_LISTS[self.kind]:
            for _, element, _ in elements(self.data, pattern):
                ident = element.get("id") if isinstance(element, dict) else None
                if isinstance(ident, str) and ident not in ids:
                    ids[ident] = element
        return ids

    def targets(self, each: str | None) -> list[tuple[Path, Any, Any]]:
        """(path, element, parent) of every element ``each`` checks (one for the
        document without), walked once for all the rules that share ``each``."""
        if each not in self._targets:
            pattern = EACH[self.kind][each][0] if each else None
            self._targets[each] = (
                [((), None, None)] if pattern is None else elements(self.data, pattern)
            )
        return self._targets[each]

    def bind(self, item: Any, parent: Any) -> dict[str, Any]:
        """The scope of the Python programs, ``item`` and ``parent`` bound."""
        self.scope["item"] = item
        self.scope["parent"] = parent
        return self.scope

    def at(self, path: Path) -> Any:
        """The context, with ``__i`` (and ``__o``) at the element of ``path``."""
        if len(path) == 4:  # ("objectives", o, "actions" | "key_results", i)
            self.position["__o"] = int(path[1])
        if path:
            self.position["__i"] = int(path[-1])
        return self.context


class _Scope(dict[str, Any]):
    """The variables; ``ids`` built when a program first reads it."""

    def __init__(self, values: dict[str, Any], ids: Callable[[], dict[str, Any]]) -> None:
        super().__init__(values)
        self._ids = ids

    def __missing__(self, name: str) -> Any:
        if name != "ids":
            raise KeyError(name)
        self["ids"] = value = self._ids()
        return value


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"no such field or key {exc}"
    text = " ".join(str(exc).split())
    first, dot, _ = text.partition(". ")
    return (first + dot).strip() or type(exc).__name__


def _flat(value: Any) -> list[Any] | None:
    if isinstance(value, bool):
        return [value]
    if isinstance(value, list):
        out: list[Any] = []
        for v in value:
            part = _flat(v)
            if part is None:
                return None
            out += part
        return out
    return None


def run(rule: Compiled, doc: Document) -> list[Outcome]:
    """What one rule finds in one document: findings and evaluation errors."""
    spec = rule.rule
    targets = doc.targets(spec.each)
    if rule.native is not None:
        return _native(rule, rule.native, doc, targets)
    try:
        flags = _flat(rule.library.flags.execute(doc.context))
    except Exception:  # noqa: BLE001 - CEL's errors: placed element by element below
        flags = None
    if flags is not None and len(flags) == len(targets):
        found = [(p, e) for (p, e, _), flag in zip(targets, flags, strict=True) if flag]
        return [_finding(rule, doc, *t) for t in found]
    return [o for p, e, _ in targets for o in _one(rule, doc, p, e)]


def _native(
    rule: Compiled,
    programs: tuple[Program | None, Program],
    doc: Document,
    targets: list[tuple[Path, Any, Any]],
) -> list[Outcome]:
    """The rule on each element in Python; where it defers (interpret.py), or
    gives something other than a bool, as the library judges it."""
    when, check = programs
    out: list[Outcome] = []
    for path, item, parent in targets:
        scope = doc.bind(item, parent)
        try:
            if (when is not None and not truth(when(scope))) or truth(check(scope)):
                continue
        except Exception:  # noqa: BLE001 - Defer, or any other doubt: the library decides
            out += _one(rule, doc, path, item)
            continue
        out.append(_finding(rule, doc, path, item))
    return out


def _one(rule: Compiled, doc: Document, path: Path, item: Any) -> list[Outcome]:
    spec = rule.rule
    library = rule.library
    for field, program in (("when", library.when), ("assert", library.check)):
        if program is None:
            continue
        try:
            value = program.execute(doc.at(path))
        except Exception as exc:  # noqa: BLE001 - any evaluation error is a finding
            return [Outcome(spec.id, path, item, "", f"`{field}` failed: {_describe(exc)}")]
        if not isinstance(value, bool):
            kind = "null" if value is None else type(value).__name__
            return [Outcome(spec.id, path, item, "", f"`{field}` gave {kind}, not true or false")]
        if not value:
            return [] if field == "when" else [_finding(rule, doc, path, item)]
    return []


def _finding(rule: Compiled, doc: Document, path: Path, item: Any) -> Outcome:
    """The finding, its message written: a placeholder that fails stays as written,
    and the finding comes with a ``rule-error`` naming the placeholder."""
    spec = rule.rule
    pieces: list[str] = []
    errors: list[str] = []
    numbers = itertools.count()
    for part in rule.message:
        if isinstance(part, str):
            pieces.append(part)
            continue
        source, in_python = part
        number = next(numbers)
        try:
            pieces.append(_shown(_placeholder(rule, number, in_python, doc, path, item)))
        except Exception as exc:  # noqa: BLE001 - reported, never silent
            pieces.append("{" + source + "}")
            errors.append(f"`message` placeholder {{{source}}} failed: {_describe(exc)}")
    text = "".join(pieces).strip() or spec.summary
    return Outcome(spec.id, path, item, text, "; ".join(errors) or None)


def _placeholder(
    rule: Compiled, number: int, in_python: Program | None, doc: Document, path: Path, item: Any
) -> Any:
    """The value of the rule's placeholder ``number``: in Python where it can, else (or
    where it defers) the library's."""
    if in_python is not None:
        try:
            return in_python(doc.bind(item, _parent(doc.data, path)))
        except Exception:  # noqa: BLE001 - the library evaluates it, and tells what failed
            pass
    return rule.library.placeholders[number].execute(doc.at(path))


def _parent(data: dict[str, Any], path: Path) -> Any:
    return data["objectives"][path[1]] if len(path) == 4 else None


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "null"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):  # CEL's maps keep no order: sorted, for the same text every run
        pairs = sorted((_shown(k), _shown(v)) for k, v in value.items())
        return ", ".join(f"{k}: {v}" for k, v in pairs)
    return str(value)


@lru_cache(maxsize=16)
def _reads(rules: tuple[Compiled, ...]) -> dict[str, Demand]:
    """What all the rules read of each variable."""
    merged: dict[str, Demand] = {}
    for rule in rules:
        for name, demand in rule.library.reads:
            merged[name] = merge(merged.get(name), demand) or WHOLE
    return merged


def outcomes(
    rules: tuple[Compiled, ...], data: dict[str, Any], kind: str, today: date
) -> list[Outcome]:
    """Every outcome of the rules of ``kind`` on one document, in the rules' order."""
    mine = tuple(r for r in rules if r.rule.kind == kind)
    if not mine:
        return []
    doc = Document(data, kind, today.isoformat(), lambda: _reads(mine))
    return [o for r in mine for o in run(r, doc)]


def problems(
    rules: tuple[Compiled, ...],
    data: dict[str, Any],
    kind: str,
    today: date,
    place: Callable[[Path], Location],
    plan_id: str,
) -> Iterator[tuple[str, Problem]]:
    """(rule id, problem) of every outcome: a custom rule's finding, or a ``rule-error``
    (then also the rule's finding, if the error was only in its message)."""
    for outcome in outcomes(rules, data, kind, today):
        loc = place(outcome.path)
        target = outcome.item.get("id") if isinstance(outcome.item, dict) else None
        target = target if isinstance(target, str) else None
        where = "/".join(str(p) for p in _id_path(data, outcome.path))
        path = f"custom/{outcome.rule}" + (f"/{where}" if where else "")
        if outcome.error is not None:
            detail = args(rule=Text(outcome.rule), detail=Text(outcome.error))
            yield RULE_ERROR, Problem(loc, RULE_ERROR, detail, plan_id, target, path)
        if outcome.text:
            detail = args(detail=Text(outcome.text))
            yield outcome.rule, Problem(loc, MESSAGE_KEY, detail, plan_id, target, path)


def _id_path(data: Any, path: Path) -> list[str | int]:
    """A path with list indices replaced by the element's id where it has one."""
    out: list[str | int] = []
    value = data
    for step in path:
        value = value[step]
        ident = value.get("id") if isinstance(step, int) and isinstance(value, dict) else None
        out.append(ident if isinstance(ident, str) else step)
    return out
