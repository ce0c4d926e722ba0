"""The OKR document: one per OKR set, with the account objectives aligned under it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.documents.builder import OKR_SETS, Builder, DocumentKind, grade, score_of
from engine.documents.escape import relative_link
from engine.documents.inputs import SLUG, AnyObjective, PlanSummary
from engine.findings import Finding
from engine.model.metrics import objective_score
from engine.model.types import OKRSet
from engine.model.vocabulary import LEVERS


def context(
    builder: Builder,
    okrs: OKRSet,
    document: str,
    findings: Iterable[Finding],
) -> dict[str, Any]:
    """The OKR document's context: its objectives, what aligns under them, the tree."""
    objectives = []
    for o in okrs.objectives:
        aligned = [
            {"kind": kind, "owner": owner, "objective": child, "score": score_of(child),
             "grade": grade(score_of(child)),
             "href": doc_link(builder, kind, owner, child, document)}
            for kind, owner, child in builder.children.get(f"{okrs.id}/{o.id}", [])
        ]  # fmt: skip
        objectives.append(
            {
                **builder.objective_row(o, document),
                "okr_children": [a for a in aligned if a["kind"] == "okr"],
                "accounts": [a for a in aligned if a["kind"] == "account"],
            }
        )
    by_lever = []
    for lever in LEVERS:
        scores = [objective_score(o) for o in okrs.objectives if o.lever == lever]
        known = [s for s in scores if s is not None]
        mean = sum(known) / len(known) if known else None
        by_lever.append({"lever": lever, "count": len(scores), "score": mean, "grade": grade(mean)})
    return {
        "okrs": okrs,
        "source": builder.source_link(okrs.file, document),
        "file": okrs.file,
        "objectives": objectives,
        "levers": by_lever,
        "tree": tree(builder, okrs, document),
        "findings": builder.finding_rows(findings, document),
    }


def doc_link(
    builder: Builder, kind: str, owner: PlanSummary | OKRSet, objective: AnyObjective, document: str
) -> str | None:
    folder = "accounts" if kind == "account" else "okrs"
    if not SLUG.match(owner.id):
        return None
    anchor = f"#{objective.id}" if SLUG.match(objective.id) else ""
    target = str(builder.out / folder / f"{owner.id}.md")
    return relative_link(target, builder.folder(document)) + anchor


def tree(builder: Builder, okrs: OKRSet, document: str) -> list[dict[str, Any]]:
    """The alignment tree through this set's objectives: ancestors, them, descendants."""
    mine = {f"{okrs.id}/{o.id}" for o in okrs.objectives}
    parents: dict[str, list[str]] = {}
    objects: dict[str, tuple[str, PlanSummary | OKRSet, AnyObjective]] = {}
    for s in builder.okrs.values():
        for o in s.objectives:
            key = f"{s.id}/{o.id}"
            objects.setdefault(key, ("okr", s, o))
            parents.setdefault(key, list(o.aligns_to))

    def ancestors(key: str, seen: set[str]) -> set[str]:
        found = set()
        for parent in parents.get(key, []):
            if parent in objects and parent not in seen:
                seen.add(parent)
                found |= {parent} | ancestors(parent, seen)
        return found

    def descendants(key: str, seen: set[str]) -> set[str]:
        found = set()
        for kind, owner, child in builder.children.get(key, []):
            child_key = (
                f"{kind}:{owner.id}/{child.id}" if kind == "account" else f"{owner.id}/{child.id}"
            )
            if child_key not in seen:
                seen.add(child_key)
                found |= {child_key} | (descendants(child_key, seen) if kind == "okr" else set())
        return found

    relevant = set(mine)
    for key in mine:
        relevant |= ancestors(key, {key}) | descendants(key, {key})
    roots = sorted(
        {k for k in relevant if k in objects and not any(p in objects for p in parents[k])}
        | {k for k in mine if not any(p in objects for p in parents[k])},
        key=lambda k: _order(builder, k, objects),
    )
    rows: list[dict[str, Any]] = []

    def walk(key: str, depth: int, path: tuple[str, ...]) -> None:
        kind, owner, objective = objects[key]
        score = score_of(objective)
        rows.append(
            {"depth": depth, "kind": kind, "owner": owner, "objective": objective,
             "score": score, "grade": grade(score), "mine": key in mine,
             "href": None if key in mine and kind == "okr" and owner.id == okrs.id
             else doc_link(builder, kind, owner, objective, document),
             "anchor": objective.id if key in mine and SLUG.match(objective.id) else None}
        )  # fmt: skip
        if kind != "okr":
            return
        for child_kind, child_owner, child in builder.children.get(key, []):
            child_key = (
                f"account:{child_owner.id}/{child.id}"
                if child_kind == "account"
                else f"{child_owner.id}/{child.id}"
            )
            if child_key not in relevant or child_key in path:
                continue
            objects.setdefault(child_key, (child_kind, child_owner, child))
            walk(child_key, depth + 1, path + (child_key,))

    for root in roots:
        walk(root, 0, (root,))
    return rows


def _order(builder: Builder, key: str, objects: Mapping[str, Any]) -> tuple[int, int]:
    kind, owner, objective = objects[key]
    sets = list(builder.okrs)
    return (sets.index(owner.id) if owner.id in sets else len(sets),
            list(owner.objectives).index(objective))  # fmt: skip


KIND = DocumentKind("okrs", "okrs.md.j2", OKR_SETS, "okrs", context)
