"""``revplan rules`` and ``revplan explain``: the rule catalogue, with the config's
custom rules (``custom_rules:`` in revplan.yaml)."""

from __future__ import annotations

from pathlib import Path

import click

from engine.cli.options import Failure, handle_errors, resolve_config
from engine.rules import RULES
from engine.rules.base import Rule
from engine.rules.custom.adapter import as_rule

_CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The config whose custom rules to include [default: the nearest revplan.yaml].",
)


def _catalogue(config_path: Path | None) -> dict[str, Rule]:
    """The built-in rules, then the config's custom ones."""
    config = resolve_config(config_path, ())
    return {**RULES, **{c.id: as_rule(c) for c in config.custom_rules}}


@click.command("rules")
@_CONFIG
@handle_errors
def rules_command(config_path: Path | None) -> None:
    """List every rule: id, default severity and what it checks; custom rules are
    marked ``custom``.

    \b
    Example:
      revplan rules
    """
    _list_rules(_catalogue(config_path))


def _list_rules(rules: dict[str, Rule]) -> None:
    width = max(len(r) for r in rules)
    for rule in rules.values():
        mark = "  custom" if rule.custom else ""
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}{mark}")


@click.command("explain")
@click.argument("rule_id", metavar="[RULE]", required=False)
@_CONFIG
@handle_errors
def explain_command(rule_id: str | None, config_path: Path | None) -> None:
    """Explain a rule: why it exists, its parameters, a failing and a fixed example
    (a custom rule: its summary, why, when, assert, fix and examples). Without RULE,
    list the rules to choose from.

    \b
    Examples:
      revplan explain backup-per-contact
      revplan explain
    """
    rules = _catalogue(config_path)
    if rule_id is None:
        _list_rules(rules)
        click.echo("\nrevplan explain RULE explains one of them.")
        return
    rule = rules.get(rule_id)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, list(rules), n=1, cutoff=0.5)
        hint = f" — did you mean '{close[0]}'?" if close else " — see `revplan rules`"
        raise Failure(f"no rule '{rule_id}'{hint}")
    click.echo(rule.explain(), nl=False)
