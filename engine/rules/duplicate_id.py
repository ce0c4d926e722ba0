"""An id is defined twice where it must be unique.

Other entries point at things by id, so an id must name one thing only.
Account ids and OKR set ids are unique across the whole repository (a
waiver's ``plan:`` names either). Inside a plan, the ids of team members,
stakeholders, objectives, actions, renewal requirements, expansion
opportunities and milestones share one namespace; key-result ids are unique
within their objective. The second definition is reported, pointing back at
the first, and the first points at each other file that claims its id. Each
file's waivers waive only findings in that file, so a file that takes another
plan's id cannot waive that plan's findings.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria, name: Maria Chen, group: renew}
      - {id: maria, name: Maria Rossi, group: expand}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    stakeholders:
      - {id: maria-chen, name: Maria Chen, group: renew}
      - {id: maria-rossi, name: Maria Rossi, group: expand}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Location, Number, Problem, Text, args
from engine.rules.base import Context, RepoIndex

ID = "duplicate-id"
SEVERITY = "error"


def check_repository(index: RepoIndex, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Account and OKR set ids across files: reported in each file that claims the id,
    naming the other (so neither file's waivers hide the other's finding)."""
    seen: dict[str, tuple[str, Location]] = {}
    for summary in sorted(index.files, key=lambda f: (f.id_loc.file, f.id_loc.line)):
        if not summary.id:
            continue
        if summary.id in seen:
            first_kind, first = seen[summary.id]
            # (each file holds one plan or OKR set: the first is in another file)
            yield Problem(
                summary.id_loc,
                f"{ID}.document",
                args(
                    id=Text(summary.id),
                    kind=Label("kind", summary.kind),
                    first_kind=Label("kind", first_kind),
                    file=Text(first.file),
                    line=Number(first.line),
                ),
                plan=summary.id,
                target=summary.id,
                path="id",
            )
            yield Problem(
                first,
                f"{ID}.document_again",
                args(
                    id=Text(summary.id),
                    kind=Label("kind", first_kind),
                    other_kind=Label("kind", summary.kind),
                    file=Text(summary.id_loc.file),
                    line=Number(summary.id_loc.line),
                ),
                plan=summary.id,
                target=summary.id,
                path="id",
            )
        else:
            seen[summary.id] = (summary.kind, summary.id_loc)


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Ids inside one plan or OKR set (whose first use is in the same file)."""
    for plan in ctx.repo.plans:
        names: dict[str, Location] = {}
        for section, ident, obj in plan.ids():
            scope = section if "key_results" in section else ""
            key = f"{scope}:{ident}"
            here = obj.at("id")
            if not ident:
                continue
            if key in names:
                yield Problem(
                    here,
                    f"{ID}.section",
                    args(
                        id=Text(ident),
                        section=Text(section.split("/")[0]),
                        line=Number(names[key].line),
                    ),
                    plan=plan.id,
                    target=ident,
                    path=f"{section}/{ident}",
                )
            else:
                names[key] = here
    for okrs in ctx.repo.okrs:
        objectives: dict[str, Location] = {}
        for objective in okrs.objectives:
            here = objective.at("id")
            if objective.id in objectives:
                yield Problem(
                    here,
                    f"{ID}.objective",
                    args(id=Text(objective.id), line=Number(objectives[objective.id].line)),
                    plan=okrs.id,
                    target=objective.id,
                    path=f"objectives/{objective.id}",
                )
            objectives.setdefault(objective.id, here)
            krs: set[str] = set()
            for kr in objective.key_results:
                if kr.id in krs:
                    yield Problem(
                        kr.at("id"),
                        f"{ID}.key_result",
                        args(id=Text(kr.id), objective=Text(objective.id)),
                        plan=okrs.id,
                        target=kr.id,
                        path=f"objectives/{objective.id}/key_results/{kr.id}",
                    )
                krs.add(kr.id)
