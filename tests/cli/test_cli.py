"""The command line contract: exit codes, output shapes, config discovery, options."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, TESTS, TODAY, check_json, require, run_cli

CLEAN = """\
apiVersion: revplan/v1
kind: OKRs
id: sales-fy27
title: Sales FY27
objectives:
  - id: pipeline
    title: Build pipeline
    key_results:
      - {id: opps, title: Qualified opportunities, baseline: 10, target: 40, current: 22}
"""
WARNING_ONLY = CLEAN.replace(
    "baseline: 10, target: 40, current: 22", "baseline: 10, target: 40"
) + (
    "  - id: more\n    title: More\n    key_results:\n"
    + "".join(f"      - {{id: k{i}, title: K{i}, baseline: 0, target: 1}}\n" for i in range(6))
)
ERROR = CLEAN.replace(
    "    key_results:\n      - {id: opps, title: Qualified opportunities, baseline: 10, target: 40, current: 22}\n",
    "",
)


def test_exit_0_when_clean_1_on_errors_and_fail_on_warning(write):
    assert run_cli("check", str(write("ok.yaml", CLEAN)), "--no-cache").exit_code == 0
    warn = write("warn/w.yaml", WARNING_ONLY)
    assert run_cli("check", str(warn), "--no-cache").exit_code == 0
    assert run_cli("check", str(warn), "--no-cache", "--fail-on", "warning").exit_code == 1
    assert run_cli("check", str(write("bad/e.yaml", ERROR)), "--no-cache").exit_code == 1


def test_exit_2_for_bad_command_line_missing_path_and_no_plans(tmp_path):
    assert run_cli("check", "--format", "xml").exit_code == 2
    assert run_cli("check", str(tmp_path / "nope")).exit_code == 2
    (tmp_path / "other.yaml").write_text("name: not a plan\n")
    result = run_cli("check", str(tmp_path), "--no-cache")
    assert result.exit_code == 2 and "none of the 1 YAML file(s)" in result.stderr
    # ... and says why each file was not taken for a plan, without -v
    assert "other.yaml: has no apiVersion: revplan/..." in result.stderr
    assert run_cli("check", "--today", "23/11/2026", str(tmp_path)).exit_code == 2


def test_errors_on_stderr_never_pass_escape_sequences_through(tmp_path):
    result = run_cli("check", str(tmp_path / "evil\x1b]0;pwned\x07.yaml"))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "evil\\x1b]0;pwned\\x07.yaml: no such file or directory" in result.stderr


def test_json_output_has_the_documented_shape(write):
    code, report = check_json(write("bad/e.yaml", ERROR))
    assert code == 1
    assert report["version"] == 1
    assert set(report["summary"]) == {
        "files",
        "plans",
        "okrs",
        "errors",
        "warnings",
        "infos",
        "waived",
    }
    assert report["summary"]["okrs"] == 1 and report["summary"]["errors"] == 1
    [finding] = report["findings"]
    assert list(finding) == [
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "plan",
        "target",
        "waived",
    ]
    assert finding["rule"] == "objective-has-key-results"
    assert finding["plan"] == "sales-fy27" and finding["target"] == "pipeline"
    assert (finding["line"], finding["column"]) == (6, 5)


def test_file_paths_are_relative_to_the_current_directory(write, tmp_path):
    write("plans/e.yaml", ERROR)
    _, report = check_json("plans", cwd=tmp_path)
    assert report["findings"][0]["file"] == "plans/e.yaml"


def test_text_output_is_grouped_by_file_with_a_summary_line(write, tmp_path):
    write("plans/a.yaml", ERROR)
    write("plans/b.yaml", ERROR.replace("sales-fy27", "mkt-fy27"))
    result = run_cli("check", "plans", "--no-cache", "--no-color", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "plans/a.yaml:6:5: error objective-has-key-results objective 'pipeline'"
    )
    assert lines[1] == ""
    assert lines[2].startswith("plans/b.yaml:6:5: error objective-has-key-results")
    assert lines[-1].startswith("2 files checked (0 account plans, 2 OKR sets): 2 errors")
    assert "\033[" not in result.stdout


def test_config_is_found_upward_from_the_current_directory(write, tmp_path):
    write(
        "revplan.yaml",
        "apiVersion: revplan/v1\nkind: Config\nplans: ['okrs/*.yaml']\nfail_on: warning\n",
    )
    write("okrs/w.yaml", WARNING_ONLY)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    result = run_cli("check", "--no-cache", cwd=tmp_path / "deep" / "er")
    assert result.exit_code == 1, result.output  # fail_on: warning from the config
    assert "okrs/w.yaml" in result.stdout


def test_explicit_config_option_and_invalid_config_exits_2(write, tmp_path):
    plan = write("w.yaml", WARNING_ONLY)
    strict = write("conf/strict.yaml", "apiVersion: revplan/v1\nkind: Config\nfail_on: warning\n")
    assert run_cli("check", str(plan), "--no-cache", "--config", str(strict)).exit_code == 1
    bad = write(
        "conf/bad.yaml",
        "apiVersion: revplan/v1\nkind: Config\nrules:\n  backup-per-contat: {severity: off}\n",
    )
    result = run_cli("check", str(plan), "--no-cache", "--config", str(bad))
    assert result.exit_code == 2
    assert (
        "bad.yaml:4:3: unknown rule 'backup-per-contat' — did you mean 'backup-per-contact'?"
        in result.stderr
    )
    assert run_cli("check", str(plan), "--config", str(tmp_path / "missing.yaml")).exit_code == 2


def test_quiet_prints_only_failing_findings(write):
    plan = write("w.yaml", WARNING_ONLY)
    result = run_cli("check", str(plan), "--no-cache", "-q")
    assert result.stdout == ""
    result = run_cli("check", str(write("e/e.yaml", ERROR)), "--no-cache", "-q")
    assert len(result.stdout.splitlines()) == 1


def test_verbose_says_which_files_were_skipped_and_why(write, tmp_path):
    write("plans/ok.yaml", CLEAN)
    write("plans/ci.yaml", "on: push\njobs: {}\n")
    result = run_cli("check", "plans", "--no-cache", "-v", cwd=tmp_path)
    assert "skipped plans/ci.yaml: has no apiVersion: revplan/" in result.stdout
    assert "skipped" not in run_cli("check", "plans", "--no-cache", cwd=tmp_path).stdout


def test_today_option_changes_what_is_overdue(write):
    plan = write(
        "acme.yaml",
        "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: acme, name: Acme}\nobjectives:\n"
        "  - id: o\n    title: O\n    actions: [{id: a, title: A, due: 2026-12-01}]\n",
    )
    _, before = check_json(plan, extra=("--today", "2026-11-30"))
    _, after = check_json(plan, extra=("--today", "2026-12-02"))
    assert "action-overdue" not in {f["rule"] for f in before["findings"]}
    assert "action-overdue" in {f["rule"] for f in after["findings"]}


def test_rules_and_explain_cover_every_rule():
    from engine.rules import RULES

    listing = run_cli("rules").stdout
    for rule_id, rule in RULES.items():
        assert rule_id in listing
        page = run_cli("explain", rule_id)
        assert page.exit_code == 0
        assert "Anti-pattern:" in page.stdout and "Best practice:" in page.stdout
        assert rule.summary in page.stdout
    result = run_cli("explain", "backup-per-contat")
    assert result.exit_code == 2 and "did you mean 'backup-per-contact'" in result.stderr


def test_every_command_has_help_with_an_example():
    for command in ("check", "rules", "explain", "schema", "graph"):
        result = run_cli(command, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, command


def test_graph_exports_every_format(write):
    plan = write("plans/acme.yaml", (TESTS / "fixtures/spec-account.yaml").read_text())
    for fmt in ("mermaid", "dot", "json", "graphml"):
        result = run_cli("graph", str(plan.parent), "--format", fmt, "--today", TODAY, "--no-color")
        assert result.exit_code == 0, result.output
    data = json.loads(run_cli("graph", str(plan.parent), "--format", "json").stdout)
    edges = {(e["source"], e["target"], e["relation"]) for e in data["links"]}
    assert ("stakeholder:acme/kenji", "stakeholder:acme/maria", "backs_up") in edges
    assert ("action:acme/value-review", "stakeholder:acme/tom", "engages") in edges
    mermaid = run_cli("graph", str(plan.parent)).stdout
    assert mermaid.startswith("flowchart LR")


def _installed_revplan() -> str | None:
    beside = Path(sys.executable).parent / "revplan"
    return str(beside) if beside.exists() else shutil.which("revplan")


def test_installed_command_runs_from_any_directory(tmp_path):
    revplan = _installed_revplan()
    require(revplan is not None, "revplan is not installed in this environment: pip install .")
    assert revplan is not None
    plans = REPO / "plans"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [revplan, "check", str(plans), "--format", "json", "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["plans"] == 3
    schema = subprocess.run(
        [revplan, "schema", "OKRs"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"]
    module = subprocess.run(
        [sys.executable, str(REPO / "cli.py"), "check", str(plans), "--format", "json", "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert module.returncode == 1 and json.loads(module.stdout) == report


def test_the_format_names_the_command_line_accepts_are_the_reporters() -> None:
    from engine.reporters import FORMATS, reporters

    assert tuple(reporters()) == FORMATS
    result = run_cli("check", "--format", "yaml", "--no-cache", cwd=REPO)
    assert result.exit_code == 2
    assert "'yaml' is not a format; choose from text, json, sarif, junit, github" in result.output
