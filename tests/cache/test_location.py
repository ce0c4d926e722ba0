"""Nothing a pull request can commit (a crafted cache folder, a symlink where a cache
would go) changes a verdict or makes revplan write outside the repository.

The attacker of these tests knows everything but the user's key: revplan's code,
the settings, the format of every line. They build a cache on their own machine
that records a complete plan's result under the content hash of a broken one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from conftest import COMPLETE_OKRS, TODAY, cache_folder_of, rewrite_cache_lines, run_cli

from engine.cache.location import choose, secret_key

BROKEN = """\
apiVersion: revplan/v1
kind: OKRs
id: sales
title: Sales
objectives:
  - id: pipeline
    title: Build pipeline
"""


def git(*args: str, cwd: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def check(repo: Path, *args: str):  # noqa: ANN201 - click's Result
    return run_cli("check", "--today", TODAY, *args, cwd=repo)


def plant_cache(repo: Path, folder: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As the attacker: a cache in ``repo/folder`` that says the broken plan is complete,
    every line signed with the attacker's own key."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker"))
    plan = repo / "plans" / "sales.yaml"
    plan.write_text(COMPLETE_OKRS, encoding="utf-8")
    for fmt in ("text", "json", "junit"):
        assert check(repo, "--format", fmt, "--cache-dir", folder).exit_code == 0
    good = hashlib.sha256(COMPLETE_OKRS.encode()).hexdigest().encode()
    bad = hashlib.sha256(BROKEN.encode()).hexdigest().encode()
    for log in (repo / folder).glob("check-*"):
        rewrite_cache_lines(log, lambda payload: payload.replace(good, bad))
    plan.write_text(BROKEN, encoding="utf-8")
    # Control: with the attacker's key the forged cache would pass the broken plan.
    assert check(repo, "--cache-dir", folder).exit_code == 0
    assert check(repo, "--no-cache").exit_code == 1


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "plans").mkdir(parents=True)
    return repo


def victim(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ci-runner"))


def test_a_committed_cache_folder_changes_no_verdict(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plant_cache(repo, ".revplan_cache", monkeypatch, tmp_path)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "a pull request with a cache", cwd=repo)
    victim(monkeypatch, tmp_path)
    result = check(repo)  # the default location is not in the work tree
    assert result.exit_code == 1, result.output
    assert "objective-has-key-results" in result.stdout
    # Named explicitly, a folder git tracks files in is refused, and the run says so.
    result = check(repo, "--cache-dir", ".revplan_cache")
    assert result.exit_code == 1, result.output
    assert "not using .revplan_cache: git tracks files in it" in result.stderr
    (repo / "revplan.yaml").write_text(
        "apiVersion: revplan/v1\nkind: Config\ncache_dir: .revplan_cache\n", encoding="utf-8"
    )
    assert check(repo).exit_code == 1


def test_a_cache_signed_with_another_key_is_recomputed(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Not tracked by git (a restored CI cache, a shared folder): the signatures decide."""
    plant_cache(repo, "shared-cache", monkeypatch, tmp_path)
    victim(monkeypatch, tmp_path)
    for fmt in ("text", "json", "junit"):
        result = check(repo, "--format", fmt, "--cache-dir", "shared-cache")
        assert result.exit_code == 1, (fmt, result.output)
        assert "objective-has-key-results" in result.stdout


def test_a_committed_cache_symlink_is_never_written_through(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    old = outside / "check-0123456789abcdef.cache"  # what the old code deleted after a week
    old.write_text("someone's file\n")
    os.utime(old, (1_600_000_000, 1_600_000_000))
    (repo / ".revplan_cache").symlink_to(outside)
    (repo / "plans" / "sales.yaml").write_text(BROKEN, encoding="utf-8")
    assert check(repo).exit_code == 1
    result = check(repo, "--cache-dir", ".revplan_cache")
    assert result.exit_code == 1
    assert "not using .revplan_cache: it is a symlink" in result.stderr
    (repo / "revplan.yaml").write_text(
        "apiVersion: revplan/v1\nkind: Config\ncache_dir: .revplan_cache/sub\n", encoding="utf-8"
    )
    result = check(repo)
    assert result.exit_code == 1
    assert "is a symlink" in result.stderr
    assert sorted(p.name for p in outside.iterdir()) == [old.name]


def test_one_cache_per_repository_wherever_revplan_runs(repo: Path) -> None:
    git("init", "-q", cwd=repo)
    (repo / "plans" / "accounts").mkdir()
    (repo / "plans" / "sales.yaml").write_text(COMPLETE_OKRS, encoding="utf-8")
    assert check(repo / "plans" / "accounts", "--format", "json", "../sales.yaml").exit_code == 0
    assert check(repo, "--format", "json").exit_code == 0
    assert check(repo, "-v").exit_code == 0
    folder = cache_folder_of(repo)
    assert folder.is_dir() and not folder.is_relative_to(repo)
    written = [p for p in repo.rglob("*") if ".git" not in p.parts]
    assert sorted(p.relative_to(repo).as_posix() for p in written) == [
        "plans",
        "plans/accounts",
        "plans/sales.yaml",
    ]
    assert f"cache: {folder}" in check(repo, "-v").stderr


def test_the_key_is_the_users_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    key = secret_key()
    assert key is not None and len(key) == 32 and secret_key() == key
    assert (tmp_path / "home-cache/revplan/key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other"))
    assert secret_key() != key
    # A relative XDG_CACHE_HOME is ignored, as the XDG spec says: never the work tree.
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert choose(None, tmp_path).folder.is_relative_to(tmp_path / "home" / ".cache" / "revplan")
