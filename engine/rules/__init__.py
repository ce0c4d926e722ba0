"""The rule catalogue: one module per rule, in the style of yamllint's rules.

A rule module holds:

- ``ID`` and ``SEVERITY`` (the default: error, warning or info);
- ``PARAMS``: parameter names and defaults (``CHOICES`` limits list items);
- a docstring: a one-line summary, the rationale in the method's words,
  then ``Anti-pattern::`` and ``Best practice::`` YAML examples, which
  ``revplan explain`` prints and the tests run;
- ``check(ctx, params)``, yielding Problems for one file's plan or OKR set
  (run per file, so it can run in parallel and be cached), and/or
  ``check_repository(index, params)`` for what spans files (run once, on the
  light per-file summaries in ``RepoIndex``). ``yaml-syntax``, ``schema``
  and the waiver rules have neither: the loader, the validator and the
  waiver matcher produce their findings.

A Problem says what is wrong as a message key (``"<rule id>.<variant>"``) and
typed arguments (engine.findings); its words are data: the check's English in
the ``check:`` section of ``templates/locales/en.yaml``, the documents' in the
``msg:`` section of each locale's catalogue (engine.i18n.messages).
"""

from __future__ import annotations

import importlib
import textwrap
from types import ModuleType

from engine.rules.base import Rule

# Catalogue order: how `revplan rules` lists them (the spec's table order).
RULE_MODULES = (
    "yaml_syntax",
    "schema",
    "duplicate_id",
    "unresolved_reference",
    "alignment_cycle",
    "advocate_per_role",
    "backup_per_contact",
    "detractor_addressed",
    "detractor_understood",
    "audience_needs",
    "renewal_requirements",
    "two_messages",
    "cross_functional_team",
    "objective_has_key_results",
    "key_results_count",
    "key_result_measurable",
    "objective_has_actions",
    "relationship_owner",
    "contact_freshness",
    "action_owner",
    "action_overdue",
    "action_engages_departed",
    "expansion_via_reference",
    "milestone_review",
    "break_even",
    "plan_freshness",
    "currency_rate",
    "renewal_forecast",
    "notice_date",
    "key_result_checkin",
    "lever_coverage",
    "waiver_expired",
    "waiver_unused",
    "rule_error",
)


def _parse_doc(module: ModuleType) -> tuple[str, str, str, str]:
    doc = textwrap.dedent(module.__doc__ or "")
    head, _, rest = doc.partition("\nAnti-pattern::\n")
    anti, _, best = rest.partition("\nBest practice::\n")
    # The docstrings are reStructuredText (``code``); people read Markdown (`code`).
    summary, _, rationale = head.strip().replace("``", "`").partition("\n")
    return (
        summary.strip(),
        rationale.strip(),
        textwrap.dedent(anti).strip("\n") + "\n",
        textwrap.dedent(best).strip("\n") + "\n",
    )


def _load() -> dict[str, Rule]:
    rules = {}
    for name in RULE_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        summary, rationale, anti, best = _parse_doc(module)
        rules[module.ID] = Rule(
            id=module.ID,
            severity=module.SEVERITY,
            summary=summary,
            rationale=rationale,
            anti_pattern=anti,
            best_practice=best,
            params=getattr(module, "PARAMS", {}),
            choices=getattr(module, "CHOICES", {}),
            check=getattr(module, "check", None),
            check_repository=getattr(module, "check_repository", None),
            dated=getattr(module, "DATED", False),
        )
    return rules


RULES: dict[str, Rule] = _load()
