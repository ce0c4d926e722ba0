"""One run's result: every finding, every file's result, the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.findings import Finding, fails, tally
from engine.model.metrics import OKRMetrics, PlanMetrics
from engine.model.portfolio import PortfolioSettings
from engine.model.types import Waiver
from engine.pipeline.file import FileResult
from engine.rules.custom.definition import CustomRule
from engine.sources import Skip, skip_counts

if TYPE_CHECKING:
    pass


@dataclass
class Report:
    findings: list[Finding]
    results: list[FileResult]
    today: date
    fail_on: str
    expiring: list[Waiver] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    custom_rules: tuple[CustomRule, ...] = ()  # the config's, for formats that list the rules
    skipped: list[Skip] = field(default_factory=list)  # what discovery left out, and why
    portfolio: PortfolioSettings = PortfolioSettings()

    def failing_files(self) -> set[str]:
        """The files with a finding (not waived) at the level that fails the run."""
        by_file: dict[str, list[Finding]] = {}
        for f in self.findings:
            by_file.setdefault(f.file, []).append(f)
        return {file for file, found in by_file.items() if fails(tally(found), self.fail_on)}

    @property
    def checked(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "checked"]

    @property
    def plan_metrics(self) -> dict[str, PlanMetrics]:
        checked = self.checked
        return {r.plan_id: r.metrics for r in checked if isinstance(r.metrics, PlanMetrics)}

    @property
    def okr_metrics(self) -> dict[str, OKRMetrics]:
        checked = self.checked
        return {r.plan_id: r.metrics for r in checked if isinstance(r.metrics, OKRMetrics)}

    def summary(self) -> dict[str, Any]:
        errors, warnings, infos, waived = tally(self.findings)
        kinds = [r.kind for r in self.checked]
        return {
            "files": len(kinds),
            "plans": kinds.count("AccountPlan"),
            "okrs": kinds.count("OKRs"),
            "errors": errors,
            "warnings": warnings,
            "infos": infos,
            "waived": waived,
            "skipped": skip_counts(self.skipped),
        }

    @property
    def failed(self) -> bool:
        return fails(tally(self.findings), self.fail_on)
