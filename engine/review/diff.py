"""``revplan diff``: what a change does to the plans (review.md, "revplan diff").

Each side is checked as ``revplan check`` would check it at that point — its own
plans and its own config, one ``today`` for both, so time passing is never a
change — and the plans are matched by id, so a moved file is the same plan.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from engine.config import Config
from engine.errors import UsageError
from engine.findings import Finding, fails, tally
from engine.model.types import AccountPlan
from engine.model.vocabulary import ROLES
from engine.pipeline.settings import settings_for
from engine.review.changes import (
    BETTER,
    NEUTRAL,
    WORSE,
    Change,
    Plan,
    account_changes,
    objective_changes,
)
from engine.review.findings import new_and_fixed
from engine.review.git import Entry, Repository
from engine.review.revision import config_at, display, plan_entries
from engine.review.sides import Checked, Checker


@dataclass(frozen=True)
class Side:
    """One point of the history, checked."""

    rev: str | None
    commit: str | None  # None: the work tree
    fail_on: str
    plan_files: dict[str, str]  # plan id -> its file (the first file's, where two share one)
    files: frozenset[str]  # every file checked (display paths)
    # The plans compared, by id: those whose bytes are not the same on both sides.
    models: dict[str, Plan]


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
        return self.worse or fails(tally(self.new), self.head.fail_on)

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
    paths: tuple[str, ...] = (),
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> Diff:
    """Compare revision ``base`` with revision ``head`` (None: the work tree, checked
    with ``work_config``; ``config_path``: ``--config``, read at each revision).
    With ``paths``, only the plans in those files or folders (on either side) are
    compared; each side is still checked whole, so rules that span files see it all.
    ``cache_dir``: the check's cache (None: none); ``jobs``: worker processes."""
    with Repository(".") as repo:
        base_commit = repo.resolve(base)
        head_commit = repo.resolve(head) if head is not None else None
        head_config = (
            config_at(repo, head_commit, config_path, head) if head_commit else work_config
        )
        when = today or head_config.today or date.today()
        checker = Checker(repo, cache_dir, jobs)
        if head_commit:
            entries = plan_entries(repo, head_commit, head_config)
            head_checked = _as_checked_out(
                checker, head_commit, entries, (head_config, work_config), when, fail_on
            ) or checker.revision(entries, head_config, when, fail_on)
        else:
            head_checked = checker.work_tree(head_config, when, fail_on)
        base_config = config_at(repo, base_commit, config_path, base)
        entries = plan_entries(repo, base_commit, base_config)
        base_checked = checker.revision(entries, base_config, when, fail_on, head_checked)
        base_side, head_side = _sides(
            (base, base_commit, base_checked), (head, head_commit, head_checked)
        )
        new, fixed = new_and_fixed(base_checked, head_checked)
    roles = _roles(head_config)
    changes = sorted(_changes(base_side, head_side, roles), key=Change.sort_key)
    if paths:
        keep = _within(paths, base_side, head_side)
        changes = [c for c in changes if keep(c.plan, c.file)]
        new = [f for f in new if keep(f.plan, f.file)]
        fixed = [f for f in fixed if keep(f.plan, f.file)]
    return Diff(base_side, head_side, changes, new, fixed, head_config)


def _as_checked_out(
    checker: Checker,
    commit: str,
    entries: list[Entry],
    configs: tuple[Config, Config],
    today: date,
    fail_on: str | None,
) -> Checked | None:
    """The head revision checked as the work tree is (files stated, not read and
    hashed), where that is the same thing: the commit is the one checked out, its
    config the work tree's, and the work tree's plan files exactly the commit's (a
    fresh clone in CI, just checked by the Action's check step); else None."""
    repo, (config, work) = checker.repo, configs
    if repo.commit_of("HEAD") != commit:
        return None
    same_config = (config.root, config.plans, config.exclude, config.fail_on, config.waivers) == (
        work.root, work.plans, work.exclude, work.fail_on, work.waivers
    )  # fmt: skip
    if not same_config or settings_for(config, today) != settings_for(work, today):
        return None
    blobs = {display(repo, e.path): e.blob for e in entries}
    clean = repo.work_tree_blobs()
    if any(clean.get(e.path) != e.blob for e in entries):  # an edit, staged or not
        return None
    checked = checker.work_tree(work, today, fail_on)
    # A plan file git does not track would be checked too: then not the commit.
    return checked if {f.name for f in checked.files} == blobs.keys() else None


