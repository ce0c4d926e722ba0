"""``messages.renew`` or ``messages.expand`` is missing, or both say the same.

Two audiences need two messages. Group 1 bought results and wants proof of
them and what comes next; Group 2 has not bought yet and needs the story of
what Group 1 achieved, told by its heroes.

Anti-pattern::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    messages:
      renew: We help operations teams move faster.
      expand: We help operations teams move faster.

Best practice::

    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    messages:
      renew: You bought results; here is the proof and what comes next.
      expand: Operations cut processing time by 30% with us; finance can too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Label, Many, Number, Problem, args
from engine.rules.base import Context

ID = "two-messages"
SEVERITY = "warning"


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        renew, expand = plan.messages.renew, plan.messages.expand
        missing = [name for name, text in (("renew", renew), ("expand", expand)) if not text]
        if missing:
            yield Problem(
                plan.at("messages"),
                f"{ID}.missing",
                args(
                    groups=Many(tuple(Label("group", g) for g in missing)),
                    count=Number(len(missing)),
                ),
                plan=plan.id,
                path="messages",
            )
        elif renew and expand and _normalised(renew) == _normalised(expand):
            yield Problem(plan.at("messages"), f"{ID}.same", plan=plan.id, path="messages")


def _normalised(text: str) -> str:
    """The message as a reader compares them: case and spacing aside."""
    return " ".join(text.split()).casefold()
