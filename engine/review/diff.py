"""``revplan diff``: what a change does to the plans (review.md, "revplan diff").

Each side is checked as ``revplan check`` would check it at that point — its own
plans and its own config, one ``today`` for both, so time passing is never a
change — and the plans are matched by id, so a moved file is the same plan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from engine.config import Config
from engine.findings import Finding, fails, tally
from engine.model.metrics import kr_score
from engine.model.types import AccountPlan, Node, Objective, OKRSet, Stakeholder
from engine.model.vocabulary import ROLES
from engine.pipeline.file import FileResult
from engine.report import Report
from engine.review.git import Repository
from engine.review.revision import config_at, display, plan_entries
from engine.session import read_sources, run_check_contents

WORSE, NEUTRAL, BETTER = "worse", "neutral", "better"
_EFFECT_ORDER = {WORSE: 0, NEUTRAL: 1, BETTER: 2}
_STANCE_RANK = {"detractor": 0, "unknown": 1, "neutral": 2, "supporter": 3, "advocate": 4}

Plan = AccountPlan | OKRSet


@dataclass(frozen=True)
class Change:
    kind: str
    plan: str
    target: str | None
    effect: str
    file: str
    line: int
    before: Any = None  # "from" in JSON
    after: Any = None  # "to" in JSON
    # The people and values the words need (names, roles), beside the ids.
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.plan, _EFFECT_ORDER[self.effect], self.kind, self.target or "")


@dataclass(frozen=True)
class Side:
    """One point of the history, checked."""

    rev: str | None
    commit: str | None  # None: the work tree
    report: Report
    plans: dict[str, Plan]  # by id, the first file's plan where two share one
    files: frozenset[str]  # every file checked (display paths)


@dataclass(frozen=True)
class Diff:
    base: Side
    head: Side
    changes: list[Change]
    new: list[Finding]
    fixed: list[Finding]
    config: Config  # the head side's (its locale and catalogues word the output)

    @property
    def worse(self) -> bool:
        return any(c.effect == WORSE for c in self.changes)

    @property
    def failed(self) -> bool:
        """For ``--fail-on worse``: a worse change, or a new finding that fails the run."""
        return self.worse or fails(tally(self.new), self.head.report.fail_on)

    def counts(self) -> dict[str, int]:
        effects = Counter(c.effect for c in self.changes)
        return {
            "plans_changed": len({c.plan for c in self.changes}),
            "better": effects[BETTER],
            "worse": effects[WORSE],
            "neutral": effects[NEUTRAL],
            "new_findings": len(self.new),
            "fixed_findings": len(self.fixed),
        }


def run_diff(
    base: str,
    head: str | None,
    config_path: Path | None,
    work_config: Config,
    today: date | None,
    fail_on: str | None = None,
) -> Diff:
    """Compare revision ``base`` with revision ``head`` (None: the work tree, checked
    with ``work_config``; ``config_path``: ``--config``, read at each revision)."""
    with Repository(".") as repo:
        base_commit = repo.resolve(base)
        head_commit = repo.resolve(head) if head is not None else None
        head_config = (
            config_at(repo, head_commit, config_path, head) if head_commit else work_config
        )
        when = today or head_config.today or date.today()
        head_side = (
            _revision_side(repo, head, head_commit, head_config, when, fail_on)
            if head_commit
            else _work_side(head_config, when, fail_on)
        )
        base_config = config_at(repo, base_commit, config_path, base)
        base_side = _revision_side(repo, base, base_commit, base_config, when, fail_on)
    new, fixed = compare_findings(base_side.report.findings, head_side.report.findings)
    roles = _roles(head_config)
    changes = sorted(_changes(base_side, head_side, roles), key=Change.sort_key)
    return Diff(base_side, head_side, changes, new, fixed, head_config)


# --- the sides ------------------------------------------------------------------


def _work_side(config: Config, today: date, fail_on: str | None) -> Side:
    report, results = run_check_contents(read_sources(config), config, today, fail_on)
    return _side(None, None, report, results)


def _side(rev: str | None, commit: str | None, report: Report, results: list[FileResult]) -> Side:
    plans: dict[str, Plan] = {}
    for result in results:
        if result.model is not None and result.plan_id:
            plans.setdefault(result.plan_id, result.model)
    return Side(rev, commit, report, plans, frozenset(r.file for r in results))


def _revision_side(
    repo: Repository, rev: str | None, commit: str, config: Config, today: date, fail_on: str | None
) -> Side:
    files: list[tuple[str, bytes | None, str | None]] = []
    max_bytes = config.limits.max_file_bytes
    for entry in plan_entries(repo, commit, config):
        # One byte past the limit, as a file is read: the loader reports the excess.
        files.append((display(repo, entry.path), repo.read(entry.blob)[: max_bytes + 1], None))
    report, results = run_check_contents(files, config, today, fail_on)
    return _side(rev, commit, report, results)


def _roles(config: Config) -> tuple[str, ...]:
    roles = config.setting("advocate-per-role").params.get("roles")
    return tuple(roles) if isinstance(roles, list | tuple) else ROLES


# --- the findings -----------------------------------------------------------------


def _identity(f: Finding) -> tuple[str, ...]:
    """How a finding is the same on both sides: as a baseline matches it (rule, plan,
    target, place in the document; no line), and by file only when it has no plan —
    a moved plan's findings are the same findings."""
    return (f.rule, f.plan or "", f.target or "", f.path, "" if f.plan else f.file)


