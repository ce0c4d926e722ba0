"""An objective has fewer than ``min`` or more than ``max`` key results.

A few key results keep an objective focused; a long list means nobody knows
which one matters. (An objective with none is reported by
``objective-has-key-results``.)

Anti-pattern::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - id: pipeline
        title: Build pipeline
        key_results:
          - {id: a, title: Meetings, baseline: 0, target: 10}
          - {id: b, title: Demos, baseline: 0, target: 10}
          - {id: c, title: Trials, baseline: 0, target: 10}
          - {id: d, title: Proposals, baseline: 0, target: 10}
          - {id: e, title: Webinars, baseline: 0, target: 10}
          - {id: f, title: Events, baseline: 0, target: 10}

Best practice::

    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - id: pipeline
        title: Build pipeline
        key_results:
          - {id: a, title: Qualified opportunities, baseline: 0, target: 40}
          - {id: b, title: Pipeline value in kUSD, baseline: 0, target: 2000}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Number, Problem, args
from engine.rules.base import Context, all_objectives, item

ID = "key-results-count"
SEVERITY = "warning"
PARAMS = {"min": 1, "max": 5}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    low, high = params["min"], params["max"]
    for owner, objective in all_objectives(ctx):
        count = len(objective.key_results)
        if count and (count < low or count > high):
            yield Problem(
                objective.at("key_results"),
                ID,
                args(
                    objective=item(objective),
                    count=Number(count),
                    min=Number(low),
                    max=Number(high),
                ),
                plan=owner,
                target=objective.id,
                path=f"objectives/{objective.id}/key_results",
            )
