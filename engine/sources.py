"""Which files a run checks (discovery), and reading them safely."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from engine.config import Config
from engine.errors import UsageError

if TYPE_CHECKING:
    pass


YAML_SUFFIXES = (".yaml", ".yml")


SKIPPED_DIRS = frozenset(("node_modules", "__pycache__"))


class Source(NamedTuple):  # a tuple: a run makes one per file, four times faster
    file: str  # the path to open, as given or found (a string: 100,000 Paths cost)
    display: str
    explicit: bool

    @property
    def path(self) -> Path:
        return Path(self.file)


def display_path(path: Path) -> str:
    """Relative to the current directory when below it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _child(parent: str, name: str) -> str:
    """``str(Path(parent) / name)``, without building the Path."""
    if parent == ".":
        return name
    return parent + name if parent.endswith("/") else f"{parent}/{name}"


class _Found:
    """Files found under one folder, with display paths and resolved paths worked
    out once per folder rather than once per file (the slow part on big trees)."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.resolved: list[str] = []
        self._folders: dict[str, tuple[str, str]] = {}

    def add(self, folder: str, name: str, is_symlink: bool) -> None:
        known = self._folders.get(folder)
        if known is None:
            shown = display_path(Path(folder))
            known = self._folders[folder] = (
                "" if shown == "." else _child(shown, ""),
                _child(os.path.realpath(folder), ""),
            )
        file = _child(folder, name)
        self.sources.append(Source(file, known[0] + name, False))
        self.resolved.append(_resolved(file) if is_symlink else known[1] + name)


def _resolved(file: str) -> str:
    try:
        return str(Path(file).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return file


def _walk(folder: str, found: _Found) -> None:
    """YAML files below ``folder``, sorted, skipping hidden and tool folders.

    Symlinked folders are not followed, so a symlink loop cannot trap the walk.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            name = entry.name
            if not name.startswith(".") and name not in SKIPPED_DIRS and not entry.is_symlink():
                subfolders.append(name)
        elif entry.name.endswith(YAML_SUFFIXES):
            found.add(folder, entry.name, entry.is_symlink())
    for name in subfolders:
        _walk(_child(folder, name), found)


def _glob(root: str, pattern: str) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    """``Path(root).glob(pattern)`` as Python 3.11 matches, on strings (a pattern of
    literal, wildcard and ``**`` parts), each with its directory entry when known."""
    parts = [part for part in pattern.split("/") if part and part != "."]
    if pattern.endswith("/"):
        parts.append("")  # a trailing slash matches folders only
    if os.path.isdir(root):
        yield from _select(root, parts)


def _select(
    parent: str, parts: list[str], entry: os.DirEntry[str] | None = None
) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    if not parts or not parts[0]:
        yield parent, entry
        return
    pattern, rest = parts[0], parts[1:]
    if pattern == "**":
        yielded: set[str] = set()
        for folder in _folders_below(parent):
            for found in _select(folder, rest):
                if found[0] not in yielded:
                    yielded.add(found[0])
                    yield found
    elif "**" in pattern:
        raise ValueError("Invalid pattern: '**' can only be an entire path component")
    elif "*" in pattern or "?" in pattern or "[" in pattern:
        match = re.compile(fnmatch.translate(pattern)).fullmatch
        try:
            with os.scandir(parent) as scan:
                entries = list(scan)
        except PermissionError:
            return
        if not rest:  # the last part ("*.yaml"): the matches themselves, without recursing
            yield from ((_child(parent, c.name), c) for c in entries if match(c.name))
            return
        for child in entries:
            try:
                if not child.is_dir():
                    continue
            except OSError:
                continue
            if match(child.name):
                yield from _select(_child(parent, child.name), rest, child)
    else:
        path = _child(parent, pattern)
        if os.path.isdir(path) if rest else os.path.exists(path):
            yield from _select(path, rest)


def _folders_below(folder: str) -> Iterator[str]:
    yield folder
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except PermissionError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir and not entry.is_symlink():
            yield from _folders_below(_child(folder, entry.name))


def _is_file(path: str, entry: os.DirEntry[str] | None) -> bool:
    try:
        return entry.is_file() if entry is not None else os.path.isfile(path)
    except OSError:
        return False


def discover(paths: list[Path], config: Config) -> list[Source]:
    """The YAML files to check, in a stable order, without the config itself."""
    found = _Found()
    if paths:
        for path in paths:
            if path.is_dir():
                _walk(str(path), found)
            elif path.exists() or path.is_symlink():  # a broken link: say why
                found.sources.append(Source(str(path), display_path(path), True))
                found.resolved.append(_resolved(str(path)))
            else:
                raise UsageError(f"{path}: no such file or directory")
    else:
        patterns = config.plans or ()
        if patterns:
            root = str(config.root)
            for pattern in patterns:
                if not pattern or pattern.startswith("/"):
                    list(config.root.glob(pattern))  # pathlib says what is wrong with it
                # By path part, as sorting split paths would, without 10,000 lists: no
                # name holds NUL, which sorts before every other character.
                matches = sorted(_glob(root, pattern), key=lambda m: m[0].replace("/", "\0"))
                for file, entry in matches:
                    folder, slash, name = file.rpartition("/")
                    if name.endswith(YAML_SUFFIXES) and _is_file(file, entry):
                        folder = folder or ("/" if slash else ".")
                        found.add(folder, name, entry is None or entry.is_symlink())
        elif Path("plans").is_dir():
            _walk("plans", found)
        else:
            raise UsageError(
                "no plans to check: name files or folders, set plans: in revplan.yaml, "
                "or run where a plans/ folder is (revplan init creates one)"
            )
    config_file = str(config.path.resolve()) if config.path else None
    unique: dict[str, Source] = {}
    for source, resolved in zip(found.sources, found.resolved, strict=True):
        if resolved != config_file:
            unique.setdefault(resolved, source)
    return sorted(unique.values(), key=lambda s: s.display)


def read_source(source: Source, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The file's bytes, at most one past ``max_bytes`` (the loader reports the excess).

    A plan may be a symlink, and git keeps symlinks: one to /dev/zero or to a
    pipe must not make the run read forever or hang on open.
    """
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return None, exc.strerror or str(exc)
    with os.fdopen(fd, "rb") as file:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None, "it is not a regular file (a device, a pipe or a folder)"
            return file.read(max_bytes + 1), None
        except OSError as exc:
            return None, exc.strerror or str(exc)
