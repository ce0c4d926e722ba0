"""The pre-commit hooks, run by the real pre-commit against temporary git repositories.

pre-commit installs a hook repository from a git revision, so the tests commit a
copy of this working tree (the files a pip install needs, and the hook manifest)
to a temporary repository, tag it as docs/ci.md says, and point docs/ci.md's
config at it: they test exactly what is on disk. All of them share one
PRE_COMMIT_HOME, so revplan is installed into pre-commit's environment once
(about 25 s), not once per test.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import COMPLETE_OKRS, REPO, require, require_module, run_cli

from engine.cli import main

pre_commit_clientlib = require_module(
    "pre_commit.clientlib", "pre-commit is not installed (pip install pre-commit)"
)

# What `pip install` of revplan needs, and the hook manifest.
SOURCE_PARTS = (
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "engine",
    "schemas",
    "templates",
)
BAD = """\
apiVersion: revplan/v1
kind: OKRs
id: marketing
title: Marketing
objectives:
  - id: leads
    title: More leads
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "revplan tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "revplan tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}


def test_the_hook_manifest_is_valid_and_names_real_commands():
    hooks = {
        h["id"]: h for h in pre_commit_clientlib.load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    }
    assert set(hooks) == {"revplan-check", "revplan-render-check"}
    for hook in hooks.values():
        assert hook["language"] == "python"  # pre-commit installs revplan from this repository
        assert hook["pass_filenames"] is False  # references span files: check them all
        program, command, *_ = hook["entry"].split()
        assert program == "revplan" and command in main.commands


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV}
    )


def source_copy(folder: Path) -> Path:
    """This working tree's installable files, committed to a fresh git repository."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    for name in listed:
        source = REPO / name
        if name.split("/")[0] in SOURCE_PARTS and source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    git("init", "-q", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "revplan under test", cwd=folder)
    return folder


def test_the_hook_that_init_writes_runs_the_installed_revplan(tmp_path):
    require(shutil.which("git") is not None, "git is not installed")
    repo = tmp_path / "scaffold"
    init = [sys.executable, str(REPO / "cli.py"), "init", str(repo)]
    assert subprocess.run(init, capture_output=True).returncode == 0
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    bin_dir = tmp_path / "bin"  # `language: system` runs whatever `revplan` is on PATH
    bin_dir.mkdir()
    (bin_dir / "revplan").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{REPO / "cli.py"}" "$@"\n'
    )
    (bin_dir / "revplan").chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            **GIT_ENV,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        },
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "revplan check" in result.stdout and "Passed" in result.stdout


def documented_config(source: Path) -> str:
    """The .pre-commit-config.yaml that docs/ci.md shows, pointing at ``source``."""
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    block = text.split("\n## pre-commit\n", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    return block.replace("<URL of the revplan repository>", str(source))


@pytest.fixture(scope="module")
def tagged_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree committed, and tagged as docs/ci.md tells its host to tag it."""
    require(shutil.which("git") is not None, "git is not installed")
    require((REPO / ".git").exists(), "the checkout is not a git repository: cannot list its files")
    source = source_copy(tmp_path_factory.mktemp("revplan"))
    [repo] = yaml.safe_load(documented_config(source))["repos"]
    git("tag", str(repo["rev"]), cwd=source)
    return source


@pytest.fixture(scope="module")
def hook_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit store for the module: the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def run_documented_hooks(
    source: Path, plans_repo: Path, home: Path, *, only_check: bool = False
) -> subprocess.CompletedProcess:
    config = yaml.safe_load(documented_config(source))
    if only_check:  # a repository without rendered documents: the render hook does not apply
        [repo] = config["repos"]
        repo["hooks"] = [h for h in repo["hooks"] if h["id"] == "revplan-check"]
    (plans_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    if not (plans_repo / ".git").exists():
        git("init", "-q", cwd=plans_repo)
    git("add", "-A", cwd=plans_repo)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=plans_repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, "NO_COLOR": "1", "PRE_COMMIT_HOME": str(home)},
        timeout=600,
    )


def test_the_check_hook_passes_on_a_good_plan_and_fails_on_a_bad_one(
    tagged_source, hook_home, tmp_path
):
    plans = tmp_path / "plans-repo"
    (plans / "plans").mkdir(parents=True)
    (plans / "plans" / "sales.yaml").write_text(COMPLETE_OKRS, encoding="utf-8")

    passed = run_documented_hooks(tagged_source, plans, hook_home, only_check=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "revplan check" in passed.stdout and "Passed" in passed.stdout

    (plans / "plans" / "marketing.yaml").write_text(BAD, encoding="utf-8")
    failed = run_documented_hooks(tagged_source, plans, hook_home, only_check=True)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "plans/marketing.yaml:6:5: error objective-has-key-results" in failed.stdout


def test_the_documented_hooks_pass_in_the_layout_init_writes(tagged_source, hook_home, tmp_path):
    """docs/ci.md's config, as written (its rev a tag that exists, --out the folder render
    writes): both hooks pass, and the render check fails when a document is missing."""
    repo = tmp_path / "plans-repo"
    assert run_cli("init", str(repo)).exit_code == 0
    assert run_cli("render", "--out", "docs", cwd=repo).exit_code == 0
    result = run_documented_hooks(tagged_source, repo, hook_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "revplan render --check" in result.stdout and "Failed" not in result.stdout
    (repo / "docs" / "accounts" / "northwind.md").unlink()
    result = run_documented_hooks(tagged_source, repo, hook_home)
    assert result.returncode == 1 and "missing: docs/accounts/northwind.md" in result.stdout


def test_the_documented_hooks_use_plans_revplan_yaml_in_this_repositorys_layout(
    tagged_source, hook_home, tmp_path
):
    """The check hook (no paths, from the root) finds plans/revplan.yaml: its pinned
    today and waivers give the README's findings (this repository's example plans
    fail on purpose); the documents are up to date."""
    repo = tmp_path / "this-layout"
    for folder in ("plans", "docs"):
        shutil.copytree(REPO / folder, repo / folder)
    result = run_documented_hooks(tagged_source, repo, hook_home)
    readme_line = next(
        line
        for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("5 files checked")
    )
    assert readme_line in result.stdout, result.stdout + result.stderr
    assert re.search(r"revplan render --check\.+Passed", result.stdout), result.stdout
