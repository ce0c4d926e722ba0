"""What an expression reads of each variable: a field-use analysis on its CEL syntax tree.

Converting a document's values to CEL is most of what a custom rule costs, so
each variable is converted with only the parts the rules read (``project``).
The analysis walks the parsed expression with a *demand* (what is needed of
the value an expression yields) and hands each variable the union of its
demands:

- ``x.f`` needs field ``f`` of ``x``; ``has(x.f)`` needs only whether ``f`` is
  there; ``x[k]`` needs element or key ``k`` (every one, unless ``k`` is a
  plain string literal);
- ``size(x)`` needs every key or element of ``x``, not their contents;
  ``k in x`` needs every key of a map, every element of a list whole;
- a macro's (``all``, ``exists``, ``exists_one``, ``map``, ``filter``) range
  needs of each element what its body needs of the bound variable;
- anything else a value meets (``==``, ``<``, ``+``, a function's argument,
  a method's receiver, a message placeholder) needs the value whole.

So map equality, ``size()`` of a map, iterating a map's keys and passing an
element to a function all keep what they depend on. The parser (syntax.py)
knows the CEL the analysis understands; where it meets anything else, or where the
names it finds differ from those CEL's own compiler reports, ``demands``
answers None and the caller converts every variable whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engine.rules.custom.syntax import MACROS, Node, Unknown, parse

# --- demands ----------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """Part of a value: of a map, the ``fields`` named (each with what is needed of
    it) and, with ``each``, every key with that of its value; of a list, ``each`` of
    its elements (``whole``: every element whole); a scalar is always kept."""

    fields: tuple[tuple[str, Demand], ...] = ()
    each: Demand | None = None
    whole: bool = False


class _Whole:
    def __repr__(self) -> str:
        return "WHOLE"


WHOLE = _Whole()
Demand = Need | _Whole
NOTHING = Need()  # the value's shape only: a map's listed keys, a list's length


def merge(a: Demand | None, b: Demand | None) -> Demand | None:
    if a is None or b is None:
        return a if b is None else b
    if isinstance(a, _Whole) or isinstance(b, _Whole):
        return WHOLE
    fields = dict(a.fields)
    for name, demand in b.fields:
        fields[name] = merge(fields.get(name), demand) or NOTHING
    return Need(tuple(sorted(fields.items())), merge(a.each, b.each), a.whole or b.whole)


def project(value: Any, demand: Demand) -> Any:
    """``value`` with only what ``demand`` needs of it (the same object where whole)."""
    cut = projector(demand)
    return value if cut is None else cut(value)


Projector = Callable[[Any], Any]


def _shape(value: Any) -> Any:
    """NOTHING's projection: a map without keys, a list of as many shapes."""
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


@lru_cache(maxsize=256)
def projector(demand: Demand) -> Projector | None:
    """``project`` for one demand, as a function (None: the value as it is): built
    once per rule set, run on every document."""
    if isinstance(demand, _Whole):
        return None
    if demand == NOTHING:
        return _shape
    cuts = [(name, projector(d)) for name, d in demand.fields]
    kept = [name for name, c in cuts if c is None]  # whole: copied as they are
    cut_fields = [(name, c) for name, c in cuts if c is not None]
    each = None if demand.each is None else projector(demand.each)
    named = {name: projector(merge(d, demand.each) or NOTHING) for name, d in demand.fields}
    every = demand.each is not None  # every key, each value cut by each's demand and its own
    element = None if demand.whole else projector(demand.each or NOTHING)

    def of_map(value: dict[Any, Any]) -> dict[Any, Any]:
        if every:
            out = {}
            for k, v in value.items():
                c = named.get(k, each)
                out[k] = v if c is None else c(v)
            return out
        out = {k: value[k] for k in kept if k in value}
        for k, c in cut_fields:
            if k in value:
                out[k] = c(value[k])
        return out

    def cut(value: Any) -> Any:
        if isinstance(value, dict):
            return of_map(value)
        if isinstance(value, list) and element is not None:
            return [element(v) for v in value]
        return value

    return cut


def _element(demand: Demand) -> Demand:
    """What ``demand`` of a list needs of each of its elements."""
    if isinstance(demand, _Whole) or demand.whole:
        return WHOLE
    return demand.each or NOTHING


# --- the analysis -------------------------------------------------------------


