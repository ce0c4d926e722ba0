"""A past milestone has no 360-degree review, or its review lacks a perspective.

At every milestone the team holds a 360-degree review: the customer's view,
and those of sales, marketing and customer success. A milestone whose date
has passed without one is a lesson not learnt.

Anti-pattern::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    milestones:
      - {id: onboarding, title: Onboarding complete, date: 2026-06-30, status: done}

Best practice::

    # checked with today = 2026-11-23
    apiVersion: revplan/v1
    kind: AccountPlan
    account: {id: acme, name: Acme Corporation}
    milestones:
      - id: onboarding
        title: Onboarding complete
        date: 2026-06-30
        status: done
        review:
          date: 2026-07-07
          perspectives: [customer, sales, marketing, customer_success]
          notes: Customer wants faster support replies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Day, Label, Many, Number, Problem, args
from engine.model.vocabulary import PERSPECTIVES
from engine.rules.base import Context, item

ID = "milestone-review"
SEVERITY = "warning"
DATED = True  # reads today
PARAMS = {"perspectives": list(PERSPECTIVES)}
CHOICES = {"perspectives": PERSPECTIVES}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Problem]:
    for plan in ctx.plans:
        for m in plan.milestones:
            if m.date is None or m.date >= ctx.today:
                continue
            if m.review is None:
                yield Problem(
                    m.at("review") if "review" in m.locs else m.at("date"),
                    f"{ID}.none",
                    args(milestone=item(m), date=Day(m.date)),
                    plan=plan.id,
                    target=m.id,
                    path=f"milestones/{m.id}/review",
                )
                continue
            missing = [p for p in params["perspectives"] if p not in m.review.perspectives]
            if missing:
                yield Problem(
                    m.review.at("perspectives"),
                    f"{ID}.missing",
                    args(
                        milestone=item(m),
                        perspectives=Many(tuple(Label("perspective", p) for p in missing)),
                        count=Number(len(missing)),
                    ),
                    plan=plan.id,
                    target=m.id,
                    path=f"milestones/{m.id}/review/perspectives",
                )
