"""``revplan rules`` and ``revplan explain``: the rule catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from engine.cli.options import Failure, handle_errors
from engine.rules import RULES

if TYPE_CHECKING:
    pass


# Commands that live in modules of their own; they import this module's
# shared options, so they are added once it is complete.


@click.command("rules")
@handle_errors
def rules_command() -> None:
    """List every rule: id, default severity and what it checks.

    \b
    Example:
      revplan rules
    """
    _list_rules()


def _list_rules() -> None:
    width = max(len(r) for r in RULES)
    for rule in RULES.values():
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}")


@click.command("explain")
@click.argument("rule_id", metavar="[RULE]", required=False)
@handle_errors
def explain_command(rule_id: str | None) -> None:
    """Explain a rule: why it exists, its parameters, a failing and a fixed example.
    Without RULE, list the rules to choose from.

    \b
    Examples:
      revplan explain backup-per-contact
      revplan explain
    """
    if rule_id is None:
        _list_rules()
        click.echo("\nrevplan explain RULE explains one of them.")
        return
    rule = RULES.get(rule_id)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, list(RULES), n=1, cutoff=0.5)
        hint = f" — did you mean '{close[0]}'?" if close else " — see `revplan rules`"
        raise Failure(f"no rule '{rule_id}'{hint}")
    click.echo(rule.explain(), nl=False)