class _Reads:
    def __init__(self) -> None:
        self.demands: dict[str, Demand] = {}  # of the free variables
        self.names: set[str] = set()  # every identifier, as CEL's compiler lists them
        self.functions: set[str] = set()  # every named function

    def free(self, name: str, demand: Demand) -> None:
        name = name.removeprefix(".")
        self.demands[name] = merge(self.demands.get(name), demand) or NOTHING

    def walk(self, node: Node, demand: Demand, scope: dict[str, list[Demand]]) -> None:
        tag = node[0]
        if tag == "lit":
            return
        if tag == "ident":
            name = node[1]
            self.names.add(name)
            if name in scope:
                scope[name].append(demand)
            else:
                self.free(name, demand)
        elif tag == "select":
            self.walk(node[1], Need(fields=((node[2], demand),)), scope)
        elif tag == "index":
            _, operand, key = node
            self.walk(key, WHOLE, scope)
            if key[0] == "lit" and isinstance(key[1], str):
                self.walk(operand, Need(fields=((key[1], demand),)), scope)
            else:
                self.walk(operand, Need(each=demand), scope)
        elif tag == "list":
            for item in node[1]:
                self.walk(item, _element(demand), scope)
        elif tag == "map":
            for key, value in node[1]:
                self.walk(key, WHOLE, scope)
                self.walk(value, WHOLE, scope)
        elif tag == "op":
            self.operator(node[1], node[2], demand, scope)
        else:
            self.call(node[1], node[2], node[3], demand, scope)

    def operator(
        self, name: str, operands: tuple[Node, ...], demand: Demand, scope: dict[str, list[Demand]]
    ) -> None:
        if name == "?:":
            self.walk(operands[0], WHOLE, scope)
            self.walk(operands[1], demand, scope)
            self.walk(operands[2], demand, scope)
        elif name == "in":
            self.walk(operands[0], WHOLE, scope)
            # a map's keys, a list's elements whole: what membership compares
            self.walk(operands[1], Need(each=NOTHING, whole=True), scope)
        else:
            for operand in operands:
                self.walk(operand, WHOLE, scope)

    def call(
        self,
        receiver: Node | None,
        name: str,
        args: tuple[Node, ...],
        demand: Demand,
        scope: dict[str, list[Demand]],
    ) -> None:
        if receiver is None and name == "has":
            if len(args) != 1 or args[0][0] != "select":
                raise Unknown("has() of something that is not a field")
            _, operand, field = args[0]
            self.walk(operand, Need(fields=((field, NOTHING),)), scope)
            return
        macro = receiver is not None and name in MACROS and args and args[0][0] == "ident"
        if macro and receiver is not None and len(args) in (2, 3):
            self.macro(receiver, name, args, demand, scope)
            return
        self.functions.add(name)
        if name == "size" and len(args) + (receiver is not None) == 1:
            self.walk(receiver or args[0], Need(each=NOTHING), scope)
            return
        for node in (receiver, *args):
            if node is not None:
                self.walk(node, WHOLE, scope)

    def macro(
        self,
        receiver: Node,
        name: str,
        args: tuple[Node, ...],
        demand: Demand,
        scope: dict[str, list[Demand]],
    ) -> None:
        variable = args[0][1]
        if variable.startswith(".") or (len(args) == 3 and name != "map"):
            raise Unknown(f"{name}() with {len(args)} arguments")
        inner = {**scope, variable: []}
        element = _element(demand)
        if name == "map":
            for predicate in args[1:-1]:
                self.walk(predicate, WHOLE, inner)
            self.walk(args[-1], element, inner)
        else:
            self.walk(args[1], WHOLE, inner)
        needed: Demand | None = element if name == "filter" else None
        for each in inner[variable]:
            needed = merge(needed, each)
        self.walk(receiver, Need(each=needed or NOTHING), scope)


def demands(sources: list[str], names: set[str], functions: set[str]) -> dict[str, Demand] | None:
    """What ``sources`` (each yielding a value needed whole) read of each free
    variable; None where the analysis cannot tell. ``names`` and ``functions``:
    the identifiers and named functions CEL's compiler lists for them, which the
    parse must find too (a guard against reading an expression otherwise than CEL)."""
    reads = _Reads()
    try:
        for source in sources:
            reads.walk(parse(source), WHOLE, {})
    except (Unknown, RecursionError):
        return None
    if reads.names != names or reads.functions != functions:
        return None
    return reads.demands
