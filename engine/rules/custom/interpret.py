"""CEL's common cases evaluated in Python, on the document's own values.

The CEL library converts every value it is given (about 2 µs a string, key or
map) and interprets each program in its own runtime; most custom rules are a
few field reads, comparisons and macros over lists, which Python evaluates on
the loaded document directly, converting nothing. An expression is compiled
here (``native``) only where the parse (syntax.py) finds the same names and
functions as the library's compiler, and each operation computes a value only
where the library's is certain: operands of the types it is defined for, a
field that is there, an integer that does not overflow. Anywhere else (an
error, a type mix, an edge of the library's own) it raises ``Defer`` and the
caller asks the library, so an outcome, error text included, is always the
library's.
"""

from __future__ import annotations

import operator as operators
from collections.abc import Callable
from typing import Any

from engine.rules.custom.definition import days_between
from engine.rules.custom.syntax import MACROS, Node, Opaque, Unknown, parse


class Defer(Exception):
    """Not a case this module is certain of: the CEL library decides."""


Scope = dict[str, Any]  # variable -> value; a macro binds its variable in place
Program = Callable[[Scope], Any]

_MIN, _MAX = -(2**63), 2**63 - 1
_EXACT = 2**53  # beyond it the library compares an int with a double as doubles
_NUMBERS = (int, float)
_SCALARS = (str, int, float, bool, type(None))
_VALUES = (*_SCALARS, list, dict)
_MISSING = object()


def native(text: str) -> Program | None:
    """``text`` as a Python function of a scope, or None where it uses CEL this
    module leaves to the library."""
    try:
        return _compile(parse(text))
    except (Unknown, RecursionError):
        return None


def _int(value: int) -> int:
    if not _MIN <= value <= _MAX:
        raise Defer  # overflow: the library's error
    return value


def _exact(value: Any) -> bool:
    return type(value) is float or -_EXACT <= value <= _EXACT


def equal(a: Any, b: Any) -> bool:
    """CEL's ``==``: numbers across int and double, false across other types."""
    ta, tb = type(a), type(b)
    if ta in _NUMBERS and tb in _NUMBERS:
        if ta is not tb and not (_exact(a) and _exact(b)):
            raise Defer
        return bool(a == b)
    if ta is not tb:
        if ta in _VALUES and tb in _VALUES:
            return False
        raise Defer
    if ta is list:
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if ta is dict:
        if any(type(k) is not str for k in (*a, *b)):
            raise Defer  # 1 and true are one key to Python, two to CEL
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if ta in _SCALARS:
        return bool(a == b)
    raise Defer


def _order(a: Any, b: Any) -> tuple[Any, Any]:
    """The operands of ``<`` and its kin, where CEL orders them as Python does."""
    ta, tb = type(a), type(b)
    if ta is tb and ta in (str, int, float, bool):
        return a, b
    if ta in _NUMBERS and tb in _NUMBERS and _exact(a) and _exact(b):
        return a, b
    raise Defer


def _add(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is not type(b) or ta not in (int, float, str, list):
        raise Defer
    return _int(a + b) if ta is int else a + b


def _arithmetic(operator: str) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        ta = type(a)
        if ta is not type(b) or ta not in _NUMBERS:
            raise Defer
        if operator == "-":
            return _int(a - b) if ta is int else a - b
        if operator == "*":
            return _int(a * b) if ta is int else a * b
        if ta is float or b == 0:
            raise Defer  # x / 0.0 is inf, % of doubles undefined: the library's cases
        magnitude = abs(a) // abs(b) if operator == "/" else abs(a) % abs(b)
        negative = (a < 0) != (b < 0) if operator == "/" else a < 0
        return _int(-magnitude if negative else magnitude)  # truncated, as C and CEL do

    return apply


_COMPARE = {"<": operators.lt, "<=": operators.le, ">": operators.gt, ">=": operators.ge}


def _relation(operator: str) -> Callable[[Any, Any], bool]:
    if operator == "==":
        return equal
    if operator == "!=":
        return lambda a, b: not equal(a, b)
    if operator == "in":
        return _member
    compare: Callable[[Any, Any], Any] = _COMPARE[operator]
    return lambda a, b: bool(compare(*_order(a, b)))


def _member(value: Any, container: Any) -> bool:
    if type(container) is list:
        return any(equal(value, element) for element in container)
    if type(container) is dict and type(value) is str:
        return value in container
    raise Defer


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise Defer
    return value


def _size(value: Any) -> int:
    if type(value) is str and not value.isascii():
        raise Defer  # the library counts a string's UTF-8 bytes, CEL its code points
    if type(value) not in (str, list, dict):
        raise Defer
    return len(value)


def _string(value: Any) -> str:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise Defer


def _text_method(name: str) -> Callable[[Any, Any], bool]:
    test = {
        "contains": str.__contains__,
        "startsWith": str.startswith,
        "endsWith": str.endswith,
    }[name]

    def apply(text: Any, part: Any) -> bool:
        if type(text) is not str or type(part) is not str:
            raise Defer
        return bool(test(text, part))

    return apply


def _days(scope: Scope, start: Any, end: Any) -> int:
    try:
        return days_between(start, end)
    except ValueError:
        raise Defer from None  # the library calls the same function: its error


# name -> (number of arguments, function of the scope and the arguments' values)
_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "size": (1, lambda scope, value: _size(value)),
    "string": (1, lambda scope, value: _string(value)),
    "days_since": (1, lambda scope, day: _days(scope, day, scope["today"])),
    "days_until": (1, lambda scope, day: _days(scope, scope["today"], day)),
    "days_between": (2, _days),
}
_METHODS = ("contains", "startsWith", "endsWith")


