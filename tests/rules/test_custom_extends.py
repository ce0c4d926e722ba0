"""extends: custom rules shared through files of the repository, never outside it."""

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import run_cli

from engine.config import ConfigError, load_config

HEAD = "apiVersion: revplan/v1\nkind: Config\n"


def rule(ident: str, assertion: str = "true") -> str:
    return f'  - {{id: {ident}, summary: {ident} holds, assert: "{assertion}"}}\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # the repository's root
    monkeypatch.chdir(root)
    return root


def load(root: Path):
    return load_config(root / "revplan.yaml", "revplan.yaml")


def errors(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(root)
    return caught.value.messages


def test_shared_rules_come_first_depth_first_each_file_once(repo):
    write(repo, {
        "revplan.yaml": HEAD + "extends: [shared/a.yaml, shared/b.yaml]\ncustom_rules:\n" + rule("own"),
        "shared/a.yaml": HEAD + "extends: c.yaml\ncustom_rules:\n" + rule("from-a"),
        "shared/b.yaml": HEAD + "extends: [c.yaml]\ncustom_rules:\n" + rule("from-b"),
        "shared/c.yaml": HEAD + "custom_rules:\n" + rule("from-c"),
    })  # fmt: skip
    config = load(repo)
    assert [r.id for r in config.custom_rules] == ["from-c", "from-a", "from-b", "own"]
    assert [r.origin for r in config.custom_rules] == [
        "shared/c.yaml", "shared/a.yaml", "shared/b.yaml", "",
    ]  # fmt: skip


def test_a_shared_rule_is_a_rule_like_the_others(repo):
    plan = textwrap.dedent("""\
        apiVersion: revplan/v1
        kind: AccountPlan
        account: {id: acme, name: Acme}
    """)
    write(repo, {
        "revplan.yaml": HEAD + "extends: shared/rules.yaml\nrules:\n  quiet: {severity: off}\n",
        "shared/rules.yaml": HEAD + "custom_rules:\n" + rule("named", "account.name == 'x'")
        + rule("quiet", "false"),
        "plans/acme.yaml": plan,
    })  # fmt: skip
    result = run_cli("check", "plans", "--no-cache", "--format", "json")
    found = [f["rule"] for f in json.loads(result.output)["findings"]]
    assert "named" in found and "quiet" not in found
    explained = run_cli("explain", "named").output
    assert explained.startswith("named (custom rule in shared/rules.yaml; severity: warning)")


def test_an_extends_path_outside_the_repository_is_refused_unread(repo):
    # Were it read, its broken YAML would be the error.
    (repo.parent / "outside.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    write(
        repo,
        {"revplan.yaml": HEAD + "extends:\n  - ../outside.yaml\n  - shared/../../outside.yaml\n"},
    )
    assert errors(repo) == [
        f"revplan.yaml:{line}:5: extends '{p}' is outside the repository — extends reads only "
        "files inside it; copy the shared rules in (a git submodule or subtree keeps them in step)"
        for line, p in ((4, "../outside.yaml"), (5, "shared/../../outside.yaml"))
    ]


def test_an_absolute_extends_path_is_refused(repo):
    write(repo, {"revplan.yaml": HEAD + "extends: /etc/hostname\n"})
    assert errors(repo) == [
        "revplan.yaml:3:10: extends '/etc/hostname' is an absolute path — name the file "
        "relative to the folder of the file that extends it, inside the repository"
    ]


def test_a_symlink_out_of_the_repository_is_refused_unread(repo):
    (repo.parent / "outside.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    (repo / "shared").mkdir()
    (repo / "shared" / "rules.yaml").symlink_to(repo.parent / "outside.yaml")
    (repo / "elsewhere").symlink_to(repo.parent, target_is_directory=True)
    write(repo, {"revplan.yaml": HEAD + "extends: [shared/rules.yaml, elsewhere/outside.yaml]\n"})
    assert errors(repo) == [
        f"revplan.yaml:3:{column}: extends '{p}' leads outside the repository through a symlink"
        " — extends reads only files inside it"
        for column, p in ((11, "shared/rules.yaml"), (30, "elsewhere/outside.yaml"))
    ]


def test_a_missing_file_is_located_with_a_did_you_mean(repo):
    write(repo, {
        "revplan.yaml": HEAD + "extends:\n  - shared/rule.yaml\n  - shared\n",
        "shared/rules.yaml": HEAD,
    })  # fmt: skip
    assert errors(repo) == [
        "revplan.yaml:4:5: extends 'shared/rule.yaml' does not exist — did you mean "
        "'shared/rules.yaml'?",
        "revplan.yaml:5:5: extends 'shared' is not a file",
    ]


def test_a_cycle_is_located_where_it_closes(repo):
    write(repo, {
        "revplan.yaml": HEAD + "extends: shared/a.yaml\n",
        "shared/a.yaml": HEAD + "extends: b.yaml\n",
        "shared/b.yaml": HEAD + "extends: [../revplan.yaml]\n",
    })  # fmt: skip
    assert errors(repo) == [
        "shared/b.yaml:3:11: extends '../revplan.yaml' makes a cycle (revplan.yaml → "
        "shared/a.yaml → shared/b.yaml → revplan.yaml) — remove one of these extends"
    ]


def test_what_is_wrong_in_a_shared_file_is_located_there(repo):
    write(repo, {
        "revplan.yaml": HEAD + "extends: [a.yaml, b.yaml, c.yaml]\ncustom_rules:\n" + rule("dup"),
        "a.yaml": HEAD + "plans: [x]\ncustom_rules:\n" + rule("ok"),
        "b.yaml": "apiVersion: revplan/v1\nkind: AccountPlan\n",
        "c.yaml": HEAD + "custom_rules:\n" + rule("dup") + rule("bad", "item.x ==") ,
    })  # fmt: skip
    found = errors(repo)
    assert found[:2] == [
        "a.yaml:3:1: 'plans' is not shared through extends — a shared file holds only "
        "custom_rules and extends; set plans in the config itself",
        "b.yaml:1:1: a file that extends names must be kind: Config (apiVersion: revplan/v1), "
        "holding custom_rules",
    ]
    write(repo, {"revplan.yaml": HEAD + "extends: [c.yaml]\ncustom_rules:\n" + rule("dup")})
    found = errors(repo)
    assert found[0].startswith("c.yaml:5:43: custom rule 'bad': `assert` does not compile")
    assert found[1] == (
        "revplan.yaml:5:10: custom rule id 'dup' is already used by custom rule 1 (c.yaml:4:10)"
    )


def test_without_git_the_repository_is_the_configs_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"plans/revplan.yaml": HEAD + "extends: ../shared.yaml\n", "shared.yaml": HEAD})
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "plans" / "revplan.yaml", "plans/revplan.yaml")
    assert "is outside the repository" in caught.value.messages[0]


def test_diff_reads_shared_rules_as_they_are_at_each_revision(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: acme, name: Acme}\n"
    write(tmp_path, {
        "revplan.yaml": HEAD + "extends: shared.yaml\n",
        "shared.yaml": HEAD + "custom_rules:\n" + rule("named", "account.name == 'Acme'"),
        "plans/acme.yaml": plan,
    })  # fmt: skip
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    write(
        tmp_path, {"shared.yaml": HEAD + "custom_rules:\n" + rule("named", "account.name == 'x'")}
    )
    subprocess.run([*git, "commit", "-qam", "stricter"], check=True)
    result = run_cli("diff", "HEAD~1", "HEAD", "--format", "json")
    report = json.loads(result.output)
    assert [f["rule"] for f in report["findings"]["new"]] == ["named"]