def _sides(
    base: tuple[str, str, Checked], head: tuple[str | None, str | None, Checked]
) -> tuple[Side, Side]:
    """Both sides, with the models of the plans whose bytes are not the same on both
    (a plan in the same file with the same blob on both sides cannot have changed)."""
    checked = (base[2], head[2])
    plan_files: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for side, ids in zip(checked, plan_files, strict=True):
        for f in side.files:
            if f.index.kind and f.index.plan_id:
                ids.setdefault(f.index.plan_id, f.name)
    wanted: tuple[dict[str, str], dict[str, str]] = ({}, {})
    blobs = (checked[0].blobs, checked[1].blobs)
    for plan_id in plan_files[0].keys() | plan_files[1].keys():
        old, new = plan_files[0].get(plan_id), plan_files[1].get(plan_id)
        blob = blobs[0].get(old or "")
        if old == new and blob is not None and blob == blobs[1].get(new or ""):
            continue
        for file, want in ((old, wanted[0]), (new, wanted[1])):
            if file is not None:
                want[plan_id] = file
    sides = []
    for (rev, commit, side), ids, want in zip((base, head), plan_files, wanted, strict=True):
        by_file = side.models(sorted(set(want.values())))
        models = {i: by_file[f] for i, f in want.items() if f in by_file}
        files = frozenset(f.name for f in side.files)
        sides.append(Side(rev, commit, side.fail_on, ids, files, models))
    return sides[0], sides[1]


def split_arguments(arguments: tuple[str, ...]) -> tuple[str, str | None, tuple[str, ...]]:
    """``[BASE [HEAD]] [PATHS...]`` as (base, head, paths), the way git reads its own:
    up to two revisions first, then paths. An argument there that names no commit
    but a file or folder here starts the paths; one that names neither is taken as a
    revision, so the run says what to name (an unknown revision, a shallow clone)."""
    revisions: list[str] = []
    with Repository(".") as repo:
        for i, argument in enumerate(arguments):
            if len(revisions) == 2 or (
                repo.commit_of(argument) is None and os.path.lexists(argument)
            ):
                paths = arguments[i:]
                break
            revisions.append(argument)
        else:
            paths = ()
    base = revisions[0] if revisions else "HEAD"
    return base, revisions[1] if len(revisions) > 1 else None, paths


def _within(paths: tuple[str, ...], base: Side, head: Side) -> Callable[[str | None, str], bool]:
    """Whether a change or finding (its plan id, its file) is of the plans under
    ``paths``: a plan whose file on either side is there (so a plan moved in or out
    is kept), or, for a file with no plan, the file itself."""
    folders = [os.path.abspath(p) for p in paths]

    def under(file: str, folder: str) -> bool:
        absolute = os.path.abspath(file)
        return absolute == folder or absolute.startswith(folder.rstrip(os.sep) + os.sep)

    files = base.files | head.files
    for path, folder in zip(paths, folders, strict=True):
        if not any(under(file, folder) for file in files):
            raise UsageError(
                f"{path}: no plan file there, at {base.rev} or "
                f"{head.rev or 'in the work tree'}: give a file or folder of the plans "
                "(revisions come first: BASE, then HEAD)"
            )
    chosen = {
        plan_id
        for side in (base, head)
        for plan_id, file in side.plan_files.items()
        if any(under(file, folder) for folder in folders)
    }

    def keep(plan_id: str | None, file: str) -> bool:
        if plan_id:
            return plan_id in chosen
        return any(under(file, folder) for folder in folders)

    return keep


# --- the sides ------------------------------------------------------------------


def _roles(config: Config) -> tuple[str, ...]:
    roles = config.setting("advocate-per-role").params.get("roles")
    return tuple(roles) if isinstance(roles, list | tuple) else ROLES


# --- the changes ------------------------------------------------------------------


def _changes(base: Side, head: Side, roles: tuple[str, ...]) -> Iterator[Change]:
    for plan_id in sorted(base.models.keys() | head.models.keys()):
        old, new = base.models.get(plan_id), head.models.get(plan_id)
        if old is None and new is not None:
            # A file that was broken at the base (no plan to read) is not a new plan.
            if not _unreadable(base, new.file):
                yield Change("plan-added", plan_id, None, NEUTRAL, new.file, new.loc.line)
        elif new is None and old is not None:
            if not _unreadable(head, old.file):
                yield Change("plan-removed", plan_id, None, NEUTRAL, old.file, old.loc.line)
        elif old is not None and new is not None:
            if isinstance(old, AccountPlan) and isinstance(new, AccountPlan):
                yield from account_changes(plan_id, old, new, roles)
            yield from objective_changes(plan_id, old.objectives, new.objectives, new)


def _unreadable(side: Side, file: str) -> bool:
    """Whether ``side`` has ``file`` but not as a plan (bad YAML, another kind): the plan
    is broken there, not added or removed; its findings say so."""
    return file in side.files and file not in side.plan_files.values()
