"""One rule for what is a plan (issue 14): every YAML-looking file under the plan paths
is a plan or a located finding; only what the user excluded is left out, and counted.

Each test here failed on 5dccc28, where such files were skipped without a word
(or with a false reason under --verbose), or never found.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, TODAY, check_json, run_cli

PLAN = "apiVersion: revplan/v1\nkind: OKRs\nid: {id}\ntitle: T\nobjectives:\n" + (
    "  - id: o\n    title: O\n    key_results:\n"
    "      - {{id: k, title: K, baseline: 1, target: 2, current: 1}}\n"
)
BROKEN = PLAN + "bogus: 1\n"  # one schema error (an unknown field)
CONFIG = "apiVersion: revplan/v1\nkind: Config\nplans: ['plans/**/*.yaml']\n"


def put(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def located(report: dict) -> dict[str, list[tuple[str, int]]]:
    """Each file's findings, as (rule, line)."""
    out: dict[str, list[tuple[str, int]]] = {}
    for f in report["findings"]:
        out.setdefault(f["file"], []).append((f["rule"], f["line"]))
    return out


def test_a_long_comment_header_then_a_yaml_error_is_a_finding_at_the_error(tmp_path):
    header = "# notes\n" * 9000  # 72 KiB: past the 64 KiB that was looked at for 'revplan/'
    put(tmp_path, "revplan.yaml", CONFIG)
    put(tmp_path, "plans/broken.yaml", header + PLAN.format(id="x") + "  - [unclosed\n")
    put(tmp_path, "plans/ok.yaml", PLAN.format(id="ok"))
    code, report = check_json(cwd=tmp_path)
    assert code == 1
    broken = located(report)["plans/broken.yaml"]
    assert [rule for rule, _ in broken] == ["yaml-syntax"]
    assert broken[0][1] > 9000  # at the mistake, not at the top of the file


def test_a_plan_over_the_size_limit_is_a_finding(tmp_path):
    put(tmp_path, "revplan.yaml", CONFIG + "limits: {max_file_bytes: 100000}\n")
    put(tmp_path, "plans/big.yaml", "# c\n" * 30000 + PLAN.format(id="big"))
    put(tmp_path, "plans/ok.yaml", PLAN.format(id="ok"))
    code, report = check_json(cwd=tmp_path)
    assert code == 1
    [finding] = [f for f in report["findings"] if f["file"] == "plans/big.yaml"]
    assert finding["rule"] == "yaml-syntax" and "larger than the limit" in finding["message"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
        ("apiVersion: revplan/v1\nkind: OKRs\nid: caf\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"\x00\x01binary", "binary"),
    ],
    ids=["png", "latin-1", "nul"],
)
def test_binary_and_non_utf8_yaml_files_in_the_plans_folder_are_findings(tmp_path, content, says):
    put(tmp_path, "plans/ok.yaml", PLAN.format(id="ok"))
    put(tmp_path, "plans/odd.yaml", content)
    code, report = check_json("plans", cwd=tmp_path)
    assert code == 1
    [finding] = [f for f in report["findings"] if f["file"] == "plans/odd.yaml"]
    assert finding["rule"] == "yaml-syntax" and says in finding["message"]


def test_another_tools_yaml_in_the_plans_folder_is_a_finding_until_excluded(tmp_path, monkeypatch):
    put(tmp_path, "revplan.yaml", CONFIG)
    put(tmp_path, "plans/ok.yaml", PLAN.format(id="ok"))
    put(tmp_path, "plans/ci.yaml", "name: ci\non: push\n")
    put(tmp_path, "plans/drafts/idea.yaml", "notes: later\n")
    code, report = check_json(cwd=tmp_path)
    assert code == 1
    messages = [f["message"] for f in report["findings"]]
    assert len(messages) == 2 and all("exclude:" in m for m in messages)

    put(tmp_path, "revplan.yaml", CONFIG + "exclude: ['plans/ci.yaml', 'plans/drafts/**']\n")
    code, report = check_json(cwd=tmp_path)
    assert code == 0 and report["findings"] == []
    assert report["summary"]["files"] == 1
    # The file and the folder left out, each counted.
    assert report["summary"]["skipped"] == {"excluded": 2, "gitignored": 0, "hidden": 0}
    text = run_cli("check", "--no-cache", cwd=tmp_path).stdout
    assert "not checked: 2 excluded by exclude:" in text
    # The pull request's job summary says it too: a green run shows what it left out.
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run_cli("check", "--no-cache", "--format", "github", cwd=tmp_path).exit_code == 0
    assert "not checked: 2 excluded by exclude:" in summary.read_text(encoding="utf-8")
    verbose = run_cli("check", "--no-cache", "-v", cwd=tmp_path).stdout
    assert "skipped plans/ci.yaml: excluded by exclude: in the config" in verbose
    assert "skipped plans/drafts/: excluded by exclude: in the config" in verbose


