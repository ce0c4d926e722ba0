"""Did-you-mean: valid ids as people would write them, and the nearest of a set to a name.

A plan's ids are ``[a-z0-9][a-z0-9_-]*``; a suggestion is always one of them.
``slug`` turns what someone typed (``Schulz``, ``schulz-müller``) into the id
they meant (``schulz``, ``schulz-mueller``: German, Nordic and ligature
letters as their usual two-letter spellings, other accents dropped).

``Suggester`` indexes a set of ids once — each id's slug, the slug with any
one character deleted, and its ``-``/``_``/``/`` separated words — so
looking up a name reads a bounded number of candidates from the index
instead of comparing the name with every id: a plan with thousands of broken
references costs linear time, not references × ids.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")

# Letters whose accent-free spelling is two letters (DIN 5007-2 and the Nordic usage);
# every other accent is dropped (é -> e) through Unicode decomposition.
_SPELLED = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa", "œ": "oe",
     "þ": "th", "ð": "d", "đ": "d", "ł": "l", "ı": "i"}
)  # fmt: skip
_NOT_ID = re.compile(r"[^a-z0-9_-]+")

# Longer names are not ids anyone typed; they get no suggestion (bounds the work per name).
MAX_LENGTH = 80
# Candidates read from the index for one name, at most: bounds the work per lookup
# whatever the ids have in common.
MAX_CANDIDATES = 32
CUTOFF = 0.6


def slug(text: str) -> str:
    """The id ``text`` would be, in lower-case ASCII letters, digits, ``-`` and ``_``;
    "" when nothing of it is left (a name in another script)."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_SPELLED))
    ascii_only = folded.encode("ascii", "ignore").decode()
    return _NOT_ID.sub("-", ascii_only).strip("-_")


def is_id(name: str) -> bool:
    """A valid id, or ids joined by ``/`` (an OKR objective: ``<OKRs id>/<objective id>``)."""
    return all(ID.match(part) for part in name.split("/"))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _words(word: str) -> set[str]:
    return {w for w in re.split(r"[-_/]", word) if len(w) > 1}


class Suggester:
    """The nearest valid id of ``ids`` to a name; the index is built on the first lookup."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._ids = ids
        self._index: dict[str, list[str]] | None = None
        self._known: set[str] = set()

    def _build(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        self._known = {i for i in self._ids if is_id(i) and len(i) <= MAX_LENGTH}
        for name in sorted(self._known):
            for key in {name, *_deletions(name), *(f" {w}" for w in _words(name))}:
                bucket = index.setdefault(key, [])
                if len(bucket) < MAX_CANDIDATES:
                    bucket.append(name)
        return index

    def closest(self, name: str) -> str | None:
        if len(name) > MAX_LENGTH:
            return None
        if self._index is None:
            self._index = self._build()
        index = self._index
        # An OKR objective's parts are ids each: its "/" stays.
        wanted = "/".join(slug(part) or part for part in name.split("/"))
        if wanted != name and wanted in self._known:
            return wanted  # the same id in other letters or case
        # Ids within two edits first (a shared deletion), the name's own key first;
        # words in common only when there are none: at most MAX_CANDIDATES comparisons.
        near = self._candidates(index, [wanted, *sorted(_deletions(wanted))])
        if near:
            return self._best(wanted, near)
        return self._best(wanted, self._candidates(index, sorted(f" {w}" for w in _words(wanted))))

    @staticmethod
    def _candidates(index: dict[str, list[str]], keys: list[str]) -> list[str]:
        found: dict[str, None] = {}
        for key in keys:
            for name in index.get(key, ()):
                found[name] = None
                if len(found) == MAX_CANDIDATES:
                    return list(found)
        return list(found)

    @staticmethod
    def _best(wanted: str, candidates: list[str]) -> str | None:
        close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=CUTOFF)
        return close[0] if close else None
