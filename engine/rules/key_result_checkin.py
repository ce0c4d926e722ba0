"""A key result's check-ins are stale, share a date, or disagree with its current value.

A key result with ``checkins`` is tracked over time: each check-in records
the value and the owner's confidence on a date. When the latest is more than
``max_age_days`` (14 by default) old, the value and the confidence shown are
out of date — check in again. Two check-ins on one date contradict each other
(keep one), and a written ``current`` that differs from the latest check-in
leaves the reader unsure which is true (drop ``current``: it is taken from
the latest check-in).

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    objectives:
      - id: adoption
        title: Grow weekly active users
        key_results:
          - id: wau
            title: Weekly active users
            baseline: 120
            target: 300
            checkins:
              - {date: 2026-10-15, value: 150, confidence: 0.6}

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    objectives:
      - id: adoption
        title: Grow weekly active users
        key_results:
          - id: wau
            title: Weekly active users
            baseline: 120
            target: 300
            checkins:
              - {date: 2026-10-15, value: 150, confidence: 0.6}
              - {date: 2026-11-16, value: 180, confidence: 0.7}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from engine.findings import Day, Number, Problem, args
from engine.model.types import KeyResult
from engine.rules.base import Context, all_objectives, item

ID = "key-result-checkin"
SEVERITY = "warning"
DATED = True  # reads today
PARAMS = {"max_age_days": 14}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for owner, objective in all_objectives(ctx):
        for kr in objective.key_results:
            path = f"objectives/{objective.id}/key_results/{kr.id}/checkins"
            for key, at, values in _problems(kr, ctx, params["max_age_days"]):
                yield Problem(at, key, values, plan=owner, target=kr.id, path=path)


def _problems(kr: KeyResult, ctx: Context, limit: int) -> Iterator[tuple[str, Any, Any]]:
    latest = kr.latest
    if latest is None or latest.date is None:
        return
    seen: set[date] = set()
    for checkin in kr.checkins:
        if checkin.date is None:
            continue  # the schema reports it
        if checkin.date in seen:
            yield f"{ID}.duplicate", checkin.at("date"), args(kr=item(kr), date=Day(checkin.date))
        seen.add(checkin.date)
    written = kr.written_current
    if written is not None and latest.value is not None and written != latest.value:
        yield (
            f"{ID}.disagrees",
            kr.at("current"),
            args(
                kr=item(kr),
                current=Number(written),
                value=Number(latest.value),
                date=Day(latest.date),
            ),
        )
    if (ctx.today - latest.date).days > limit:
        yield (
            f"{ID}.stale",
            latest.at("date"),
            args(kr=item(kr), date=Day(latest.date), limit=Number(limit)),
        )
