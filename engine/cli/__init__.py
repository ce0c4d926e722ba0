"""The command line: a thin click layer over the engine.

Exit codes: 0 no finding at or above the fail level; 1 findings at or above
it (or stale documents for ``render --check``); 2 the tool could not do its
job (bad command line, bad config, no plan files, unwritable output).
"""

from __future__ import annotations

import click

from engine import __version__
from engine.cli.check import check_command
from engine.cli.diff import diff_command
from engine.cli.graph import graph_command
from engine.cli.history import history_command
from engine.cli.init import command as init_command
from engine.cli.locales import locales_command
from engine.cli.render import command as render_command
from engine.cli.rules import explain_command, rules_command
from engine.cli.schema import schema_command


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


for command in (
    check_command,
    diff_command,
    history_command,
    render_command,
    graph_command,
    rules_command,
    explain_command,
    schema_command,
    init_command,
    locales_command,
):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    main()
