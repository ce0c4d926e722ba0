"""``revplan graph``: the plan graph, exported."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from engine.cli.options import (
    _write_output,
    common_options,
    handle_errors,
    output_option,
    resolve_config,
)
from engine.session import run_check

if TYPE_CHECKING:
    pass


# Commands that live in modules of their own; they import this module's
# shared options, so they are added once it is complete.


@click.command("graph")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "json", "graphml"]),
    default="mermaid",
    show_default=True,
    help="Graph format: mermaid (a diagram Markdown and GitHub draw), dot (Graphviz), "
    "json (nodes and links, for scripts), graphml (for yEd, Gephi, networkx).",
)
@output_option
@handle_errors
def graph_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    today: date | None,
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
    from engine.export import export_graph
    from engine.graph import PlanGraph
    from engine.model.types import AccountPlan, OKRSet, Repository

    config = resolve_config(config_path, paths)
    _, results = run_check(paths, config, today, keep_models=True)
    plans = tuple(r.model for r in results if isinstance(r.model, AccountPlan))
    okrs = tuple(r.model for r in results if isinstance(r.model, OKRSet))
    text = export_graph(PlanGraph(Repository(plans=plans, okrs=okrs)), fmt)
    if output:
        _write_output(output, text)
    else:
        click.echo(text, nl=False)
