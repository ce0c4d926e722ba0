"""The per-file job: bytes -> document -> schema -> model -> per-file rules.

A pure function of the file's bytes, its display path and the settings, so
it runs in worker processes and its result can be cached by content hash.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from engine.findings import Finding, Location, Problem, detailed
from engine.i18n.messages import to_finding
from engine.model.build import build_account_plan, build_okr_set
from engine.model.metrics import (
    Metrics,
    OKRMetrics,
    PlanMetrics,
    health_areas,
    judging,
    okr_metrics,
    plan_metrics,
)
from engine.model.portfolio import PortfolioSettings
from engine.model.types import AccountPlan, OKRSet, Places, Repository, Waiver
from engine.parse.loader import KINDS, Document, Limits, load_bytes
from engine.parse.schema import (
    API_VERSION,
    another_config,
    claims_to_be_ours,
    compile_validators,
    identity_problems,
    not_ours,
    schema_problems,
)
from engine.rules import RULES
from engine.rules.base import Alignment, Context, FileSummary, Rule
from engine.rules.custom.compile import Compiled, compiled
from engine.rules.custom.definition import CustomRule
from engine.rules.custom.evaluate import problems as custom_problems


@dataclass(frozen=True)
class Settings:
    """Everything besides the file that decides a file's result (part of the cache key)."""

    today: date
    limits: Limits
    rules: tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...]  # (id, severity, params)
    custom: tuple[CustomRule, ...] = ()  # the config's custom rules, severities applied
    portfolio: PortfolioSettings = PortfolioSettings()

    def severity(self, rule_id: str) -> str:
        for ident, severity, _ in self.rules:
            if ident == rule_id:
                return severity
        for rule in self.custom:
            if rule.id == rule_id:
                return rule.severity
        return RULES[rule_id].severity

    def params(self, rule_id: str) -> dict[str, Any]:
        """A built-in rule's parameters, the config's settings applied."""
        for ident, _, params in self.rules:
            if ident == rule_id:
                return dict(params)
        raise KeyError(rule_id)

    def knows(self, rule_id: str) -> bool:
        """A built-in rule, or one of the config's custom rules."""
        return rule_id in RULES or any(rule.id == rule_id for rule in self.custom)


class Deferred:
    """A value worked out on first use: a cached result's metrics, which only the
    JSON report and documents read, are decoded when one of them asks."""

    __slots__ = ("load",)

    def __init__(self, load: Callable[[], Any]) -> None:
        self.load = load


