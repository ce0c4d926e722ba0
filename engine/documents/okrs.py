"""The OKR document: one per OKR set, with the account objectives aligned under it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engine.documents.builder import OKR_SETS, Builder, DocumentKind, grade, score_of
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
    return builder.link(target, document) + anchor


# Deeper rows are shown at this depth: a 1,500-objective chain indented to its
# depth made a document quadratic in size, and Markdown viewers stop nesting long
# before (the order of the rows still shows who aligns to whom).
MAX_TREE_DEPTH = 12


def tree(builder: Builder, okrs: OKRSet, document: str) -> list[dict[str, Any]]:
    """The alignment tree through this set's objectives: ancestors, them, descendants.

    An objective aligned to several (a DAG, not a tree) is a row under each, its
    own subtree under the first only (later rows say "shown above"), so the rows
    are as many as the alignments: expanded into a tree, a ladder of objectives
    each aligned to both above it doubled at every level. Iterative throughout: an
    alignment chain may be thousands deep.
    """
    mine = {f"{okrs.id}/{o.id}" for o in okrs.objectives}
    parents: dict[str, list[str]] = {}
    objects: dict[str, tuple[str, PlanSummary | OKRSet, AnyObjective]] = {}
    for s in builder.okrs.values():
        for o in s.objectives:
            key = f"{s.id}/{o.id}"
            objects.setdefault(key, ("okr", s, o))
            parents.setdefault(key, list(o.aligns_to))

    def child_key(kind: str, owner: PlanSummary | OKRSet, child: AnyObjective) -> str:
        return f"account:{owner.id}/{child.id}" if kind == "account" else f"{owner.id}/{child.id}"

    def reach(start: set[str], step: Callable[[str], Iterable[str]]) -> set[str]:
        found, todo = set(start), list(start)
        while todo:
            for nxt in step(todo.pop()):
                if nxt not in found:
                    found.add(nxt)
                    todo.append(nxt)
        return found

    ancestors = reach(mine, lambda k: (p for p in parents.get(k, []) if p in objects))
    # Only OKR objectives have children: account objectives are the leaves.
    descendants = reach(
        mine, lambda k: (child_key(*entry) for entry in builder.children.get(k, []))
    )
    relevant = ancestors | descendants
    roots = sorted(
        {k for k in relevant if k in objects and not any(p in objects for p in parents[k])}
        | {k for k in mine if not any(p in objects for p in parents[k])},
        key=lambda k: _order(builder, k, objects),
    )
    rows: list[dict[str, Any]] = []
    expanded: set[str] = set()
    on_path: set[str] = set()
    # (key, depth) to show, or (key, -1): leaving key's subtree.
    stack: list[tuple[str, int]] = [(root, 0) for root in reversed(roots)]
    while stack:
        key, depth = stack.pop()
        if depth < 0:
            on_path.discard(key)
            continue
        kind, owner, objective = objects[key]
        score = score_of(objective)
        again = key in expanded
        rows.append(
            {"depth": min(depth, MAX_TREE_DEPTH), "kind": kind, "owner": owner,
             "objective": objective, "score": score, "grade": grade(score),
             "mine": key in mine, "again": again,
             "href": None if key in mine and kind == "okr" and owner.id == okrs.id
             else doc_link(builder, kind, owner, objective, document),
             "anchor": objective.id if key in mine and SLUG.match(objective.id) and not again
             else None}
        )  # fmt: skip
        if kind != "okr" or again:
            continue
        expanded.add(key)
        on_path.add(key)
        stack.append((key, -1))
        children = []
        for child_kind, child_owner, child in builder.children.get(key, []):
            ck = child_key(child_kind, child_owner, child)
            if ck not in relevant or ck in on_path:  # an alignment cycle: shown once
                continue
            objects.setdefault(ck, (child_kind, child_owner, child))
            children.append((ck, depth + 1))
        stack.extend(reversed(children))
    return rows


def _order(builder: Builder, key: str, objects: Mapping[str, Any]) -> tuple[int, int]:
    kind, owner, objective = objects[key]
    sets = list(builder.okrs)
    return (sets.index(owner.id) if owner.id in sets else len(sets),
            list(owner.objectives).index(objective))  # fmt: skip


KIND = DocumentKind("okrs", "okrs.md.j2", OKR_SETS, "okrs", context)
