"""``revplan diff`` on real git repositories built here (review.md, "revplan diff")."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, run_cli

PLAN = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {{id: {id}, name: Acme, arr: {arr}, renewal_date: {renewal}}}
owner: sam
team:
  - {{id: sam, name: Sam Lee, function: sales}}
  - {{id: kim, name: Kim Park, function: customer_success}}
stakeholders:
  - {{id: maria, name: Maria Chen, group: renew, roles: [executive_sponsor, budget_owner], stance: {maria}{backup}, owner: sam}}
  - {{id: raj, name: Raj Patel, group: renew, roles: [end_user, administrator], stance: advocate, status: {raj_status}, owner: kim}}
  - {{id: tom, name: Tom Berger, group: renew, roles: [procurement], stance: advocate, owner: sam}}
objectives:
  - id: grow
    title: Grow usage
    key_results:
      - {{id: seats, title: Seats, baseline: 0, target: 100, current: {seats}}}
    actions:
      - {{id: workshop, title: Run a workshop, owner: sam, status: {action}}}
milestones:
  - {{id: kickoff, title: Kick-off, date: 2026-10-01, status: {milestone}}}
"""

DEFAULTS = dict(
    id="acme",
    arr=100000,
    renewal="2027-03-01",
    maria="advocate",
    backup=", backup: raj",
    raj_status="active",
    seats=40,
    action="planned",
    milestone="planned",
)


def plan(**changes: Any) -> str:
    return PLAN.format(**{**DEFAULTS, **changes})


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def commit(repo: Path, files: dict[str, str | bytes | None], message: str = "edit") -> str:
    """Write (or with None delete) ``files`` and commit them all; the new commit's sha."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One repository for the module: its first commit holds the Acme plan."""
    root = tmp_path_factory.mktemp("diff") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root, commit(root, {"plans/accounts/acme.yaml": plan()}, "base")


@pytest.fixture
def repo(shared: tuple[Path, str]) -> Path:
    """The shared repository as its first commit left it (branch, index and work tree),
    whatever the test before committed, staged or wrote."""
    root, first = shared
    git(root, "reset", "-q", "--hard", first)
    git(root, "clean", "-qfdx")
    return root


def diff(repo: Path, *args: str, code: int = 0) -> dict[str, Any]:
    result = run_cli("diff", *args, "--format", "json", "--today", TODAY, cwd=repo)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def kinds(report: dict[str, Any]) -> set[tuple[str, str | None, str]]:
    return {(c["kind"], c["target"], c["effect"]) for c in report["changes"]}


def test_an_unchanged_work_tree_is_no_change(repo: Path) -> None:
    report = diff(repo)
    assert report["changes"] == [] and report["findings"] == {"new": [], "fixed": []}
    assert report["head"] == {"rev": None, "commit": None}
    assert report["base"]["rev"] == "HEAD"
    assert report["base"]["commit"] == git(repo, "rev-parse", "HEAD").strip()


def test_a_detractor_where_the_advocate_was_is_worse_and_the_role_loses_its_cover(
    repo: Path,
) -> None:
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="detractor"))
    report = diff(repo)
    stance = next(c for c in report["changes"] if c["kind"] == "stance-changed")
    assert stance["line"] == 9  # Maria's entry, on the head side
    assert stance | {"line": 0} == {
        "kind": "stance-changed", "plan": "acme", "target": "maria", "from": "advocate",
        "to": "detractor", "effect": "worse", "message": "Maria Chen: advocate → detractor",
        "file": "plans/accounts/acme.yaml", "line": 0,
    }  # fmt: skip
    assert ("role-coverage-lost", "executive_sponsor", "worse") in kinds(report)
    assert ("role-coverage-lost", "budget_owner", "worse") in kinds(report)
    assert "advocate-per-role" in {f["rule"] for f in report["findings"]["new"]}
    assert report["summary"]["worse"] == 3 and report["summary"]["plans_changed"] == 1
    # The work tree is compared, never changed: git sees the edit still unstaged.
    assert git(repo, "status", "--porcelain") == " M plans/accounts/acme.yaml\n"


