"""The findings ``revplan diff`` lists as new and fixed, worked out from the files that
can differ between the sides.

Each side's findings are what ``check`` would report there: each file's own
findings, the repository-wide rules', the waivers' (``waiver-expired``,
``waiver-unused``), all after the waivers. Matched between the sides as baselines
match them, what both sides have cancels out. A file that is the same on both
sides (one ``sides.File``) has the same findings on both, so they cancel, unless
something that differs reaches into it; its findings are not even decoded when

- the sides' settings are the same, and so are the config's waivers for every
  plan (those without ``plan:``), so its findings are waived alike on both sides;
- its own findings all lie in it and are of its plan (``codec.Index.contained``);
- no examined finding lies in it or is of its plan, no examined file claims its
  plan and no waiver of the config names it: its waivers (a plan's waivers reach
  only its file, or with ``plan:`` its plan) then waive the same on both sides,
  and nothing examined has the identity of one of its findings.

The examined files are those not the same on both sides, then the files these
reach, until no file is added; the repository-wide rules' findings are examined
whole (from the cache without decoding a file, when their inputs are unchanged).
The findings left out may use the config's waivers for every plan, identically on
both sides: so the findings of those waivers are left out of both sides too when
the examined findings use them alike, and otherwise every file is examined.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from engine.config import Config
from engine.findings import Finding
from engine.pipeline.repository import waiver_entries
from engine.review.sides import Checked, File
from engine.rules.waivers import apply_waivers

# The findings of the waivers themselves.
_WAIVER_RULES = frozenset(("waiver-expired", "waiver-unused"))


# How a finding located in a side's config is placed in its identity: the config's
# path differs between the sides (``HEAD~1:revplan.yaml``, ``revplan.yaml``), its
# findings are the same findings.
_IN_THE_CONFIG = "\0config"


def new_and_fixed(base: Checked, head: Checked) -> tuple[list[Finding], list[Finding]]:
    """The head's findings the base did not have, and the base's the head has no more
    (counted: two of a kind before and one after is one fixed). Waived ones do not count."""
    sides = (base, head)
    repository = [side.repository_findings() for side in sides]
    shared = {id(f) for f in base.files} & {id(f) for f in head.files}
    if base.settings != head.settings or _for_every_plan(base.config) != _for_every_plan(
        head.config
    ):
        shared = set()
    examined = _reached(sides, shared, repository)
    found = [_findings(side, examined, r) for side, r in zip(sides, repository, strict=True)]
    if shared - examined:
        kept, left_out = zip(
            *(_every_plans_waivers(s, f) for s, f in zip(sides, found, strict=True)), strict=True
        )
        if Counter(left_out[0]) == Counter(left_out[1]):
            found = list(kept)
        else:  # the findings left out may use them on one side only: examine them all
            every = {id(f) for side in sides for f in side.files}
            found = [_findings(side, every, r) for side, r in zip(sides, repository, strict=True)]
    labels = [_config_labels(side.config) for side in sides]
    return (
        _unmatched(found[1], labels[1], found[0], labels[0]),
        _unmatched(found[0], labels[0], found[1], labels[1]),
    )


def _for_every_plan(config: Config) -> tuple[tuple[object, ...], ...]:
    """What of the config's waivers for every plan decides which findings they waive."""
    return tuple((w.rule, w.target, w.expires) for w in config.waivers if not w.plan)


def _reached(
    sides: tuple[Checked, Checked], shared: set[int], repository: list[list[Finding]]
) -> set[int]:
    """The files (by ``id``) whose findings are examined: those not ``shared`` by both
    sides, then the shared ones that an examined finding or file reaches."""
    examined = {id(f) for side in sides for f in side.files if id(f) not in shared}
    by_plan: dict[str, list[File]] = {}
    by_name: dict[str, list[File]] = {}
    for f in sides[1].files:  # the shared files are the head's too
        if id(f) in shared and f.index.contained:
            by_plan.setdefault(f.index.plan_id, []).append(f)
            by_name.setdefault(f.name, []).append(f)
        elif id(f) in shared:
            examined.add(id(f))
    plans = {w.plan for side in sides for w in side.config.waivers if w.plan}
    findings: Iterable[Finding] = [f for found in repository for f in found]
    added = examined
    while True:
        names: set[str] = set()
        for side in sides:
            files = [f for f in side.files if id(f) in added]
            names.update(f.name for f in files)
            plans.update(f.index.plan_id for f in files if f.index.plan_id)
            findings = [*findings, *(x for r in side.results(files) for x in r.findings)]
        for finding in findings:
            names.add(finding.file)
            if finding.plan:
                plans.add(finding.plan)
        reach = [f for plan in plans for f in by_plan.pop(plan, ())]
        reach += [f for name in names for f in by_name.pop(name, ())]
        added = {id(f) for f in reach} - examined
        if not added:
            return examined
        examined |= added
        findings = []


def _findings(side: Checked, examined: set[int], repository: list[Finding]) -> list[Finding]:
    """The side's findings, as ``check`` reports them, of the ``examined`` files and the
    repository-wide rules, after the waivers of those files and of the config."""
    results = side.results([f for f in side.files if id(f) in examined])
    findings = [f for r in results for f in r.findings] + repository
    findings, _, _ = apply_waivers(findings, waiver_entries(results, side.config), side.settings)
    findings.sort(key=Finding.sort_key)
    return findings


def _every_plans_waivers(
    side: Checked, findings: list[Finding]
) -> tuple[list[Finding], list[tuple[str, ...]]]:
    """The findings without those of the config's waivers for every plan, and the
    identities of those."""
    labels = _config_labels(side.config)
    kept, left_out = [], []
    for f in findings:
        if f.rule in _WAIVER_RULES and not f.plan and f.file in labels:
            left_out.append(_identity(f, labels))
        else:
            kept.append(f)
    return kept, left_out


def _config_labels(config: Config) -> frozenset[str]:
    """Where a side's findings located in its config say they are (its waivers' file)."""
    return frozenset(w.loc.file for w in config.waivers)


def _identity(f: Finding, config: frozenset[str]) -> tuple[str, ...]:
    """How a finding is the same on both sides: as a baseline matches it (rule, plan,
    target, place in the document; no line), and by file only when it has no plan —
    a moved plan's findings are the same findings, and so are the config's."""
    file = "" if f.plan else _IN_THE_CONFIG if f.file in config else f.file
    return (f.rule, f.plan or "", f.target or "", f.path, file)


def _unmatched(
    these: list[Finding], config: frozenset[str], others: list[Finding], their: frozenset[str]
) -> list[Finding]:
    """The findings of ``these`` (not waived) beyond what ``others`` has of each identity
    (``config``, ``their``: where each side's config-located findings say they are)."""
    left = Counter(_identity(f, their) for f in others if not f.waived)
    unmatched = []
    for f in these:
        if f.waived:
            continue
        key = _identity(f, config)
        if left[key] > 0:
            left[key] -= 1
        else:
            unmatched.append(f)
    return unmatched
