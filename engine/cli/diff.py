"""``revplan diff``: what a change does to the plans (review.md)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from engine.cli.options import (
    _emit,
    common_options,
    handle_errors,
    jobs_option,
    locale_option,
    output_option,
)


@click.command("diff")
@click.argument("arguments", nargs=-1, metavar="[BASE [HEAD]] [PATHS...]")
@common_options
@locale_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, markdown for a pull-request comment.",
)
@output_option
@click.option(
    "--fail-on",
    type=click.Choice(["worse"]),
    help="Exit 1 when a change is worse or a new finding fails the run (the config's fail_on:).",
)
@click.option(
    "--link-base",
    metavar="URL",
    help="Where the head side's files are on the web, for the Markdown's links "
    "(e.g. https://github.com/OWNER/REPO/blob/SHA) [default: from GitHub Actions' "
    "environment for a HEAD revision, else links relative to the current folder].",
)
@jobs_option
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The check's cache, shared with `revplan check` [default: as check's].",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@handle_errors
def diff_command(
    arguments: tuple[str, ...],
    config_path: Path | None,
    today: date | None,
    locale: str | None,
    quiet: bool,
    verbose: bool,
    no_color: bool,
    output_format: str,
    output: Path | None,
    fail_on: str | None,
    link_base: str | None,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Compare the plans at two points of the history: who changed stance, which
    role lost its advocate, which renewal moved, and the findings new and fixed.

    BASE is a git revision (default HEAD); HEAD a revision (default the work
    tree, uncommitted edits included). PATHS (files or folders, after the
    revisions) limit the diff to the plans there on either side. Each side is
    checked as `revplan check` would check it there, with one --today for both;
    plans are matched by id, so a moved file is the same plan. Nothing is
    checked out. Exit 0 when the diff ran (with --fail-on worse: 1 when
    something got worse), 2 when it could not run.

    \b
    Examples:
      revplan diff                        what the uncommitted edits change
      revplan diff main                   what this branch changes
      revplan diff main plans/accounts    ... to the account plans only
      revplan diff origin/main HEAD --format markdown --fail-on worse
    """
    from engine.cli.options import cache_folder, check_words, resolve_config
    from engine.review.diff import run_diff, split_arguments
    from engine.review.output import catalogue, render_json, render_markdown, render_text

    base, head, paths = split_arguments(arguments)
    work_config = resolve_config(config_path, ())
    cache = cache_folder(cache_dir, no_cache, work_config, verbose)
    diff = run_diff(
        base, head, config_path, work_config, today, paths=paths, cache_dir=cache, jobs=jobs
    )
    if output_format == "json":
        text = render_json(diff)
    else:
        chosen = locale or diff.config.locale
        words = check_words(chosen, diff.config)  # refuses an unknown locale: exit 2
        cat = catalogue(chosen, diff.config.catalogues())
        if output_format == "text":
            text = render_text(diff, cat, words)
        else:
            base_url = link_base or _github_base(diff.head.commit)
            text = render_markdown(diff, cat, words, base_url)
    _emit(text, output)
    sys.exit(1 if fail_on == "worse" and diff.failed else 0)


def _github_base(commit: str | None) -> str | None:
    """The blob URL of the head commit in GitHub Actions, for the comment's links."""
    server, repository = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_REPOSITORY")
    if commit is None or not server or not repository:
        return None
    return f"{server}/{repository}/blob/{commit}"