def test_every_change_kind_between_two_commits(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    edited = plan(
        arr=80000, renewal="2027-06-01", maria="supporter", backup="", raj_status="left",
        seats=70, action="blocked", milestone="done",
    )  # fmt: skip
    commit(repo, {"plans/accounts/acme.yaml": edited})
    report = diff(repo, base, "HEAD")
    assert report["head"]["rev"] == "HEAD" and report["head"]["commit"] != base
    assert kinds(report) >= {
        ("arr-changed", None, "worse"),
        ("renewal-moved", None, "neutral"),
        ("stance-changed", "maria", "worse"),
        ("backup-changed", "maria", "worse"),
        ("stakeholder-left", "raj", "worse"),
        ("role-coverage-lost", "end_user", "worse"),
        ("key-result-progress", "grow/seats", "better"),
        ("action-status-changed", "workshop", "worse"),
        ("milestone-status-changed", "kickoff", "better"),
    }
    progress = next(c for c in report["changes"] if c["kind"] == "key-result-progress")
    assert (progress["from"], progress["to"]) == (0.4, 0.7)
    # Sorted by plan, then worse first.
    effects = [c["effect"] for c in report["changes"]]
    assert effects == sorted(effects, key=["worse", "neutral", "better"].index)


def test_better_changes_are_better(repo: Path) -> None:
    base = commit(repo, {"plans/accounts/acme.yaml": plan(maria="detractor", backup="")})
    commit(repo, {"plans/accounts/acme.yaml": plan()})
    report = diff(repo, base, "HEAD")
    assert kinds(report) >= {
        ("stance-changed", "maria", "better"),
        ("backup-changed", "maria", "better"),
        ("role-coverage-gained", "executive_sponsor", "better"),
    }
    assert "advocate-per-role" in {f["rule"] for f in report["findings"]["fixed"]}
    assert "advocate-per-role" not in {f["rule"] for f in report["findings"]["new"]}


def test_a_moved_plan_is_the_same_plan_with_the_same_findings(repo: Path) -> None:
    git(repo, "mv", "plans/accounts/acme.yaml", "plans/acme-renamed.yaml")
    report = diff(repo)
    assert report["changes"] == [] and report["findings"] == {"new": [], "fixed": []}


def test_added_and_removed_plans(repo: Path) -> None:
    commit(
        repo, {"plans/accounts/acme.yaml": None, "plans/accounts/globex.yaml": plan(id="globex")}
    )
    report = diff(repo, "HEAD~1", "HEAD")
    assert kinds(report) == {("plan-added", None, "neutral"), ("plan-removed", None, "neutral")}
    removed = next(c for c in report["changes"] if c["kind"] == "plan-removed")
    assert removed["file"] == "plans/accounts/acme.yaml"  # the base side's, for a removal


def test_a_broken_file_on_the_head_side_is_not_a_removal_and_shows_its_findings(
    repo: Path,
) -> None:
    (repo / "plans/accounts/acme.yaml").write_text("account: [unclosed\n")
    report = diff(repo)
    assert not any(c["kind"] == "plan-removed" for c in report["changes"])
    assert "yaml-syntax" in {f["rule"] for f in report["findings"]["new"]}


def test_a_broken_file_on_the_base_side_is_fixed_not_added(repo: Path) -> None:
    commit(repo, {"plans/accounts/acme.yaml": "account: [unclosed\n"})
    commit(repo, {"plans/accounts/acme.yaml": plan()})
    report = diff(repo, "HEAD~1", "HEAD")
    assert not any(c["kind"] == "plan-added" for c in report["changes"])
    assert "yaml-syntax" in {f["rule"] for f in report["findings"]["fixed"]}


def test_each_side_uses_its_own_config(repo: Path) -> None:
    commit(
        repo,
        {
            "revplan.yaml": "apiVersion: revplan/v1\nkind: Config\nrules:\n  advocate-per-role: {severity: warning}\n"
        },
    )
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="detractor"))
    head = diff(repo)
    severities = {
        f["severity"] for f in head["findings"]["new"] if f["rule"] == "advocate-per-role"
    }
    assert severities == {"warning"}
    # The base's config is read at the base: without the config, the rule is an error.
    commit(repo, {"plans/accounts/acme.yaml": plan(maria="detractor"), "revplan.yaml": None})
    report = diff(repo, "HEAD~2", "HEAD")
    assert {
        f["severity"] for f in report["findings"]["new"] if f["rule"] == "advocate-per-role"
    } == {"error"}


def test_fail_on_worse_is_exit_1_for_a_worse_change_only(repo: Path) -> None:
    (repo / "plans/accounts/acme.yaml").write_text(plan(milestone="done"))
    diff(repo, "--fail-on", "worse")
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="neutral"))
    diff(repo, "--fail-on", "worse", code=1)
    diff(repo)  # without --fail-on, a diff that ran is exit 0


