"""An objective has no key result.

An objective says where to go; its key results say how the team will know it
got there. Without one the objective cannot be scored, in an account plan or
in an OKR set.

Anti-pattern::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - {id: nrr-115, title: Grow net revenue retention to 115%, lever: retention}

Best practice::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - id: nrr-115
        title: Grow net revenue retention to 115%
        lever: retention
        key_results:
          - {id: nrr, title: Net revenue retention, baseline: 104, target: 115, unit: "%"}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Problem, args
from engine.rules.base import Context, all_objectives, item

ID = "objective-has-key-results"
SEVERITY = "error"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for owner, objective in all_objectives(ctx):
        if not objective.key_results:
            yield Problem(
                objective.at("key_results"),
                ID,
                args(objective=item(objective)),
                plan=owner,
                target=objective.id,
                path=f"objectives/{objective.id}/key_results",
            )
