"""A key result's progress over its check-ins, as the numbers of a Mermaid ``xychart-beta``.

Only numbers and dates this module formats reach the chart: a plan's text (titles,
units, notes) stays in the Markdown around it, where it is escaped.
"""

from __future__ import annotations

import math
from typing import Any

from engine.i18n.catalogue import Catalogue
from engine.model.types import KeyResult

# The latest check-ins a chart shows: more would crowd the dates on its axis.
MAX_POINTS = 8


def checkin_chart(kr: KeyResult, cat: Catalogue) -> dict[str, Any] | None:
    """The chart of ``kr`` (None without a dated check-in that has a value): the
    baseline first, then the latest check-ins, one per date, and the target as a flat
    line beside them. A single point is drawn as a bar (a line of one point draws
    nothing)."""
    latest_by_day = {c.date: c.value for c in kr.checkins if c.date and c.value is not None}
    days = sorted(latest_by_day)[-MAX_POINTS:]
    if not days:
        return None
    # The day and month only, unless the dates shown span more than one year.
    skeleton = "MMMd" if days[0].year == days[-1].year else "yMMMd"
    labels = [cat.skeleton(day, skeleton) for day in days]
    values = [latest_by_day[day] for day in days]
    if kr.baseline is not None:
        baseline = cat.label("kr_field", "baseline")
        labels.insert(0, baseline[:1].upper() + baseline[1:])
        values.insert(0, kr.baseline)
    shown = [*values, *([kr.target] if kr.target is not None else [])]
    if not all(math.isfinite(v) for v in shown):
        return None
    low, high = _axis(shown)
    return {
        "labels": labels,
        "kind": "line" if len(values) > 1 else "bar",
        "points": [mermaid_number(v) for v in values],
        "target": [mermaid_number(kr.target)] * len(values)
        if kr.target is not None and len(values) > 1
        else None,
        "low": mermaid_number(low),
        "high": mermaid_number(high),
    }


def _axis(values: list[float]) -> tuple[float, float]:
    """The y axis' range. Whole numbers get whole bounds at least eight apart: Mermaid
    asks d3 for about ten ticks, which step by whole numbers from a span of 7.07."""
    low, high = min(values), max(values)
    if all(float(v).is_integer() for v in values):
        low, high = math.floor(low), math.ceil(high)
        if high - low < 8:
            high = low + 8
    elif high == low:
        high = low + 1
    return low, high


def mermaid_number(value: float) -> str:
    """A number as Mermaid's grammar reads it: digits, a point, no grouping."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
