"""A key result lacks ``baseline`` or ``target``, or the two are equal.

A key result is scored ``(current - baseline) / (target - baseline)``:
without a starting point and a goal that differ, progress cannot be measured.
(A target below the baseline is fine: lower is better, e.g. churn.)

Anti-pattern::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - id: churn
        title: Keep customers
        key_results:
          - {id: logo-churn, title: Logo churn, target: 5, unit: "%"}

Best practice::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - id: churn
        title: Keep customers
        key_results:
          - {id: logo-churn, title: Logo churn, baseline: 9, target: 5, unit: "%"}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Many, Number, Problem, args
from engine.rules.base import Context, all_objectives, item

ID = "key-result-measurable"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for owner, objective in all_objectives(ctx):
        for kr in objective.key_results:
            missing = [
                n for n, v in (("baseline", kr.baseline), ("target", kr.target)) if v is None
            ]
            values = args(objective=item(objective), kr=item(kr))
            if missing:
                key = f"{ID}.missing"
                values += args(fields=Many(tuple(Label("kr_field", n) for n in missing)))
                field = missing[0]
            elif kr.target is not None and kr.baseline == kr.target:
                key = f"{ID}.equal"
                values += args(value=Number(kr.target))
                field = "target"
            else:
                continue
            yield Problem(
                kr.at(field),
                key,
                values,
                plan=owner,
                target=kr.id,
                path=f"objectives/{objective.id}/key_results/{kr.id}",
            )
