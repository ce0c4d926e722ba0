"""JSON output, as cli.md defines it (plus the metrics, for dashboards)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from engine.controls import json_escaped_surrogates
from engine.findings import Finding
from engine.model.metrics import OKRMetrics, PlanMetrics, SegmentMetrics, segment_metrics
from engine.model.portfolio import AccountRow, PortfolioSettings, health, portfolio
from engine.report import Report
from engine.reporters.base import Reporter


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "plan": f.plan,
        "target": f.target,
        "waived": f.waived,
    }


class JsonReporter(Reporter):
    name = "json"
    description = "one JSON object: findings, summary and metrics"

    def render(self, report: Report) -> str:
        failing = report.failing_files()
        # As Report.plan_metrics: one entry a plan id, the last file's.
        plans = {
            r.plan_id: (r.metrics, r.file in failing)
            for r in report.checked
            if isinstance(r.metrics, PlanMetrics)
        }
        settings = report.portfolio
        return self.assemble(
            [self.finding_line(f) for f in report.findings],
            report.summary(),
            self.portfolio_json(
                (self.account_row(m, fails) for m, fails in plans.values()), settings, report.today
            ),
            [self.plan_line(m, fails, settings) for _, (m, fails) in sorted(plans.items())],
            [self.metrics_line(m) for m in segment_metrics(m for m, _ in plans.values())],
            [self.metrics_line(m) for _, m in sorted(report.okr_metrics.items())],
        )

    @staticmethod
    def account_row(m: PlanMetrics, failing: bool) -> AccountRow:
        """What the portfolio's totals read of a plan."""
        return AccountRow(
            m.plan, m.currency, m.arr, m.renewal_date, m.forecast, m.pipeline, failing
        )

    @staticmethod
    def portfolio_json(
        rows: Iterable[AccountRow], settings: PortfolioSettings, today: date
    ) -> dict[str, Any]:
        return portfolio(rows, settings, today).as_json()

    @staticmethod
    def plan_line(m: PlanMetrics, failing: bool, settings: PortfolioSettings) -> str:
        """A plan's metrics with its health, as the report prints them."""
        figures = m.as_json() | {"health": health(m.health_areas, failing, settings).as_json()}
        return json_escaped_surrogates(json.dumps(figures, ensure_ascii=False, allow_nan=False))

    @staticmethod
    def finding_line(finding: Finding) -> str:
        """A finding as the report prints it, on a line of its own."""
        return json_escaped_surrogates(
            json.dumps(finding_json(finding), ensure_ascii=False, allow_nan=False)
        )

    @staticmethod
    def metrics_line(metrics: PlanMetrics | SegmentMetrics | OKRMetrics) -> str:
        """A plan's, segment's or OKR set's metrics as the report prints them."""
        return json_escaped_surrogates(
            json.dumps(metrics.as_json(), ensure_ascii=False, allow_nan=False)
        )

    @staticmethod
    def assemble(
        findings: list[str],
        summary: dict[str, Any],
        portfolio: dict[str, Any],
        plans: list[str],
        segments: list[str],
        okrs: list[str],
    ) -> str:
        """The document from its lines (``finding_line``, ``metrics_line``): what
        ``render`` prints, laid out as ``_dumps`` lays out the whole document."""
        document = {
            "version": 1,
            "findings": _Lines(findings),
            "summary": summary,
            "portfolio": portfolio,
            "metrics": {"plans": _Lines(plans), "segments": _Lines(segments), "okrs": _Lines(okrs)},
        }
        return json_escaped_surrogates(_dumps(document)) + "\n"


class _Lines(list[str]):
    """A list whose items are JSON already, one a line."""


def _dumps(value: Any, depth: int = 0, in_list: bool = False) -> str:
    """Indented down to one line per finding and one per plan's metrics.

    json.dumps with ``indent`` runs in pure Python (0.65 s for 1,000 plans);
    without it, in C, so the one-line parts go through it whole.
    """
    if isinstance(value, _Lines):
        if not value:
            return "[]"
        inner = "\n" + "  " * (depth + 1)
        return "[" + inner + ("," + inner).join(value) + "\n" + "  " * depth + "]"
    one_line = depth >= 3 or (depth == 2 and in_list)
    if one_line or not isinstance(value, dict | list) or not value:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    inner = "\n" + "  " * (depth + 1)
    if isinstance(value, dict):
        items = [
            f"{json.dumps(k, ensure_ascii=False, allow_nan=False)}: {_dumps(v, depth + 1)}"
            for k, v in value.items()
        ]
        open_, close = "{", "}"
    else:
        items = [_dumps(v, depth + 1, in_list=True) for v in value]
        open_, close = "[", "]"
    return open_ + inner + ("," + inner).join(items) + "\n" + "  " * depth + close


REPORTER = JsonReporter
