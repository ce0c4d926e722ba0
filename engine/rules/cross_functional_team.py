"""The account team lacks one of sales, marketing and customer success.

The plan is written and run by a small cross-functional team: customer
success keeps the customer successful, marketing makes heroes of the
references and tells their story, sales finds and closes the next
opportunity. A team without one of them leaves that part of the plan undone.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: dana, name: Dana Whitfield, function: sales}
      - {id: omar, name: Omar Haddad, function: customer_success}

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    team:
      - {id: dana, name: Dana Whitfield, function: sales}
      - {id: omar, name: Omar Haddad, function: customer_success}
      - {id: li, name: Li Wei, function: marketing}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Many, Number, Problem, args
from engine.model.vocabulary import FUNCTIONS
from engine.rules.base import Context

ID = "cross-functional-team"
SEVERITY = "error"
PARAMS = {"functions": list(FUNCTIONS)}
CHOICES = {"functions": (*FUNCTIONS, "other")}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        present = {m.function for m in plan.team}
        missing = [f for f in params["functions"] if f not in present]
        if missing:
            functions = Many(tuple(Label("function", f) for f in missing))
            yield Problem(
                plan.at("team"),
                ID,
                args(functions=functions, count=Number(len(missing))),
                plan=plan.id,
                path="team",
            )
