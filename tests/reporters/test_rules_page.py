"""docs/rules.md, the page each SARIF rule's helpUri points to: every rule's explain page."""

import os

from conftest import REPO

from engine.reporters.sarif import help_markdown
from engine.rules import RULES

PAGE = REPO / "docs/rules.md"
HEAD = """# Rules

Every rule revplan checks, as `revplan explain RULE` prints it. Code scanning
links each alert here (SARIF `helpUri`). Generated from the rules' docstrings:
`REVPLAN_UPDATE_GOLDEN=1 python -m pytest tests/reporters/test_rules_page.py`.
"""


def expected_page() -> str:
    sections = [f"## {rule.id}\n\nDefault severity: `{rule.severity}`.\n\n{help_markdown(rule)}"
                for rule in RULES.values()]  # fmt: skip
    return HEAD + "".join(f"\n{section}" for section in sections)


def test_rules_page_has_every_rule_as_explain_prints_it():
    if os.environ.get("REVPLAN_UPDATE_GOLDEN"):
        PAGE.write_text(expected_page(), encoding="utf-8")
    assert PAGE.read_text(encoding="utf-8") == expected_page()
