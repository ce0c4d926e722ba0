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
from engine.sources import SKIPPED_DIRS, YAML_SUFFIXES, Source, _glob, discover, display_path

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
    """What os.walk finds, skipping hidden and tool folders."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        found += [Path(root) / name for name in sorted(files) if name.endswith(YAML_SUFFIXES)]
    return found


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
        assert discover([folder], config) == reference_discover(
            reference_walk(folder), False, config
        )


def test_the_config_file_is_never_a_plan(tree: Path) -> None:
    config = Config(path=tree / "revplan.yaml")
    assert "revplan.yaml" not in [s.display for s in discover([Path(".")], config)]


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


@pytest.mark.parametrize("pattern", PATTERNS)
def test_config_globs_find_the_yaml_files_pathlib_finds(tree: Path, pattern: str) -> None:
    config = Config(path=tree / "revplan.yaml", plans=(pattern,))
    found = [
        p for p in sorted(tree.glob(pattern)) if p.is_file() and p.name.endswith(YAML_SUFFIXES)
    ]
    assert discover([], config) == reference_discover(found, False, config)


def test_a_pathless_glob_from_a_relative_config(tree: Path) -> None:
    config = Config(path=Path("revplan.yaml"), plans=("*/*.yaml", "plans/**/*.yml"))
    found = [
        p
        for pattern in config.plans
        for p in sorted(Path(".").glob(pattern))
        if p.is_file() and p.name.endswith(YAML_SUFFIXES)
    ]
    assert discover([], config) == reference_discover(found, False, config)


def test_named_files_are_explicit_and_kept_once(tree: Path) -> None:
    config = Config(path=tree / "revplan.yaml")
    named = [Path("plans/a.yaml"), Path("plans/linked.yaml"), Path("plans/sub/d.yaml")]
    sources = discover(named, config)
    assert [s.display for s in sources] == ["plans/a.yaml", "plans/linked.yaml"]
    assert all(s.explicit for s in sources)
