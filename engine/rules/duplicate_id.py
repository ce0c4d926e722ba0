"""An id is defined twice where it must be unique.

Other entries point at things by id, so an id must name one thing only.
Account ids and OKR set ids are unique across the whole repository (a
waiver's ``plan:`` names either). Inside a plan, the ids of team members,
stakeholders, objectives, actions, renewal requirements, expansion
opportunities and milestones share one namespace; key-result ids are unique
within their objective. The second definition is reported, pointing back at
the first.

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

from engine.findings import Location, Problem
from engine.rules.base import Context, RepoIndex

ID = "duplicate-id"
SEVERITY = "error"


def _short(loc: Location, here: Location) -> str:
    return f"line {loc.line}" if loc.file == here.file else f"{loc.file}:{loc.line}"


def check_repository(index: RepoIndex, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Account and OKR set ids across files."""
    seen: dict[str, tuple[str, Location]] = {}
    for summary in sorted(index.files, key=lambda f: (f.id_loc.file, f.id_loc.line)):
        what = "account" if summary.kind == "AccountPlan" else "OKR set"
        if not summary.id:
            continue
        if summary.id in seen:
            first_what, first = seen[summary.id]
            yield Problem(
                summary.id_loc,
                f"{what} id '{summary.id}' is already used by the {first_what} in "
                f"{_short(first, summary.id_loc)} — ids of accounts and OKR sets must be "
                "unique in the repository",
                plan=summary.id,
                target=summary.id,
                path="id",
            )
        else:
            seen[summary.id] = (what, summary.id_loc)


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Ids inside one plan or OKR set."""
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
                    f"id '{ident}' in {section.split('/')[0]} is already defined on "
                    f"{_short(names[key], here)} — give each an id of its own",
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
                    f"objective id '{objective.id}' is already defined on "
                    f"{_short(objectives[objective.id], here)}",
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
                        f"key result id '{kr.id}' is defined twice in objective {objective.id}",
                        plan=okrs.id,
                        target=kr.id,
                        path=f"objectives/{objective.id}/key_results/{kr.id}",
                    )
                krs.add(kr.id)
