"""A custom rule as a ``Rule``: what ``revplan rules``, ``revplan explain`` and
SARIF's rule list show of it, like any built-in rule."""

from __future__ import annotations

import textwrap

import yaml

from engine.rules.base import Rule
from engine.rules.custom.definition import CustomRule


def _yaml(value: object) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=None)


def as_rule(custom: CustomRule) -> Rule:
    fragments = custom.example_fragments()
    fail = [f for outcome, _, f in fragments if outcome == "fail"]
    good = [f for outcome, _, f in fragments if outcome == "pass"]
    return Rule(
        id=custom.id,
        severity=custom.default_severity,
        summary=custom.summary,
        rationale=(custom.why or "").strip(),
        anti_pattern=_yaml(fail) if fail else "",
        best_practice=_yaml(good) if good else "",
        custom=True,
        page=explain(custom),
    )


def explain(custom: CustomRule) -> str:
    """The rule's page: summary, why, where it applies, what it asserts, the fix, the examples."""
    where = custom.origin or "revplan.yaml"
    lines = [f"{custom.id} (custom rule in {where}; severity: {custom.default_severity})", ""]
    lines += [custom.summary, ""]
    if custom.why:
        lines += [custom.why.strip(), ""]
    lines.append(
        f"Checks: every {custom.kind}" + (f", each of its {custom.each}" if custom.each else "")
    )
    if custom.when:
        lines += ["", "When:", textwrap.indent(custom.when.strip(), "    ")]
    lines += ["", "Assert:", textwrap.indent(custom.assert_.strip(), "    ")]
    if custom.message:
        lines += ["", "Message:", textwrap.indent(custom.message.strip(), "    ")]
    if custom.fix:
        lines += ["", "Fix:", textwrap.indent(custom.fix.strip(), "    ")]
    for outcome, number, fragment in custom.example_fragments():
        title = "Fails" if outcome == "fail" else "Passes"
        lines += [
            "",
            f"{title} (example {number}):",
            "",
            textwrap.indent(_yaml(fragment), "    ").rstrip(),
        ]
    return "\n".join(lines) + "\n"
