"""What every command shares: options, errors and exit codes, progress, output files."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.config import Config, ConfigError, default_config, find_config, load_config
from engine.errors import UsageError
from engine.i18n.catalogue import CatalogueError
from engine.i18n.words import CheckWords
from engine.paths import display_path
from engine.reporters.base import safe_text
from engine.resources import locales
from engine.session import ProgressFactory

if TYPE_CHECKING:
    pass


# Commands that live in modules of their own; they import this module's
# shared options, so they are added once it is complete.


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
output_option = click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write there, not stdout."
)


def locale_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--locale``, on the commands whose output it changes (check, render)."""
    return click.option(
        "--locale",
        metavar="LOCALE",
        help=f"Language of findings (text, github) and documents: {', '.join(locales())}, "
        "or one of your own in the config's locales: folder [default: config locale:, "
        "else en].",
    )(func)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command takes (cli.md: "Common options")."""
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Config file [default: revplan.yaml, else plans/revplan.yaml, in the folder "
            "of the first path or above it (not above the git work tree), then likewise from "
            "the current directory].",
        ),
        click.option(
            "--today",
            callback=_date,
            metavar="YYYY-MM-DD",
            help="Pin today's date (freshness, overdue, expiry) [default: config today:, "
            "else the real date].",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Print only findings that fail the run."),
        click.option(
            "-v", "--verbose", is_flag=True, help="Also say which files were skipped and why."
        ),
        click.option(
            "--no-color",
            is_flag=True,
            help="No colour (also when NO_COLOR is set and not empty, or output is not a "
            "terminal).",
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
            for message in config_messages(exc, kwargs.get("locale")):
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


def config_messages(exc: ConfigError, locale: str | None) -> list[str]:
    """The config's errors in the reader's language: ``--locale``'s, else the one the
    config itself names (where it was read that far), else English. A language with
    no catalogue is told once the config is fixed; its errors come in English."""
    try:
        words = CheckWords(locale or exc.locale or "en", exc.catalogues)
    except CatalogueError:
        words = CheckWords()
    return [
        p if isinstance(p, str) else f"{p.where}: {words.sentence(p.key, p.args)}"
        for p in exc.problems
    ]


def resolve_config(config_path: Path | None, paths: tuple[Path, ...]) -> Config:
    if config_path is not None:
        if not config_path.is_file():
            raise UsageError(f"{config_path}: no such config file")
        return load_config(config_path, display_path(config_path))
    found = find_config(list(paths))
    return load_config(found, display_path(found)) if found else default_config()


def cache_folder(
    cache_dir: Path | None,
    no_cache: bool,
    config: Config,
    verbose: bool,
    existing_only: bool = False,
) -> Path | None:
    """The cache folder for a run: None with ``--no-cache``, or when the folder chosen
    (``--cache-dir``, else the config's ``cache_dir:``, else the user's cache folder for
    this repository) must not be used; ``existing_only``: only one that exists."""
    if no_cache:
        return None
    from engine.cache.location import choose
    from engine.paths import repository_root

    choice = choose(cache_dir or config.cache_dir, repository_root(config.root))
    folder = choice.folder
    if folder is None:  # a folder asked for and refused: always said
        click.echo(f"revplan: {safe_text(choice.note)}", err=True)
        return None
    if existing_only and not folder.is_dir():
        if verbose:
            click.echo(f"revplan: {safe_text(choice.note)} (none yet: not using one)", err=True)
        return None
    if verbose:
        click.echo(f"revplan: {safe_text(choice.note)}", err=True)
    return folder


def check_words(locale: str, config: Config) -> CheckWords:
    """The check's wording in ``locale``, with the config's templates folder's catalogues."""
    try:
        return CheckWords(locale, config.catalogues())
    except CatalogueError as exc:
        raise UsageError(str(exc)) from exc


def use_color(no_color: bool, stream: Any = None) -> bool:
    """Colour for a terminal, unless ``--no-color`` or ``NO_COLOR`` is set to a non-empty
    value (no-color.org: an empty NO_COLOR is not set). click.style paints and
    click.echo drops the colour again where the stream turns out not to be a terminal."""
    stream = stream or sys.stdout
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return bool(stream.isatty())


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

    def __enter__(self) -> Callable[[int], None]:
        return self.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _emit(text: str | bytes, target: Path | None) -> None:
    """To the file, or to stdout (where click writes bytes as they are)."""
    if target is None:
        click.echo(text, nl=False)
    else:
        _write_output(target, text)


def _write_output(target: Path, text: str | bytes) -> None:
    from engine.paths import refusal, write_file

    refused = refusal(target)
    if refused:
        raise Failure(f"not writing {target}: {refused}")
    try:
        # A non-UTF-8 file name's bytes, as they are (as on standard output).
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
        write_file(target, data)
    except OSError as exc:
        raise Failure(f"cannot write {target}: {exc.strerror}") from exc


def _append_output(target: Path, text: str) -> None:
    try:
        with target.open("a", encoding="utf-8", errors="surrogateescape") as out:
            out.write(text)
    except OSError as exc:
        raise Failure(f"cannot append to {target}: {exc.strerror}") from exc


def progress_bar(label: str) -> ProgressFactory | None:
    """A progress bar for a run over files, where one helps (``progress_wanted``)."""
    if not progress_wanted():
        return None
    return lambda total: Progress(total, label)