def _compile(node: Node) -> Program:
    tag = node[0]
    if tag == "lit":
        value = node[1]
        if value is Opaque:
            raise Unknown("literal")

        def literal(scope: Scope) -> Any:
            return value

        literal.literal = (value,)  # type: ignore[attr-defined]
        return literal
    if tag == "ident":
        name = node[1]
        if name.startswith("."):
            raise Unknown("root-qualified name")
        return operators.itemgetter(name)  # no Python frame: the commonest step
    if tag == "select":
        return _select(_compile(node[1]), node[2])
    if tag == "index":
        return _index(_compile(node[1]), _compile(node[2]))
    if tag == "list":
        items = [_compile(item) for item in node[1]]
        return lambda scope: [item(scope) for item in items]
    if tag == "map":
        return _map_literal([(_compile(k), _compile(v)) for k, v in node[1]])
    if tag == "op":
        return _operator(node[1], [_compile(operand) for operand in node[2]])
    return _call(node[1], node[2], node[3])


def _select(operand: Program, field: str) -> Program:
    def select(scope: Scope) -> Any:
        value = operand(scope)
        if type(value) is not dict or field not in value:
            raise Defer
        return value[field]

    return select


def _index(operand: Program, key: Program) -> Program:
    def index(scope: Scope) -> Any:
        value, at = operand(scope), key(scope)
        if type(value) is list and type(at) is int and 0 <= at < len(value):
            return value[at]
        if type(value) is dict and type(at) is str and at in value:
            return value[at]
        raise Defer

    return index


