"""Where the cache lives, whether a folder may hold it, and the key its entries are signed with.

A pull request can commit anything into the work tree: a crafted cache folder,
a symlink where the cache would go. So the cache lives in the user's cache
folder (``$XDG_CACHE_HOME/revplan``, else ``~/.cache/revplan``), one folder per
repository (named by a hash of the repository's resolved root), never in the
work tree or the current folder. A folder chosen with ``--cache-dir`` or
``cache_dir:`` is used only if it is not a symlink, no folder on its way down
from the repository's root is one, and git tracks nothing in it. Every line of
the cache is signed with a secret key of the user's, kept beside the
per-repository folders, so even a cache folder someone else can write holds
nothing revplan will trust.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import NamedTuple

KEY_BYTES = 32


class Choice(NamedTuple):
    """The cache folder to use (None: no cache), and what -v says about it."""

    folder: Path | None
    note: str


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/revplan`` (an absolute value only, as the XDG spec says), else
    ``~/.cache/revplan``."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "revplan"


def default_folder(root: Path) -> Path:
    """The cache folder of the repository at ``root``."""
    digest = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:24]
    return user_cache_root() / "repositories" / f"{root.resolve().name[:40]}-{digest}"


def choose(explicit: Path | None, root: Path) -> Choice:
    """The cache folder for a run in the repository at ``root``: ``explicit`` (from
    ``--cache-dir`` or ``cache_dir:``) when it is safe to use, else the default."""
    if explicit is None:
        folder = default_folder(root)
        return Choice(folder, f"cache: {folder}")
    refusal = unsafe(explicit, root)
    if refusal:
        return Choice(None, f"cache: not using {explicit}: {refusal}; checking without a cache")
    return Choice(explicit, f"cache: {explicit}")


def unsafe(folder: Path, root: Path) -> str | None:
    """Why ``folder`` must not hold the cache (a symlink, or files git tracks), else None."""
    if folder.is_symlink():
        return "it is a symlink (a cache folder must be a real folder)"
    absolute = Path(os.path.abspath(folder))
    real_root = root.resolve()
    inside = absolute.resolve()
    if not inside.is_relative_to(real_root) and not absolute.is_relative_to(real_root):
        return None  # outside the work tree: nothing a commit can put there
    # Inside the work tree: a symlinked folder on the way would lead anywhere.
    walked = real_root
    relative = absolute.relative_to(real_root) if absolute.is_relative_to(real_root) else None
    for part in relative.parts if relative is not None else ():
        walked = walked / part
        if walked.is_symlink():
            return f"{walked} is a symlink (a cache folder must be a real folder)"
    if _tracked(real_root, inside):
        return "git tracks files in it (a committed cache is never trusted)"
    return None


def _tracked(root: Path, folder: Path) -> bool:
    """Whether git tracks anything in ``folder`` (in the work tree at ``root``). Without
    git, or outside a git work tree, nothing is tracked."""
    if not (root / ".git").exists():
        return False
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", os.fspath(folder)],
            cwd=root,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False  # the entries' signatures still stop a forged cache
    return listed.returncode == 0 and bool(listed.stdout)


def secret_key() -> bytes | None:
    """The user's key that signs cache lines, made on first use (readable by the user
    only); None when it can neither be read nor made (then nothing is cached)."""
    path = user_cache_root() / "key"
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            if not _make_key(path):
                return None
            continue
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            key = handle.read(KEY_BYTES + 1)
        return key if len(key) == KEY_BYTES else None
    return None


def _make_key(path: Path) -> bool:
    """Write a new key where none is; False when it cannot be written. The key appears
    whole or not at all (written aside, then linked into place), and when two runs race
    the second finds the first's."""
    import tempfile  # only the first run of a user makes a key

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp: readable by the user only
            handle.write(os.urandom(KEY_BYTES))
        os.link(temporary, path)
    except FileExistsError:
        pass
    except OSError:
        return False
    finally:
        os.unlink(temporary)
    return True