def test_an_unknown_revision_is_exit_2_saying_what_to_name(repo: Path) -> None:
    result = run_cli("diff", "no-such-branch", cwd=repo)
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.output
    assert "Traceback" not in result.output


def test_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    result = run_cli("diff", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not a git repository" in result.output


def test_a_shallow_clone_without_the_base_says_to_fetch_the_history(
    repo: Path, tmp_path: Path
) -> None:
    commit(repo, {"plans/accounts/acme.yaml": plan(maria="neutral")})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    result = run_cli("diff", "HEAD~1", "HEAD", cwd=clone)
    assert result.exit_code == 2
    assert "shallow clone" in result.output and "fetch-depth: 0" in result.output


def test_a_non_utf8_file_name_is_read_and_shown(repo: Path) -> None:
    name = b"plans/accounts/caf\xe9.yaml"
    path = Path(os.fsdecode(bytes(repo) + b"/" + name))
    path.write_bytes(plan(id="cafe", maria="detractor").encode())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "latin-1 name")
    result = run_cli("diff", "HEAD~1", "HEAD", "--format", "json", "--today", TODAY, cwd=repo)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    added = next(c for c in report["changes"] if c["kind"] == "plan-added")
    assert added["file"] == "plans/accounts/caf\udce9.yaml"  # the byte, escaped as JSON does


def test_text_and_markdown_name_the_people_and_put_worse_first(repo: Path) -> None:
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="detractor", milestone="done"))
    text = run_cli("diff", "--today", TODAY, cwd=repo).output
    assert text.splitlines()[1].startswith("This change makes the plans worse")
    lines = text.splitlines()
    stance = next(i for i, line in enumerate(lines) if "Maria Chen (executive sponsor" in line)
    milestone = next(i for i, line in enumerate(lines) if "milestone Kick-off" in line)
    assert stance < milestone
    result = run_cli("diff", "--format", "markdown", "--today", TODAY, cwd=repo)
    markdown = result.output
    assert markdown.startswith("### This change makes the plans worse")
    assert "(plans/accounts/acme.yaml#L" in markdown
    assert markdown.index("🔴") < markdown.index("🟢")


def test_long_lists_are_folded_and_the_comment_speaks_the_locale(repo: Path) -> None:
    (repo / "plans/accounts/acme.yaml").write_text(
        plan(arr=1, renewal="2028-01-01", maria="detractor", backup="", raj_status="left",
             seats=0, action="blocked", milestone="missed")
    )  # fmt: skip
    markdown = run_cli("diff", "--format", "markdown", "--today", TODAY, cwd=repo).output
    assert "<details><summary>" in markdown
    german = run_cli("diff", "--format", "markdown", "--locale", "de", "--today", TODAY, cwd=repo)
    assert german.output.startswith("### Diese Änderung verschlechtert die Pläne")


def test_the_markdown_renders_names_literally_with_links_and_folds(repo: Path) -> None:
    from markdown_it import MarkdownIt

    hostile = "Maria <img src=x> *Chen* [x](javascript:alert(1))"
    quoted = json.dumps(hostile)  # a YAML double-quoted string too
    base = plan().replace("Maria Chen", quoted)
    commit(repo, {"plans/accounts/acme.yaml": base})
    (repo / "plans/accounts/acme.yaml").write_text(
        plan(maria="detractor", raj_status="left", seats=0, action="blocked").replace(
            "Maria Chen", quoted
        )
    )
    result = run_cli("diff", "--format", "markdown", "--today", TODAY, cwd=repo)
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(result.output)
    assert "<img" not in html and "<em>Chen" not in html and 'href="javascript' not in html
    assert "Maria &lt;img src=x&gt; *Chen* [x](javascript:alert(1))" in html
    assert '<a href="plans/accounts/acme.yaml#L9">' in html
    assert "<details><summary>" in html  # more than five changes to one plan: folded


