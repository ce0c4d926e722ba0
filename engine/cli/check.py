"""``revplan check``: the findings, in one or more formats."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.cli.options import (
    _append_output,
    _emit,
    cache_folder,
    check_words,
    common_options,
    handle_errors,
    jobs_option,
    locale_option,
    output_option,
    progress_bar,
    resolve_config,
    use_color,
)
from engine.i18n.words import CheckWords
from engine.reporters import FORMATS, reporters
from engine.reporters.text import TextReporter
from engine.session import run_check, run_report_check

if TYPE_CHECKING:
    from engine.cache.layouts import Layout
    from engine.config import Config


# Commands that live in modules of their own; they import this module's
# shared options, so they are added once it is complete.


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
@locale_option
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[:FILE]",
    help="Output format: text (for people), json, sarif (SARIF 2.1.0, for code scanning), "
    "junit (JUnit XML, for CI test reports), github (GitHub Actions annotations). "
    "Default: text, or github when GITHUB_ACTIONS=true and no --output is given. Repeat "
    "for several, each to its own file with FORMAT:FILE "
    "(e.g. --format text --format sarif:revplan.sarif).",
)
@output_option
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the run [default: config fail_on:, else error].",
)
@jobs_option
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to cache per-file results [default: config cache_dir:, else this "
    "repository's folder in $XDG_CACHE_HOME/revplan or ~/.cache/revplan]. A symlink, or a "
    "folder git tracks files in, is never used.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Accept the findings recorded in FILE (by --write-baseline): fail only on new "
    "ones, and report the recorded ones that were fixed.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Record today's findings in FILE, to adopt revplan on an existing repository; "
    "exits 0 once written.",
)
@handle_errors
def check_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    today: date | None,
    locale: str | None,
    quiet: bool,
    verbose: bool,
    no_color: bool,
    formats: tuple[str, ...],
    output: Path | None,
    fail_on: str | None,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    baseline_path: Path | None,
    write_baseline: Path | None,
) -> None:
    """Check plans: schemas, references and every completeness rule.

    PATHS are files or folders (default: the config's plans: globs, else
    plans/). Exit 0 when nothing fails, 1 when findings at or above the fail
    level remain, 2 when the check could not run.

    \b
    Examples:
      revplan check plans/
      revplan check plans/ --format json --output report.json
      revplan check --today 2026-11-23 --fail-on warning
      revplan check --format text --format sarif:revplan.sarif
      revplan check --write-baseline revplan-baseline.json
      revplan check --baseline revplan-baseline.json
    """
    from engine import baseline as baselines

    if baseline_path and write_baseline:
        raise click.BadParameter(
            "use either --baseline (check against one) or --write-baseline (record one)",
            param_hint="--write-baseline",
        )
    config = resolve_config(config_path, paths)
    targets = _formats(formats, output)
    accepted = baselines.load_baseline(baseline_path) if baseline_path else None
    cache = cache_folder(cache_dir, no_cache, config, verbose)
    fail_on = fail_on or config.fail_on
    words = check_words(locale or config.locale, config)
    layout = _layout(targets, no_color, quiet, verbose, fail_on, words, config, today)
    if (
        cache is not None
        and layout is not None
        and accepted is None
        and not (write_baseline or os.environ.get("GITHUB_STEP_SUMMARY"))
    ):
        # The common runs, by hand, from pre-commit or CI: only the changed files are
        # checked again when the cache holds the other files' parts of the report.
        outcome = run_report_check(
            paths, config, today, fail_on, jobs, cache, layout, progress_bar("checking")
        )
        _emit(outcome.text, targets[0][1])
        sys.exit(1 if outcome.failed else 0)
    report, _ = run_check(
        paths, config, today, fail_on, jobs, cache, progress=progress_bar("checking")
    )
    comparison = None
    if write_baseline:
        accepted = baselines.write_baseline(report, write_baseline)
        click.echo(
            f"revplan: wrote {write_baseline} with {accepted.total} finding(s); commit it and "
            f"run `revplan check --baseline {write_baseline}` in CI",
            err=True,
        )
    if accepted is not None:
        report, comparison = baselines.apply_baseline(report, accepted)
        if baseline_path and not quiet:
            click.echo("\n".join(f"revplan: {line}" for line in comparison.describe()), err=True)
    available = reporters()
    for name, target in targets:
        stream = sys.stdout if target is None else None
        chosen = available[name](
            color=stream is not None and use_color(no_color),
            verbose=verbose,
            quiet=quiet,
            words=words,
        )
        _emit(chosen.render(report), target)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        from engine.reporters.github import step_summary

        _append_output(Path(summary_file), step_summary(report, comparison, words))
    sys.exit(1 if report.failed else 0)


def _layout(
    targets: list[tuple[str, Path | None]],
    no_color: bool,
    quiet: bool,
    verbose: bool,
    fail_on: str,
    words: CheckWords,
    config: Config,
    today: date | None,
) -> Layout | None:
    """How the cache keeps the report's parts, for a run of one format that has them."""
    from engine.cache.layouts import JsonLayout, SarifLayout, TextLayout

    if len(targets) != 1:
        return None
    name, target = targets[0]
    if name == "text" and not verbose:  # --verbose lists skipped files: not in the parts
        reporter = TextReporter(
            color=target is None and use_color(no_color), quiet=quiet, words=words
        )
        return TextLayout(reporter, fail_on)
    if name == "sarif":
        return SarifLayout(config.custom_rules)
    if name == "json":  # the portfolio's window counts from the run's today, as the check's
        return JsonLayout(config.portfolio, today or config.today or date.today())
    return None


def _formats(formats: tuple[str, ...], output: Path | None) -> list[tuple[str, Path | None]]:
    chosen: list[tuple[str, Path | None]] = []
    in_github_actions = os.environ.get("GITHUB_ACTIONS") == "true" and output is None
    for spec in formats or (("github",) if in_github_actions else ("text",)):
        name, _, file = spec.partition(":")
        if name not in FORMATS:
            raise click.BadParameter(
                f"'{name}' is not a format; choose from {', '.join(FORMATS)}",
                param_hint="--format",
            )
        chosen.append((name, Path(file) if file else None))
    to_stdout = [i for i, (_, target) in enumerate(chosen) if target is None]
    if output is not None:
        if len(to_stdout) != 1:
            raise click.BadParameter(
                "--output needs exactly one --format without its own :FILE", param_hint="--output"
            )
        chosen[to_stdout[0]] = (chosen[to_stdout[0]][0], output)
    elif len(to_stdout) > 1:
        raise click.BadParameter(
            "only one format can go to standard output; give the others a file: FORMAT:FILE",
            param_hint="--format",
        )
    return chosen
