"""What ``revplan history`` prints: JSON for tools, CSV for spreadsheets (one row per
sample and plan), text for people."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Any

from engine.controls import json_escaped_surrogates
from engine.documents.charts import mermaid_number
from engine.documents.inputs import Document, pack
from engine.export import mermaid_label
from engine.i18n.catalogue import Catalogue
from engine.review.history import FIGURES, History
from engine.review.output import markdown_text

# The portfolio's figures the text shows, in its columns' order.
TEXT_COLUMNS = ("plans", "failing_plans", *FIGURES, "health")
SHARES = FIGURES[3:]


def render_json(history: History) -> str:
    """Indented down to one line per plan of a sample: json.dumps with ``indent`` runs in
    pure Python (5 s for 26 samples of 1,000 plans), without it in C."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    samples = []
    for s in history.samples:
        plans = ",\n".join(f"        {dumps(k)}: {dumps(v)}" for k, v in s.plans.items())
        samples.append(
            "    {\n"
            f'      "date": {dumps(s.date.isoformat())},\n'
            f'      "commit": {dumps(s.commit)},\n'
            f'      "portfolio": {dumps(s.portfolio)},\n'
            + ('      "plans": {\n' + plans + "\n      }\n" if plans else '      "plans": {}\n')
            + "    }"
        )
    fields = [
        '"version": 1',
        f'"every": {dumps(history.every)}',
        f'"since": {dumps(history.since.isoformat())}',
        f'"until": {dumps(history.until.isoformat())}',
        '"samples": [\n' + ",\n".join(samples) + "\n  ]" if samples else '"samples": []',
    ]
    return json_escaped_surrogates("{\n  " + ",\n  ".join(fields) + "\n}") + "\n"


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


# --- Markdown: Mermaid xychart-beta charts, each with its table ---------------------

# The portfolio's figures drawn, in order; counts first, then shares and the health score.
CHARTED = ("failing_plans", "errors", "warnings", *SHARES, "health")
# At most this many x-axis labels: more overlap at GitHub's width.
MAX_LABELS = 8
# Accounts drawn one by one (the rest are in the CSV); the worst changes first.
MAX_ACCOUNTS = 25
# Worse is up for the counts, down for the shares and the health score: each chart
# says which by its colour.
COLOURS = {"count": "#c0392b", "share": "#1f6fb5"}
ZERO_WIDTH = "\u200b"


