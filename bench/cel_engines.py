"""Which CEL implementation custom rules use: measured the way revplan runs them.

    python bench/cel_engines.py [--plans 200]

Both candidates run the cookbook's rules (docs/custom-rules.md) on generated
plans (bench/generate.py), in revplan's pipeline shape: every expression is
compiled once (at config load), each document is converted to the library's
values once for all its rules, and a rule with ``each`` is evaluated once per
element with ``item`` (and ``parent``) bound. Printed: the one-time compile
cost, the time per document (conversion included), and what each installs.

- ``common-expression-language`` (module ``cel``, a Rust core): a ``Context``
  caches its converted variables until one changes, so binding ``item`` per
  element either converts the document again (``new Context``) or is looked
  up by a resolver (``resolver``), whose values are converted on each read.
- ``cel-python`` (module ``celpy``, pure Python on lark): the document is
  converted once with ``json_to_cel``, and an element's activation is the
  document's plus ``item``, which costs nothing to bind.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from generate import TODAY, generate  # noqa: E402

from engine.parse.loader import load_bytes  # noqa: E402

NESTED = {"actions": "actions", "key_results": "key_results"}


def cookbook_rules() -> list[dict[str, Any]]:
    text = (REPO / "docs" / "custom-rules.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(- id:.*?)```", text, re.S)
    return [yaml.safe_load(block)[0] for block in blocks]


def items(data: dict[str, Any], each: str | None) -> list[tuple[Any, Any]]:
    """(item, parent) pairs a rule with ``each`` checks; [(None, None)] without."""
    if each is None:
        return [(None, None)]
    if each in NESTED:
        return [(i, o) for o in data.get("objectives") or [] for i in o.get(each) or []]
    if each == "requirements":
        return [(i, None) for i in (data.get("renewal") or {}).get("requirements") or []]
    return [(i, None) for i in data.get(each) or []]


def _days(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


TODAY_TEXT = TODAY.isoformat()
FUNCTIONS: dict[str, Callable[..., int]] = {
    "days_since": lambda d: _days(str(d), TODAY_TEXT),
    "days_until": lambda d: _days(TODAY_TEXT, str(d)),
    "days_between": lambda a, b: _days(str(a), str(b)),
}


def variables(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "plan": data, "ids": {}, "today": TODAY_TEXT}


def one_pass(rule: dict[str, Any]) -> str:
    """The rule as one expression over the whole document: a finding flag per element
    (``each``), or one flag. revplan evaluates element by element only when it fails."""
    flag = f"!({rule['assert']})"
    if rule.get("when"):
        flag = f"(({rule['when']}) ? {flag} : false)"
    each = rule.get("each")
    if each is None:
        return flag
    if each in NESTED:
        return f"objectives.map(parent, has(parent.{each}) ? parent.{each}.map(item, {flag}) : [])"
    if each == "requirements":
        return f"(has(renewal.requirements) ? renewal.requirements.map(item, {flag}) : [])"
    return f"{each}.map(item, {flag})"


def flags(value: Any) -> int:
    if not isinstance(value, list):  # a bool (celpy's BoolType is an int)
        return int(bool(value))
    return sum(flags(v) for v in value)


def _cel_int(celtypes: Any, function: Callable[..., int]) -> Callable[..., Any]:
    """A day function for cel-python, which wants its own integer type back."""
    return lambda *a: celtypes.IntType(function(*a))


class RustCel:
    name = "common-expression-language"
    dist = "common-expression-language"

    def __init__(self, rules: list[dict[str, Any]], per_item: str) -> None:
        import cel

        self.cel = cel
        self.per_item = per_item
        self.programs = [
            (
                r.get("each"),
                cel.compile(r["when"]) if r.get("when") else None,
                cel.compile(r["assert"]),
            )
            for r in rules
        ]

    def document(self, data: dict[str, Any]) -> int:
        cel = self.cel
        base = variables(data)
        context = cel.Context(variables=base, functions=FUNCTIONS)
        found = 0
        current: dict[str, Any] = {}
        if self.per_item == "resolver":
            context.set_variable_resolver(current.get)
        for each, when, check in self.programs:
            for item, parent in items(data, each):
                if each is None:
                    ctx = context
                elif self.per_item == "resolver":
                    current["item"], current["parent"] = item, parent
                    ctx = context
                else:
                    ctx = cel.Context(
                        variables={**base, "item": item, "parent": parent or {}},
                        functions=FUNCTIONS,
                    )
                try:
                    if when is not None and not when.execute(ctx):
                        continue
                    found += not check.execute(ctx)
                except Exception:  # noqa: BLE001 - a rule-error finding in revplan
                    found += 1
        return found


class RustCelOnePass:
    """One execution per rule and document, on one Context holding only the
    variables the rules read, converted once."""

    def __init__(self, rules: list[dict[str, Any]]) -> None:
        import cel

        self.cel = cel
        self.programs = [cel.compile(one_pass(r)) for r in rules]
        self.names = sorted({n for p in self.programs for n in p.variables()})

    def document(self, data: dict[str, Any]) -> int:
        base = variables(data)
        for name in ("stakeholders", "team", "objectives", "expansion", "milestones", "waivers"):
            base.setdefault(name, [])
        base.setdefault("renewal", {})
        context = self.cel.Context(
            variables={n: base[n] for n in self.names if n in base}, functions=FUNCTIONS
        )
        found = 0
        for program in self.programs:
            try:
                found += flags(program.execute(context))
            except Exception:  # noqa: BLE001 - revplan then evaluates element by element
                found += 1
        return found


class PyCelOnePass:
    def __init__(self, rules: list[dict[str, Any]]) -> None:
        import celpy
        from celpy import celtypes

        self.celpy = celpy
        env = celpy.Environment()
        functions = {name: _cel_int(celtypes, f) for name, f in FUNCTIONS.items()}
        self.programs = [env.program(env.compile(one_pass(r)), functions=functions) for r in rules]

    def document(self, data: dict[str, Any]) -> int:
        base = variables(data)
        for name in ("stakeholders", "team", "objectives", "expansion", "milestones", "waivers"):
            base.setdefault(name, [])
        base.setdefault("renewal", {})
        activation = {k: self.celpy.json_to_cel(v) for k, v in base.items()}
        found = 0
        for program in self.programs:
            result = program.evaluate(activation)
            found += 1 if isinstance(result, Exception) else flags(result)
        return found


class PyCel:
    name = "cel-python"
    dist = "cel-python"

    def __init__(self, rules: list[dict[str, Any]]) -> None:
        import celpy
        from celpy import celtypes

        self.celpy, self.celtypes = celpy, celtypes
        env = celpy.Environment()
        functions = {name: _cel_int(celtypes, f) for name, f in FUNCTIONS.items()}
        self.programs = [
            (
                r.get("each"),
                env.program(env.compile(r["when"]), functions=functions) if r.get("when") else None,
                env.program(env.compile(r["assert"]), functions=functions),
            )
            for r in rules
        ]

    def document(self, data: dict[str, Any]) -> int:
        convert = self.celpy.json_to_cel
        base = {k: convert(v) for k, v in variables(data).items()}
        found = 0
        for each, when, check in self.programs:
            for item, parent in items(data, each):
                activation = (
                    base
                    if each is None
                    else {**base, "item": convert(item), "parent": convert(parent or {})}
                )
                try:
                    if when is not None:
                        applies = when.evaluate(activation)
                        if isinstance(applies, Exception) or not applies:
                            continue
                    result = check.evaluate(activation)
                    found += isinstance(result, Exception) or not result
                except Exception:  # noqa: BLE001 - a rule-error finding in revplan
                    found += 1
        return found


def installs(dist: str) -> str:
    """The distribution's own requirements (what `pip install` adds besides it)."""
    requires = metadata.requires(dist) or []
    return ", ".join(sorted({re.split(r"[ ;<>=!~\[]", r)[0] for r in requires if "extra" not in r}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="10 plans")
    args = parser.parse_args(argv)
    root = Path("/tmp/revplan-bench-cel") / str(args.plans)
    if not (root / "plans").is_dir():
        generate(root, args.plans)
    docs = []
    for path in sorted((root / "plans").rglob("*.yaml")):
        doc = load_bytes(path.read_bytes(), str(path))
        if isinstance(doc.data, dict) and doc.kind == "AccountPlan":
            docs.append(doc.data)
    rules = [r for r in cookbook_rules() if r.get("kind", "AccountPlan") == "AccountPlan"]
    print(f"{len(rules)} cookbook rules on {len(docs)} generated account plans\n")
    print(f"{'implementation':<42} {'compile':>9} {'per plan':>10} {'findings':>9}  installs")
    if args.quick:
        docs = docs[:10]
    candidates: list[tuple[str, Callable[[], Any], str]] = [
        (
            "common-expression-language (new Context)",
            lambda: RustCel(rules, "context"),
            RustCel.dist,
        ),
        ("common-expression-language (resolver)", lambda: RustCel(rules, "resolver"), RustCel.dist),
        ("common-expression-language (one pass)", lambda: RustCelOnePass(rules), RustCel.dist),
        ("cel-python", lambda: PyCel(rules), PyCel.dist),
        ("cel-python (one pass)", lambda: PyCelOnePass(rules), PyCel.dist),
    ]
    for label, make, dist in candidates:
        start = time.perf_counter()
        engine = make()
        compiled = time.perf_counter() - start
        runs, found = [], 0
        for _ in range(3):
            start = time.perf_counter()
            found = sum(engine.document(d) for d in docs)
            runs.append((time.perf_counter() - start) / len(docs))
        print(
            f"{label:<42} {compiled * 1000:7.1f}ms {statistics.median(runs) * 1000:8.2f}ms"
            f" {found:>9}  {installs(dist)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
