"""Finding the files to check: the fast walk and glob find what os.walk and pathlib find.

discover() works on strings and resolves paths once per folder, because on a
tree of 100,000 plans Path objects and per-file realpath calls cost seconds.
These tests hold it to the standard library's answers on an awkward tree.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.config import Config
from engine.sources import Glob, Source, _glob, _parts_match, discover, display_path, is_yaml_name

PLAN = "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: x, name: X}\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    files = [
        "plans/a.yaml",
        "plans/b.yml",
        "plans/notes.txt",
        "plans/.hidden/h.yaml",
        "plans/node_modules/n.yaml",
        "plans/__pycache__/p.yaml",
        "plans/sub/d.yaml",
        "plans/sub/deeper/e.yaml",
        "plans/sub/.e.yaml",
        "plans/with space/f.yaml",
        "plans/Ünïcode/ü.yaml",
        "plans/x.yaml.bak",
        "plans/UPPER.YAML",
        "plans/sub/Mixed.Yml",
        "other/o.yaml",
    ]
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(PLAN, encoding="utf-8")
    (root / "plans" / "folder.yaml").mkdir()
    (root / "plans" / "linked-folder").symlink_to(root / "plans" / "sub")
    (root / "plans" / "linked.yaml").symlink_to(root / "plans" / "sub" / "d.yaml")
    (root / "plans" / "outside.yaml").symlink_to(root / "other" / "o.yaml")
    (root / "plans" / "dangling.yaml").symlink_to(root / "missing.yaml")
    (root / "plans" / "loop.yaml").symlink_to(root / "plans" / "loop.yaml")
    (root / "revplan.yaml").write_text("apiVersion: revplan/v1\nkind: Config\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def reference_walk(folder: Path) -> list[Path]:
    """What os.walk finds, skipping hidden folders only."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / name for name in sorted(files) if is_yaml_name(name)]
    return found


def reference_glob(tree: Path, pattern: str) -> list[Path]:
    """What pathlib finds for a plans glob: a file part ending in .yaml or .yml finds
    both suffixes in any case, and wildcards do not reach into hidden folders."""
    head, _, last = pattern.rpartition("/")
    variants = [pattern]
    for suffix in (".yaml", ".yml"):
        if any(c in last for c in "*?[") and last.lower().endswith(suffix):
            stem = last[: -len(suffix)]
            variants = [
                f"{head}/{stem}.{''.join(f'[{c}{c.upper()}]' for c in ending)}".lstrip("/")
                for ending in ("yaml", "yml")
            ]
    found = {p for variant in variants for p in tree.glob(variant)}
    return [
        p
        for p in sorted(found)
        if p.is_file()
        and is_yaml_name(p.name)
        and not any(
            part.startswith(".") and part != ".." for part in p.relative_to(tree).parts[:-1]
        )
    ]


def reference_discover(found: list[Path], explicit: bool, config: Config) -> list[Source]:
    """One source per real file (symlinks resolved, the config left out), by display path."""
    config_file = config.path.resolve() if config.path else None
    unique: dict[str, Source] = {}
    for path in found:
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            resolved = path
        if resolved != config_file:
            unique.setdefault(str(resolved), Source(str(path), display_path(path), explicit))
    return sorted(unique.values(), key=lambda s: s.display)


def test_a_folder_finds_what_os_walk_finds(tree: Path) -> None:
    config = Config(path=tree / "revplan.yaml")
    for folder in (Path("plans"), tree / "plans", Path("plans/sub")):
        assert discover([folder], config).sources == reference_discover(
            reference_walk(folder), False, config
        )


def test_the_config_file_is_never_a_plan(tree: Path) -> None:
    config = Config(path=tree / "revplan.yaml")
    assert "revplan.yaml" not in [s.display for s in discover([Path(".")], config).sources]


PATTERNS = [
    "plans/**/*.yaml",
    "**/*.yaml",
    "**/*.yml",
    "plans/*.yaml",
    "plans/sub/*",
    "plans/*/",
    "plans/**",
    "plans/?.y*ml",
    "plans/[ab].y*",
    "plans/sub/d.yaml",
    "./plans//sub/../sub/*.yaml",
    "missing/**/*.yaml",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_glob_matches_what_pathlib_matches(tree: Path, pattern: str) -> None:
    mine = sorted(path for path, _ in _glob(str(tree), pattern))
    assert mine == sorted(str(p) for p in tree.glob(pattern))


LISTED = [
    "a.yaml",
    "plans/a.yaml",
    "plans/A.YML",
    "plans/b.yml",
    "plans/sub/d.yaml",
    "plans/sub/deeper/e.yaml",
    "plans/sub/notes.txt",
    "plans/other/sub/f.yaml",
    "missing/x/y.yaml",
]


@pytest.mark.parametrize("plans", [False, True])
@pytest.mark.parametrize("pattern", [*PATTERNS, "**", "plans/**/sub/*.yaml", "*/**/*.yaml"])
def test_a_glob_matches_listed_paths_folder_by_folder_as_part_by_part(
    pattern: str, plans: bool
) -> None:
    """``Glob`` (a revision's files, listed from git) matches each folder once; the
    answer is matching each path part by part, suffixes read alike for ``plans:``."""
    glob = Glob(pattern, plans)
    for relative in LISTED:
        parts = [p for p in pattern.split("/") if p and p != "."]
        names = relative.split("/")
        if plans and parts and parts[-1].endswith((".yaml", ".yml")) and is_yaml_name(names[-1]):
            parts[-1] = parts[-1].rpartition(".")[0] + ".yaml"
            names[-1] = names[-1].rpartition(".")[0] + ".yaml"
        assert glob.matches(relative) == _parts_match(tuple(parts), tuple(names)), relative


@pytest.mark.parametrize("pattern", PATTERNS)
def test_config_globs_find_the_yaml_files_pathlib_finds(tree: Path, pattern: str) -> None:
    config = Config(path=tree / "revplan.yaml", plans=(pattern,))
    found = reference_glob(tree, pattern)
    assert discover([], config).sources == reference_discover(found, False, config)


def test_a_pathless_glob_from_a_relative_config(tree: Path) -> None:
    config = Config(path=Path("revplan.yaml"), plans=("*/*.yaml", "plans/**/*.yml"))
    found = [p.relative_to(tree) for pattern in config.plans for p in reference_glob(tree, pattern)]
    assert discover([], config).sources == reference_discover(found, False, config)


def test_named_files_are_explicit_and_kept_once(tree: Path) -> None:
    config = Config(path=tree / "revplan.yaml")
    named = [Path("plans/a.yaml"), Path("plans/linked.yaml"), Path("plans/sub/d.yaml")]
    sources = discover(named, config).sources
    assert [s.display for s in sources] == ["plans/a.yaml", "plans/linked.yaml"]
    assert all(s.explicit for s in sources)
