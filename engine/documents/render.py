"""Markdown documents for account reviews and QBRs (``revplan render``).

Data flows one way: the check's models, metrics and findings become a plain
context (dicts, lists and the frozen model objects); sandboxed Jinja
templates turn it into Markdown; the documents are then compared with the
output folder (``--check``) or written to it atomically.

Escaping is on by default: every ``{{ value }}`` that is not already markup
is escaped for inline Markdown (table cells included), so plan text such as
``A|B <script>`` or ``{{ 7*7 }}`` shows as written. Filters escape for the
other places: ``html`` (inside HTML tags) and ``mermaid`` (diagram labels).

The renderer writes only under the output folder, and replaces or deletes
only files that start with its generated-file mark.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from engine.config import Config
from engine.documents.builder import _Builder
from engine.documents.environment import _template_place, environment
from engine.documents.escape import relative_link
from engine.documents.inputs import (
    _SUMMARY_HINT,
    SLUG,
    AlignedObjective,
    Document,
    Inputs,
    Outcome,
    PlanFile,
    PlanSummary,
    RenderError,
    T,
    read_model,
)
from engine.documents.write import marker
from engine.findings import Finding
from engine.i18n.catalogue import Catalogue, CatalogueError
from engine.model.metrics import (
    objective_score,
    plan_metrics,
)
from engine.model.types import AccountPlan, OKRSet
from engine.resources import templates_dir

TEMPLATES = {"account": "account.md.j2", "okrs": "okrs.md.j2", "index": "index.md.j2"}


# Worker processes pay off from this many documents (each takes tens of milliseconds;
# a worker takes a few hundred to start and compile the templates).
PARALLEL_DOCUMENTS = 32


# Documents per task sent to a worker: enough to amortise the messages, few enough
# to keep the workers evenly busy to the end.
DOCUMENTS_PER_TASK = 8


def render_documents(
    inputs: Inputs,
    out: Path,
    locale: str,
    user_templates: Path | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Every document, in memory: accounts, OKR sets and the portfolio index.

    Each account plan is read again where its document is rendered: in worker
    processes with ``jobs`` > 1 and enough plans, which send back the document
    and the little the index and OKR documents show of the plan. Each document
    depends only on the inputs, so the documents are the same whatever ``jobs`` is.
    ``progress`` is told of each account plan done.
    """
    if user_templates is not None and not user_templates.is_dir():
        raise RenderError(f"{user_templates}: templates folder not found")
    try:
        cat = Catalogue.load(
            locale,
            templates_dir() / "locales",
            user_templates / "locales" if user_templates else None,
        )
    except CatalogueError as exc:
        raise RenderError(str(exc)) from exc
    outcome = Outcome()
    rendered: dict[str, str] = {}  # plan or OKR set id -> its document's path

    def claim(kind: str, ident: str, file: str) -> str | None:
        what = "account" if kind == "accounts" else "OKRs"
        if not SLUG.match(ident):
            outcome.notes.append(
                f"{file}: not rendered: {what} id {ident!r} is not a valid id "
                "(see the check's findings)"
            )
            return None
        if ident in rendered:
            outcome.notes.append(
                f"{file}: not rendered: {what} id '{ident}' is also used by another file "
                "(duplicate-id)"
            )
            return None
        rendered[ident] = f"{kind}/{ident}.md"
        return rendered[ident]

    config = inputs.config
    by_plan: dict[str, list[Finding]] = defaultdict(list)
    for finding in inputs.findings:
        if finding.plan:
            by_plan[finding.plan].append(finding)
    model_files = {p.file for p in inputs.plans} | {o.file for o in inputs.okrs}

    def findings_of(ident: str, file: str) -> list[Finding]:
        """The findings about one plan: in its file, or in no plan's file (the config's)."""
        return [f for f in by_plan.get(ident, []) if f.file == file or f.file not in model_files]

    todo, plan_findings = [], []
    for plan in inputs.plans:
        path = claim("accounts", plan.id, plan.file)
        plan_findings.append(findings_of(plan.id, plan.file))
        if path is None:
            todo.append(_AccountJob(plan, None, ()))
        else:
            todo.append(_AccountJob(plan, path, tuple(plan_findings[-1])))
    okr_paths = [(okrs, claim("okrs", okrs.id, okrs.file)) for okrs in inputs.okrs]

    renderer_args = (inputs.okrs, config, inputs.today, out, cat, user_templates)
    parallel = jobs > 1 and len(todo) >= PARALLEL_DOCUMENTS
    try:
        renderer = _Renderer(*renderer_args)
        if parallel:
            with _pool(jobs, renderer_args, ()) as pool:
                # In order: the first document that fails is the one reported, as without workers.
                done = _counted(
                    pool.map(_account_in_worker, todo, chunksize=DOCUMENTS_PER_TASK), progress
                )
        else:
            done = _counted(map(renderer.account, todo), progress)
        plans = []
        for job, (data, summary, row), findings in zip(todo, done, plan_findings, strict=True):
            if job.path is not None and data is not None:
                outcome.documents.append(Document(job.path, data))
            plans.append((summary, row, findings))
        summaries = tuple(summary for summary, _, _ in plans)
        renderer.builder.add_plans(summaries)
        okr_jobs = [
            _OKRJob(okrs.id, path, findings_of(okrs.id, okrs.file))
            for okrs, path in okr_paths
            if path is not None
        ]
        with contextlib.ExitStack() as stack:
            # An OKR document draws on every plan (the company's tree holds every account
            # objective aligned under it): workers render them while this process does the index.
            if parallel and len(okr_jobs) > 1:
                pool = stack.enter_context(_pool(jobs, renderer_args, summaries))
                okr_documents = pool.map(_okrs_in_worker, okr_jobs)
            else:
                okr_documents = map(renderer.okr_document, okr_jobs)
            index = renderer.builder.index(plans, rendered, inputs, "README.md")
            origin = _common_folder([p.file for p in inputs.plans] + [o.file for o in inputs.okrs])
            text = _render(renderer.env, TEMPLATES["index"], index, inputs.today)
            data = (marker(relative_link(origin, out) + "/") + text).encode("utf-8")
            outcome.documents.append(Document("README.md", data))
            for okr_job, data in zip(okr_jobs, okr_documents, strict=True):
                outcome.documents.append(Document(okr_job.path, data))
    except CatalogueError as exc:
        raise RenderError(f"template error: {exc}") from exc
    outcome.documents.sort(key=lambda d: d.path)
    return outcome


