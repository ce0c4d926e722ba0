"""`revplan init`: a scaffold that passes its own checks, wires editors and CI, overwrites nothing."""

import fnmatch
import importlib.metadata
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import require_module, run_cli

from engine import scaffold as init_cli

SCAFFOLD = [
    ".github/workflows/revplan.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".revplan/schemas/accountplan.schema.json",
    ".revplan/schemas/config.schema.json",
    ".revplan/schemas/okrs.schema.json",
    ".vscode/extensions.json",
    ".vscode/settings.json",
    "plans/accounts/northwind.yaml",
    "plans/okrs/revenue-okrs.yaml",
    "revplan.yaml",
]
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_init_into_an_empty_folder_then_check_passes_with_no_finding(tmp_path):
    result = run_cli("init", "repo", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    repo = tmp_path / "repo"
    assert files_in(repo) == SCAFFOLD
    check = run_cli("check", "--no-cache", "--format", "json", cwd=repo)  # the real today
    assert check.exit_code == 0, check.output
    report = json.loads(check.stdout)
    assert report["findings"] == []
    assert (report["summary"]["plans"], report["summary"]["okrs"]) == (1, 1)


@pytest.mark.parametrize("today", ["2028-02-29", "2027-01-31", "2026-12-31", "2030-06-15"])
def test_the_example_stays_clean_whatever_the_date(tmp_path, today):
    assert run_cli("init", "--today", today, cwd=tmp_path).exit_code == 0
    check = run_cli("check", "--no-cache", "--format", "json", "--today", today, cwd=tmp_path)
    assert check.exit_code == 0
    assert json.loads(check.stdout)["findings"] == []


def test_init_twice_refuses_to_overwrite_and_force_does(tmp_path):
    assert run_cli("init", cwd=tmp_path).exit_code == 0
    plan = tmp_path / "plans/accounts/northwind.yaml"
    plan.write_text("# my own plan now\n", encoding="utf-8")
    again = run_cli("init", cwd=tmp_path)
    assert again.exit_code == 2
    assert "revplan.yaml exists" in again.stderr and "nothing written" in again.stderr
    assert plan.read_text(encoding="utf-8") == "# my own plan now\n"
    forced = run_cli("init", "--force", cwd=tmp_path)
    assert forced.exit_code == 0
    assert plan.read_text(encoding="utf-8").startswith("# yaml-language-server:")


def test_existing_files_of_a_repository_are_kept(tmp_path):
    (tmp_path / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode/settings.json").write_text('{"editor.tabSize": 2}\n', encoding="utf-8")
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "node_modules/\n"
    assert (tmp_path / ".vscode/settings.json").read_text(encoding="utf-8") == (
        '{"editor.tabSize": 2}\n'
    )
    assert "kept the existing .gitignore" in result.stdout
    assert "kept the existing .vscode/settings.json" in result.stdout
    assert (tmp_path / "revplan.yaml").is_file()


def test_a_folder_that_is_a_file_exits_2(tmp_path):
    (tmp_path / "taken").write_text("", encoding="utf-8")
    assert run_cli("init", "taken", cwd=tmp_path).exit_code == 2


def test_yaml_files_point_editors_at_the_shipped_schemas(tmp_path):
    run_cli("init", cwd=tmp_path)
    expected = {
        "revplan.yaml": "Config",
        "plans/accounts/northwind.yaml": "AccountPlan",
        "plans/okrs/revenue-okrs.yaml": "OKRs",
    }
    for relative, kind in expected.items():
        path = tmp_path / relative
        [target] = MODELINE.findall(path.read_text(encoding="utf-8"))
        schema_file = (path.parent / target).resolve()  # relative to the YAML file
        printed = run_cli("schema", kind).stdout
        assert json.loads(schema_file.read_text(encoding="utf-8")) == json.loads(printed)
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["kind"] == kind


def test_vscode_settings_map_every_generated_plan_to_its_schema(tmp_path):
    run_cli("init", cwd=tmp_path)
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for schema_path in mapping:
        assert (tmp_path / schema_path).is_file()

    def schema_of(relative: str) -> str:
        [match] = [
            s for s, globs in mapping.items() if any(fnmatch.fnmatch(relative, g) for g in globs)
        ]
        return match

    assert schema_of("revplan.yaml").endswith("config.schema.json")
    assert schema_of("plans/accounts/northwind.yaml").endswith("accountplan.schema.json")
    assert schema_of("plans/okrs/revenue-okrs.yaml").endswith("okrs.schema.json")
    extensions = json.loads((tmp_path / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_pre_commit_config_is_valid_and_runs_revplan_check(tmp_path):
    clientlib = require_module("pre_commit.clientlib", "pre-commit is not installed")
    run_cli("init", cwd=tmp_path)
    config = clientlib.load_config(str(tmp_path / ".pre-commit-config.yaml"))
    [hook] = [h for repo in config["repos"] for h in repo["hooks"]]
    assert hook["id"] == "revplan-check" and hook["entry"] == "revplan check"
    assert hook["pass_filenames"] is False


def installed_from(monkeypatch: pytest.MonkeyPatch, direct_url: dict | None) -> None:
    class Distribution:
        def read_text(self, name: str) -> str | None:
            assert name == "direct_url.json"
            return None if direct_url is None else json.dumps(direct_url)

    monkeypatch.setattr(importlib.metadata, "distribution", lambda _: Distribution())


def scaffolded_workflow() -> str:
    source = init_cli.ci_source()
    return init_cli.scaffold(init_cli.date(2026, 11, 23), source)[".github/workflows/revplan.yml"]


def test_ci_installs_revplan_from_where_it_came_from_without_credentials(monkeypatch):
    vcs = {"vcs": "git", "requested_revision": "v0.1.0", "commit_id": "abc"}
    installed_from(
        monkeypatch, {"url": "https://user:token@git.example.com/team/revplan.git", "vcs_info": vcs}
    )
    requirement = "revplan @ git+https://git.example.com/team/revplan.git@v0.1.0"
    assert init_cli.ci_source() == (None, requirement)
    assert f'pip install "{requirement}"' in scaffolded_workflow()
    # From GitHub: the Action at the same revision (it installs revplan from its checkout).
    installed_from(
        monkeypatch, {"url": "https://token@github.com/team/revplan.git", "vcs_info": vcs}
    )
    workflow = yaml.safe_load(scaffolded_workflow())
    steps = workflow["jobs"]["check"]["steps"]
    assert [s.get("uses") for s in steps] == ["actions/checkout@v4", "team/revplan@v0.1.0"]


def test_an_editable_checkout_names_its_origin_and_commit(monkeypatch, tmp_path):
    import subprocess

    checkout = tmp_path / "revplan"
    checkout.mkdir()
    git = ["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@e.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    subprocess.run([*git, "remote", "add", "origin", "git@github.com:team/revplan.git"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    installed_from(monkeypatch, {"url": checkout.as_uri(), "dir_info": {"editable": True}})
    assert init_cli.ci_source().action == f"team/revplan@{commit}"


def test_a_release_install_never_asks_pypi_for_revplan(monkeypatch):
    """revplan is not on PyPI: ``pip install revplan==0.1.0`` fails on the first run."""
    installed_from(monkeypatch, None)  # installed from an index, a wheel: nothing recorded
    workflow = scaffolded_workflow()
    assert "revplan==" not in workflow and "pip install" not in workflow
    assert f"uses: your-org/revplan@v{init_cli.__version__}" in workflow
    assert "Replace your-org/revplan" in workflow
