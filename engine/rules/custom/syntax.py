"""CEL's syntax, parsed into a tree of tuples: the part of CEL that revplan reads itself.

The field-use analysis (reads.py) and the evaluator of CEL's common cases
(interpret.py) walk this tree. It knows the CEL the cookbook's rules are
written in: literals, variables, fields, indexes, lists, maps, calls and
methods, macros and every operator, with CEL's precedence. Anything else
raises ``Unknown`` and the caller leaves the expression to the CEL library.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


class Unknown(Exception):
    """Syntax this parser does not know (CEL may well accept it)."""


_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*)
  | (?P<string>(?:[rR][bB]?|[bB][rR]?)?(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+[uU]?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\|\||&&|==|!=|<=|>=|[<>!?:+\-*/%.,()\[\]{}])
    """,
    re.X,
)
_RELATIONS = ("<", "<=", ">", ">=", "==", "!=", "in")
MACROS = ("all", "exists", "exists_one", "map", "filter")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise Unknown(text[at:])
        at = match.end()
        kind = match.lastgroup or ""
        if kind != "space":
            token = match.group()
            out.append(("op" if token == "in" else kind, token))
    out.append(("end", ""))
    return out


class Opaque:
    """A literal whose value the parser does not decode (escapes, bytes, unsigned ints)."""


_INT64 = 2**63


def _string(token: str) -> Any:
    """A string literal's value where it has no escapes (or is raw), else ``Opaque``."""
    raw = token[0] in "rR"
    text = token[1:] if raw else token
    if text[0] not in "\"'" or (not raw and "\\" in text):
        return Opaque  # bytes, or escapes
    quote = 3 if text.startswith(("'''", '"""')) else 1
    return text[quote:-quote]


def _number(token: str) -> Any:
    if token[-1] in "uU":
        return Opaque
    if token[:2] in ("0x", "0X"):
        value: int | float = int(token, 16)
    elif "." in token or "e" in token or "E" in token:
        return float(token)
    else:
        value = int(token)
    return value if value < _INT64 else Opaque  # CEL rejects it; the library says why


# Syntax tree: tuples of ("lit", value), ("ident", name), ("select", operand, field),
# ("call", receiver | None, name, args), ("index", operand, key), ("list", items),
# ("map", ((key, value), ...)), ("op", operator, operands).
Node = tuple[Any, ...]


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> str:
        kind, token = self.tokens[self.at]
        return token if kind == "op" else kind

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.at]
        if expected is not None and self.peek() != expected:
            raise Unknown(f"expected {expected!r} at {token[1]!r}")
        self.at += 1
        return token

    def parse(self) -> Node:
        node = self.expr()
        self.take("end")
        return node

    def expr(self) -> Node:
        condition = self.binary(0)
        if self.peek() != "?":
            return condition
        self.take("?")
        then = self.binary(0)
        self.take(":")
        return ("op", "?:", (condition, then, self.expr()))

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||",),
        ("&&",),
        _RELATIONS,
        ("+", "-"),
        ("*", "/", "%"),
    )

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            operator = self.take()[1]
            node = ("op", operator, (node, self.binary(level + 1)))
        return node

    def unary(self) -> Node:
        """``!`` and ``-`` repeated, not mixed (CEL's grammar: ``-!x`` is no expression)."""
        operator = self.peek()
        if operator not in ("!", "-"):
            return self.member()
        count = 0
        while self.peek() == operator:
            self.take()
            count += 1
        node = self.member()
        for _ in range(count):
            node = ("op", "u" + operator, (node,))
        return node

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self.peek() == ".":
                self.take()
                name = self.take("name")[1]
                if self.peek() == "(":
                    node = ("call", node, name, self.arguments(")"))
                else:
                    node = ("select", node, name)
            elif self.peek() == "[":
                self.take()
                key = self.expr()
                self.take("]")
                node = ("index", node, key)
            else:
                return node

    def arguments(self, close: str) -> tuple[Node, ...]:
        self.take()
        items: list[Node] = []
        while self.peek() != close:
            items.append(self.expr())
            if self.peek() != ",":
                break
            self.take()
        self.take(close)
        return tuple(items)

    def primary(self) -> Node:
        kind, token = self.tokens[self.at]
        if kind == "name":
            self.take()
            if token in ("true", "false", "null"):
                return ("lit", {"true": True, "false": False, "null": None}[token])
            if self.peek() == "(":
                return ("call", None, token, self.arguments(")"))
            if self.peek() == "{":
                raise Unknown("message construction")
            return ("ident", token)
        if kind == "op" and token == ".":  # .name: the name at the root, past any binding
            self.take()
            name = self.take("name")[1]
            if self.peek() in ("(", "{"):
                raise Unknown("qualified call")
            return ("ident", "." + name)
        if kind in ("string", "number"):
            self.take()
            return ("lit", _string(token) if kind == "string" else _number(token))
        if token == "(":
            self.take()
            node = self.expr()
            self.take(")")
            return node
        if token == "[":
            return ("list", self.arguments("]"))
        if token == "{":
            self.take()
            pairs: list[tuple[Node, Node]] = []
            while self.peek() != "}":
                key = self.expr()
                self.take(":")
                pairs.append((key, self.expr()))
                if self.peek() != ",":
                    break
                self.take()
            self.take("}")
            return ("map", tuple(pairs))
        raise Unknown(token)


@lru_cache(maxsize=1024)  # a rule's texts are parsed for the analysis and for Python alike
def parse(text: str) -> Node:
    """The syntax tree of ``text``; ``Unknown`` where it is not CEL this parser knows."""
    try:
        return Parser(text).parse()
    except (IndexError, RecursionError):
        raise Unknown(text) from None