def compare_findings(
    base: list[Finding], head: list[Finding]
) -> tuple[list[Finding], list[Finding]]:
    """The head's findings the base did not have, and the base's the head has no more
    (counted: two of a kind before and one after is one fixed). Waived ones do not count."""
    return _unmatched(head, base), _unmatched(base, head)


def _unmatched(these: list[Finding], others: list[Finding]) -> list[Finding]:
    """The findings of ``these`` (not waived) beyond what ``others`` has of each identity."""
    left = Counter(_identity(f) for f in others if not f.waived)
    unmatched = []
    for f in these:
        if f.waived:
            continue
        key = _identity(f)
        if left[key] > 0:
            left[key] -= 1
        else:
            unmatched.append(f)
    return unmatched


# --- the changes ------------------------------------------------------------------


def _changes(base: Side, head: Side, roles: tuple[str, ...]) -> Iterator[Change]:
    for plan_id in sorted(base.plans.keys() | head.plans.keys()):
        old, new = base.plans.get(plan_id), head.plans.get(plan_id)
        if old is None and new is not None:
            # A file that was broken at the base (no plan to read) is not a new plan.
            if not _unreadable(base, new.file):
                yield Change("plan-added", plan_id, None, NEUTRAL, new.file, new.loc.line)
        elif new is None and old is not None:
            if not _unreadable(head, old.file):
                yield Change("plan-removed", plan_id, None, NEUTRAL, old.file, old.loc.line)
        elif old is not None and new is not None:
            if isinstance(old, AccountPlan) and isinstance(new, AccountPlan):
                yield from _account_changes(plan_id, old, new, roles)
            yield from _objective_changes(plan_id, old.objectives, new.objectives, new)


def _unreadable(side: Side, file: str) -> bool:
    """Whether ``side`` has ``file`` but not as a plan (bad YAML, another kind): the plan
    is broken there, not added or removed; its findings say so."""
    return file in side.files and not any(plan.file == file for plan in side.plans.values())


def _place(node: Node | None, plan: Plan, name: str | None = None) -> tuple[str, int]:
    if node is None:
        return plan.file, plan.loc.line
    loc = node.at(name) if name else node.loc
    return loc.file or plan.file, loc.line


