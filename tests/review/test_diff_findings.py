"""``revplan diff``'s new and fixed findings where files the same on both sides are
involved: they are not listed, unless what changed elsewhere reaches them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, run_cli
from tests.review.test_diff import commit, diff, git, plan

CONFIG = "apiVersion: revplan/v1\nkind: Config\n"

OKRS = """\
apiVersion: revplan/v1
kind: OKRs
id: company
title: Company OKRs
owner: Chief Executive Officer
objectives:
  - id: {objective}
    title: Grow
    key_results:
      - {{id: arr, title: ARR, baseline: 0, target: 10, current: 5}}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


def rules(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["file"]) for f in found)


def test_an_unchanged_files_findings_are_neither_new_nor_fixed(repo: Path) -> None:
    # Globex has findings of its own on both sides (its Maria is a detractor).
    commit(
        repo,
        {
            "plans/accounts/acme.yaml": plan(),
            "plans/accounts/globex.yaml": plan(id="globex", maria="detractor"),
        },
    )
    (repo / "plans/accounts/acme.yaml").write_text(plan(raj_status="left"))
    for args in ((), ("--no-cache",)):
        report = diff(repo, *args)
        assert {f["plan"] for f in report["findings"]["new"]} == {"acme"}
        assert {f["plan"] for f in report["findings"]["fixed"]} == {"acme"}
        assert {c["plan"] for c in report["changes"]} == {"acme"}


def test_an_unchanged_files_decoded_results_are_only_those_of_the_changed_files(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a warm cache, only the edited file's cached result is decoded."""
    import engine.cache.store

    files = {f"plans/accounts/p{i}.yaml": plan(id=f"p{i}") for i in range(5)}
    commit(repo, files)
    assert run_cli("check", "--today", TODAY, cwd=repo).exit_code == 1  # fills the cache
    (repo / "plans/accounts/p3.yaml").write_text(plan(id="p3", maria="detractor"))
    assert run_cli("check", "--today", TODAY, cwd=repo).exit_code == 1  # and the edit
    decoded: list[str] = []
    real = engine.cache.store.Cache.decode_all

    def counting(self: Any, hits: list[Any], read: Any) -> Any:
        decoded.extend(hit.display for hit in hits)
        return real(self, hits, read)

    monkeypatch.setattr(engine.cache.store.Cache, "decode_all", counting)
    report = diff(repo)
    assert {f["plan"] for f in report["findings"]["new"]} == {"p3"}
    assert decoded == ["plans/accounts/p3.yaml"]


def test_a_repository_wide_finding_in_an_unchanged_file_shows_when_another_file_changes(
    repo: Path,
) -> None:
    """duplicate-id puts a finding in each file that claims the id: the unchanged one too."""
    commit(
        repo,
        {"plans/accounts/acme.yaml": plan(), "plans/accounts/globex.yaml": plan(id="globex")},
    )
    (repo / "plans/accounts/globex.yaml").write_text(plan(id="acme"))
    report = diff(repo)
    assert ("duplicate-id", "plans/accounts/acme.yaml") in rules(report["findings"]["new"])
    commit(repo, {})
    (repo / "plans/accounts/globex.yaml").write_text(plan(id="globex"))
    fixed = diff(repo)["findings"]["fixed"]
    assert ("duplicate-id", "plans/accounts/acme.yaml") in rules(fixed)


def test_an_alignment_broken_by_another_files_change_shows_in_the_unchanged_file(
    repo: Path,
) -> None:
    aligned = plan().replace(
        "    title: Grow usage\n", "    title: Grow usage\n    aligns_to: [company/grow]\n"
    )
    commit(
        repo,
        {
            "plans/accounts/acme.yaml": aligned,
            "plans/okrs/company.yaml": OKRS.format(objective="grow"),
        },
    )
    assert diff(repo)["findings"] == {"new": [], "fixed": []}
    (repo / "plans/okrs/company.yaml").write_text(OKRS.format(objective="expand"))
    new = rules(diff(repo)["findings"]["new"])
    assert ("unresolved-reference", "plans/accounts/acme.yaml") in new


def test_a_waiver_in_an_unchanged_file_unused_since_another_file_changed_is_new(
    repo: Path,
) -> None:
    """Acme waives its duplicate-id finding; once Globex takes its own id again, the
    waiver in Acme's unchanged file waives nothing."""
    waived = plan() + "waivers:\n  - {rule: duplicate-id, reason: Merging the accounts}\n"
    commit(
        repo, {"plans/accounts/acme.yaml": waived, "plans/accounts/globex.yaml": plan(id="acme")}
    )
    (repo / "plans/accounts/globex.yaml").write_text(plan(id="globex"))
    report = diff(repo)
    assert ("waiver-unused", "plans/accounts/acme.yaml") in rules(report["findings"]["new"])


def test_a_finding_in_the_config_is_the_same_finding_on_both_sides(repo: Path) -> None:
    """An unused waiver of the config is located at HEAD~1:revplan.yaml on one side and
    HEAD:revplan.yaml (or revplan.yaml) on the other: neither new nor fixed."""
    config = CONFIG + "waivers:\n  - {rule: contact-freshness, target: nobody, reason: x}\n"
    commit(repo, {"revplan.yaml": config, "plans/accounts/acme.yaml": plan()})
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="detractor"))
    for args in ((), ("--no-cache",)):
        assert "waiver-unused" not in {f["rule"] for f in diff(repo, *args)["findings"]["new"]}
    commit(repo, {})
    report = diff(repo, "HEAD~1", "HEAD")
    assert "waiver-unused" not in {
        f["rule"] for found in report["findings"].values() for f in found
    }


