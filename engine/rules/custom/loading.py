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
    doc: Any, builtin: Iterable[str], severities: dict[str, str], today: date
) -> tuple[tuple[CustomRule, ...], list[str]]:
    """The rules of ``doc`` (a schema-valid config Document), with ``severities``
    (from ``rules:``) applied; and the errors, each ``file:line:col: ...``."""
    entries = doc.data.get(PATH) or []
    builtin = list(builtin)
    rules: list[CustomRule] = []
    errors: list[str] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(entries):
        here = (PATH, i)
        ident = entry["id"]
        if ident in builtin:
            errors.append(
                f"{doc.loc((*here, 'id'))}: custom rule id '{ident}' is the id of a built-in rule"
                " — choose another id (`revplan rules` lists the built-in ones)"
            )
            continue
        if ident in first:
            errors.append(
                f"{doc.loc((*here, 'id'))}: custom rule id '{ident}' is already used by "
                f"custom rule {first[ident] + 1} ({doc.loc((PATH, first[ident], 'id'))})"
            )
            continue
        first[ident] = i
        rule = from_config(entry, severities.get(ident))
        try:
            compile_rule(rule)
        except RuleCompileError as exc:
            errors.append(f"{doc.loc((*here, exc.field))}: custom rule '{ident}': {exc.detail}")
            continue
        rules.append(rule)
    if not errors:
        errors += example_errors(tuple(rules), today, doc)
    return tuple(rules), errors


def example_errors(rules: tuple[CustomRule, ...], today: date, doc: Any = None) -> list[str]:
    """An example that does not behave, each located at the example (with ``doc``)."""
    errors = []
    places = {}
    if doc is not None:
        places = {entry["id"]: i for i, entry in enumerate(doc.data.get(PATH) or [])}
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
            where = "revplan.yaml"
            if doc is not None and rule.id in places:
                where = str(doc.loc((PATH, places[rule.id], "examples", outcome, number - 1)))
            errors.append(
                f"{where}: custom rule '{rule.id}': {problem}, with today {today.isoformat()}"
            )
    return errors
