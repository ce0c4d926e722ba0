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

import os
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import TemplateError

from engine.config import Config
from engine.controls import utf8_safe
from engine.documents.builder import (
    OKR_SETS,
    PLAN,
    PORTFOLIO,
    Builder,
    DocumentKind,
    Portfolio,
)
from engine.documents.environment import (
    MAX_DOCUMENT,
    MAX_LOOP_STEPS,
    MAX_RANGE_ITEMS,
    _Sandbox,
    _template_place,
    environment,
)
from engine.documents.inputs import (
    _SUMMARY_HINT,
    PACK_LEVEL,
    SLUG,
    AlignedObjective,
    Document,
    Inputs,
    Outcome,
    PlanFile,
    PlanSummary,
    RenderError,
    T,
    plan_model,
)
from engine.documents.kinds import of_scope
from engine.documents.write import marker
from engine.findings import Finding
from engine.i18n.catalogue import Catalogue, CatalogueError
from engine.model.metrics import (
    objective_score,
    plan_metrics,
)
from engine.model.types import OKRSet
from engine.pipeline import pool
from engine.resources import templates_dir

# Worker processes pay off from this many documents (each takes tens of milliseconds;
# a worker takes a few hundred to start and compile the templates).
PARALLEL_DOCUMENTS = 32


# Documents per task sent to a worker: enough to amortise the messages, few enough
# to keep the workers evenly busy to the end.
DOCUMENTS_PER_TASK = 8


# The catalogue's word (note.subject.*) for the plans and OKR sets that documents are of.
_SUBJECTS = {PLAN: "account", OKR_SETS: "okrs"}