@pytest.mark.parametrize("elsewhere", [False, True])
def test_a_config_waiver_for_every_plan_used_since_a_change_is_fixed_unless_used_before(
    repo: Path, elsewhere: bool
) -> None:
    """The config waives every detractor-understood finding. Acme gets a detractor: the
    waiver is no longer unused (fixed), unless an unchanged plan's detractor used it already."""
    config = CONFIG + "waivers:\n  - {rule: detractor-understood, reason: Known}\n"
    globex = plan(id="globex", maria="detractor" if elsewhere else "advocate")
    commit(
        repo,
        {
            "revplan.yaml": config,
            "plans/accounts/acme.yaml": plan(),
            "plans/accounts/globex.yaml": globex,
        },
    )
    (repo / "plans/accounts/acme.yaml").write_text(plan(maria="detractor"))
    report = diff(repo)
    fixed = {f["rule"] for f in report["findings"]["fixed"]}
    assert ("waiver-unused" in fixed) is not elsewhere
    assert "detractor-understood" not in {f["rule"] for f in report["findings"]["new"]}


def test_leaving_out_the_unreached_files_changes_no_diff(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each diff of a run of edits is the diff that examines every file."""
    import engine.review.findings

    config = CONFIG + (
        "waivers:\n"
        "  - {rule: detractor-understood, reason: Known}\n"
        "  - {rule: contact-freshness, plan: p1, reason: Away}\n"
        "  - {rule: backup-per-contact, target: nobody, reason: x}\n"
    )
    waived = "waivers:\n  - {rule: duplicate-id, reason: Merging}\n"
    files: dict[str, str | bytes | None] = {
        "revplan.yaml": config,
        "plans/accounts/p0.yaml": plan(id="p0") + waived,
        "plans/accounts/p1.yaml": plan(id="p1", maria="detractor"),
        "plans/accounts/p2.yaml": plan(id="p0"),
        "plans/accounts/p3.yaml": "account: [unclosed\n",
    }
    commit(repo, files)
    edits: list[dict[str, str | None]] = [
        {"plans/accounts/p2.yaml": plan(id="p2")},
        {"plans/accounts/p1.yaml": plan(id="p1")},
        {"plans/accounts/p3.yaml": plan(id="p3", backup="")},
        {"plans/accounts/p0.yaml": None, "plans/accounts/p4.yaml": plan(id="p1")},
        {"revplan.yaml": CONFIG},
    ]

    def examine_all(sides: Any, shared: Any, repository: Any) -> set[int]:
        return {id(f) for side in sides for f in side.files}

    for edit in edits:
        for name, text in edit.items():
            if text is None:
                (repo / name).unlink()
            else:
                (repo / name).write_text(text)
        with monkeypatch.context() as patched:
            patched.setattr(engine.review.findings, "_reached", examine_all)
            expected = [diff(repo), diff(repo, "--no-cache")]
        assert [diff(repo), diff(repo, "--no-cache")] == expected
        commit(repo, {})
        with monkeypatch.context() as patched:
            patched.setattr(engine.review.findings, "_reached", examine_all)
            expected = [diff(repo, "HEAD~1", "HEAD")]
        assert [diff(repo, "HEAD~1", "HEAD")] == expected
