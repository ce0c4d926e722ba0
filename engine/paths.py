"""Writing only where a path says: never through a symlink a repository may hold.

git stores symlinks, so a checkout can hold ``docs -> /home/runner`` or a
dangling ``.gitignore -> ../../elsewhere``. Every writer asks
``symlink_on_the_way`` first and refuses, with a message, a path that a symlink
would lead somewhere else.
"""

from __future__ import annotations

import os
from pathlib import Path


def symlink_on_the_way(path: Path, below: Path | None = None) -> Path | None:
    """The first symlink ``path`` goes through, or None. Checked: ``path`` itself and,
    for a relative path, every folder it names (the current folder is where the user
    chose to be); with ``below``, every folder from ``below`` down to ``path``."""
    if below is not None:
        relative = Path(os.path.relpath(path, below))
        if relative.parts[:1] == ("..",):  # not below it: only the path itself counts
            return path if path.is_symlink() else None
        steps = [below / Path(*relative.parts[:i]) for i in range(1, len(relative.parts) + 1)]
    elif path.is_absolute():
        steps = [path]
    else:
        steps = [Path(*path.parts[:i]) for i in range(1, len(path.parts) + 1)]
    for step in steps:
        if step.is_symlink():
            return step
    return None


def refusal(path: Path, below: Path | None = None) -> str | None:
    """Why revplan will not write ``path`` (a symlink on the way), else None."""
    link = symlink_on_the_way(path, below)
    if link is None:
        return None
    target = os.readlink(link)
    return (
        f"{link} is a symlink (to {target}): revplan does not write through symlinks; "
        "replace it with a real file or folder, or choose another path"
    )


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, never through a symlink (``OSError`` if it is one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def display_path(path: Path) -> str:
    """Relative to the current directory when below it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def repository_root(start: Path) -> Path:
    """The work tree ``start`` is in (the nearest folder holding ``.git``), else ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start
