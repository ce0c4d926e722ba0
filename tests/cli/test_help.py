"""Help texts say what each command's options do, and offer only options that do something."""

from conftest import run_cli

from engine.rules import RULES


def test_locale_is_offered_only_where_it_changes_the_output():
    # check words its findings in it, render its documents; a graph has no words.
    for command in ("check", "render"):
        assert "--locale LOCALE" in run_cli(command, "--help").output
    assert "--locale" not in run_cli("graph", "--help").output
    refused = run_cli("graph", "--locale", "zh")
    assert refused.exit_code == 2 and "No such option '--locale'" in refused.output


def test_graph_help_describes_every_format():
    text = " ".join(run_cli("graph", "--help").output.split())
    for words in ("mermaid (a diagram", "dot (Graphviz)", "json (nodes and links", "graphml (for"):
        assert words in text


def test_explain_without_a_rule_lists_the_rules():
    result = run_cli("explain")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.splitlines() if line.strip()][:-1]
    assert listed == list(RULES)
    assert result.output.endswith("revplan explain RULE explains one of them.\n")
