"""A revenue OKR set does not cover all three levers: generation, growth and retention.

The Chief Revenue Officer owns all revenue: winning new customers
(generation), growing existing ones (growth) and keeping them (retention).
The revenue organisation's OKRs (``function: revenue``) need an objective
on each lever, or one of them is left to chance.

Anti-pattern::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    function: revenue
    objectives:
      - {id: pipeline, title: Build pipeline, lever: generation}
      - {id: nrr-115, title: Grow net revenue retention to 115%, lever: retention}

Best practice::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    function: revenue
    objectives:
      - {id: pipeline, title: Build pipeline, lever: generation}
      - {id: expand, title: Expand in our top accounts, lever: growth}
      - {id: nrr-115, title: Grow net revenue retention to 115%, lever: retention}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Many, Number, Problem, Text, args
from engine.model.vocabulary import LEVERS
from engine.rules.base import Context

ID = "lever-coverage"
SEVERITY = "warning"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for okrs in ctx.okr_sets:
        if okrs.function != "revenue":
            continue
        covered = {o.lever for o in okrs.objectives}
        missing = [lever for lever in LEVERS if lever not in covered]
        if missing:
            yield Problem(
                okrs.at("objectives"),
                ID,
                args(
                    okrs=Text(okrs.id),
                    levers=Many(tuple(Label("lever", lever) for lever in missing)),
                    count=Number(len(missing)),
                ),
                plan=okrs.id,
                path="objectives/levers",
            )
