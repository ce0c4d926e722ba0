"""The command line: a thin click layer over the engine.

Exit codes: 0 no finding at or above the fail level; 1 findings at or above
it (or stale documents for ``render --check``); 2 the tool could not do its
job (bad command line, bad config, no plan files, unwritable output).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .cache import DEFAULT_DIR, Cache
from .config import Config, ConfigError, default_config, find_config, load_config
from .process import FileResult
from .reporters import FORMATS, reporters, safe_text
from .reporters.text import TextReporter
from .resources import SCHEMA_FILES, schema
from .rules import RULES
from .run import (
    Helper,
    Report,
    UsageError,
    check,
    default_jobs,
    discover,
    display_path,
    process_all,
    settings_for,
    start_helper,
)

if TYPE_CHECKING:
    from .memo import TextOutcome

BUG_REPORT = "this is a bug in revplan: please report it with the command you ran and the file"


class Failure(click.ClickException):
    """A run that cannot do its job: exit 2 with the message."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        # Paths and messages may carry plan text: no escape sequence reaches the terminal.
        lines = (safe_text(line) for line in self.message.split("\n"))
        click.echo(f"revplan: {chr(10).join(lines)}", err=True)


def _date(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date: write YYYY-MM-DD") from None


jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes [default: cores]."
)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command takes (cli.md: "Common options")."""
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Config file [default: revplan.yaml found upward from the paths, then from "
            "the current directory].",
        ),
        click.option(
            "--today",
            callback=_date,
            metavar="YYYY-MM-DD",
            help="Pin today's date (freshness, overdue, expiry) [default: config today:, "
            "else the real date].",
        ),
        click.option(
            "--locale",
            type=click.Choice(["en", "zh", "ja", "el"]),
            help="Language of rendered documents [default: config locale:, else en].",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Print only findings that fail the run."),
        click.option(
            "-v", "--verbose", is_flag=True, help="Also say which files were skipped and why."
        ),
        click.option(
            "--no-color",
            is_flag=True,
            help="No colour (also when NO_COLOR is set or output is not a terminal).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Expected failures become exit 2 with a message; unexpected ones ask for a bug report."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            for message in exc.messages:
                click.echo(f"revplan: config: {safe_text(message)}", err=True)
            sys.exit(2)
        except UsageError as exc:
            raise Failure(str(exc)) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("revplan: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            detail = safe_text(f"{type(exc).__name__}: {exc}")
            click.echo(f"revplan: internal error: {detail}", err=True)
            click.echo(f"revplan: {BUG_REPORT}", err=True)
            sys.exit(2)

    return wrapper


def resolve_config(config_path: Path | None, paths: tuple[Path, ...]) -> Config:
    if config_path is not None:
        if not config_path.is_file():
            raise UsageError(f"{config_path}: no such config file")
        return load_config(config_path, display_path(config_path))
    found = find_config(list(paths))
    return load_config(found, display_path(found)) if found else default_config()


def use_color(no_color: bool, stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return not no_color and "NO_COLOR" not in os.environ and stream.isatty()


def progress_wanted() -> bool:
    """A progress bar helps a person at a terminal; in CI logs and pipes it is noise."""
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Progress:
    """click's progress bar on stderr, shown only once a run has taken ``delay`` seconds:
    a quick run stays quiet."""

    def __init__(self, total: int, label: str, delay: float = 2.0) -> None:
        self.total, self.label = total, label
        self.done = 0
        self.shown_after = time.monotonic() + delay
        self.bar: Any = None

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is None:
            if time.monotonic() < self.shown_after:
                return
            self.bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
            n = self.done
        self.bar.update(n)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def run_check(
    paths: tuple[Path, ...],
    config: Config,
    today: date | None,
    fail_on: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    keep_models: bool = False,
    show_progress: bool = False,
) -> tuple[Report, list[Any]]:
    """Load, validate and check; the per-file results keep their models if asked."""
    run = _CheckRun(paths, config, today, jobs, cache_dir, keep_models)
    return run.full(fail_on or config.fail_on, show_progress)


def run_text_check(
    paths: tuple[Path, ...],
    config: Config,
    today: date | None,
    fail_on: str,
    jobs: int | None,
    cache_dir: Path,
    reporter: TextReporter,
    show_progress: bool = False,
) -> TextOutcome:
    """The text report, from the memo of the last one where it still holds (see
    ``engine.memo``); otherwise from a full check, whose report the memo keeps."""
    from .memo import TextMemo

    run = _CheckRun(paths, config, today, jobs, cache_dir, keep_models=False)
    assert run.cache is not None
    memo = TextMemo(run.cache, config, reporter, fail_on)
    changed = memo.changed(run.sources, run.settings.limits.max_file_bytes)
    if changed is not None:
        results = process_all(
            [run.sources[i] for i in changed],
            run.settings,
            run.jobs,
            run.cache,
            helper=run.take_helper(),
            lookup=False,
        )
        outcome = memo.report(changed, results)
        if outcome is not None:
            return outcome
    report, results = run.full(fail_on, show_progress)
    return memo.record(run.sources, results, report)


class _CheckRun:
    """A check's files, settings and cache, and the helper started for it."""

    def __init__(
        self,
        paths: tuple[Path, ...],
        config: Config,
        today: date | None,
        jobs: int | None,
        cache_dir: Path | None,
        keep_models: bool,
    ) -> None:
        self.config, self.keep_models = config, keep_models
        self.settings = settings_for(config, today or config.today or date.today())
        self.cache = Cache(cache_dir, self.settings) if cache_dir is not None else None
        self.jobs = jobs or default_jobs()
        # Before the files are even found: the helper's start-up is the longest wait
        # of a warm run with a file to check again.
        self.helper = None if keep_models else start_helper(self.settings, self.jobs, self.cache)
        try:
            self.sources = discover(list(paths), config)
            if not self.sources:
                raise UsageError(
                    "no YAML files found in " + ", ".join(map(str, paths or ("plans/",)))
                )
        except BaseException:
            if self.helper is not None:
                self.helper.close()
            raise

    def take_helper(self) -> Helper | None:
        """The helper, for one use (it is closed after it)."""
        helper, self.helper = self.helper, None
        return helper

    def full(self, fail_on: str, show_progress: bool) -> tuple[Report, list[FileResult]]:
        """Every file's result (from the cache where it has them) and the report."""
        sources, settings = self.sources, self.settings
        check_files = functools.partial(
            process_all,
            sources,
            settings,
            self.jobs,
            self.cache,
            self.keep_models,
            helper=self.take_helper(),
        )
        if show_progress and progress_wanted():
            with Progress(len(sources), "checking") as progress:
                results = check_files(progress.update)
        else:
            results = check_files()
        if not any(r.status == "checked" for r in results):
            shown = 10
            reasons = [f"\n  {r.file}: {r.note}" for r in results[:shown]]
            if len(results) > shown:
                reasons.append(f"\n  ... and {len(results) - shown} more")
            raise UsageError(
                f"none of the {len(sources)} YAML file(s) found is a revplan plan "
                f"(apiVersion: revplan/v1):{''.join(reasons)}"
            )
        report = check(results, self.config, settings, fail_on, self.cache)
        return report, results


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="revplan")
def main() -> None:
    """revplan: plans-as-code for revenue teams.

    Check customer account plans and OKRs kept as YAML in git, find the gaps
    (a key role with no advocate, a contact with no backup, a detractor
    nobody works on, ...) and render documents for account reviews.

    \b
    Start with:
      revplan check plans/        find the gaps, file:line:column
      revplan rules               the rule catalogue
      revplan explain RULE        why a rule exists, with a fix
    """


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
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
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write there, not stdout."
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the run [default: config fail_on:, else error].",
)
@jobs_option
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Where to cache per-file results [default: {DEFAULT_DIR}/ in the current directory].",
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
    from . import baseline as baselines

    if baseline_path and write_baseline:
        raise click.BadParameter(
            "use either --baseline (check against one) or --write-baseline (record one)",
            param_hint="--write-baseline",
        )
    config = resolve_config(config_path, paths)
    targets = _formats(formats, output)
    accepted = baselines.load_baseline(baseline_path) if baseline_path else None
    cache = None if no_cache else (cache_dir or config.cache_dir or Path(DEFAULT_DIR))
    fail_on = fail_on or config.fail_on
    if (
        cache is not None
        and [name for name, _ in targets] == ["text"]
        and accepted is None
        and not (verbose or write_baseline or os.environ.get("GITHUB_STEP_SUMMARY"))
    ):
        # The common run, by hand or from pre-commit: served by the memo when it can be.
        target = targets[0][1]
        reporter = TextReporter(color=target is None and use_color(no_color), quiet=quiet)
        outcome = run_text_check(
            paths, config, today, fail_on, jobs, cache, reporter, sys.stderr.isatty()
        )
        _emit(outcome.text, target)
        sys.exit(1 if outcome.failed else 0)
    report, _ = run_check(
        paths, config, today, fail_on, jobs, cache, show_progress=sys.stderr.isatty()
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
        reporter = available[name](
            color=stream is not None and use_color(no_color), verbose=verbose, quiet=quiet
        )
        _emit(reporter.render(report), target)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        from .reporters.github import step_summary

        _append_output(Path(summary_file), step_summary(report, comparison))
    sys.exit(1 if report.failed else 0)


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


def _emit(text: str | bytes, target: Path | None) -> None:
    """To the file, or to stdout (where click writes bytes as they are)."""
    if target is None:
        click.echo(text, nl=False)
    else:
        _write_output(target, text)


def _write_output(target: Path, text: str | bytes) -> None:
    try:
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Failure(f"cannot write {target}: {exc.strerror}") from exc


def _append_output(target: Path, text: str) -> None:
    try:
        with target.open("a", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise Failure(f"cannot append to {target}: {exc.strerror}") from exc


@main.command("rules")
@handle_errors
def rules_command() -> None:
    """List every rule: id, default severity and what it checks.

    \b
    Example:
      revplan rules
    """
    width = max(len(r) for r in RULES)
    for rule in RULES.values():
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}")


@main.command("explain")
@click.argument("rule_id", metavar="RULE")
@handle_errors
def explain_command(rule_id: str) -> None:
    """Explain a rule: why it exists, its parameters, a failing and a fixed example.

    \b
    Example:
      revplan explain backup-per-contact
    """
    rule = RULES.get(rule_id)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, list(RULES), n=1, cutoff=0.5)
        hint = f" — did you mean '{close[0]}'?" if close else " — see `revplan rules`"
        raise Failure(f"no rule '{rule_id}'{hint}")
    click.echo(rule.explain(), nl=False)


