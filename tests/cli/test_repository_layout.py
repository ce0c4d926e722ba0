"""Which config a run uses, and what checking some files reads (issue 14).

One rule finds the config for every command (docs/cli.md, "Which config"):
from the folder of each path given, then of the current directory, upwards,
``revplan.yaml`` else ``plans/revplan.yaml``, never above the git work tree.
Checking named files reads the repository's other plans, as a type checker
reads a project. Each test here failed on 5dccc28 (see the notes of issue 14).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_cli

PLAN_FILES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "plans").rglob("*.yaml"))
PLAN_FILES.remove("plans/revplan.yaml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of this repository's own layout: plans/revplan.yaml, plans in plans/."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "plans", root / "plans")
    (root / ".git").mkdir()  # the work tree's root, as a clone has it
    (root / "docs").mkdir()
    return root


def run_json(cwd: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("check", "--no-cache", "--format", "json", *args, cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("where", [".", "docs", "plans/accounts"])
def test_check_without_paths_finds_plans_revplan_yaml(repo, where):
    config = os.path.relpath(repo / "plans" / "revplan.yaml", repo / where)
    found = run_json(repo / where)
    assert found == run_json(repo / where, "--config", config)
    # The config's pinned today and its waiver are in force (the README's numbers).
    assert found[1]["summary"]["waived"] == 2


def test_render_and_graph_use_the_same_config(repo):
    for command in (["graph", "--format", "json"], ["render", "--out", "out", "--check"]):
        found = run_cli(*command, cwd=repo)
        given = run_cli(*command, "--config", "plans/revplan.yaml", cwd=repo)
        assert (found.exit_code, found.output) == (given.exit_code, given.output), command
    run_cli("render", "--out", "a", cwd=repo)
    run_cli("render", "--out", "b", "--config", "plans/revplan.yaml", cwd=repo)
    written = sorted(p.relative_to(repo / "a") for p in (repo / "a").rglob("*.md"))
    assert written and written == sorted(
        p.relative_to(repo / "b") for p in (repo / "b").rglob("*.md")
    )
    for name in written:
        assert (repo / "a" / name).read_bytes() == (repo / "b" / name).read_bytes()


def test_a_config_above_the_work_tree_is_not_used(tmp_path):
    (tmp_path / "revplan.yaml").write_text(
        "apiVersion: revplan/v1\nkind: Config\nrules: {schema: {severity: off}}\n"
    )
    root = tmp_path / "clone"
    (root / ".git").mkdir(parents=True)
    (root / "plans").mkdir()
    (root / "plans" / "x.yaml").write_text("apiVersion: revplan/v1\nkind: OKRs\nid: x\n")
    code, report = run_json(root)
    assert code == 1 and {f["rule"] for f in report["findings"]} == {"schema"}


@pytest.mark.parametrize("name", PLAN_FILES)
def test_checking_one_file_reports_what_the_whole_check_reports_of_it(repo, name):
    """No false unresolved-reference for OKRs in other files or waivers in the config."""
    _, whole = run_json(repo)
    code, one = run_json(repo, name)
    mine = [f for f in whole["findings"] if f["file"] == name]
    assert one["findings"] == mine
    assert code == (1 if any(f["severity"] == "error" and not f["waived"] for f in mine) else 0)
    assert one["summary"]["files"] == 1


def test_checking_one_file_with_the_cache_on_gives_the_same_report(repo):
    name = "plans/accounts/huaxin-health.yaml"
    reference = run_cli("check", "--no-cache", name, cwd=repo)
    for _ in range(2):  # fills the cache, then reads it
        cached = run_cli("check", name, cwd=repo)
        assert (cached.exit_code, cached.stdout) == (reference.exit_code, reference.stdout)
