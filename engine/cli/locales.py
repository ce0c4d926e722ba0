"""``revplan locales``: the languages revplan speaks, and what a catalogue file lacks."""

from __future__ import annotations

from pathlib import Path

import click

from engine.cli.options import handle_errors
from engine.i18n.audit import ERROR, audit
from engine.paths import display_path
from engine.reporters.base import safe_text
from engine.resources import locales, templates_dir


@click.group("locales")
def locales_command() -> None:
    """The languages of findings and documents, and catalogue files of your own.

    A catalogue is a YAML file named by its locale (de.yaml, pt_BR.yaml). Put one
    in your templates folder's locales/ (render --templates) to add a language
    or to correct single entries; a key it lacks keeps its English value.
    """


@locales_command.command("list")
@handle_errors
def list_command() -> None:
    """The shipped languages, English first."""
    for name in locales():
        click.echo(name)


@locales_command.command("check")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@handle_errors
def check_command(files: tuple[Path, ...]) -> None:
    """List the missing and unknown keys, placeholders and plural forms of catalogue files.

    Exit 0 when no file has an error (missing keys are notes: they show in
    English), 1 when one has.

    \b
    Example:
      revplan locales check my-templates/locales/de.yaml
    """
    english = templates_dir() / "locales" / "en.yaml"
    failed = False
    for path in files:
        shown = safe_text(display_path(path))
        for problem in audit(path, english):
            failed = failed or problem.severity == ERROR
            click.echo(
                f"{shown}:{problem.line}:{problem.column}: {problem.severity}: "
                f"{safe_text(problem.message)}"
            )
    raise SystemExit(1 if failed else 0)