def _by_id(items: tuple[Any, ...]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        found.setdefault(item.id, item)
    return found


def _up_down(before: float | None, after: float | None) -> str:
    if before is None or after is None or before == after:
        return NEUTRAL
    return BETTER if after > before else WORSE


def _maker(plan_id: str, plan: Plan) -> Callable[..., Change]:
    """A change of ``plan`` at ``node``'s field ``at`` (the node itself without one)."""

    def change(
        kind: str,
        target: str | None,
        effect: str,
        node: Node | None,
        at: str | None,
        before: Any = None,
        after: Any = None,
        **detail: Any,
    ) -> Change:
        file, line = _place(node, plan, at)
        return Change(kind, plan_id, target, effect, file, line, before, after, detail)

    return change


def _account_changes(
    plan_id: str, old: AccountPlan, new: AccountPlan, roles: tuple[str, ...]
) -> Iterator[Change]:
    change = _maker(plan_id, new)

    people_old, people_new = _by_id(old.stakeholders), _by_id(new.stakeholders)
    names = {
        **{k: v.name for k, v in people_old.items()},
        **{k: v.name for k, v in people_new.items()},
    }
    team = {m.id: m.name for m in (*old.team, *new.team)}
    for sid in sorted(people_old.keys() | people_new.keys()):
        was, now = people_old.get(sid), people_new.get(sid)
        if was is None and now is not None:
            yield change("stakeholder-added", sid, NEUTRAL, now, None, **_person(now))
            continue
        if now is None and was is not None:
            file, line = _place(was, old)
            yield Change(
                "stakeholder-removed", plan_id, sid, NEUTRAL, file, line, None, None, _person(was)
            )
            continue
        assert was is not None and now is not None
        who = _person(now)
        if was.status != now.status:
            kind = "stakeholder-left" if now.status == "left" else "stakeholder-returned"
            effect = WORSE if now.status == "left" else BETTER
            yield change(kind, sid, effect, now, "status", was.status, now.status, **who)
        if was.stance != now.stance:
            rank = _up_down(_STANCE_RANK.get(was.stance), _STANCE_RANK.get(now.stance))
            yield change("stance-changed", sid, rank, now, "stance", was.stance, now.stance, **who)
        for kind, before, after, known in (
            ("backup-changed", was.backup, now.backup, names),
            ("relationship-owner-changed", was.owner, now.owner, team),
        ):
            if before != after:
                field_name = "backup" if kind == "backup-changed" else "owner"
                yield change(
                    kind,
                    sid,
                    _none_effect(before, after),
                    now,
                    field_name if after else None,
                    before,
                    after,
                    **who,
                    from_name=known.get(before or ""),
                    to_name=known.get(after or ""),
                )
    for role in roles:
        before, after = _advocates(old, role), _advocates(new, role)
        if before and not after:
            yield change(
                "role-coverage-lost",
                role,
                WORSE,
                people_new.get(before[0]),  # where the advocate was, if still in the plan
                "stance",
                before,
                after,
                names=[names.get(p, p) for p in before],
            )
        elif after and not before:
            yield change(
                "role-coverage-gained",
                role,
                BETTER,
                people_new.get(after[0]),
                "stance",
                before,
                after,
                names=[names.get(p, p) for p in after],
            )
    acc_old, acc_new = old.account, new.account
    if acc_old is not None and acc_new is not None:
        if acc_old.renewal_date != acc_new.renewal_date:
            yield change(
                "renewal-moved",
                None,
                NEUTRAL,
                acc_new,
                "renewal_date",
                _iso(acc_old.renewal_date),
                _iso(acc_new.renewal_date),
            )
        if acc_old.arr != acc_new.arr:
            yield change(
                "arr-changed",
                None,
                _up_down(acc_old.arr, acc_new.arr),
                acc_new,
                "arr",
                acc_old.arr,
                acc_new.arr,
                currency=acc_new.currency,
            )
    milestones_old, milestones_new = _by_id(old.milestones), _by_id(new.milestones)
    for mid in sorted(milestones_old.keys() & milestones_new.keys()):
        was, now = milestones_old[mid], milestones_new[mid]
        if was.status != now.status:
            effect = (
                BETTER if now.status == "done" else WORSE if now.status == "missed" else NEUTRAL
            )
            yield change(
                "milestone-status-changed",
                mid,
                effect,
                now,
                "status",
                was.status,
                now.status,
                name=now.title,
            )


def _objective_changes(
    plan_id: str, old: tuple[Objective, ...], new: tuple[Objective, ...], plan: Plan
) -> Iterator[Change]:
    change = _maker(plan_id, plan)

    objectives_old: dict[str, Objective] = _by_id(old)
    objectives_new: dict[str, Objective] = _by_id(new)
    for oid in sorted(objectives_old.keys() | objectives_new.keys()):
        was, now = objectives_old.get(oid), objectives_new.get(oid)
        if was is None:
            assert now is not None
            yield change("objective-added", oid, NEUTRAL, now, None, name=now.title)
            continue
        if now is None:
            file, line = was.loc.file, was.loc.line
            yield Change(
                "objective-removed",
                plan_id,
                oid,
                NEUTRAL,
                file,
                line,
                None,
                None,
                {"name": was.title},
            )
            continue
        krs_old = _by_id(was.key_results)
        for kr in now.key_results:
            if kr.id in krs_old:
                before, after = kr_score(krs_old[kr.id]), kr_score(kr)
                if before != after:
                    yield change(
                        "key-result-progress",
                        f"{oid}/{kr.id}",
                        _up_down(before, after),
                        kr,
                        "current" if kr.current is not None else None,
                        before,
                        after,
                        name=kr.title,
                    )
        actions_old = _by_id(was.actions)
        for action in now.actions:
            prior = actions_old.get(action.id)
            if prior is not None and prior.status != action.status:
                status = action.status
                effect = BETTER if status == "done" else WORSE if status == "blocked" else NEUTRAL
                yield change(
                    "action-status-changed",
                    action.id,
                    effect,
                    action,
                    "status",
                    prior.status,
                    status,
                    name=action.title,
                )


def _none_effect(before: str | None, after: str | None) -> str:
    """Better from none, worse to none, else neutral (backups, relationship owners)."""
    if before is None:
        return BETTER
    return WORSE if after is None else NEUTRAL


def _advocates(plan: AccountPlan, role: str) -> list[str]:
    """The role's Group 1 advocates still at the company (who covers it)."""
    return sorted(
        p.id
        for p in plan.stakeholders
        if p.group == "renew" and role in p.roles and p.stance == "advocate" and p.status != "left"
    )


def _person(person: Stakeholder) -> dict[str, Any]:
    return {"name": person.name, "roles": list(person.roles)}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
