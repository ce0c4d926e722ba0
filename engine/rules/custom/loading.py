"""``custom_rules:`` of a loaded config -> rules, or located errors that teach.

Every error names the place in ``revplan.yaml`` of the field that is wrong
(``revplan.yaml:12:13: custom rule 'x': ...``), what is wrong, and a
did-you-mean where a name is close to one that exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from engine.rules.custom.compile import RuleCompileError, compile_rule, compiled
from engine.rules.custom.definition import CustomRule, from_config
from engine.rules.custom.evaluate import outcomes

PATH = "custom_rules"


def load_rules(
    docs: list[tuple[Any, str]],
    builtin: Iterable[str],
    severities: dict[str, str],
    today: date,
) -> tuple[tuple[CustomRule, ...], list[str]]:
    """The rules of ``docs`` (schema-valid Config documents, each with its path from the
    repository's root, "" for the config itself; shared files first), with ``severities``
    (from ``rules:``) applied; and the errors, each ``file:line:col: ...``."""
    builtin = list(builtin)
    rules: list[CustomRule] = []
    errors: list[str] = []
    first: dict[str, tuple[Any, int]] = {}
    for doc, origin in docs:
        for i, entry in enumerate(doc.data.get(PATH) or []):
            here = (PATH, i)
            ident = entry["id"]
            if ident in builtin:
                errors.append(
                    f"{doc.loc((*here, 'id'))}: custom rule id '{ident}' is the id of a built-in "
                    "rule — choose another id (`revplan rules` lists the built-in ones)"
                )
                continue
            if ident in first:
                other, j = first[ident]
                errors.append(
                    f"{doc.loc((*here, 'id'))}: custom rule id '{ident}' is already used by "
                    f"custom rule {j + 1} ({other.loc((PATH, j, 'id'))})"
                )
                continue
            first[ident] = (doc, i)
            rule = from_config(entry, severities.get(ident), origin)
            try:
                compile_rule(rule)
            except RuleCompileError as exc:
                errors.append(f"{doc.loc((*here, exc.field))}: custom rule '{ident}': {exc.detail}")
                continue
            rules.append(rule)
    if not errors:
        errors += example_errors(tuple(rules), today, first)
    return tuple(rules), errors


def example_errors(
    rules: tuple[CustomRule, ...],
    today: date,
    places: dict[str, tuple[Any, int]] | None = None,
) -> list[str]:
    """An example that does not behave, each located at the example (with ``places``:
    each rule's document and index there), else at the rule's file."""
    errors = []
    for program in compiled(tuple(r for r in rules if r.examples)):
        rule = program.rule
        for outcome, number, fragment in rule.example_fragments():
            found = outcomes((program,), fragment, rule.kind, today)
            failing = [o for o in found if o.error is None]
            broken = [o.error for o in found if o.error is not None]
            problem = None
            if outcome == "fail" and not failing:
                why = f" (it cannot be evaluated: {broken[0]})" if broken else ""
                problem = f"the fail example {number} yields no finding{why}"
            elif outcome == "pass" and (failing or broken):
                problem = (
                    f"the pass example {number} cannot be evaluated: {broken[0]}"
                    if broken
                    else f"the pass example {number} yields a finding: {failing[0].text}"
                )
            if problem is None:
                continue
            where = rule.origin or "revplan.yaml"
            if places and rule.id in places:
                doc, index = places[rule.id]
                where = str(doc.loc((PATH, index, "examples", outcome, number - 1)))
            errors.append(
                f"{where}: custom rule '{rule.id}': {problem}, with today {today.isoformat()}"
            )
    return errors