def _map_literal(pairs: list[tuple[Program, Program]]) -> Program:
    def build(scope: Scope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            k = key(scope)
            if type(k) is not str or k in out:
                raise Defer
            out[k] = value(scope)
        return out

    return build


def _operator(name: str, operands: list[Program]) -> Program:
    if name in ("&&", "||"):
        return _logic(name == "&&", *operands)
    if name == "?:":
        condition, then, otherwise = operands
        return lambda scope: then(scope) if _boolean(condition(scope)) else otherwise(scope)
    if name == "u!":
        (operand,) = operands
        return lambda scope: not _boolean(operand(scope))
    if name == "u-":
        (operand,) = operands
        return lambda scope: _negate(operand(scope))
    left, right = operands
    if name in ("==", "!=") and (literal := _literal_of(right)) is not None:
        return _equal_literal(left, literal, name == "==")
    apply: Callable[[Any, Any], Any]
    if name == "+":
        apply = _add
    elif name in ("-", "*", "/", "%"):
        apply = _arithmetic(name)
    else:
        apply = _relation(name)
    return lambda scope: apply(left(scope), right(scope))


def _literal_of(program: Program) -> tuple[Any] | None:
    return getattr(program, "literal", None)


def _equal_literal(operand: Program, literal: tuple[Any], equals: bool) -> Program:
    """``x == "text"`` (or a number, a bool): compared in one step where ``x`` has
    the literal's type."""
    (value,) = literal
    kind = type(value)

    def compare(scope: Scope) -> bool:
        found = operand(scope)
        same = found == value if type(found) is kind else equal(found, value)
        return same is equals

    return compare


def _logic(conjunction: bool, left: Program, right: Program) -> Program:
    """``&&`` (``||``): false (true) decides, left to right; an error before it is
    the library's to absorb or not. A chain ``a && b && c`` runs as one loop."""
    decisive = not conjunction
    chain = [*_chained(left, conjunction), *_chained(right, conjunction)]

    def logic(scope: Scope) -> bool:
        for operand in chain:
            value = operand(scope)
            if value is decisive:
                return not conjunction
            if value is not conjunction:
                raise Defer
        return conjunction

    logic.chain = (conjunction, chain)  # type: ignore[attr-defined]
    return logic


def _chained(program: Program, conjunction: bool) -> list[Program]:
    joined = getattr(program, "chain", None)
    return joined[1] if joined is not None and joined[0] is conjunction else [program]


def _negate(value: Any) -> Any:
    if type(value) is int and value != _MIN:
        return -value
    if type(value) is float:
        return -value
    raise Defer


def _call(receiver: Node | None, name: str, args: tuple[Node, ...]) -> Program:
    if receiver is None and name == "has":
        if len(args) != 1 or args[0][0] != "select":
            raise Unknown("has() of something that is not a field")
        _, operand, field = args[0]
        return _has(_compile(operand), field)
    if receiver is not None and name in MACROS and args and args[0][0] == "ident":
        return _macro(_compile(receiver), name, args)
    if receiver is not None and name in _METHODS and len(args) == 1:
        return _method(_text_method(name), _compile(receiver), _compile(args[0]))
    if receiver is not None and (name != "size" or args):
        raise Unknown(f"method {name}")
    values = [_compile(a) for a in ((receiver,) if receiver is not None else ()) + args]
    if name not in _FUNCTIONS or _FUNCTIONS[name][0] != len(values):
        raise Unknown(f"function {name}")
    function = _FUNCTIONS[name][1]
    if len(values) == 1:
        (only,) = values
        return lambda scope: function(scope, only(scope))
    return lambda scope: function(scope, *(value(scope) for value in values))


def _has(operand: Program, field: str) -> Program:
    def has(scope: Scope) -> bool:
        value = operand(scope)
        if type(value) is not dict:
            raise Defer
        return field in value

    return has


def _method(apply: Callable[[Any, Any], Any], receiver: Program, arg: Program) -> Program:
    return lambda scope: apply(receiver(scope), arg(scope))


def _macro(receiver: Program, name: str, args: tuple[Node, ...]) -> Program:
    variable = args[0][1]
    if variable.startswith(".") or len(args) not in (2, 3) or (len(args) == 3 and name != "map"):
        raise Unknown(f"{name}() with {len(args)} arguments")
    body = [_compile(a) for a in args[1:]]

    def run(scope: Scope) -> Any:
        elements = receiver(scope)
        if type(elements) is not list:
            raise Defer  # a map's keys: the library's order
        outer = scope.get(variable, _MISSING)
        try:
            return _MACRO_LOOPS[name](elements, variable, body, scope)
        finally:
            if outer is _MISSING:
                scope.pop(variable, None)
            else:
                scope[variable] = outer

    return run


def _all(elements: list[Any], variable: str, body: list[Program], scope: Scope) -> bool:
    (test,) = body
    for element in elements:
        scope[variable] = element
        if not _boolean(test(scope)):
            return False
    return True


def _exists(elements: list[Any], variable: str, body: list[Program], scope: Scope) -> bool:
    (test,) = body
    for element in elements:
        scope[variable] = element
        if _boolean(test(scope)):
            return True
    return False


def _exists_one(elements: list[Any], variable: str, body: list[Program], scope: Scope) -> bool:
    (test,) = body
    found = 0
    for element in elements:
        scope[variable] = element
        found += _boolean(test(scope))
    return found == 1


def _map(elements: list[Any], variable: str, body: list[Program], scope: Scope) -> list[Any]:
    *keep, value = body
    out = []
    for element in elements:
        scope[variable] = element
        if not keep or _boolean(keep[0](scope)):
            out.append(value(scope))
    return out


def _filter(elements: list[Any], variable: str, body: list[Program], scope: Scope) -> list[Any]:
    (test,) = body
    out = []
    for element in elements:
        scope[variable] = element
        if _boolean(test(scope)):
            out.append(element)
    return out


_MACRO_LOOPS: dict[str, Callable[[list[Any], str, list[Program], Scope], Any]] = {
    "all": _all,
    "exists": _exists,
    "exists_one": _exists_one,
    "map": _map,
    "filter": _filter,
}