class _MaybeDeferred:
    """A dataclass field that may hold a Deferred, resolved on first access."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the field's default
        value = obj.__dict__[self.slot]
        if type(value) is Deferred:
            value = obj.__dict__[self.slot] = value.load()
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


@dataclass
class FileResult:
    file: str
    status: str  # "checked" | "skipped"
    note: str = ""  # why it was skipped, for --verbose
    findings: list[Finding] = field(default_factory=list)
    # A plan or OKR set read into a model (None: a file that is not, or broke the YAML):
    kind: str | None = None
    plan_id: str = ""  # the account's or the OKR set's id
    valid: bool = False  # schema-valid, so the completeness rules ran on it
    waivers: tuple[Waiver, ...] = ()
    # Only the repository-wide rules read the summary, and only the JSON report
    # and documents the metrics: from the cache, both are decoded on first use.
    summary: FileSummary | None = _MaybeDeferred()  # type: ignore[assignment]
    metrics: PlanMetrics | OKRMetrics | None = _MaybeDeferred()  # type: ignore[assignment]
    model: AccountPlan | OKRSet | None = None  # only when asked for (not cached)
    # The account plan's model packed (``pack_plan``), for its documents: only when
    # asked for, and never cached.
    packed: bytes | None = None


def _findings(rule_id: str, settings: Settings, problems: list[Problem]) -> list[Finding]:
    severity = settings.severity(rule_id)
    if severity == "off":
        return []
    return [to_finding(rule_id, severity, p) for p in problems]


def prepare() -> None:
    """Load what checking a file needs and reading cached results does not: the
    compiled validators (most of a first file's cost)."""
    compile_validators()


def process_file(
    raw: bytes | None,
    file: str,
    settings: Settings,
    keep_model: bool = False,
    read_error: str | None = None,
) -> FileResult:
    """Check one file: a plan or OKR set, or findings saying what it is instead (every
    YAML file under the plan paths is one or the other, never skipped unseen)."""
    return process_file_on(raw, file, settings, (), keep_model, read_error)[0]


def process_file_on(
    raw: bytes | None,
    file: str,
    settings: Settings,
    later: tuple[date, ...],
    keep_model: bool = False,
    read_error: str | None = None,
) -> list[FileResult]:
    """``process_file`` on ``settings.today`` and on each day of ``later``: the file is
    parsed, validated and modelled once, and on the later days only what reads the day
    runs again (the dated rules, the health areas, custom rules), so ``revplan history``
    pays one parse per version of a plan, not one per sample."""
    done = _process(raw, file, settings, later, keep_model, read_error)
    if isinstance(done, FileResult):  # not a plan: nothing in it reads the day
        return [done] * (len(later) + 1)
    return done


def _process(
    raw: bytes | None,
    file: str,
    settings: Settings,
    later: tuple[date, ...],
    keep_model: bool,
    read_error: str | None,
) -> FileResult | list[FileResult]:
    if raw is None:
        problem = detailed(
            Location(file, 1, 1), "yaml-syntax", f"cannot read the file: {read_error}"
        )
        return FileResult(file, "checked", findings=_findings("yaml-syntax", settings, [problem]))
    doc = load_bytes(raw, file, settings.limits)
    if doc.problems and not isinstance(doc.data, dict):
        return FileResult(
            file, "checked", findings=_findings("yaml-syntax", settings, doc.problems)
        )
    if not isinstance(doc.data, dict) or not (doc.is_ours or claims_to_be_ours(doc.data)):
        problem = not_ours(doc)
        return FileResult(file, "checked", findings=_findings("schema", settings, [problem]))

    findings = _findings("yaml-syntax", settings, doc.problems)
    kind = doc.kind
    if kind == "Config":
        problem = another_config(doc)
        return FileResult(
            file, "checked", findings=findings + _findings("schema", settings, [problem])
        )
    if kind not in KINDS or doc.api_version != API_VERSION:
        # Not one of the kinds (or versions) revplan reads: what to fix, never a silent pass.
        wrong = identity_problems(doc)
        return FileResult(file, "checked", findings=findings + _findings("schema", settings, wrong))

    model: AccountPlan | OKRSet
    if kind == "AccountPlan":
        plan_id = (
            doc.data.get("account", {}).get("id")
            if isinstance(doc.data.get("account"), dict)
            else None
        )
        schema = schema_problems(doc, kind, plan_id if isinstance(plan_id, str) else None)
        valid = not schema and not doc.problems
        model = build_account_plan(doc, valid)
        repo = Repository(plans=(model,))
        judged = judging(settings.params)
        plan_figures = plan_metrics(model, settings.today, judged)
        figures: PlanMetrics | OKRMetrics = plan_figures
        all_metrics = Metrics(plans={model.id: plan_figures})
        id_loc = model.account.at("id") if model.account else model.loc
        ids = frozenset(ident for _, ident, _ in model.ids())
        # The result outlives the document: its waivers keep their own places only.
        written = Places.written_each([w.locs for w in model.waivers])
        waivers = tuple(
            replace(w, locs=Places.from_written(file, places))
            for w, places in zip(model.waivers, written, strict=True)
        )
    else:
        okrs_id = doc.data.get("id")
        schema = schema_problems(doc, kind, okrs_id if isinstance(okrs_id, str) else None)
        valid = not schema and not doc.problems
        model = build_okr_set(doc, valid)
        repo = Repository(okrs=(model,))
        okr_figures = okr_metrics(model)
        figures = okr_figures
        all_metrics = Metrics(okrs={model.id: okr_figures})
        id_loc = model.at("id")
        ids = frozenset(
            [o.id for o in model.objectives]
            + [kr.id for o in model.objectives for kr in o.key_results]
        )
        waivers = ()
    findings += _findings("schema", settings, schema)

    by_rule = _rule_findings(repo, all_metrics, settings, lambda rule: True)
    custom = _custom_findings(doc, kind, model.id, settings) if valid and settings.custom else []

    alignments = tuple(
        Alignment(f"{model.id}/{o.id}", target, o.at("aligns_to", i), model.id, o.id, o.title)
        for o in model.objectives
        for i, target in enumerate(o.aligns_to)
    )
    summary = FileSummary(
        file=file,
        kind=kind,
        id=model.id,
        id_loc=id_loc,
        ids=ids,
        objectives=tuple(o.id for o in model.objectives) if kind == "OKRs" else (),
        alignments=alignments,
    )

    def result(rules: dict[str, list[Finding]], found: list[Finding], shown: Any) -> FileResult:
        return FileResult(
            file,
            "checked",
            findings=findings + [f for r, _, _ in settings.rules for f in rules.get(r, ())] + found,
            kind=kind,
            plan_id=model.id,
            valid=valid,
            waivers=waivers,
            summary=summary,
            metrics=shown,
            model=model if keep_model else None,
        )

    results = [result(by_rule, custom, figures)]
    areas_now = figures.health_areas if isinstance(figures, PlanMetrics) else None
    last: tuple[Any, ...] = (by_rule, custom, areas_now)
    for day in later:
        on_day = replace(settings, today=day)
        shown = figures
        if isinstance(model, AccountPlan):
            assert isinstance(figures, PlanMetrics)
            areas = health_areas(model, day, figures, judged)
            previous = results[-1].metrics
            if areas == last[2] and isinstance(previous, PlanMetrics):
                on_metrics = previous
            else:
                on_metrics = replace(figures, health_areas=areas)
            shown = on_metrics
            all_metrics = Metrics(plans={model.id: on_metrics})
        dated = by_rule | _rule_findings(repo, all_metrics, on_day, lambda rule: rule.dated)
        again = _custom_findings(doc, kind, model.id, on_day) if valid and settings.custom else []
        now = (dated, again, shown.health_areas if isinstance(shown, PlanMetrics) else None)
        # A day that changes nothing shares the day before's result (26 samples of
        # 10,000 plans: each day's copy is memory the run holds until its sample).
        results.append(results[-1] if now == last else result(dated, again, shown))
        last = now
    if keep_model:
        _drop_places(doc)  # every finding is made
    return results


def _rule_findings(
    repo: Repository, metrics: Metrics, settings: Settings, which: Callable[[Rule], bool]
) -> dict[str, list[Finding]]:
    """The per-file rules' findings, by rule, of the rules ``which`` picks."""
    ctx = Context(repo=repo, metrics=metrics, today=settings.today, portfolio=settings.portfolio)
    found: dict[str, list[Finding]] = {}
    for rule_id, severity, params in settings.rules:
        rule = RULES[rule_id]
        if rule.check is None or severity == "off" or not which(rule):
            continue
        found[rule_id] = [to_finding(rule_id, severity, p) for p in rule.check(ctx, dict(params))]
    return found


def custom_programs(settings: Settings) -> tuple[Compiled, ...]:
    """The config's custom rules that are on, compiled once per process (workers forked
    after a first call inherit them)."""
    return compiled(tuple(rule for rule in settings.custom if rule.severity != "off"))


def _custom_findings(doc: Document, kind: str, plan_id: str, settings: Settings) -> list[Finding]:
    """The custom rules' findings: at the item, or the document's first key."""
    first = (next(iter(doc.data)),)

    def place(path: tuple[str | int, ...]) -> Location:
        return doc.loc(path) if path else doc.key_loc(first)

    rules = custom_programs(settings)
    found = custom_problems(rules, doc.data, kind, settings.today, place, plan_id)
    return [
        to_finding(rule_id, severity, problem)
        for rule_id, problem in found
        if (severity := settings.severity(rule_id)) != "off"
    ]


def model_of(
    raw: bytes, file: str, limits: Limits, valid: bool, keep_places: bool = False
) -> AccountPlan | OKRSet | None:
    """The model that ``process_file`` builds of a plan or OKR set, for its documents,
    without checking the file again (``valid``: as its check found); None if the
    file is not (or no longer) a plan or OKR set. ``keep_places``: with the place of
    every field (revplan diff points at the fields that changed)."""
    doc = load_bytes(raw, file, limits)
    if not isinstance(doc.data, dict) or not doc.is_ours or doc.api_version != "revplan/v1":
        return None
    if doc.kind == "AccountPlan":
        model: AccountPlan | OKRSet = build_account_plan(doc, valid)
    elif doc.kind == "OKRs":
        model = build_okr_set(doc, valid)
    else:
        return None
    if not keep_places:
        _drop_places(doc)
    return model


def pack_plan(plan: AccountPlan) -> bytes:
    """An account plan's model (its places dropped) as bytes to send to another process:
    its pickle compressed, a quarter of the file's size, five times faster to unpack
    than reading the file again. Only between revplan's own processes, never stored."""
    return zlib.compress(pickle.dumps(plan, pickle.HIGHEST_PROTOCOL), 1)


def unpack_plan(packed: bytes) -> AccountPlan:
    plan = pickle.loads(zlib.decompress(packed))  # noqa: S301 - from pack_plan, in this run
    assert isinstance(plan, AccountPlan)
    return plan


def _drop_places(doc: Document) -> None:
    """A model kept for documents needs no field places once its findings are made:
    the document's map of them is two thirds of a model's memory."""
    doc.value_locs.clear()
    doc.key_locs.clear()
