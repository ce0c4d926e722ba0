"""``revplan init [DIR]``: scaffold a plans repository that passes its own checks on the first run.

It writes the config, an example account plan and OKR set that explain
themselves in comments (dated relative to today, so freshness and due dates
hold), the pre-commit and GitHub Actions wiring, and editor wiring: the JSON
Schemas under ``.revplan/schemas/`` (so validation works offline), a
``yaml-language-server`` line in each YAML file and a ``.vscode/settings.json``
mapping. An existing file is never overwritten without ``--force``, and a
folder that already has a ``revplan.yaml`` is left alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from engine.config import CONFIG_NAME
from engine.errors import UsageError
from engine.paths import refusal, write_file
from engine.scaffold import ci_source, scaffold


def _date(_ctx: object, _param: object, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date: write YYYY-MM-DD") from None


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--today",
    callback=_date,
    metavar="YYYY-MM-DD",
    help="Date the example plan as of this day [default: the real date].",
)
def command(directory: Path, force: bool, today: date) -> None:
    """Scaffold a plans repository in DIR (default: here) that passes `revplan check`.

    Writes revplan.yaml, an example account plan and OKRs that explain
    themselves, .pre-commit-config.yaml, .github/workflows/revplan.yml and
    editor wiring (.revplan/schemas/, .vscode/settings.json). Never
    overwrites an existing file without --force.

    \b
    Examples:
      revplan init
      revplan init plans-repo && cd plans-repo && revplan check
    """
    from engine.cli.options import Failure

    if (directory / CONFIG_NAME).exists() and not force:
        raise Failure(
            f"{directory / CONFIG_NAME} exists: this folder is set up already, nothing written "
            "(--force overwrites the scaffold files, the example plans included)"
        )
    source = ci_source()
    try:
        files = scaffold(today, source)
    except UsageError as exc:  # a --today the example's dates do not fit around
        raise Failure(str(exc)) from exc
    # A symlink in DIR (a dangling .gitignore, a .github pointing elsewhere) would make
    # init write outside it: nothing is written, and the message names each one.
    refused = sorted({r for p in files if (r := refusal(directory / p, below=directory))})
    if refused:
        raise Failure("nothing written in " + str(directory) + ":\n  " + "\n  ".join(refused))
    written, kept = [], []
    try:
        for relative, content in files.items():
            target = directory / relative
            if target.exists() and not force:
                kept.append(relative)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, content.encode("utf-8"))
            written.append(relative)
    except OSError as exc:
        raise Failure(f"cannot write in {directory}: {exc.strerror or exc}") from exc

    click.echo(f"revplan: wrote {len(written)} file(s) in {directory}:")
    click.echo("".join(f"  {path}\n" for path in written), nl=False)
    for path in kept:
        click.echo(f"revplan: kept the existing {path}; see docs/ci.md for what to add to it")
    if source.placeholder and ".github/workflows/revplan.yml" in written:
        click.echo(
            "revplan: in .github/workflows/revplan.yml, replace your-org/revplan with where "
            "revplan's repository lives (and create the tag it names, or pin a commit)"
        )
    click.echo(
        "\nNext:\n"
        f"  cd {directory}\n"
        "  revplan check                      # passes: the examples are complete plans\n"
        "  pip install pre-commit && pre-commit install   # check before every commit\n"
        "  git add . && git commit -m 'Plans as code with revplan'\n"
        "Then copy plans/accounts/northwind.yaml for your own most valuable account."
    )
