"""What every document kind's context is built with: the ``Builder`` (the render's
OKR sets, settings and the alignment under each OKR objective) and its pieces that
more than one kind shows: findings, counts, objectives and links.

A document kind is one module (a ``DocumentKind``: its name, template and context)
and one template; ``engine.documents.kinds`` lists them.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from engine.config import Config
from engine.documents.charts import checkin_chart
from engine.documents.escape import relative_link
from engine.documents.inputs import SLUG, AlignedObjective, AnyObjective, Inputs, PlanSummary
from engine.findings import SEVERITIES, SEVERITY_RANK, Finding, fails
from engine.i18n.catalogue import Catalogue
from engine.i18n.messages import finding_message
from engine.model.metrics import judging, kr_score, objective_score
from engine.model.types import OKRSet
from engine.model.vocabulary import ROLES

# What a kind's documents are of, and so when and where they are rendered:
PLAN = "plan"  # one per account plan, where the plan is read (a worker)
OKR_SETS = "okrs"  # one per OKR set, once every plan's summary is in
PORTFOLIO = "portfolio"  # one, last, from every plan's summary and row


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its name, its template and how its context is built.

    ``place``: for PLAN and OKR_SETS, the folder of its documents (``<place>/<id>.md``);
    for PORTFOLIO, the document's path. ``context`` is called, by scope, as
    ``context(builder, plan, metrics, path, findings)``,
    ``context(builder, okrs, path, findings)`` or ``context(builder, portfolio, path)``.
    A PORTFOLIO kind's ``row(builder, plan, metrics)`` is what it shows of each plan,
    worked out where the plan is read (the portfolio has only its summary).
    """

    name: str
    template: str
    scope: str
    place: str
    context: Callable[..., dict[str, Any]]
    row: Callable[..., dict[str, Any]] | None = None


@dataclass(frozen=True)
class Portfolio:
    """What a PORTFOLIO document is made of."""

    plans: list[tuple[PlanSummary, dict[str, Any], list[Finding]]]  # summary, row, findings
    rendered: Mapping[str, str]  # plan or OKR set id -> its document's path
    inputs: Inputs


def grade(score: float | None) -> str:
    """The usual OKR colours: red below 0.4, yellow to 0.7, green from 0.7."""
    if score is None:
        return "none"
    shown = round(score, 2)  # graded as shown, so 0.398 shown as 0.40 is yellow
    return "red" if shown < 0.4 else "yellow" if shown < 0.7 else "green"


def score_of(objective: AnyObjective) -> float | None:
    """An account or OKR objective's score (an account's, from its summary)."""
    return (
        objective.score if isinstance(objective, AlignedObjective) else objective_score(objective)
    )


