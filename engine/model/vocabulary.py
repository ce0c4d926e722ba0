"""The method's vocabulary: key roles, team functions, review perspectives, levers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx takes a third of a second to import; warm runs never need it
    pass


ROLES = ("end_user", "administrator", "procurement", "budget_owner", "executive_sponsor")


FUNCTIONS = ("sales", "marketing", "customer_success")


PERSPECTIVES = ("customer", "sales", "marketing", "customer_success")
# The three revenue levers an OKR set covers.
LEVERS = ("generation", "growth", "retention")
