"""JSON output, as cli.md defines it (plus the metrics, for dashboards)."""

from __future__ import annotations

import json
from typing import Any

from ..metrics import Metrics, segment_metrics
from ..run import Report
from . import Reporter


def finding_json(f: Any) -> dict[str, Any]:
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
        document = {
            "version": 1,
            "findings": [finding_json(f) for f in report.findings],
            "summary": report.summary(),
            "metrics": Metrics(
                plans=report.plan_metrics,
                segments=segment_metrics(report.plan_metrics.values()),
                okrs=report.okr_metrics,
            ).as_json(),
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