def test_a_second_config_among_the_plans_is_a_finding(tmp_path):
    put(tmp_path, "revplan.yaml", CONFIG)
    put(tmp_path, "plans/ok.yaml", PLAN.format(id="ok"))
    put(tmp_path, "plans/team/revplan.yaml", "apiVersion: revplan/v1\nkind: Config\n")
    code, report = check_json(cwd=tmp_path)
    assert code == 1
    [finding] = report["findings"]
    assert (
        finding["file"] == "plans/team/revplan.yaml"
        and "second revplan config" in (finding["message"])
    )


def test_yml_and_upper_case_suffixes_are_found_by_a_yaml_glob(tmp_path):
    put(tmp_path, "revplan.yaml", CONFIG)
    for name in ("a.yaml", "b.yml", "C.YAML", "d.Yml"):
        put(tmp_path, f"plans/{name}", BROKEN.format(id=name[0].lower()))
    code, report = check_json(cwd=tmp_path)
    assert code == 1
    assert sorted(located(report)) == ["plans/C.YAML", "plans/a.yaml", "plans/b.yml", "plans/d.Yml"]
    # ... and by walking a folder
    _, walked = check_json("plans", cwd=tmp_path)
    assert sorted(located(walked)) == sorted(located(report))


def test_a_yml_plan_in_a_repository_made_by_init_is_checked(tmp_path):
    assert run_cli("init", "repo", cwd=tmp_path).exit_code == 0
    repo = tmp_path / "repo"
    put(repo, "plans/okrs/extra.yml", BROKEN.format(id="extra"))
    code, report = check_json(cwd=repo)
    assert code == 1
    assert any(f["file"] == "plans/okrs/extra.yml" for f in report["findings"])


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def work_tree(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.fail("git is needed for the .gitignore tests")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    put(repo, "revplan.yaml", "apiVersion: revplan/v1\nkind: Config\nplans: ['**/*.yaml']\n")
    put(repo, ".gitignore", "node_modules/\n*.local.yaml\n!keep.local.yaml\nbuild\n")
    put(repo, "plans/ok.yaml", PLAN.format(id="ok"))
    put(repo, "plans/mine.local.yaml", "scratch: true\n")  # ignored
    put(repo, "plans/keep.local.yaml", PLAN.format(id="keep"))  # re-included by '!'
    put(repo, "plans/sub/.gitignore", "secret.yaml\n!/keep.local.yaml\n")
    put(repo, "plans/sub/secret.yaml", "token: x\n")  # ignored by the nested file
    put(repo, "plans/sub/plan.yaml", PLAN.format(id="sub"))
    put(repo, "node_modules/pkg/x.yaml", "name: pkg\n")  # ignored: never walked
    put(repo, "build/out.yaml", "generated: true\n")  # a folder ignored without a slash
    put(repo, ".venv/lib/site.yaml", "x: 1\n")  # hidden: never walked
    put(repo, ".github/workflows/ci.yaml", "on: push\n")  # hidden
    return repo


def test_gitignored_files_and_folders_and_hidden_folders_are_left_out_and_counted(work_tree):
    code, report = check_json(cwd=work_tree)
    assert code == 0, report["findings"]
    assert report["summary"]["files"] == 3  # ok, keep.local, sub/plan
    # mine.local.yaml, sub/secret.yaml, node_modules/, build/; .github/, .venv/ (.git is git's)
    assert report["summary"]["skipped"] == {"excluded": 0, "gitignored": 4, "hidden": 2}
    verbose = run_cli("check", "--no-cache", "-v", cwd=work_tree).stdout
    for line in (
        "skipped node_modules/: ignored by a .gitignore",
        "skipped plans/sub/secret.yaml: ignored by a .gitignore",
        "skipped .venv/: a hidden folder",
    ):
        assert line in verbose
    assert "not checked: 4 gitignored, 2 hidden folders" in verbose


def test_a_gitignore_cannot_hide_a_plan_that_git_tracks(work_tree):
    """git ignores only untracked files: a pull request that adds a .gitignore matching
    a committed plan must not make that plan drop out of the check."""
    put(work_tree, "plans/ignored-plan.local.yaml", BROKEN.format(id="p"))
    git(work_tree, "add", "-f", "plans/ignored-plan.local.yaml")
    code, report = check_json(cwd=work_tree)
    assert code == 1
    assert {f["file"] for f in report["findings"]} == {"plans/ignored-plan.local.yaml"}


def test_without_git_the_gitignore_files_still_count(work_tree):
    shutil.rmtree(work_tree / ".git")
    code, report = check_json(cwd=work_tree)
    assert code == 0
    assert report["summary"]["skipped"]["gitignored"] == 4


def test_a_file_named_on_the_command_line_is_checked_even_if_excluded(work_tree):
    code, report = check_json("plans/sub/secret.yaml", cwd=work_tree)
    assert code == 1
    assert [f["file"] for f in report["findings"]] == ["plans/sub/secret.yaml"]


def test_this_repositorys_own_plans_leave_nothing_out():
    """The shipped layout: every YAML file under plans/ is a plan (the config aside)."""
    result = run_cli("check", "--no-cache", "--format", "json", cwd=REPO)
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 5
    assert report["summary"]["skipped"] == {"excluded": 0, "gitignored": 0, "hidden": 0}
    assert TODAY  # the config pins today: the run is reproducible
