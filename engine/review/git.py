"""Reading a repository's history through git's plumbing: no checkout, no change to the
work tree or the index (a review tool must not move what the user is editing).

Every call is an argument list (never a shell); paths cross as NUL-separated bytes
and become strings with ``surrogateescape``, so a non-UTF-8 file name survives
the round trip. Blobs come from one ``git cat-file --batch`` process per run:
one process for 10,000 plans, not 10,000.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import IO, NamedTuple

from engine.errors import UsageError

# -c core.quotepath=off: names as they are, not octal-quoted (with -z git quotes none).
_GIT = ("git", "-c", "core.quotepath=off")

# How long one plumbing call may take before the run gives up (a hung git: exit 2).
_TIMEOUT = 300


class GitError(UsageError):
    """The history cannot be read (exit 2); the message says what to do."""


class Entry(NamedTuple):
    """A file of a tree: its path from the repository's root, and its blob."""

    path: str
    blob: str


class Commit(NamedTuple):
    sha: str
    date: datetime  # the committer date, with its offset


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class Repository:
    """The git repository holding ``start``; ``close`` (or ``with``) ends its blob reader."""

    def __init__(self, start: str = ".") -> None:
        self.start = os.path.abspath(start)
        try:
            out = self._run("rev-parse", "--show-toplevel")
        except GitError:
            raise GitError(
                f"{start}: not a git repository (or git is not installed): revplan diff and "
                "history read the revisions of one; run them inside a clone, or `git init` one"
            ) from None
        self.root = _decode(out.rstrip(b"\n"))
        self._batch: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _run(self, *args: str, check: bool = True) -> bytes:
        try:
            done = subprocess.run(  # noqa: S603 - an argument list, no shell
                [*_GIT, "-C", self.start, *args],
                capture_output=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise GitError(f"cannot run git: {exc}") from exc
        if check and done.returncode != 0:
            raise GitError(_decode(done.stderr).strip() or f"git {args[0]} failed")
        return done.stdout

    @property
    def shallow(self) -> bool:
        return self._run("rev-parse", "--is-shallow-repository").strip() == b"true"

    def shallow_boundary(self) -> frozenset[str]:
        """The commits whose parents a shallow clone did not fetch (none in a full clone)."""
        where = _decode(self._run("rev-parse", "--git-path", "shallow").strip())
        try:
            with open(os.path.join(self.start, where), encoding="ascii") as listed:
                return frozenset(line.strip() for line in listed if line.strip())
        except OSError:  # no such file: not shallow
            return frozenset()

    def commit_of(self, revision: str) -> str | None:
        """The commit ``revision`` names, or None when it names none here."""
        if revision.startswith("-"):  # never an option to git
            return None
        out = self._run(
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{revision}^{{commit}}",
            check=False,
        ).strip()
        return _decode(out) if out else None

    def resolve(self, revision: str) -> str:
        """The commit ``revision`` names (branch, tag, sha, ``HEAD~3``, ``origin/main``)."""
        if revision.startswith("-"):
            raise GitError(f"'{revision}' is not a revision")
        found = self.commit_of(revision)
        if found:
            return found
        if self.shallow:
            raise GitError(
                f"unknown revision '{revision}' in a shallow clone: the history that holds "
                "it was not fetched; run `git fetch --unshallow` (in GitHub Actions, "
                "actions/checkout with `fetch-depth: 0`)"
            )
        raise GitError(
            f"unknown revision '{revision}': name a branch, tag or commit that this "
            "repository has (see `git log --oneline`, `git branch -a`; fetch it first if "
            "it is on a remote)"
        )

    def files(self, commit: str, under: str = "") -> list[Entry]:
        """The regular files (blobs, no symlinks or submodules) of ``commit``'s tree below
        the folder ``under`` (relative to the root; "" for all), sorted by path."""
        args = ["ls-tree", "-r", "-z", "--full-tree", commit]
        if under:
            args += ["--", under]
        entries = []
        for record in self._run(*args).split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, blob = meta.split(b" ")
            if kind == b"blob" and mode in (b"100644", b"100755"):
                entries.append(Entry(_decode(path), blob.decode("ascii")))
        return sorted(entries)

    def read(self, blob: str) -> bytes:
        """A blob's bytes (one long-lived ``git cat-file --batch`` serves every read)."""
        stdin, stdout = self._reader()
        try:
            stdin.write(blob.encode("ascii") + b"\n")
            stdin.flush()
        except OSError as exc:
            raise GitError(f"cannot read blob {blob} from git: {exc}") from exc
        return _answer(stdout, blob)

    def _reader(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._batch is None:
            self._batch = subprocess.Popen(  # noqa: S603 - an argument list, no shell
                [*_GIT, "-C", self.start, "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        stdin, stdout = self._batch.stdin, self._batch.stdout
        assert stdin is not None and stdout is not None
        return stdin, stdout

    def read_all(self, blobs: list[str]) -> Iterator[bytes]:
        """The blobs' bytes, in order: every request is written at once (by a thread, so
        that neither pipe fills while the other waits), not one round trip per blob."""
        stdin, stdout = self._reader()

        def send() -> None:
            with contextlib.suppress(OSError):  # the reader died: the reads below say so
                stdin.write(b"".join(blob.encode("ascii") + b"\n" for blob in blobs))
                stdin.flush()

        writer = threading.Thread(target=send, daemon=True)
        writer.start()
        for blob in blobs:
            yield _answer(stdout, blob)
        writer.join()

    def work_tree_blobs(self) -> dict[str, str]:
        """The blob of each tracked file whose work tree copy git's index says is the
        one it has (by the index's stat data; both read only, the index is not
        refreshed or written): what the work tree holds, without reading it."""
        staged = {}
        for record in self._run("ls-files", "-s", "-z", "--full-name", "--", ":/").split(b"\0"):
            if record:
                meta, _, path = record.partition(b"\t")
                mode, blob, stage = meta.split(b" ")
                if stage == b"0" and mode in (b"100644", b"100755"):
                    staged[_decode(path)] = blob.decode("ascii")
        for path in self._run("diff-files", "-z", "--name-only").split(b"\0"):
            staged.pop(_decode(path), None)
        return staged

    def first_parent_log(self, revision: str, paths: tuple[str, ...] = ()) -> list[Commit]:
        """The commits from ``revision`` back along first parents (newest first), with
        their committer dates; only those touching ``paths`` when given."""
        args = ["log", "--first-parent", "-z", "--format=%H %cI", self.resolve(revision)]
        if paths:
            args += ["--", *paths]
        commits = []
        for record in self._run(*args).split(b"\0"):
            if record.strip():
                sha, _, when = record.strip().partition(b" ")
                commits.append(Commit(sha.decode("ascii"), datetime.fromisoformat(when.decode())))
        return commits

    def close(self) -> None:
        if self._batch is not None:
            batch, self._batch = self._batch, None
            if batch.stdin is not None:
                batch.stdin.close()
            # Not waited for to end at the end of its input: a worker process forked
            # since (the check's) holds the pipe open until it exits (10 s in a diff of
            # HEAD checked out), and nothing more is asked of it.
            batch.kill()
            batch.wait()
            if batch.stdout is not None:
                batch.stdout.close()


def _answer(stdout: IO[bytes], blob: str) -> bytes:
    """One object's answer of ``cat-file --batch``: its header, then its bytes."""
    try:
        header = stdout.readline()
    except OSError as exc:
        raise GitError(f"cannot read blob {blob} from git: {exc}") from exc
    fields = header.split()
    if len(fields) != 3:
        raise GitError(f"git has no object {blob}: {_decode(header).strip()}")
    return _read_exactly(stdout, int(fields[2]))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    stream.read(1)  # the newline after each object
    if len(data) != size:
        raise GitError("git cat-file ended early")
    return data
