"""What a rule is and what it sees: Rule, Context, the repository index."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.findings import Item, Location, Person, Problem
from engine.model.metrics import Metrics
from engine.model.portfolio import PortfolioSettings
from engine.model.types import AccountPlan, Objective, OKRSet, Repository, Stakeholder, Waiver


@dataclass(frozen=True)
class Context:
    """What a per-file rule may ask about: the file's model, metrics, and today."""

    repo: Repository
    metrics: Metrics
    today: date
    portfolio: PortfolioSettings = PortfolioSettings()

    @property
    def plans(self) -> tuple[AccountPlan, ...]:
        """Plans whose files passed the schema: completeness rules judge only these."""
        return tuple(p for p in self.repo.plans if p.valid)

    @property
    def okr_sets(self) -> tuple[OKRSet, ...]:
        return tuple(o for o in self.repo.okrs if o.valid)


def person(s: Stakeholder) -> Person:
    """A stakeholder as a message argument."""
    return Person(s.id, s.name or None, s.stance, s.roles, s.active, s.group)


def item(node: Any) -> Item:
    """An objective, key result, action, milestone... as a message argument."""
    return Item(node.id, node.title or None)


def all_objectives(ctx: Context) -> Iterator[tuple[str, Objective]]:
    """(plan or OKR set id, objective) for every objective the rules judge."""
    for plan in ctx.plans:
        for objective in plan.objectives:
            yield plan.id, objective
    for okrs in ctx.okr_sets:
        for objective in okrs.objectives:
            yield okrs.id, objective


def in_groups(person: Stakeholder, params: Mapping[str, Any]) -> bool:
    """Whether a person rule judges ``person``: their ``group`` is in its ``groups`` parameter."""
    return person.group in params["groups"]


def key_person(person: Stakeholder) -> bool:
    """Advocates, detractors and the influential: the relationships a renewal rests on."""
    return person.active and (
        person.stance in ("advocate", "detractor") or person.influence == "high"
    )


@dataclass(frozen=True)
class Alignment:
    """One aligns_to link: from ``source`` ("<plan>/<objective>") to ``target``."""

    source: str
    target: str
    loc: Location
    plan: str
    objective: str
    title: str | None = None  # the objective's, which documents name it by


@dataclass(frozen=True)
class FileSummary:
    """What the repository-wide checks need to know of one checked file."""

    file: str
    kind: str
    id: str
    id_loc: Location
    ids: frozenset[str] = frozenset()
    objectives: tuple[str, ...] = ()  # OKR sets: their objective ids
    alignments: tuple[Alignment, ...] = ()


@dataclass(frozen=True)
class RepoIndex:
    """Every checked file's summary, and every waiver with the plan it is for
    (a plan's own id; a config waiver's ``plan:``, None for every plan)."""

    files: tuple[FileSummary, ...]
    waivers: tuple[tuple[Waiver, str | None], ...] = ()
    custom_rules: frozenset[str] = frozenset()  # the config's custom rule ids


CheckFunction = Callable[[Context, Mapping[str, Any]], Iterator[Problem]]


RepoCheckFunction = Callable[[RepoIndex, Mapping[str, Any]], Iterator[Problem]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    rationale: str
    anti_pattern: str
    best_practice: str
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    check: CheckFunction | None = None
    check_repository: RepoCheckFunction | None = None
    custom: bool = False  # from the config's custom_rules:
    # Its findings on a file depend on the day (``DATED``: it reads ``ctx.today``, or
    # figures that do): ``revplan history`` runs only these again on a later day.
    dated: bool = False
    page: str = ""  # a custom rule's explain page (built-in rules: from the fields)

    def explain(self) -> str:
        """The rule's documentation page, as `revplan explain` prints it."""
        if self.page:
            return self.page
        lines = [f"{self.id} (default severity: {self.severity})", "", self.summary, ""]
        lines += [self.rationale, ""]
        if self.params:
            lines.append("Parameters (set them under rules: in revplan.yaml):")
            for name, default in self.params.items():
                shown = ", ".join(default) if isinstance(default, list | tuple) else default
                lines.append(f"  {name}: {shown}")
            lines.append("")
        lines += ["Anti-pattern:", "", textwrap.indent(self.anti_pattern, "    ").rstrip(), ""]
        lines += ["Best practice:", "", textwrap.indent(self.best_practice, "    ").rstrip()]
        return "\n".join(lines) + "\n"