@main.command("schema")
@click.argument("kind", type=click.Choice(list(SCHEMA_FILES)))
@handle_errors
def schema_command(kind: str) -> None:
    """Print the JSON Schema of a kind, for editors and other tools.

    \b
    Example:
      revplan schema AccountPlan > accountplan.schema.json
    """
    click.echo(json.dumps(schema(kind), indent=2, ensure_ascii=False))


@main.command("graph")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "json", "graphml"]),
    default="mermaid",
    show_default=True,
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write there, not stdout."
)
@handle_errors
def graph_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    today: date | None,
    locale: str | None,
    quiet: bool,
    verbose: bool,
    no_color: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Export the plan graph: accounts, people, objectives, actions and their links.

    \b
    Examples:
      revplan graph plans/ --format mermaid
      revplan graph plans/ --format graphml --output plans.graphml
    """
    from .export import export_graph
    from .graph import PlanGraph
    from .model import Repository

    config = resolve_config(config_path, paths)
    _, results = run_check(paths, config, today, keep_models=True)
    plans = tuple(r.model for r in results if r.model is not None and r.kind == "AccountPlan")
    okrs = tuple(r.model for r in results if r.model is not None and r.kind == "OKRs")
    text = export_graph(PlanGraph(Repository(plans=plans, okrs=okrs)), fmt)
    if output:
        _write_output(output, text)
    else:
        click.echo(text, nl=False)


# Commands that live in modules of their own; they import this module's
# shared options, so they are added once it is complete.
from .init_cli import command as init_command  # noqa: E402
from .render_cli import command as render_command  # noqa: E402

main.add_command(render_command)
main.add_command(init_command)

if __name__ == "__main__":  # pragma: no cover
    main()