def test_the_readme_tour_shows_what_diff_prints_of_the_example_plans(tmp_path: Path) -> None:
    import re
    import shutil

    from tests.conftest import REPO

    root = tmp_path / "example"
    shutil.copytree(REPO / "plans", root / "plans")
    git(root, "init", "-q", "-b", "main")
    sha = commit(root, {}, "the example plans")
    aegean = root / "plans/accounts/aegean-lines.yaml"
    lines = aegean.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[42] == "    stance: advocate\n"  # Νίκος Παπαδόπουλος's
    lines[42] = "    stance: detractor\n"
    aegean.write_text("".join(lines), encoding="utf-8")
    printed = run_cli("diff", cwd=root).output  # the config pins today
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"\$ revplan diff\n(.*?)```", readme, re.S)
    assert shown is not None
    assert printed == shown.group(1).replace("fecdbad542d0", sha[:12])


def test_paths_limit_the_diff_to_the_plans_there(repo: Path) -> None:
    base = commit(repo, {"plans/okrs/globex.yaml": plan(id="globex")})
    for name in ("plans/accounts/acme.yaml", "plans/okrs/globex.yaml"):
        (repo / name).write_text(plan(id=Path(name).stem, maria="detractor"))
    everything = diff(repo)
    assert {c["plan"] for c in everything["changes"]} == {"acme", "globex"}
    for args in (("plans/accounts",), ("HEAD", "plans/accounts/acme.yaml")):
        only = diff(repo, *args)
        assert {c["plan"] for c in only["changes"]} == {"acme"}
        assert {f["plan"] for f in only["findings"]["new"]} == {"acme"}
        assert only["summary"]["plans_changed"] == 1
    # After two revisions every argument is a path; a plan moved out of the folder is kept.
    git(repo, "mv", "plans/okrs/globex.yaml", "plans/accounts/globex.yaml")
    commit(repo, {})
    moved = diff(repo, base, "HEAD", "plans/okrs")
    assert {c["plan"] for c in moved["changes"]} == {"globex"}


def test_a_path_with_no_plan_on_either_side_is_exit_2(repo: Path) -> None:
    result = run_cli("diff", "HEAD", "HEAD", "plans/nothing-here", cwd=repo)
    assert result.exit_code == 2
    assert "plans/nothing-here: no plan file there, at HEAD or HEAD" in result.output


def test_only_the_plans_that_changed_are_parsed_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.review.sides
    import engine.session

    commit(repo, {"plans/accounts/globex.yaml": plan(id="globex")})
    assert run_cli("check", "--today", TODAY, cwd=repo).exit_code == 1  # fills the cache
    parsed: list[str] = []

    def counted(real: Any) -> Any:
        def counting(raw: bytes, file: str, *args: Any) -> Any:
            parsed.append(file)
            return real(raw, file, *args)

        return counting

    for module, name in (
        (engine.session, "process_file"),
        (engine.review.sides, "process_file"),
        (engine.review.sides, "model_of"),
    ):
        monkeypatch.setattr(module, name, counted(getattr(module, name)))
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="detractor"))
    report = diff(repo)
    assert {c["plan"] for c in report["changes"]} == {"acme"}
    # Globex is the same on both sides and in the cache: never read into a result or model.
    assert set(parsed) == {"plans/accounts/acme.yaml"}
    commit(repo, {})
    parsed.clear()
    assert diff(repo, "HEAD~1", "HEAD")["changes"] == report["changes"]
    assert set(parsed) == {"plans/accounts/acme.yaml"}
    assert diff(repo, "HEAD~1", "HEAD", "--no-cache")["changes"] == report["changes"]


