"""What ``revplan history`` prints: JSON for tools, CSV for spreadsheets (one row per
sample and plan), text for people."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Any

from engine.controls import json_escaped_surrogates
from engine.i18n.catalogue import Catalogue
from engine.review.history import FIGURES, History

# The portfolio's figures the text shows, in its columns' order.
TEXT_COLUMNS = ("plans", "failing_plans", *FIGURES, "health")
SHARES = FIGURES[3:]


def render_json(history: History) -> str:
    document = {
        "version": 1,
        "every": history.every,
        "since": history.since.isoformat(),
        "until": history.until.isoformat(),
        "samples": [
            {
                "date": s.date.isoformat(),
                "commit": s.commit,
                "portfolio": s.portfolio,
                "plans": s.plans,
            }
            for s in history.samples
        ],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    return json_escaped_surrogates(text) + "\n"


def render_csv(history: History) -> str:
    """One row per sample and plan; a share with nothing to measure is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = ("date", "commit", "plan", "kind", *FIGURES, "health", "rating", "failing")
    writer.writerow(columns)
    for sample in history.samples:
        for plan, figures in sample.plans.items():
            row: dict[str, Any] = {"date": sample.date.isoformat(), "commit": sample.commit}
            row |= {"plan": plan, **figures}
            writer.writerow([_cell(row.get(c)) for c in columns])
    return json_escaped_surrogates(out.getvalue())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown(cat: Catalogue, name: str, value: Any) -> str:
    """A figure as people read it: shares as percentages, none as a dash."""
    if value is None:
        return "–"
    if name in SHARES:
        return cat.percent(value)
    return cat.number(value)


def render_text(history: History, cat: Catalogue) -> str:
    """A table of the portfolio's figures, one line a sample, oldest first."""
    head = [cat("history.date"), cat("history.commit")]
    head += [cat(f"history.figure.{name}") for name in TEXT_COLUMNS]
    rows = [head]
    for sample in history.samples:
        row = [sample.date.isoformat(), sample.commit[:12]]
        row += [shown(cat, name, sample.portfolio.get(name)) for name in TEXT_COLUMNS]
        rows.append(row)
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        cat(
            "history.title",
            every=cat(f"history.every.{history.every}"),
            since=history.since.isoformat(),
            until=history.until.isoformat(),
            count=len(history.samples),
        ),
        "",
    ]
    for row in rows:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Columns a cell takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
