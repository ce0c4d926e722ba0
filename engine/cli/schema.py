"""``revplan schema``: the JSON Schemas, for editors and other tools."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from engine.cli.options import handle_errors
from engine.resources import SCHEMA_FILES, schema

if TYPE_CHECKING:
    pass


# Commands that live in modules of their own; they import this module's
# shared options, so they are added once it is complete.


@click.command("schema")
@click.argument("kind", type=click.Choice(list(SCHEMA_FILES)))
@handle_errors
def schema_command(kind: str) -> None:
    """Print the JSON Schema of a kind, for editors and other tools.

    \b
    Example:
      revplan schema AccountPlan > accountplan.schema.json
    """
    click.echo(json.dumps(schema(kind), indent=2, ensure_ascii=False))