def test_influence_roles_milestone_dates_forecasts_and_waivers(repo: Path) -> None:
    base = plan() + "renewal: {forecast: commit}\n"
    commit(repo, {"plans/accounts/acme.yaml": base})
    head = (
        plan(backup=", backup: raj, influence: high")
        .replace("roles: [end_user, administrator]", "roles: [end_user]")
        .replace("date: 2026-10-01", "date: 2026-11-15")
    )
    waiver = "  - {rule: contact-freshness, target: tom, reason: On leave, expires: 2027-01-31}\n"
    (repo / "plans/accounts/acme.yaml").write_text(
        head + "renewal: {forecast: at_risk}\nwaivers:\n" + waiver
    )
    report = diff(repo)
    assert kinds(report) == {
        ("influence-changed", "maria", "neutral"),
        ("roles-changed", "raj", "neutral"),
        ("role-coverage-lost", "administrator", "worse"),
        ("milestone-moved", "kickoff", "neutral"),
        ("renewal-forecast-changed", None, "worse"),
        ("waiver-added", "contact-freshness/tom", "neutral"),
    }
    moved = next(c for c in report["changes"] if c["kind"] == "milestone-moved")
    assert (moved["from"], moved["to"], moved["line"]) == ("2026-10-01", "2026-11-15", 20)
    roles = next(c for c in report["changes"] if c["kind"] == "roles-changed")
    assert (roles["from"], roles["to"]) == (["end_user", "administrator"], ["end_user"])
    text = run_cli("diff", "--today", TODAY, cwd=repo).output
    for shown in (
        "Maria Chen (executive sponsor and budget owner): influence none → high",
        "Raj Patel: roles end user and administrator → end user",
        "milestone Kick-off: date Oct 1, 2026 → Nov 15, 2026",
        "renewal forecast commit → at risk",
        "waiver added: contact-freshness/tom",
    ):
        assert shown in text, text
    # Worded in every locale; and a waiver taken out again is a change too.
    for locale in ("de", "zh", "ja", "el"):
        worded = run_cli("diff", "--locale", locale, "--today", TODAY, cwd=repo).output
        assert "contact-freshness/tom" in worded and "waiver added" not in worded
    head += "renewal: {forecast: at_risk}\n"
    commit(repo, {"plans/accounts/acme.yaml": head + "waivers:\n" + waiver})
    (repo / "plans/accounts/acme.yaml").write_text(head)
    removed = diff(repo)
    assert kinds(removed) == {("waiver-removed", "contact-freshness/tom", "neutral")}
    assert removed["changes"][0]["line"] == 23  # in the base side's file, for a removal
    assert "waiver removed: contact-freshness/tom" in run_cli("diff", cwd=repo).output


def test_each_count_of_the_verdict_takes_its_plural_form(repo: Path) -> None:
    """One change and one new finding: no "1 new findings", «1 ουδέτερες»."""
    (repo / "plans/accounts/acme.yaml").write_text(plan(backup=""))

    def verdict(locale: str) -> str:
        args = ("diff", "--today", TODAY, "--locale", locale)
        return run_cli(*args, cwd=repo).output.splitlines()[1]

    assert verdict("en").endswith(": 1 worse, 0 better, 0 neutral; 1 new finding, 0 fixed")
    assert verdict("de").endswith(
        ": 1 Verschlechterung, 0 Verbesserungen, 0 neutrale Änderungen; 1 neuer Befund, 0 behoben"
    )
    assert verdict("el").endswith(
        ": 1 αλλαγή προς το χειρότερο, 0 προς το καλύτερο, 0 ουδέτερες· 1 νέο εύρημα, 0 διορθωμένα"
    )
    (repo / "plans/accounts/acme.yaml").write_text(plan(renewal="2027-01-01"))
    assert ", 1 ουδέτερη· 0 νέα ευρήματα" in verdict("el")


def test_a_moved_renewal_is_dated_the_readers_way(repo: Path) -> None:
    (repo / "plans/accounts/acme.yaml").write_text(plan(renewal="2027-01-01"))

    def change(locale: str) -> str:
        text = run_cli("diff", "--today", TODAY, "--locale", locale, cwd=repo).output
        return next(line for line in text.splitlines() if "renewal-moved" in line)

    assert "renewal Mar 1, 2027 → Jan 1, 2027" in change("en")
    assert "续约日期 2027年3月1日 → 2027年1月1日" in change("zh")
    assert "ανανέωση 1η Μαρτίου 2027 → 1η Ιανουαρίου 2027" in change("el")


def test_head_is_the_commit_whatever_the_work_tree_holds(repo: Path) -> None:
    """A clean checkout of HEAD is checked as the work tree (no blob read); an untracked
    plan, an edit or a staged edit make it read from the commit instead: the same diff."""
    commit(repo, {"plans/accounts/acme.yaml": plan(maria="neutral")})
    clean = diff(repo, "HEAD~1", "HEAD")
    assert kinds(clean) >= {("stance-changed", "maria", "worse")}
    (repo / "plans/accounts/globex.yaml").write_text(plan(id="globex"))  # untracked
    assert diff(repo, "HEAD~1", "HEAD") == clean
    git(repo, "add", "plans/accounts/globex.yaml")  # staged, not committed
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="advocate"))  # edited
    assert diff(repo, "HEAD~1", "HEAD") == clean
    assert kinds(diff(repo, "HEAD")) == {
        ("plan-added", None, "neutral"),
        ("stance-changed", "maria", "better"),
        ("role-coverage-gained", "executive_sponsor", "better"),
        ("role-coverage-gained", "budget_owner", "better"),
    }
