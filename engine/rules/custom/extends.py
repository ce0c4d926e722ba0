"""``extends:``: custom rules shared through files of the repository.

A config (or a shared file) names other files whose ``custom_rules`` it takes
in, each relative to its own folder: ``extends: [shared/revplan-rules.yaml]``.
A shared file is itself a ``kind: Config`` file holding only ``custom_rules``
and ``extends``, so editors check it with the same schema. Files are read
depth-first in the order written, each once (its rules come before those of
the file naming it).

A repository is untrusted input: an extended file must be a regular file
inside the repository (the work tree holding the config, else the config's
folder). Absolute paths, paths that climb out with ``..`` and symlinks that
lead out are errors, located at the ``extends`` entry, as are files that do
not exist and cycles; nothing outside the repository is ever read.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from engine.i18n.messages import english
from engine.parse.loader import load_bytes
from engine.parse.schema import schema_problems

KEY = "extends"
SHARED = ("apiVersion", "kind", "custom_rules", KEY)  # what a shared file may hold


class Missing(LookupError):
    """No file at the path (``Tree.read``); a did-you-mean may help."""


@dataclass(frozen=True)
class Tree:
    """The repository's files as extends reads them, by path from the root ("a/b.yaml"):
    the work tree, or a revision in git (``revplan diff``)."""

    read: Callable[[str], bytes]  # a regular file's bytes; Missing or LookupError(why) if none
    names: Callable[[str], list[str]]  # the files of a folder, for a did-you-mean
    show: Callable[[str], str]  # how a message names a file


@dataclass(frozen=True)
class Extended:
    """A file whose custom rules count: its loaded document and its path from the root."""

    doc: Any
    path: str


def entries(doc: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(place, path) of each file ``doc`` extends (one string, or a list of them)."""
    value = doc.data.get(KEY) if isinstance(doc.data, dict) else None
    if isinstance(value, str):
        return [((KEY,), value)]
    if isinstance(value, list):
        return [((KEY, i), v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def extended(doc: Any, path: str, tree: Tree) -> tuple[list[Extended], list[str]]:
    """Every file the config ``doc`` (at ``path`` from the root) extends, directly or
    through others, in the order their rules come; and the errors, located."""
    found: list[Extended] = []
    errors: list[str] = []
    loaded: set[str] = {path}

    def visit(parent: Any, here: str, chain: tuple[str, ...]) -> None:
        for place, written in entries(parent):
            where = parent.loc(place)
            target, problem = _resolve(written, here)
            if problem:
                errors.append(f"{where}: extends '{written}' {problem}")
                continue
            if target in chain:
                cycle = " → ".join(tree.show(p) for p in (*chain[chain.index(target) :], target))
                errors.append(
                    f"{where}: extends '{written}' makes a cycle ({cycle}) — "
                    "remove one of these extends"
                )
                continue
            if target in loaded:
                continue  # named twice (a diamond): its rules count once
            loaded.add(target)
            try:
                raw = tree.read(target)
            except LookupError as exc:
                hint = _hint(target, tree) if isinstance(exc, Missing) else ""
                errors.append(f"{where}: extends '{written}' {exc.args[0]}{hint}")
                continue
            child = load_bytes(raw, tree.show(target))
            wrong = _shared_problems(child, tree.show(target))
            if wrong:
                errors.extend(wrong)
                continue
            visit(child, target, (*chain, target))
            found.append(Extended(child, target))

    visit(doc, path, (path,))
    return found, errors


def _resolve(written: str, here: str) -> tuple[str, str | None]:
    """The path from the root that ``written``, in the file at ``here``, names; or why it
    names none inside the repository."""
    if PurePosixPath(written).is_absolute() or PureWindowsPath(written).is_absolute():
        return "", (
            "is an absolute path — name the file relative to the folder of the file "
            "that extends it, inside the repository"
        )
    target = posixpath.normpath(posixpath.join(posixpath.dirname(here), written.replace("\\", "/")))
    if target == ".." or target.startswith("../"):
        return "", (
            "is outside the repository — extends reads only files inside it; "
            "copy the shared rules in (a git submodule or subtree keeps them in step)"
        )
    return target, None


def _hint(target: str, tree: Tree) -> str:
    folder, name = posixpath.split(target)
    close = difflib.get_close_matches(name, tree.names(folder), n=1, cutoff=0.6)
    return f" — did you mean '{posixpath.join(folder, close[0])}'?" if close else ""


def _shared_problems(doc: Any, shown: str) -> list[str]:
    """What makes ``doc`` not a shared rules file: YAML, kind, schema, other keys."""
    errors = [f"{p.loc}: {english(p.key, p.args)}" for p in doc.problems]
    if errors:
        return errors
    if doc.kind != "Config" or not isinstance(doc.data, dict):
        return [
            f"{shown}:1:1: a file that extends names must be kind: Config (apiVersion: "
            "revplan/v1), holding custom_rules"
        ]
    errors = [f"{p.loc}: {english(p.key, p.args)}" for p in schema_problems(doc, "Config")]
    for key in doc.data:
        if key not in SHARED:
            errors.append(
                f"{doc.key_loc((key,))}: '{key}' is not shared through extends — a shared "
                f"file holds only custom_rules and extends; set {key} in the config itself"
            )
    return errors
