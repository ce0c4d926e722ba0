"""``revplan history``: the portfolio's health over time, from git (review.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from engine.cli.options import (
    _date,
    _emit,
    common_options,
    handle_errors,
    jobs_option,
    locale_option,
    output_option,
)


@click.command("history")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
@locale_option
@click.option(
    "--since",
    callback=_date,
    metavar="YYYY-MM-DD",
    help="The first day of the range [default: 26 weeks before --until].",
)
@click.option(
    "--until", callback=_date, metavar="YYYY-MM-DD", help="The last day [default: today]."
)
@click.option(
    "--every",
    type=click.Choice(["week", "month", "commit"]),
    default="week",
    show_default=True,
    help="A sample at the end of each week (Sunday) or month, or of each day a commit "
    "changed a plan or the config.",
)
@click.option(
    "--rev",
    "revision",
    default="HEAD",
    show_default=True,
    metavar="REV",
    help="Whose first-parent history to sample (a branch, tag or commit).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, csv one row per sample and plan, markdown "
    "with Mermaid charts (GitHub draws them).",
)
@output_option
@jobs_option
@handle_errors
def history_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    today: date | None,
    locale: str | None,
    quiet: bool,
    verbose: bool,
    no_color: bool,
    since: date | None,
    until: date | None,
    every: str,
    revision: str,
    output_format: str,
    output: Path | None,
    jobs: int | None,
) -> None:
    """The portfolio's health over time: what `revplan check` would have said at
    the end of every week (or month, or changing commit) of the range.

    Each sample is the last commit on or before its day (committer date,
    first-parent history), checked with its own config and today = that day.
    PATHS: count only the plans below them (all plans are read, as check reads
    them). Nothing is checked out. Exit 0 when it ran, 2 when it could not.

    \b
    Examples:
      revplan history                           the last 26 weeks, as a table
      revplan history --every month --since 2026-01-01 --format markdown
      revplan history plans/accounts/emea --format csv --output emea.csv
    """
    from engine.cli.options import resolve_config
    from engine.review.history import run_history
    from engine.review.output import catalogue
    from engine.review.trend import render_csv, render_json, render_markdown, render_text

    work_config = resolve_config(config_path, ())
    when = today or work_config.today or date.today()
    shown = tuple(str(p).replace("\\", "/").removeprefix("./") for p in paths)
    history = run_history(since, until, every, config_path, when, shown, revision, jobs)
    if output_format == "json":
        text = render_json(history)
    elif output_format == "csv":
        text = render_csv(history)
    else:
        chosen = locale or history.config.locale
        from engine.cli.options import check_words

        check_words(chosen, history.config)  # refuses an unknown locale: exit 2
        cat = catalogue(chosen, history.config.catalogues())
        text = (render_text if output_format == "text" else render_markdown)(history, cat)
    _emit(text, output)
