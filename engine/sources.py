"""Which files a run checks (discovery), and reading them safely.

Every YAML-looking file (``.yaml`` or ``.yml``, in any case) under the plan
paths is checked: the per-file job makes it a plan or a finding saying what it
is. Only what the user excluded is left out, and each such file or folder is
counted (``Skip``): ``exclude:`` globs in the config, files and folders that a
``.gitignore`` ignores (and git does not track), and hidden folders.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from engine.config import Config
from engine.errors import UsageError
from engine.paths import display_path

if TYPE_CHECKING:
    import pathspec

YAML_SUFFIXES = (".yaml", ".yml")


# A glob whose file part ends so finds both suffixes, in any case: a plan is
# never missed for how its suffix is written (plan.yml, PLAN.YAML).
_YAML_SUFFIX = re.compile(r"\.ya?ml\Z", re.IGNORECASE)


# Hidden folders that git and revplan keep for themselves (the cache's default
# folder, cache/store.py's DEFAULT_DIR): never plans, so not worth a count.
_TOOL_FOLDERS = frozenset((".git", ".revplan_cache"))


# Skip reasons, as the summary counts them.
EXCLUDED, GITIGNORED, HIDDEN = "excluded", "gitignored", "hidden"


class Source(NamedTuple):  # a tuple: a run makes one per file, four times faster
    file: str  # the path to open, as given or found (a string: 100,000 Paths cost)
    display: str
    explicit: bool

    @property
    def path(self) -> Path:
        return Path(self.file)


class Skip(NamedTuple):
    """A file or folder left out because the user excluded it, and why."""

    display: str
    reason: str  # EXCLUDED, GITIGNORED or HIDDEN
    folder: bool


class Discovery(NamedTuple):
    sources: list[Source]
    skipped: list[Skip]


def skip_counts(skipped: list[Skip]) -> dict[str, int]:
    """How many files and folders were left out, by reason (as the summary shows it)."""
    counts = dict.fromkeys((EXCLUDED, GITIGNORED, HIDDEN), 0)
    for skip in skipped:
        counts[skip.reason] += 1
    return counts


def is_yaml_name(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


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
        self.skipped: list[Skip] = []
        self._folders: dict[str, tuple[str, str]] = {}

    def add(self, folder: str, name: str, is_symlink: bool) -> None:
        known = self._folder(folder)
        file = _child(folder, name)
        self.sources.append(Source(file, known[0] + name, False))
        self.resolved.append(_resolved(file) if is_symlink else known[1] + name)

    def skip(self, folder: str, name: str, reason: str, is_folder: bool) -> None:
        self.skipped.append(Skip(self._folder(folder)[0] + name, reason, is_folder))

    def _folder(self, folder: str) -> tuple[str, str]:
        known = self._folders.get(folder)
        if known is None:
            shown = display_path(Path(folder))
            known = self._folders[folder] = (
                "" if shown == "." else _child(shown, ""),
                _child(os.path.realpath(folder), ""),
            )
        return known


def _resolved(file: str) -> str:
    try:
        return str(Path(file).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return file


def _parts_match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Whether path ``parts`` match glob ``pattern`` parts (``**``: any number of parts)."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_parts_match(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return (
        bool(parts)
        and fnmatch.fnmatchcase(parts[0], pattern[0])
        and (_parts_match(pattern[1:], parts[1:]))
    )


class Glob:
    """A config glob, for paths from the config's folder listed rather than walked
    (``revplan diff`` reads a revision's tree from git): whether it matches each, as
    discovery would. ``plans``: a ``plans:`` glob, whose ``.yaml`` matches either
    suffix in any case. Each folder is matched once, not once per file in it (10,000
    plans in 200 folders: a path cost 70 µs matched part by part)."""

    def __init__(self, pattern: str, plans: bool = False) -> None:
        parts = [p for p in pattern.split("/") if p and p != "."]
        self.suffix = plans and bool(parts) and _YAML_SUFFIX.search(parts[-1]) is not None
        if self.suffix:
            parts[-1] = _YAML_SUFFIX.sub(".yaml", parts[-1])
        self.pattern = tuple(parts)
        # A folder -> where in the pattern matching can stand after its parts (``**``
        # standing for any number of them): the states of a matching automaton.
        self._folders: dict[str, frozenset[int]] = {"": self._closure({0})}
        self._last: dict[str, re.Pattern[str] | None] = {}

    def _closure(self, states: set[int]) -> frozenset[int]:
        """``states`` and those a ``**`` reaches by standing for no part."""
        todo = list(states)
        while todo:
            i = todo.pop()
            if i < len(self.pattern) and self.pattern[i] == "**" and i + 1 not in states:
                states.add(i + 1)
                todo.append(i + 1)
        return frozenset(states)

    def _states(self, folder: str) -> frozenset[int]:
        known = self._folders.get(folder)
        if known is None:
            parent, _, part = folder.rpartition("/")
            reached = set()
            for i in self._states(parent):
                if i < len(self.pattern):
                    if self.pattern[i] == "**":
                        reached.add(i)
                    elif fnmatch.fnmatchcase(part, self.pattern[i]):
                        reached.add(i + 1)
            known = self._folders[folder] = self._closure(reached)
        return known

    def _names(self, folder: str) -> re.Pattern[str] | None:
        """What a name in ``folder`` must match: the globs of the pattern's last parts
        that matching can stand at there, as one expression (None: nothing)."""
        if folder not in self._last:
            globs = []
            for i in self._states(folder):
                rest = self.pattern[i:]
                ends = [j for j, part in enumerate(rest) if part != "**"]
                if rest and not ends:  # only ``**`` left: it stands for the name too
                    globs.append("*")
                elif len(ends) == 1:  # one part for the name, any ``**`` around it
                    globs.append(rest[ends[0]])
            translated = "|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs)
            self._last[folder] = re.compile(translated) if globs else None
        return self._last[folder]

    def matches(self, relative: str) -> bool:
        folder, _, name = relative.rpartition("/")
        if self.suffix and is_yaml_name(name):
            name = _YAML_SUFFIX.sub(".yaml", name)
        names = self._names(folder)
        return names is not None and names.match(name) is not None


class _Git:
    """What git tracks in one work tree, asked once and only if something would be
    skipped as ignored: a tracked file is checked whatever a .gitignore says (git
    itself ignores only untracked files), so a committed .gitignore cannot hide a plan."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._files: set[str] | None = None
        self._folders: set[str] = set()

    def tracks(self, relative: str, folder: bool) -> bool:
        if self._files is None:
            self._files = set()
            try:
                out = subprocess.run(  # noqa: S603 - a fixed command, no shell
                    ["git", "-C", self.root, "ls-files", "-z", "--cached"],  # noqa: S607
                    capture_output=True,
                    timeout=60,
                    check=False,
                ).stdout
            except (OSError, subprocess.SubprocessError):
                out = b""
            for name in out.decode("utf-8", "surrogateescape").split("\0"):
                if name:
                    self._files.add(name)
                    parent = name.rpartition("/")[0]
                    while parent and parent not in self._folders:
                        self._folders.add(parent)
                        parent = parent.rpartition("/")[0]
        return relative in (self._folders if folder else self._files)


class _Ignores:
    """The .gitignore files from the work tree's root down (nested ones win, a
    ``!`` pattern re-includes, as git reads them), and git's tracked files."""

    # A .gitignore is a few lines; one bigger than this is not read.
    MAX_BYTES = 1_000_000

    def __init__(self, root: str | None) -> None:
        self.root = root
        self.git = _Git(root) if root is not None and _is_work_tree(root) else None
        self._specs: dict[str, pathspec.GitIgnoreSpec | None] = {}
        self._chains: dict[str, list[tuple[str, pathspec.GitIgnoreSpec]]] = {}
        self._relative: dict[str, str] = {}

    def ignored(self, parent: str, name: str, is_dir: bool) -> bool:
        chain = self._chain(parent)
        if not chain:
            return False
        verdict = None
        # The nearest .gitignore that has a say decides, as in git.
        for below, spec in chain:
            result = spec.check_file(below + name + ("/" if is_dir else "")).include
            if result is not None:
                verdict = result
                break
        if not verdict:
            return False
        relative = self._relative[parent] + name
        return self.git is None or not self.git.tracks(relative, is_dir)

    def _chain(self, parent: str) -> list[tuple[str, pathspec.GitIgnoreSpec]]:
        """The .gitignore files that rule on the entries of ``parent``, nearest first,
        each with the path from its folder to ``parent`` (worked out once a folder)."""
        chain = self._chains.get(parent)
        if chain is None:
            chain = []
            relative = ""
            if self.root is not None:
                relative = os.path.relpath(os.path.abspath(parent), self.root)
                relative = relative.replace(os.sep, "/")
            if self.root is None or relative == ".." or relative.startswith("../"):
                self._relative[parent] = ""
            else:
                parts = [] if relative == "." else relative.split("/")
                self._relative[parent] = "".join(part + "/" for part in parts)
                for depth in range(len(parts), -1, -1):
                    spec = self._spec("/".join(parts[:depth]))
                    if spec is not None:
                        chain.append(("".join(p + "/" for p in parts[depth:]), spec))
            self._chains[parent] = chain
        return chain

    def _spec(self, folder: str) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            path = os.path.join(self.root or "", folder, ".gitignore")
            lines = None
            try:
                if os.path.isfile(path) and os.path.getsize(path) <= self.MAX_BYTES:
                    with open(path, encoding="utf-8", errors="replace") as file:
                        lines = file.read().splitlines()
            except OSError:
                pass
            spec = None
            if lines:
                # Imported only for a .gitignore to read (45 ms; a warm diff takes 1.8 s).
                import pathspec

                with suppress(ValueError):  # a pattern git would not read: the file is ignored
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
            self._specs[folder] = spec
        return self._specs[folder]


def _is_work_tree(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, ".git"))


