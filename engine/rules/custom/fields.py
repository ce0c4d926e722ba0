"""The fields an expression names, checked against the schema: a misspelling, most likely.

The walk follows each value's schema through the syntax tree (syntax.py):
``item`` is an element of the rule's ``each``, ``parent`` an objective, a
top-level name its section, and a macro's variable an element of the list it
ranges over, so ``stakeholders.exists(s, s.stnace == "advocate")`` is caught
as well as ``item.stnace``. Where the schema does not say what a value is
(``ids[x]``, a function's result, a map without listed fields), nothing is
checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.rules.custom.definition import EACH, schema_defs
from engine.rules.custom.syntax import MACROS, Node

_PARENT_DEF = "objective"


@dataclass(frozen=True)
class Misspelt:
    """``name.field``, where ``noun`` (what ``name`` is) has only ``fields``."""

    name: str
    field: str
    noun: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class _Shape:
    noun: str
    schema: dict[str, Any]


class _Walk:
    def __init__(self, kind: str, each: str | None) -> None:
        self.properties, self.defs = schema_defs(kind)
        self.variables: dict[str, _Shape] = {}
        top = {"type": "object", "properties": self.properties}
        self.variables["plan"] = _Shape(f"an {kind} document", top)
        for name, spec in self.properties.items():
            if name not in ("apiVersion", "kind"):
                self.variables[name] = _Shape(f"the {name} section", self.resolve(spec))
        if each is not None:
            element = self.defs.get(EACH[kind][each][1]) or {}
            self.variables["item"] = _Shape(f"an element of {each}", element)
            if each in ("actions", "key_results"):
                self.variables["parent"] = _Shape("an objective", self.defs.get(_PARENT_DEF) or {})

    def resolve(self, spec: dict[str, Any]) -> dict[str, Any]:
        target = spec.get("$ref", "").rpartition("/")[2]
        return {**spec, **(self.defs.get(target) or {})} if target else spec

    def element(self, shape: _Shape | None) -> _Shape | None:
        """The shape of an element of a list of ``shape``."""
        if shape is None or shape.schema.get("type") != "array":
            return None
        items = shape.schema.get("items") or {}
        target = items.get("$ref", "").rpartition("/")[2]
        noun = f"an element of {shape.noun.removeprefix('the ').removesuffix(' section')}"
        return _Shape(_a(target.replace("_", " ")) if target else noun, self.resolve(items))

    def walk(self, node: Node, bound: dict[str, _Shape | None], found: list[Misspelt]) -> Any:
        """The shape of ``node``'s value (None: not known); misspelt fields into ``found``."""
        tag = node[0]
        if tag == "ident":
            name = node[1]
            return bound[name] if name in bound else self.variables.get(name.removeprefix("."))
        if tag == "select":
            return self.field(node[1], node[2], bound, found)
        if tag == "index":
            self.walk(node[2], bound, found)
            return self.element(self.walk(node[1], bound, found))
        if tag == "call":
            return self.call(node, bound, found)
        children = {"list": node[1:2], "map": node[1:2], "op": node[2:3]}.get(tag, ())
        for group in children:
            for child in group:
                for part in child if tag == "map" else (child,):
                    self.walk(part, bound, found)
        return None

    def field(
        self, operand: Node, name: str, bound: dict[str, _Shape | None], found: list[Misspelt]
    ) -> _Shape | None:
        shape = self.walk(operand, bound, found)
        fields = (shape.schema.get("properties") or {}) if shape else {}
        if shape is None or not fields:
            return None
        if name not in fields:
            found.append(Misspelt(_text(operand), name, shape.noun, tuple(fields)))
            return None
        spec = self.resolve(fields[name])
        return _Shape(f"the {name} of {shape.noun}", spec)

    def call(self, node: Node, bound: dict[str, _Shape | None], found: list[Misspelt]) -> None:
        _, receiver, name, args = node
        if receiver is not None and name in MACROS and args and args[0][0] == "ident":
            element = self.element(self.walk(receiver, bound, found))
            inner = {**bound, args[0][1]: element}
            for arg in args[1:]:
                self.walk(arg, inner, found)
            return
        for arg in (receiver, *args):
            if arg is not None:
                self.walk(arg, bound, found)


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _text(node: Node) -> str:
    """``item``, ``item.review``: the expression a field is read of, as written."""
    if node[0] == "ident":
        return str(node[1])
    if node[0] == "select":
        return f"{_text(node[1])}.{node[2]}"
    return "(…)"


def misspelt(tree: Node, kind: str, each: str | None) -> list[Misspelt]:
    """Every field ``tree`` reads that the schema does not give its value, in order."""
    found: list[Misspelt] = []
    _Walk(kind, each).walk(tree, {}, found)
    return found
