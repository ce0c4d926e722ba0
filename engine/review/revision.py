"""A revision's tree as ``revplan check`` would see it there: its config and the plan
files it would check, read through git's plumbing (``revplan diff`` and ``history``)."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from engine.config import CONFIG_NAME, Config, default_config, load_config
from engine.review.git import Entry, Repository
from engine.rules.custom.extends import Missing, Tree
from engine.sources import Glob, is_yaml_name


def folder_prefix(repo: Repository) -> str:
    """The current directory's path from the repository's root ("" at the root)."""
    relative = os.path.relpath(os.path.abspath("."), repo.root).replace(os.sep, "/")
    return "" if relative == "." else relative + "/"


def display(repo: Repository, path: str) -> str:
    """A path from the root as the work tree side shows it: from the current directory."""
    if os.getcwd() == repo.root:  # the usual case: no path arithmetic for 10,000 files
        return path
    shown = os.path.relpath(os.path.join(repo.root, path)).replace(os.sep, "/")
    return shown if not shown.startswith("../") else os.path.join(repo.root, path)


def config_at(repo: Repository, commit: str, config_path: Path | None, rev: str | None) -> Config:
    """The config ``revplan check`` would use at ``commit``: ``--config``'s path there,
    else revplan.yaml or plans/revplan.yaml from the current folder up to the root."""
    return load_config_entry(repo, config_entry(repo, commit, config_path), rev, commit)


def config_entry(repo: Repository, commit: str, config_path: Path | None) -> Entry | None:
    """The config file ``config_at`` reads at ``commit`` (None: there is none)."""
    prefix = folder_prefix(repo)
    if config_path is not None:
        relative = os.path.relpath(os.path.abspath(config_path), repo.root).replace(os.sep, "/")
        candidates = [relative]
    else:
        folders = [prefix]
        while folders[-1]:
            folders.append(
                folders[-1].rstrip("/").rpartition("/")[0] + "/"
                if "/" in folders[-1].rstrip("/")
                else ""
            )
        candidates = [f + name for f in folders for name in (CONFIG_NAME, f"plans/{CONFIG_NAME}")]
    for relative in candidates:
        found = [e for e in repo.files(commit, relative) if e.path == relative]
        if found:
            return found[0]
    return None


def load_config_entry(
    repo: Repository, entry: Entry | None, rev: str | None, commit: str | None = None
) -> Config:
    """The config in ``entry`` at ``commit`` (``rev`` names the revision in its messages);
    the files its ``extends:`` names are read at that commit too."""
    if entry is None:
        return default_config()
    absolute = Path(repo.root) / entry.path
    tree = (Path(repo.root), shared_files(repo, commit, rev)) if commit else None
    return load_config(absolute, f"{rev}:{entry.path}", repo.read(entry.blob), tree)


def shared_files(repo: Repository, commit: str, rev: str | None) -> Tree:
    """The files ``extends:`` reads, as they are at ``commit`` (regular files only)."""

    def read(relative: str) -> bytes:
        found = [e for e in repo.files(commit, relative) if e.path == relative]
        if not found:
            raise Missing(f"does not exist at {rev}")
        return repo.read(found[0].blob)

    def names(folder: str) -> list[str]:
        entries = repo.files(commit, folder)
        return [posixpath.basename(e.path) for e in entries if posixpath.dirname(e.path) == folder]

    return Tree(read=read, names=names, show=lambda relative: f"{rev}:{relative}")


def plan_entries(repo: Repository, commit: str, config: Config) -> list[Entry]:
    """The files ``revplan check`` would check at ``commit``:
    the config's plans: globs (else plans/ below the current folder), YAML files, not
    in hidden folders, not excluded, not the config itself."""
    root = os.path.relpath(config.root, repo.root).replace(os.sep, "/")
    root = "" if root == "." else root + "/"
    under = root if config.plans else folder_prefix(repo) + "plans/"
    config_file = (
        os.path.relpath(config.path, repo.root).replace(os.sep, "/") if config.path else None
    )
    excluded = [Glob(p) for p in config.exclude]
    plans = [Glob(p, plans=True) for p in config.plans]
    chosen = []
    for entry in repo.files(commit, under.rstrip("/")):
        path = entry.path
        if not path.startswith(under) or path == config_file or not is_yaml_name(path):
            continue
        relative = path[len(root) :] if path.startswith(root) else None
        below = path[len(under) :]
        if "/." in "/" + below.rpartition("/")[0]:  # in a hidden folder
            continue
        if relative is not None and any(glob.matches(relative) for glob in excluded):
            continue
        if plans and not any(glob.matches(relative or "") for glob in plans):
            continue
        chosen.append(entry)
    return sorted(chosen, key=lambda e: e.path.replace("/", "\0"))
