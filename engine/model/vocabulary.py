"""The method's vocabulary: key roles, team functions, review perspectives, levers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx takes a third of a second to import; warm runs never need it
    pass


# The plan's two audiences: Group 1 renews and buys more, Group 2 is the rest of
# the customer's organisation, reached through Group 1's references.
GROUPS = ("renew", "expand")


ROLES = ("end_user", "administrator", "procurement", "budget_owner", "executive_sponsor")


FUNCTIONS = ("sales", "marketing", "customer_success")


PERSPECTIVES = ("customer", "sales", "marketing", "customer_success")
# The three revenue levers an OKR set covers.
LEVERS = ("generation", "growth", "retention")