def _counted(items: Iterable[T], progress: Callable[[int], None] | None) -> list[T]:
    if progress is None:
        return list(items)
    done = []
    for item in items:
        done.append(item)
        progress(1)
    return done


class _AccountJob(NamedTuple):
    plan: PlanFile
    path: str | None  # None: no document (its id is not valid or is taken); read for the index
    findings: tuple[Finding, ...]


class _OKRJob(NamedTuple):
    okrs: str  # the OKR set's id
    path: str
    findings: list[Finding]


def _pool(
    jobs: int, renderer_args: tuple[Any, ...], plans: tuple[PlanSummary, ...]
) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs, initializer=_start_worker, initargs=(renderer_args, plans)
    )


class _Renderer:
    """One render's templates and context builder, in each process that renders."""

    def __init__(
        self,
        okrs: tuple[OKRSet, ...],
        config: Config,
        today: date,
        out: Path,
        cat: Catalogue,
        user_templates: Path | None,
    ) -> None:
        self.config, self.today = config, today
        self.env = environment(cat, user_templates)
        self.builder = _Builder(okrs, config, today, out, cat)

    def account(self, job: _AccountJob) -> tuple[bytes | None, PlanSummary, dict[str, Any]]:
        """The plan's document (when it has one), its summary and its row in the index."""
        entry = job.plan
        plan: AccountPlan = read_model(
            entry.file, "AccountPlan", entry.id, entry.valid, self.config
        )
        m = plan_metrics(plan)
        data = None
        if job.path is not None:
            context = self.builder.account(plan, m, job.path, job.findings)
            data = self._document(TEMPLATES["account"], context, plan.file, job.path)
        summary = PlanSummary(
            id=plan.id,
            name=plan.name,
            file=plan.file,
            valid=plan.valid,
            account=plan.account,
            owner=plan.owner,
            reviewed=plan.reviewed,
            aligned_objectives=tuple(
                AlignedObjective(o.id, o.title, o.group, o.aligns_to, objective_score(o))
                for o in plan.objectives
                if o.aligns_to
            ),
        )
        return data, summary, self.builder.index_row(plan, m)

    def okr_document(self, job: _OKRJob) -> bytes:
        okrs = self.builder.okrs[job.okrs]  # the first set of that id: the one rendered
        context = self.builder.okr_document(okrs, job.path, job.findings)
        return self._document(TEMPLATES["okrs"], context, okrs.file, job.path)

    def _document(self, template: str, context: dict[str, Any], source: str, path: str) -> bytes:
        text = _render(self.env, template, context, self.today)
        return (marker(self.builder.source_link(source, path)) + text).encode("utf-8")


# The renderer of a worker process, made once by _start_worker.
_worker: dict[str, _Renderer] = {}


def _start_worker(renderer_args: tuple[Any, ...], plans: tuple[PlanSummary, ...]) -> None:
    _worker["renderer"] = _Renderer(*renderer_args)
    _worker["renderer"].builder.add_plans(plans)
    # What the worker inherited (forked) or was given lives to its end: its collections
    # need not walk it (walking it would also copy every page of it into the worker).
    gc.freeze()


def _account_in_worker(job: _AccountJob) -> tuple[bytes | None, PlanSummary, dict[str, Any]]:
    return _worker["renderer"].account(job)


def _okrs_in_worker(job: _OKRJob) -> bytes:
    return _worker["renderer"].okr_document(job)


def _common_folder(files: list[str]) -> str:
    if not files:
        return "."
    folders = [os.path.dirname(os.path.abspath(f)) for f in files]
    return os.path.commonpath(folders)


def _render(env: SandboxedEnvironment, name: str, context: dict[str, Any], today: date) -> str:
    try:
        template = env.get_template(name)
        text = template.render(today=today, **context)
    except TemplateError as exc:
        place = _template_place(exc) or name
        message = exc.message or str(exc)
        if f"{PlanSummary.__name__} object' has no attribute" in message:
            message += f" ({_SUMMARY_HINT})"
        raise RenderError(f"template error in {place}: {message}") from None
    except CatalogueError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
        place = _template_place(exc) or name
        raise RenderError(f"template error in {place}: {type(exc).__name__}: {exc}") from None
    return tidy(text)


def tidy(text: str) -> str:
    """No trailing spaces, one blank line at most between blocks, one newline at the end.

    Templates stay readable (their tags may leave blank lines behind) and the
    output stays stable whatever they leave; fenced code is kept as it is.
    """
    lines: list[str] = []
    fenced = False
    for line in text.split("\n"):
        line = line.rstrip()
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    return "\n".join(lines).strip("\n") + "\n"
