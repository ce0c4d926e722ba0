"""What documents are rendered from: the check's plans, as files, summaries and rows."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from engine.config import Config
from engine.findings import Finding
from engine.model.types import Account, AccountPlan, Objective, OKRSet
from engine.pipeline.file import FileResult, model_of, unpack_plan
from engine.report import Report
from engine.sources import Source, read_source

T = TypeVar("T")


SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class RenderError(Exception):
    """Rendering or writing cannot be done (exit 2); the message says why and where."""


@dataclass(frozen=True)
class Document:
    """A rendered document, held compressed until it is compared or written: the
    documents of 10,000 plans are 300 MB of Markdown, a tenth of that compressed."""

    path: str  # relative to the output folder, "/"-separated
    packed: bytes  # the UTF-8 text, as ``pack`` made it (in the worker that rendered it)

    @property
    def data(self) -> bytes:
        return zlib.decompress(self.packed)


# The fastest zlib level: the point is memory, not size on disk.
PACK_LEVEL = 1


def pack(data: bytes) -> bytes:
    """A document's bytes as a ``Document`` holds them."""
    return zlib.compress(data, PACK_LEVEL)


# The bytes of packed plans the check sends to the documents (about 6 KB a generated
# plan: 10,000 plans 58 MB); the plans past them are read again from their files.
PACKED_PLANS = 128 * 2**20


@dataclass(frozen=True)
class PlanFile:
    """An account plan the check read; its document is rendered in a worker, from the
    model the check built (``packed``, see ``pack_plan``) or else from the file."""

    file: str
    id: str
    valid: bool
    packed: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Inputs:
    """What the documents are made of: one check run's plans, OKR sets and findings."""

    plans: tuple[PlanFile, ...]
    okrs: tuple[OKRSet, ...]
    findings: tuple[Finding, ...]
    unread: tuple[str, ...]  # plan files with findings but no model (not valid YAML)
    config: Config
    today: date


@dataclass(frozen=True)
class AlignedObjective:
    """An account objective under an OKR objective, as OKR documents show it."""

    id: str
    title: str
    group: str | None
    aligns_to: tuple[str, ...]
    score: float | None  # from its key results, graded the OKR way


@dataclass(frozen=True)
class PlanSummary:
    """An account plan as the portfolio index (``plan``) and OKR documents (``owner``)
    show it. Documents are rendered in workers, one plan at a time; only this much of
    each plan comes back, so memory does not grow with the size of the plans."""

    id: str
    name: str
    file: str
    valid: bool
    account: Account | None
    owner: str | None
    reviewed: date | None
    aligned_objectives: tuple[AlignedObjective, ...]  # those with aligns_to


_SUMMARY_HINT = (
    "the portfolio index and OKR documents see each account as a summary: "
    + ", ".join(PlanSummary.__dataclass_fields__)
    + "; the whole plan is in the account document's context"
)


@dataclass
class Outcome:
    """What rendering produced: the documents, and the notes for the user."""

    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def inputs_from(report: Report, results: Iterable[FileResult], config: Config) -> Inputs:
    """Inputs from ``run_check``'s report and per-file results (OKR sets are read again)."""
    plans: list[PlanFile] = []
    okrs: list[OKRSet] = []
    unread: list[str] = []
    for result in results:
        if result.status != "checked":
            continue
        if result.kind == "AccountPlan":
            plans.append(PlanFile(result.file, result.plan_id, result.valid, result.packed))
        elif result.kind == "OKRs":
            okrs.append(read_model(result.file, OKRSet, result.plan_id, result.valid, config))
        elif result.findings:
            unread.append(result.file)
    return Inputs(
        plans=tuple(plans),
        okrs=tuple(okrs),
        findings=tuple(report.findings),
        unread=tuple(unread),
        config=config,
        today=report.today,
    )


def plan_model(plan: PlanFile, config: Config) -> AccountPlan:
    """The account plan's model: the one the check built, else read from its file again."""
    if plan.packed is not None:
        return unpack_plan(plan.packed)
    return read_model(plan.file, AccountPlan, plan.id, plan.valid, config)


def read_model(file: str, kind: type[Model], ident: str, valid: bool, config: Config) -> Model:
    """A plan or OKR set read from its file again, as the check read it.

    The check keeps no models (100,000 of them do not fit in memory), only some
    packed (``PACKED_PLANS``), and none of the files whose results come from the
    cache; the renderer builds the others when it needs them, from the file as it
    is then. A file that no longer reads as the same plan (gone, or another kind or
    id) stops the render; other edits made while it runs show in the document, and
    in its findings at the next run.
    """
    raw, error = read_source(Source(file, file, True), config.limits.max_file_bytes)
    if raw is None:
        raise RenderError(
            f"{file}: cannot read it after checking it ({error}); run revplan render again"
        )
    model = model_of(raw, file, config.limits, valid)
    if not isinstance(model, kind) or model.id != ident:
        raise RenderError(f"{file}: changed since it was checked; run revplan render again")
    return model


AnyObjective = Objective | AlignedObjective
Model = TypeVar("Model", AccountPlan, OKRSet)
