"""``revplan render``: the Markdown documents for account reviews, or ``--check`` them."""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.cli.options import common_options, handle_errors, jobs_option, locale_option
from engine.reporters.base import safe_text

if TYPE_CHECKING:
    from engine.config import Config
    from engine.documents.inputs import Document


@click.command("render")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
@locale_option
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the documents: README.md (the portfolio), accounts/<id>.md, okrs/<id>.md.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 listing the documents that are stale, missing or no "
    "longer produced (the CI step that keeps documents in sync with plans).",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder whose templates (and locales/<locale>.yaml) override the built-in ones "
    "of the same name [default: config templates:].",
)
@click.option(
    "--history/--no-history",
    default=None,
    help="End the portfolio page and each account document with its trend over the last "
    "26 weeks of git history (as revplan history samples it) [default: config "
    "render_history:, else no].",
)
@jobs_option
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Use (and update) the check's cache of per-file results there [default: the "
    "check's (config cache_dir:, else this repository's folder in the user's cache) when "
    "it exists: render starts no cache of its own].",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@handle_errors
def command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    today: date | None,
    locale: str | None,
    quiet: bool,
    verbose: bool,
    no_color: bool,
    out: Path,
    check: bool,
    templates: Path | None,
    history: bool | None,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Write Markdown documents for account reviews and QBRs.

    One document per account plan (OUT/accounts/<id>.md), one per OKR set
    (OUT/okrs/<id>.md) and the portfolio index (OUT/README.md), in the
    language of --locale (en, zh, ja, el). Exit 0 when written, whatever
    the findings (the documents show them); with --check, 1 when any
    document is stale, missing or no longer produced; 2 when the documents
    cannot be rendered or written.

    \b
    Examples:
      revplan render plans/ --out docs/
      revplan render plans/ --out docs/ --check
      revplan render plans/ --out docs/zh --locale zh
      revplan render plans/ --out docs/ --templates my-templates/
    """
    run(
        paths,
        config_path,
        today,
        locale,
        quiet,
        verbose,
        out,
        check,
        templates,
        jobs,
        cache_dir,
        no_cache,
        history,
    )


def run(
    paths: tuple[Path, ...],
    config_path: Path | None,
    today: date | None,
    locale: str | None,
    quiet: bool,
    verbose: bool,
    out: Path,
    check: bool,
    templates: Path | None,
    jobs: int | None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    history: bool | None = None,
) -> None:
    from engine.cli.options import Failure, cache_folder, progress_bar, resolve_config
    from engine.documents.inputs import PACKED_PLANS, RenderError, inputs_from
    from engine.documents.render import render_documents
    from engine.documents.write import compare, write
    from engine.pipeline.pool import default_jobs
    from engine.session import run_check

    config = resolve_config(config_path, paths)
    jobs = jobs or default_jobs()
    # Running check first (as CI and pre-commit do) leaves its cache for render to use;
    # render itself writes outside --out only into a cache it was given or found.
    cache = cache_folder(cache_dir, no_cache, config, verbose, existing_only=cache_dir is None)
    # The plans the check reads come with their models packed: no need to read them again.
    report, results = run_check(
        paths,
        config,
        today,
        jobs=jobs,
        cache_dir=cache,
        progress=progress_bar("checking"),
        pack_plans=PACKED_PLANS,
    )
    chosen_templates = templates or config.templates
    if chosen_templates is not None and not chosen_templates.is_dir():
        raise Failure(f"templates folder {chosen_templates} not found")
    try:
        inputs = inputs_from(report, results, config)
        del report, results  # the check's per-file results: all the documents need is in inputs
        rendering = progress_bar("rendering") or _no_progress
        with rendering(len(inputs.plans)) as progress:
            outcome = render_documents(
                inputs,
                out,
                locale or config.locale or "en",
                chosen_templates,
                jobs,
                progress,
            )
        documents = outcome.documents
        if config.render_history if history is None else history:
            documents = _with_history(documents, config_path, today, config, locale)
        for note in outcome.notes:  # they name files: shown safe for the terminal
            click.echo(f"revplan: {safe_text(note)}", err=True)
        changes = compare(out, documents) if check else write(out, documents)
    except RenderError as exc:
        raise Failure(str(exc)) from exc

    def show(paths: list[str], what: str) -> None:
        for path in paths:  # files found in --out may have any name
            click.echo(f"{what}: {safe_text(str(out / path))}")

    if check:
        show(changes.stale, "stale")
        show(changes.missing, "missing")
        show(changes.orphaned, "no longer produced")
        show(changes.foreign, "not generated by revplan (render will not replace it)")
        if not changes.in_sync:
            count = (
                len(changes.stale)
                + len(changes.missing)
                + len(changes.orphaned)
                + len(changes.foreign)
            )
            click.echo(
                f"{count} document(s) out of date in {out}: run revplan render without --check",
                err=True,
            )
            sys.exit(1)
        if not quiet:
            click.echo(f"{len(outcome.documents)} documents in {out} are up to date", err=True)
        return
    if not quiet:
        show(changes.missing, "wrote")
        show(changes.stale, "updated")
        show(changes.orphaned, "deleted")
        if verbose:
            show(changes.unchanged, "unchanged")
        click.echo(
            f"{len(outcome.documents)} documents in {out}: {len(changes.missing)} new, "
            f"{len(changes.stale)} updated, {len(changes.unchanged)} unchanged, "
            f"{len(changes.orphaned)} deleted",
            err=True,
        )


def _with_history(
    documents: list[Document],
    config_path: Path | None,
    today: date | None,
    config: Config,
    locale: str | None,
) -> list[Document]:
    """The documents with the trend of the last 26 weeks (revplan history's samples)."""
    from engine.review.history import run_history
    from engine.review.output import catalogue
    from engine.review.trend import with_trend

    when = today or config.today or date.today()
    trend = run_history(None, None, "week", config_path, when)
    words = catalogue(locale or config.locale or "en", config.catalogues())
    return with_trend(documents, trend, words)


def _no_progress(_total: int) -> contextlib.nullcontext[None]:
    return contextlib.nullcontext(None)