def _work_tree(start: str) -> str | None:
    """The git work tree holding ``start`` (the nearest folder above with ``.git``)."""
    folder = os.path.abspath(start)
    while True:
        if _is_work_tree(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


class _Filter:
    """What a run leaves out, and the count of it (in ``found``)."""

    def __init__(self, config: Config, found: _Found) -> None:
        self.found = found
        self.root = os.path.abspath(config.root)
        self.exclude = [
            tuple(p for p in pattern.split("/") if p and p != ".") for pattern in config.exclude
        ]
        tree = _work_tree(self.root)
        # Without git, the .gitignore files from the config's folder down still count.
        self.ignores = _Ignores(tree or self.root)

    def _excluded(self, path: str) -> bool:
        if not self.exclude:
            return False
        relative = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        if relative.startswith("../"):
            return False
        parts = tuple(relative.split("/"))
        return any(_parts_match(pattern, parts) for pattern in self.exclude)

    def folder(self, parent: str, name: str) -> bool:
        """Whether to walk into folder ``name`` of ``parent``, reached by a wildcard."""
        if name.startswith("."):
            if name not in _TOOL_FOLDERS:
                self.found.skip(parent, name, HIDDEN, True)
            return False
        return self._kept(parent, name, True)

    def file(self, parent: str, name: str) -> bool:
        return self._kept(parent, name, False)

    def _kept(self, parent: str, name: str, is_dir: bool) -> bool:
        """Whether ``exclude:`` and ``.gitignore`` keep ``name``; a skip is recorded."""
        reason = EXCLUDED if self._excluded(_child(parent, name)) else None
        if reason is None and self.ignores.ignored(parent, name, is_dir):
            reason = GITIGNORED
        if reason is not None:
            self.found.skip(parent, name, reason, is_dir)
            return False
        return True


def _walk(folder: str, found: _Found, keep: _Filter) -> None:
    """YAML files below ``folder``, sorted, without what ``keep`` leaves out.

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
        name = entry.name
        if is_dir:
            if not entry.is_symlink() and keep.folder(folder, name):
                subfolders.append(name)
        elif is_yaml_name(name) and keep.file(folder, name):
            found.add(folder, name, entry.is_symlink())
    for name in subfolders:
        _walk(_child(folder, name), found, keep)


def _glob(
    root: str, pattern: str, keep: _Filter | None = None
) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    """``Path(root).glob(pattern)`` as Python 3.11 matches, on strings (a pattern of
    literal, wildcard and ``**`` parts), each with its directory entry when known;
    with ``keep``, wildcards do not reach into the folders it leaves out."""
    parts = [part for part in pattern.split("/") if part and part != "."]
    if pattern.endswith("/"):
        parts.append("")  # a trailing slash matches folders only
    if os.path.isdir(root):
        yield from _select(root, parts, keep)


def _select(
    parent: str,
    parts: list[str],
    keep: _Filter | None,
    entry: os.DirEntry[str] | None = None,
) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    if not parts or not parts[0]:
        yield parent, entry
        return
    pattern, rest = parts[0], parts[1:]
    if pattern == "**":
        yielded: set[str] = set()
        for folder in _folders_below(parent, keep):
            for found in _select(folder, rest, keep):
                if found[0] not in yielded:
                    yielded.add(found[0])
                    yield found
    elif "**" in pattern:
        raise ValueError("Invalid pattern: '**' can only be an entire path component")
    elif "*" in pattern or "?" in pattern or "[" in pattern:
        match = _name_matcher(pattern, last=keep is not None and not rest)
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
            if match(child.name) and (keep is None or keep.folder(parent, child.name)):
                yield from _select(_child(parent, child.name), rest, keep, child)
    else:
        path = _child(parent, pattern)
        if os.path.isdir(path) if rest else os.path.exists(path):
            yield from _select(path, rest, keep)


def _name_matcher(pattern: str, last: bool) -> Callable[[str], re.Match[str] | None]:
    """A wildcard part as a full-match function; the file part of a plans glob that
    ends in .yaml or .yml matches either suffix, in any case."""
    suffix = _YAML_SUFFIX.search(pattern) if last else None
    if suffix is None:
        return re.compile(fnmatch.translate(pattern)).fullmatch
    stem = fnmatch.translate(pattern[: suffix.start()]).removesuffix(r")\Z").removeprefix("(?s:")
    return re.compile(f"(?s:{stem})(?i:\\.ya?ml)").fullmatch


def _folders_below(folder: str, keep: _Filter | None) -> Iterator[str]:
    yield folder
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name) if keep is not None else list(scan)
    except PermissionError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir and not entry.is_symlink() and (keep is None or keep.folder(folder, entry.name)):
            yield from _folders_below(_child(folder, entry.name), keep)


def _is_file(path: str, entry: os.DirEntry[str] | None) -> bool:
    try:
        return entry.is_file() if entry is not None else os.path.isfile(path)
    except OSError:
        return False


def discover(paths: list[Path], config: Config) -> Discovery:
    """The YAML files to check, in a stable order, without the config itself, and
    what was left out. A file named on the command line is always checked."""
    found = _Found()
    keep = _Filter(config, found)
    if paths:
        for path in paths:
            if path.is_dir():
                _walk(str(path), found, keep)
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
                matches = sorted(_glob(root, pattern, keep), key=lambda m: m[0].replace("/", "\0"))
                for file, entry in matches:
                    folder, slash, name = file.rpartition("/")
                    if is_yaml_name(name) and _is_file(file, entry):
                        folder = folder or ("/" if slash else ".")
                        if keep.file(folder, name):
                            found.add(folder, name, entry is None or entry.is_symlink())
        elif Path("plans").is_dir():
            _walk("plans", found, keep)
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
    skipped = sorted(set(found.skipped))
    return Discovery(sorted(unique.values(), key=lambda s: s.display), skipped)


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
