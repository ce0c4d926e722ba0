"""The document kinds that ``revplan render`` makes, in the order they are rendered
within their scope. A new kind is a module with its ``KIND`` (see
``engine.documents.builder.DocumentKind``), its template, and a line here."""

from __future__ import annotations

from engine.documents import account, index, okrs
from engine.documents.builder import DocumentKind

KINDS: tuple[DocumentKind, ...] = (
    account.KIND,
    okrs.KIND,
    index.KIND,
)


def of_scope(scope: str) -> tuple[DocumentKind, ...]:
    """The kinds whose documents are of ``scope`` (one of the builder's scopes)."""
    return tuple(kind for kind in KINDS if kind.scope == scope)
