"""Errors that stop a run before it can check anything (exit 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


class UsageError(Exception):
    """The run cannot start (exit 2): no plan files, a path that does not exist."""
