"""The memo of the text report: a warm run prints exactly what a full run prints.

Each test edits the example repository the way a person would and compares the
text report of a run served by the memo with that of a run without any cache.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import TODAY, run_cli
from test_cache import make_repository, rewrite_entries

from engine.cache import memo

ACCOUNTS = Path("plans") / "accounts"


class Paths:
    """How each run went: the full path stores the memo, the fast path does not."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = 0
        record = memo.TextMemo.record

        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - as TextMemo.record
            self.full += 1
            return record(*args, **kwargs)

        monkeypatch.setattr(memo.TextMemo, "record", counted)


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Paths:
    return Paths(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repository(tmp_path / "repo")


def text(root: Path, *args: str) -> str:
    result = run_cli("check", "--today", TODAY, *args, cwd=root)
    assert result.exit_code in (0, 1), result.output
    return result.stdout + f"exit {result.exit_code}\n"


def cold(root: Path, *args: str) -> str:
    return text(root, "--no-cache", *args)


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / ACCOUNTS / file
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def test_a_warm_run_prints_what_a_full_run_prints(repo: Path, paths: Paths) -> None:
    reference = cold(repo)
    assert text(repo) == reference  # stores the memo
    assert paths.full == 1
    assert text(repo) == reference  # served by it
    assert paths.full == 1


def test_an_edit_within_one_plan_is_reported_from_the_memo(repo: Path, paths: Paths) -> None:
    before = text(repo)
    # A contact gone quiet: a new finding in that plan, nothing moves to another line.
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    after = text(repo)
    assert paths.full == 1
    assert after == cold(repo)
    assert after.count("contact-freshness") == before.count("contact-freshness") + 1


def test_a_fixed_gap_whose_waiver_becomes_unused_takes_the_full_path(
    repo: Path, paths: Paths
) -> None:
    """The plan's own waiver no longer matches anything: it is reported as unused."""
    text(repo)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-09-01", "last_contact: 2026-11-20")
    after = text(repo)
    assert "waiver-unused" in after
    assert paths.full == 2
    assert after == cold(repo)


def test_a_config_waiver_that_becomes_unused_is_reported_in_the_config(
    repo: Path, paths: Paths
) -> None:
    text(repo)
    edit(
        repo,
        "huaxin-health.yaml",
        "    # GAP (milestone-review): no review recorded. Waived in revplan.yaml: the",
        "    review: {perspectives: [customer, sales, marketing, customer_success]}",
    )
    after = text(repo)
    assert re.search(r"^revplan\.yaml:\d+:\d+: \S+ waiver-unused", after, re.MULTILINE)
    assert paths.full == 2
    assert after == cold(repo)


def test_a_waiver_for_every_plan_keeps_the_fast_path_exact(repo: Path, paths: Paths) -> None:
    config = repo / "revplan.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "  - rule: contact-freshness\n    reason: Contacts are tracked in the CRM this quarter.\n",
        encoding="utf-8",
    )
    reference = cold(repo)
    assert text(repo) == reference
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    assert text(repo) == cold(repo)
    assert "waived: Contacts are tracked in the CRM" in cold(repo)


def test_an_edit_that_moves_what_other_files_read_takes_the_full_path(
    repo: Path, paths: Paths
) -> None:
    text(repo)
    path = repo / ACCOUNTS / "hoshino-precision.yaml"
    path.write_text("# a new first line moves every id\n" + path.read_text(encoding="utf-8"))
    after = text(repo)
    assert paths.full == 2
    assert after == cold(repo)


@pytest.mark.parametrize(
    "options", [("--quiet",), ("--fail-on", "warning"), ("--quiet", "--fail-on", "info")]
)
def test_output_options_each_get_their_report(
    repo: Path, paths: Paths, options: tuple[str, ...]
) -> None:
    text(repo)
    assert text(repo, *options) == cold(repo, *options)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    assert text(repo, *options) == cold(repo, *options)
    assert text(repo) == cold(repo)


def test_added_removed_and_touched_files(repo: Path, paths: Paths) -> None:
    text(repo)
    shutil.copy(repo / ACCOUNTS / "broken.yaml", repo / ACCOUNTS / "broken-too.yaml")
    assert text(repo) == cold(repo)
    assert paths.full == 2
    (repo / ACCOUNTS / "broken-too.yaml").unlink()
    assert text(repo) == cold(repo)
    assert paths.full == 3
    for plan in (repo / ACCOUNTS).glob("*.yaml"):  # a fresh checkout: new mtimes, same bytes
        plan.touch()
    assert text(repo) == cold(repo)
    assert paths.full == 3


def test_more_changed_files_than_the_memo_serves_take_the_full_path(
    tmp_path: Path, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memo, "MAX_CHANGED", 1)
    repo = make_repository(tmp_path / "repo")
    text(repo)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    edit(repo, "hoshino-precision.yaml", "reviewed: 2026-11-16", "reviewed: 2026-11-17")
    assert text(repo) == cold(repo)
    assert paths.full == 2


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ("hoshino-precision", 0),  # an unchanged plan's generation
        ("hoshino-precision", 3),  # ... its counts
        ("aegean-lines", 4),  # the edited plan's kind, id and waivers used
        ("aegean-lines", 5),  # ... the findings other files' rules put there
    ],
)
def test_a_damaged_memo_is_never_trusted(repo: Path, paths: Paths, plan: str, field: int) -> None:
    """A part changed (checksum and all) where the run reads it: the full path runs."""
    text(repo)
    (memo_file,) = (repo / ".revplan_cache").glob("check-*.memo")
    target = f"plans/accounts/{plan}.yaml".encode()

    def damage(payload: bytes) -> bytes:
        fields = payload.split(b"\t", 7)
        if fields[0][:-1] == target:
            fields[1 + field] = b"\xff[" + fields[1 + field]
        return b"\t".join(fields)

    rewrite_entries(memo_file, damage)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    assert text(repo) == cold(repo)
    assert paths.full == 2
