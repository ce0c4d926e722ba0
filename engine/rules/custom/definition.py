"""What a custom rule is, and what it may say: kinds, ``each`` lists, variables.

A ``CustomRule`` is plain, frozen data (no compiled program), so it can be
sent to worker processes, and its ``repr`` is part of the cache's salt: a
changed rule never serves a stale result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from engine.resources import schema

KINDS = ("AccountPlan", "OKRs")
SEVERITIES = ("error", "warning", "info")
FIELDS = (
    "id", "summary", "why", "severity", "kind", "each", "when", "assert", "message", "fix",
    "examples",
)  # fmt: skip

# The lists ``each`` walks, per kind: where each element is (a path of keys,
# "*" for every element of a list) and its schema definition.
EACH: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "AccountPlan": {
        "stakeholders": (("stakeholders", "*"), "stakeholder"),
        "team": (("team", "*"), "team_member"),
        "objectives": (("objectives", "*"), "objective"),
        "actions": (("objectives", "*", "actions", "*"), "action"),
        "key_results": (("objectives", "*", "key_results", "*"), "key_result"),
        "requirements": (("renewal", "requirements", "*"), "requirement"),
        "expansion": (("expansion", "*"), "expansion"),
        "milestones": (("milestones", "*"), "milestone"),
        "waivers": (("waivers", "*"), "waiver"),
    },
    "OKRs": {
        "objectives": (("objectives", "*"), "objective"),
        "key_results": (("objectives", "*", "key_results", "*"), "key_result"),
    },
}

# The lists whose elements carry an id that ``ids`` maps to them.
ID_LISTS = {
    "AccountPlan": (
        ("team", "*"), ("stakeholders", "*"), ("objectives", "*"),
        ("objectives", "*", "actions", "*"), ("renewal", "requirements", "*"),
        ("expansion", "*"), ("milestones", "*"),
    ),
    "OKRs": (("objectives", "*"), ("objectives", "*", "key_results", "*")),
}  # fmt: skip

FUNCTIONS = ("days_since", "days_until", "days_between")


def days_between(start: Any, end: Any) -> int:
    """``days_between``: whole days from one ``"YYYY-MM-DD"`` string to another."""
    if not isinstance(start, str) or not isinstance(end, str):
        raise ValueError("dates are 'YYYY-MM-DD' strings")
    try:
        return (date.fromisoformat(end) - date.fromisoformat(start)).days
    except ValueError:
        raise ValueError(f"'{start}' or '{end}' is not a YYYY-MM-DD date") from None


@dataclass(frozen=True)
class CustomRule:
    """One rule of ``custom_rules:``, as written (``severity``: after ``rules:``)."""

    id: str
    summary: str
    assert_: str
    severity: str = "warning"  # in force: ``rules:`` may override the default, or turn it off
    default_severity: str = "warning"  # as ``custom_rules:`` writes it
    kind: str = "AccountPlan"
    each: str | None = None
    when: str | None = None
    message: str | None = None
    why: str | None = None
    fix: str | None = None
    # (outcome "fail" | "pass", the fragment as canonical JSON), in the written order.
    examples: tuple[tuple[str, str], ...] = ()
    # The shared file it is written in (extends:), by its path from the repository's
    # root; "" for the config itself.
    origin: str = ""

    def example_fragments(self) -> list[tuple[str, int, dict[str, Any]]]:
        """(outcome, number from 1 within its outcome, fragment) of every example."""
        counts = {"fail": 0, "pass": 0}
        fragments = []
        for outcome, text in self.examples:
            counts[outcome] += 1
            fragments.append((outcome, counts[outcome], json.loads(text)))
        return fragments


@cache
def schema_defs(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The kind's top-level properties and its definitions, from the packaged schema."""
    loaded = schema(kind)
    return loaded["properties"], loaded.get("$defs", {})


def top_level_fields(kind: str) -> tuple[str, ...]:
    properties, _ = schema_defs(kind)
    return tuple(name for name in properties if name not in ("apiVersion", "kind"))


def variables(kind: str, each: str | None) -> tuple[str, ...]:
    """The names an expression of a rule of this kind and ``each`` sees."""
    names = [*top_level_fields(kind), "plan", "ids", "today"]
    if each is not None:
        names.append("item")
        if each in ("actions", "key_results"):
            names.append("parent")
    return tuple(names)


def from_config(entry: dict[str, Any], severity: str | None = None, origin: str = "") -> CustomRule:
    """A schema-checked ``custom_rules`` entry as a rule (``severity``: the override;
    ``origin``: the shared file it comes from)."""
    examples = entry.get("examples") or {}
    return CustomRule(
        id=entry["id"],
        summary=entry["summary"],
        assert_=entry["assert"],
        severity=severity or entry.get("severity") or "warning",
        default_severity=entry.get("severity") or "warning",
        kind=entry.get("kind") or "AccountPlan",
        each=entry.get("each"),
        when=entry.get("when"),
        message=entry.get("message"),
        why=entry.get("why"),
        fix=entry.get("fix"),
        origin=origin,
        examples=tuple(
            (outcome, json.dumps(fragment, sort_keys=True, ensure_ascii=False))
            for outcome in ("fail", "pass")
            for fragment in examples.get(outcome) or ()
        ),
    )