def render_markdown(history: History, cat: Catalogue) -> str:
    """Per figure, the portfolio's line chart and its table (folded); then a small chart
    of each account's health score whose figures changed, with the days it got worse."""
    lines = [f"### {_title(history, cat)}", ""]
    lines += portfolio_markdown(history, cat, 4)
    accounts = _changed_accounts(history)
    if accounts:
        lines += [f"#### {cat('history.accounts')}", ""]
    for plan in accounts[:MAX_ACCOUNTS]:
        lines += [f"##### {markdown_text(plan)}", "", *account_markdown(history, cat, plan)]
    if len(accounts) > MAX_ACCOUNTS:
        more = len(accounts) - MAX_ACCOUNTS
        lines += [cat("history.more_accounts", count=more), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def portfolio_markdown(history: History, cat: Catalogue, level: int) -> list[str]:
    """The portfolio's charts, under a heading of ``level`` (each figure one deeper)."""
    samples = history.samples
    days = [s.date for s in samples]
    lines = [cat("history.one_sample"), ""] if len(samples) == 1 else []
    lines += ["#" * level + f" {cat('history.portfolio')}", ""]
    for name in CHARTED:
        title = cat(f"history.figure.{name}")
        values = [s.portfolio.get(name) for s in samples]
        lines += ["#" * (level + 1) + f" {title}", "", *_chart(name, days, values, title, title)]
        lines += _table(cat, days, {name: values})
    return lines


def account_markdown(history: History, cat: Catalogue, plan: str) -> list[str]:
    """One account over the range: the days it got worse, its health chart, its figures."""
    days = [s.date for s in history.samples]
    series = [s.plans.get(plan) for s in history.samples]
    lines = []
    worse = _worse_days(series, days)
    if worse:
        shown_days = cat.join([d.isoformat() for d in worse])
        lines += [cat("history.worse_on", days=shown_days, count=len(worse)), ""]
    values = [f.get("health") if f else None for f in series]
    name = cat("history.figure.health")
    lines += _chart("health", days, values, f"{mermaid_label(plan)} — {name}", name)
    columns = (*FIGURES, "health")
    return lines + _table(
        cat, days, {n: [f.get(n) if f else None for f in series] for n in columns}
    )


def _title(history: History, cat: Catalogue) -> str:
    return cat(
        "history.title",
        every=cat(f"history.every.{history.every}"),
        since=history.since.isoformat(),
        until=history.until.isoformat(),
        count=len(history.samples),
    )


def _chart(name: str, days: list[Any], values: list[Any], title: str, axis: str) -> list[str]:
    """A Mermaid line chart (a bar for one sample: a line of one point draws nothing).
    Shares are drawn as percentages. The y axis fits the data with a margin (a fixed
    0-100% would flatten a fall of a few points) and spans at least ten units, so the
    ticks of a count are whole numbers."""
    share = name in SHARES
    points = [None if v is None else round(100 * v, 1) if share else v for v in values]
    known = [p for p in points if p is not None]
    if not known:
        return []
    low, high = _axis(min(known), max(known), 100 if share or name == "health" else None)
    # Mermaid draws no gap: a sample without the figure takes the axis' floor.
    drawn = [low if p is None else p for p in points]
    kind = "bar" if len(drawn) == 1 else "line"
    colour = COLOURS[
        "count" if name in ("failing_plans", "errors", "warnings", "infos") else "share"
    ]
    unit = " (%)" if share else ""
    return [
        "```mermaid",
        "---",
        "config:",
        "  themeVariables:",
        "    xyChart:",
        f'      plotColorPalette: "{colour}"',
        "---",
        "xychart-beta",
        f'  title "{mermaid_label(title)}"',
        f"  x-axis [{', '.join(chr(34) + x + chr(34) for x in _labels(days))}]",
        f'  y-axis "{mermaid_label(axis)}{unit}" {mermaid_number(low)} --> {mermaid_number(high)}',
        f"  {kind} [{', '.join(mermaid_number(p) for p in drawn)}]",
        "```",
        "",
    ]


def _axis(low: float, high: float, ceiling: float | None) -> tuple[float, float]:
    """From below the data to above it, by a tenth of its spread (at least 2), in whole
    units, at least 10 apart, within 0 and ``ceiling``."""
    margin = max(2.0, (high - low) / 10)
    bottom = max(0.0, float(int(low - margin)))
    top = float(int(high + margin) + 1)
    if top - bottom < 10:
        top = bottom + 10
    if ceiling is not None and top > ceiling:
        top = ceiling
        bottom = min(bottom, max(0.0, top - 10))
    return bottom, top


def _labels(days: list[Any]) -> list[str]:
    """Short dates (MM-DD, with the year when the range spans two), at most MAX_LABELS of
    them shown, the newest always; the others are blank (zero-width spaces, a different
    number each: Mermaid's categories must differ)."""
    years = {d.year for d in days}
    text = [d.isoformat()[5:] if len(years) == 1 else d.isoformat()[2:] for d in days]
    step = -(-len(days) // MAX_LABELS)
    last = len(days) - 1
    return [t if (last - i) % step == 0 else ZERO_WIDTH * (i + 1) for i, t in enumerate(text)]


def _table(cat: Catalogue, days: list[Any], columns: dict[str, list[Any]]) -> list[str]:
    """The chart's numbers, for readers without Mermaid (folded: the chart is the point)."""
    head = [cat("history.date"), *(cat(f"history.figure.{n}") for n in columns)]
    rows = [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head[:1]) + "---:|" * len(columns),
    ]
    for i, day in enumerate(days):
        cells = [day.isoformat(), *(shown(cat, n, v[i]) for n, v in columns.items())]
        rows.append("| " + " | ".join(cells) + " |")
    return [f"<details><summary>{cat('history.table')}</summary>", "", *rows, "", "</details>", ""]


def _changed_accounts(history: History) -> list[str]:
    """The accounts whose figures changed over the range: the largest fall of the
    health score from the first sample to the last first, then by id."""
    series: dict[str, list[dict[str, Any]]] = {}
    for sample in history.samples:
        for plan, figures in sample.plans.items():
            if figures["kind"] == "account":
                series.setdefault(plan, []).append(figures)
    changed = [
        p for p, s in series.items() if any(f != s[0] for f in s) or len(history.samples) == 1
    ]

    def fall(plan: str) -> tuple[float, str]:
        scores = [f["health"] for f in series[plan]]
        return (scores[-1] - scores[0], plan)

    return sorted(changed, key=fall)


def _worse_days(series: list[dict[str, Any] | None], days: list[Any]) -> list[Any]:
    """The samples at which the account got worse than at the one before: more errors or
    warnings, or a lower share or health score."""
    worse = []
    for i in range(1, len(series)):
        before, now = series[i - 1], series[i]
        if before is None or now is None:
            continue
        up = any(now[n] > before[n] for n in ("errors", "warnings"))
        down = any(
            now.get(n) is not None and before.get(n) is not None and now[n] < before[n]
            for n in (*SHARES, "health")
        )
        if up or down:
            worse.append(days[i])
    return worse


def with_trend(documents: list[Document], history: History, cat: Catalogue) -> list[Document]:
    """``render --history``: the portfolio page (README.md) and each account document
    (accounts/<id>.md) end with their trend over the range."""
    title = cat(
        "history.trend",
        every=cat(f"history.every.{history.every}"),
        since=history.since.isoformat(),
        until=history.until.isoformat(),
    )
    accounts = {p for s in history.samples for p, f in s.plans.items() if f["kind"] == "account"}
    out = []
    for doc in documents:
        plan = doc.path.removeprefix("accounts/").removesuffix(".md")
        if doc.path == "README.md":
            lines = portfolio_markdown(history, cat, 3)
        elif doc.path.startswith("accounts/") and plan in accounts:
            lines = account_markdown(history, cat, plan)
        else:
            out.append(doc)
            continue
        trend = "\n".join(["", f"## {title}", "", *lines]).rstrip("\n") + "\n"
        out.append(Document(doc.path, pack(doc.data.rstrip(b"\n") + b"\n" + trend.encode())))
    return out
