"""The repository pass: the rules that span files, and every waiver with its plan."""

from __future__ import annotations

from engine.config import Config
from engine.findings import Finding
from engine.i18n.messages import to_finding
from engine.model.types import Waiver
from engine.pipeline.file import FileResult, Settings
from engine.rules import RULES
from engine.rules.base import RepoIndex


def repository_findings(index: RepoIndex, settings: Settings) -> list[Finding]:
    """What the rules that span files find."""
    findings = []
    for rule_id, severity, params in settings.rules:
        rule = RULES[rule_id]
        if rule.check_repository is None or severity == "off":
            continue
        for problem in rule.check_repository(index, dict(params)):
            findings.append(to_finding(rule_id, severity, problem))
    return findings


def waiver_entries(
    results: list[FileResult], config: Config
) -> list[tuple[Waiver, str | None, bool]]:
    """Each waiver, the plan it is for (None: every plan), and whether the rules
    checked that plan: the plans' own, in the files' order, then the config's."""
    entries = [(w, r.plan_id, r.valid) for r in results for w in r.waivers]
    return entries + [(w, w.plan, True) for w in config.waivers]


def repository_pass(results: list[FileResult], config: Config, settings: Settings) -> list[Finding]:
    """What the rules that span files find in these files' results."""
    index = RepoIndex(
        # (A summary is None only if its file vanished since it was checked.)
        files=tuple(s for r in results if r.kind and (s := r.summary) is not None),
        waivers=tuple((w, plan) for w, plan, _ in waiver_entries(results, config)),
        custom_rules=frozenset(rule.id for rule in settings.custom),
    )
    return repository_findings(index, settings)