def render_documents(
    inputs: Inputs,
    out: Path,
    locale: str,
    user_templates: Path | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Every document, in memory: of each account plan, of each OKR set, of the portfolio.

    Each account plan's documents are rendered from its model, packed by the check
    or read again (``plan_model``): in worker processes with ``jobs`` > 1 and enough
    plans, which send back the documents and the little the portfolio and OKR
    documents show of the plan. Each document
    depends only on the inputs, so the documents are the same whatever ``jobs`` is.
    ``progress`` is told of each account plan done.
    """
    if user_templates is not None and not user_templates.is_dir():
        raise RenderError(f"{user_templates}: templates folder not found")
    try:
        cat = Catalogue.load(
            locale, templates_dir() / "locales", *inputs.config.catalogues(user_templates)
        )
    except CatalogueError as exc:
        raise RenderError(str(exc)) from exc
    outcome = Outcome()
    # Plan or OKR set id -> the path of its first document (the one the portfolio links to).
    rendered: dict[str, str] = {}

    def claim(scope: str, ident: str, file: str) -> tuple[str, ...]:
        """The paths of the documents of a plan or OKR set (none: it gets none)."""
        what = cat(f"note.subject.{_SUBJECTS[scope]}")
        if not SLUG.match(ident):
            outcome.notes.append(cat("note.invalid_id", file=file, what=what, id=repr(ident)))
            return ()
        if ident in rendered:
            outcome.notes.append(cat("note.duplicate_id", file=file, what=what, id=ident))
            return ()
        paths = tuple(f"{kind.place}/{ident}.md" for kind in of_scope(scope))
        rendered[ident] = paths[0]
        return paths

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
        paths = claim(PLAN, plan.id, plan.file)
        plan_findings.append(findings_of(plan.id, plan.file))
        todo.append(_PlanJob(plan, paths, tuple(plan_findings[-1]) if paths else ()))
    okr_paths = [(okrs, claim(OKR_SETS, okrs.id, okrs.file)) for okrs in inputs.okrs]

    renderer_args = (inputs.okrs, config, inputs.today, out, cat, user_templates)
    parallel = pool.in_workers(jobs, len(todo), PARALLEL_DOCUMENTS)
    try:
        with pool.mapped(
            _plan_in_worker,
            todo,
            jobs,
            threshold=PARALLEL_DOCUMENTS,
            chunk=DOCUMENTS_PER_TASK,
            setup=_start_worker,
            args=(renderer_args, ()),
            collect_less=False,
        ) as plans_done:
            # In order: the first document that fails is the one reported, as without workers.
            done = _counted(plans_done, progress)
        plans = []
        for job, (documents, summary, rows), findings in zip(
            todo, done, plan_findings, strict=True
        ):
            outcome.documents += map(Document, job.paths, documents)
            plans.append((summary, rows, findings))
        summaries = tuple(summary for summary, _, _ in plans)
        okr_jobs = [
            _OKRJob(okrs.id, paths, findings_of(okrs.id, okrs.file))
            for okrs, paths in okr_paths
            if paths
        ]
        # An OKR document draws on every plan (the company's tree holds every account
        # objective aligned under it): workers render them while this process does the
        # portfolio's documents.
        with pool.mapped(
            _okrs_in_worker,
            okr_jobs,
            jobs if parallel else 1,
            threshold=2,  # one OKR document alone is rendered here
            chunk=1,
            setup=_start_worker,
            args=(renderer_args, summaries),
            collect_less=False,
        ) as okr_documents:
            renderer = _Renderer(*renderer_args)
            renderer.builder.add_plans(summaries)
            origin = _common_folder([p.file for p in inputs.plans] + [o.file for o in inputs.okrs])
            for i, kind in enumerate(of_scope(PORTFOLIO)):
                portfolio = Portfolio([(s, rows[i], f) for s, rows, f in plans], rendered, inputs)
                context = kind.context(renderer.builder, portfolio, kind.place)
                link = renderer.builder.source_link(origin, kind.place) + "/"
                outcome.documents.append(
                    Document(kind.place, renderer.document(kind, context, link))
                )
            for okr_job, documents in zip(okr_jobs, okr_documents, strict=True):
                outcome.documents += map(Document, okr_job.paths, documents)
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


class _PlanJob(NamedTuple):
    plan: PlanFile
    paths: tuple[str, ...]  # one per PLAN kind; none: its id is not valid or is taken
    findings: tuple[Finding, ...]


class _OKRJob(NamedTuple):
    okrs: str  # the OKR set's id
    paths: tuple[str, ...]  # one per OKR_SETS kind
    findings: list[Finding]


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
        self.builder = Builder(okrs, config, today, out, cat)

    def plan(
        self, job: _PlanJob
    ) -> tuple[tuple[bytes, ...], PlanSummary, tuple[dict[str, Any], ...]]:
        """The plan's documents (when it has them), its summary and its row in each
        portfolio document."""
        plan = plan_model(job.plan, self.config)
        m = plan_metrics(plan, self.today, self.builder.judging)
        documents = tuple(
            self.document(
                kind,
                kind.context(self.builder, plan, m, path, job.findings),
                self.builder.source_link(plan.file, path),
            )
            for kind, path in zip(of_scope(PLAN), job.paths, strict=False)  # none: no documents
        )
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
        rows = tuple(
            kind.row(self.builder, plan, m) if kind.row else {} for kind in of_scope(PORTFOLIO)
        )
        return documents, summary, rows

    def okr_documents(self, job: _OKRJob) -> tuple[bytes, ...]:
        okrs = self.builder.okrs[job.okrs]  # the first set of that id: the one rendered
        return tuple(
            self.document(
                kind,
                kind.context(self.builder, okrs, path, job.findings),
                self.builder.source_link(okrs.file, path),
            )
            for kind, path in zip(of_scope(OKR_SETS), job.paths, strict=True)
        )

    def document(self, kind: DocumentKind, context: dict[str, Any], source: str) -> bytes:
        """The document from its kind's template, packed; ``source``: the link to what it is
        made of."""
        notice = self.builder.cat("fmt.generated", source=source)
        return _render(self.env, kind.template, context, self.today, marker(notice))


# The renderer of a worker process, made once by _start_worker.
_worker: dict[str, _Renderer] = {}


def _start_worker(renderer_args: tuple[Any, ...], plans: tuple[PlanSummary, ...]) -> None:
    _worker["renderer"] = _Renderer(*renderer_args)
    _worker["renderer"].builder.add_plans(plans)


def _plan_in_worker(
    job: _PlanJob,
) -> tuple[tuple[bytes, ...], PlanSummary, tuple[dict[str, Any], ...]]:
    return _worker["renderer"].plan(job)


def _okrs_in_worker(job: _OKRJob) -> tuple[bytes, ...]:
    return _worker["renderer"].okr_documents(job)


def _common_folder(files: list[str]) -> str:
    if not files:
        return "."
    folders = [os.path.dirname(os.path.abspath(f)) for f in files]
    return os.path.commonpath(folders)


def _render(env: _Sandbox, name: str, context: dict[str, Any], today: date, head: str) -> bytes:
    """The document from template ``name``, after ``head``: tidied and packed as ``pack``
    does, a batch of lines at a time (the OKR document of a company of 10,000 accounts
    is 10 MB of text: held whole, and split into lines, it took hundreds of MB of the
    worker's memory)."""
    packer = zlib.compressobj(PACK_LEVEL)
    try:
        template = env.get_template(name)
        env.range_budget = MAX_RANGE_ITEMS
        env.loop_budget = MAX_LOOP_STEPS
        packed = [packer.compress(_utf8(head))]
        for text in tidy(_limited(template.generate(today=today, **context), name)):
            packed.append(packer.compress(_utf8(text)))
    except RecursionError:
        raise RenderError(
            f"template error in {name}: macros or includes nested too deep "
            "(a macro that calls itself without end?)"
        ) from None
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
    packed.append(packer.flush())
    return b"".join(packed)


def _utf8(text: str) -> bytes:
    # A plan whose file name is not UTF-8 is named with its bytes as \xNN.
    return utf8_safe(text).encode("utf-8")


# Characters of template output tidied at a time.
_BATCH = 1 << 16


def _limited(chunks: Iterable[str], name: str) -> Iterator[str]:
    """The template's output in batches of about ``_BATCH`` characters; stopped where
    the document goes past ``MAX_DOCUMENT``."""
    batch: list[str] = []
    size = batched = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_DOCUMENT:
            raise RenderError(
                f"template error in {name}: the document is over {MAX_DOCUMENT:,} "
                "characters, the limit for one document"
            )
        batch.append(chunk)
        batched += len(chunk)
        if batched >= _BATCH:
            yield "".join(batch)
            batch, batched = [], 0
    yield "".join(batch)


def tidy(pieces: Iterable[str]) -> Iterator[str]:
    """The text ``pieces`` make, with no trailing spaces, one blank line at most between
    blocks and one newline at the end; yielded a batch of whole lines at a time.

    Templates stay readable (their tags may leave blank lines behind) and the
    output stays stable whatever they leave; fenced code is kept as it is.
    """
    fenced = False
    kept = False  # a line is kept (blank lines before the first are not)
    blanks = 0  # blank lines kept since the last other line: written before the next one
    # The unfinished last line of the pieces so far, in parts: a line as long as the
    # document is joined once, not once a piece.
    rest: list[str] = []
    for piece in pieces:
        if "\n" not in piece:
            rest.append(piece)
            continue
        lines = "".join([*rest, piece]).split("\n")
        rest = [lines.pop()]
        text = _tidied(lines, fenced, kept, blanks)
        fenced, kept, blanks = text.fenced, text.kept, text.blanks
        if text.out:
            yield text.out
    text = _tidied(["".join(rest)], fenced, kept, blanks)
    yield text.out if text.kept else "\n"  # an empty document: one newline


class _Tidied(NamedTuple):
    out: str
    fenced: bool
    kept: bool
    blanks: int


def _tidied(lines: list[str], fenced: bool, kept: bool, blanks: int) -> _Tidied:
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line.startswith("```"):
            fenced = not fenced
        elif not line:
            if fenced or (kept and not blanks):
                blanks += 1
            continue
        out.append("\n" * blanks + line + "\n")
        kept, blanks = True, 0
    return _Tidied("".join(out), fenced, kept, blanks)