class Builder:
    """Builds each document's context; one in each process that renders."""

    def __init__(
        self, okrs: Iterable[OKRSet], config: Config, today: date, out: Path, cat: Catalogue
    ) -> None:
        self.config, self.today, self.out, self.cat = config, today, out, cat
        self._links: dict[tuple[str, str], str] = {}
        self.okrs: dict[str, OKRSet] = {}
        for okr_set in okrs:
            self.okrs.setdefault(okr_set.id, okr_set)
        self.roles = list(config.setting("advocate-per-role").params.get("roles", ROLES))
        # The people backup-per-contact and contact-freshness judge, and their limits: a
        # document never flags a gap the check does not.
        self.judging = judging(lambda rule: config.setting(rule).params)
        # Every objective that aligns to an OKR objective: "<set>/<objective>" -> children
        self.children: dict[str, list[tuple[str, PlanSummary | OKRSet, AnyObjective]]] = (
            defaultdict(list)
        )
        for okr_set in self.okrs.values():
            for objective in okr_set.objectives:
                for parent in objective.aligns_to:
                    self.children[parent].append(("okr", okr_set, objective))

    def add_plans(self, plans: Iterable[PlanSummary]) -> None:
        """The account objectives under the OKR objectives (for OKR documents and the index)."""
        for plan in plans:
            for objective in plan.aligned_objectives:
                for parent in objective.aligns_to:
                    self.children[parent].append(("account", plan, objective))

    # --- shared pieces -----------------------------------------------------

    def folder(self, document: str) -> Path:
        return self.out / Path(document).parent

    def link(self, target: str, document: str) -> str:
        """The URL of ``target`` (a path as the check displays it) from ``document``.

        Kept per document folder: an OKR document links each account aligned under it
        twice, and the portfolio's OKR documents link the same accounts again."""
        key = (target, posixpath.dirname(document))
        href = self._links.get(key)
        if href is None:
            href = self._links[key] = relative_link(target, self.folder(document))
        return href

    def source_link(self, file: str, document: str) -> str:
        return self.link(file, document)

    def finding_rows(
        self, findings: Iterable[Finding], document: str
    ) -> dict[str, list[dict[str, Any]]]:
        """The document's findings, worst first."""
        cat = self.cat
        open_rows: list[dict[str, Any]] = []
        waived_rows: list[dict[str, Any]] = []
        rank = lambda f: (-SEVERITY_RANK[f.severity], f.file, f.line, f.column, f.rule)  # noqa: E731
        for f in sorted(findings, key=rank):
            row = {
                "rule": f.rule,
                "severity": f.severity,
                "icon": {"error": "❌", "warning": "⚠️", "info": "ℹ️"}[f.severity],
                "message": finding_message(cat, f),
                "where": f"{Path(f.file).name}:{f.line}",
                "href": f"{self.source_link(f.file, document)}#L{f.line}",
                "reason": f.waiver_reason,
                "expires": f.waiver_expires,
            }
            (waived_rows if f.waived else open_rows).append(row)
        return {"open": open_rows, "waived": waived_rows}

    def counts(self, findings: Iterable[Finding]) -> dict[str, int]:
        findings = list(findings)
        counts = Counter(f.severity for f in findings if not f.waived)
        waived = sum(1 for f in findings if f.waived)
        return {
            "error": counts["error"],
            "warning": counts["warning"],
            "info": counts["info"],
            "waived": waived,
        }

    def failing(self, counts: Mapping[str, int]) -> bool:
        """Whether ``counts`` hold a finding not waived at the config's fail level."""
        return fails([counts[s] for s in SEVERITIES], self.config.fail_on)

    @staticmethod
    def waived(findings: Iterable[Finding]) -> dict[str, set[str]]:
        """The targets of the waived findings, by rule: a gap a waiver accepts is shown
        as waived, never as failing."""
        found: dict[str, set[str]] = defaultdict(set)
        for f in findings:
            if f.waived and f.target is not None:
                found[f.rule].add(f.target)
        return found

    def okr_ref(self, ref: str, document: str) -> dict[str, Any]:
        """An aligns_to reference "<set>/<objective>", resolved to a title and a link."""
        set_id, _, objective_id = ref.partition("/")
        okrs = self.okrs.get(set_id)
        objective = (
            next((o for o in okrs.objectives if o.id == objective_id), None) if okrs else None
        )
        if okrs is None or objective is None or not SLUG.match(set_id):
            return {"ref": ref, "title": ref, "set": None, "href": None, "found": False}
        anchor = f"#{objective_id}" if SLUG.match(objective_id) else ""
        href = self.link(str(self.out / "okrs" / f"{set_id}.md"), document) + anchor
        return {
            "ref": ref,
            "title": objective.title or objective_id,
            "set": okrs.name,
            "href": href,
            "found": True,
        }

    def objective_row(self, o: Any, document: str) -> dict[str, Any]:
        """An objective with its scores and links, as account and OKR documents show it."""
        score = objective_score(o)
        key_results = []
        for kr in o.key_results:
            kr_value = kr_score(kr)
            key_results.append(
                {"kr": kr, "score": kr_value, "grade": grade(kr_value),
                 "chart": checkin_chart(kr, self.cat), "latest": kr.latest}
            )  # fmt: skip
        return {
            "objective": o,
            "anchor": o.id if SLUG.match(o.id) else None,
            "score": score,
            "grade": grade(score),
            "aligns": [self.okr_ref(r, document) for r in o.aligns_to],
            "key_results": key_results,
        }
