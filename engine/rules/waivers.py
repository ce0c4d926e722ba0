"""Waivers: which waiver waives a finding, and the findings of the waiver rules
(``waiver-expired``, ``waiver-unused``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

from engine.findings import Day, Finding, Many, Problem, Text, args
from engine.i18n.messages import to_finding
from engine.model.types import Waiver

EXPIRY_NOTICE_DAYS = 14


class Settings(Protocol):
    """What waiving needs of a run's settings (``pipeline.settings.Settings`` has it)."""

    @property
    def today(self) -> date: ...

    def severity(self, rule_id: str) -> str: ...

    def knows(self, rule_id: str) -> bool: ...


class WaiverMatcher:
    """Which waiver, if any, waives a finding: of the waivers in force, the first
    for its rule and plan, else the first for its rule and every plan, whose
    target (if it names one) is the finding's."""

    def __init__(self, entries: list[tuple[Waiver, str | None, bool]], today: date) -> None:
        # Indexed by (rule, plan) so that matching stays linear in findings + waivers.
        self._active: dict[tuple[str, str | None], list[int]] = {}
        for index, (w, plan, _) in enumerate(entries):
            if not (w.expires and w.expires < today):
                self._active.setdefault((w.rule, plan), []).append(index)
        self._waivers = [w for w, _, _ in entries]

    def waive(self, findings: Iterable[Finding]) -> tuple[list[Finding], set[int]]:
        """The findings as the waivers leave them, and the waivers they use (indices)."""
        out, used = [], set()
        for finding in findings:
            index = self.match(finding)
            if index is not None:
                used.add(index)
                waiver = self._waivers[index]
                finding = finding.waive(waiver.reason, waiver.expires)
            out.append(finding)
        return out, used

    def match(self, finding: Finding) -> int | None:
        """The index in ``entries`` of the waiver that waives ``finding``."""
        active = self._active
        for key in ((finding.rule, finding.plan), (finding.rule, None)):
            for index in active.get(key, ()):
                target = self._waivers[index].target
                if target is None or target == finding.target:
                    return index
        return None


def apply_waivers(
    findings: list[Finding],
    entries: list[tuple[Waiver, str | None, bool]],
    settings: Settings,
) -> tuple[list[Finding], list[Waiver], list[Waiver]]:
    """Mark waived findings; report expired and unused waivers; list those expiring soon.

    ``entries``: each waiver, the plan it is limited to (None: every plan), and
    whether that plan was checked by the completeness rules.
    """
    today = settings.today
    out, used = WaiverMatcher(entries, today).waive(findings)
    problems: list[tuple[str, Problem]] = []
    for index, (w, plan, checked) in enumerate(entries):
        where = f"waivers/{w.rule}/{w.target or ''}"
        # " for <plan>/<target>": which plan and target the waiver is limited to, if any
        scope = tuple(Text(p) for p in (plan, w.target) if p)
        scoped = ".scoped" if scope else ""
        if w.expires and w.expires < today:
            problems.append(
                (
                    "waiver-expired",
                    Problem(
                        w.at("expires"),
                        f"waiver-expired{scoped}",
                        args(rule=Text(w.rule), scope=Many(scope), date=Day(w.expires)),
                        plan=plan,
                        target=w.target,
                        path=where,
                    ),
                )
            )
        elif (
            index not in used
            and checked
            and settings.knows(w.rule)
            and settings.severity(w.rule) != "off"
        ):
            problems.append(
                (
                    "waiver-unused",
                    Problem(
                        w.loc,
                        f"waiver-unused{scoped}",
                        args(rule=Text(w.rule), scope=Many(scope)),
                        plan=plan,
                        target=w.target,
                        path=where,
                    ),
                )
            )
    for rule_id, problem in problems:
        severity = settings.severity(rule_id)
        if severity != "off":
            out.append(to_finding(rule_id, severity, problem))
    soon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    expiring = [w for w, _, _ in entries if w.expires and today <= w.expires <= soon]
    return out, expiring, [w for w, _, _ in entries]
