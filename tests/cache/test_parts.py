"""The files' parts of a report in the cache: a warm run prints exactly what a full run prints.

Each test edits the example repository the way a person would and compares the
report (text, JSON, SARIF) of a run assembled from the cached parts with that
of a run without any cache.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import TODAY, cache_folder_of, rewrite_cache_lines, run_cli
from test_cache import make_repository

from engine.cache import parts

ACCOUNTS = Path("plans") / "accounts"


FORMATS = ["text", "json", "sarif"]


class Paths:
    """How each run went: the full path stores the parts, the fast path does not."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = 0
        record = parts.ReportParts.record

        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - as ReportParts.record
            self.full += 1
            return record(*args, **kwargs)

        monkeypatch.setattr(parts.ReportParts, "record", counted)


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Paths:
    return Paths(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repository(tmp_path / "repo")


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    return request.param


def text(root: Path, *args: str, fmt: str = "text") -> str:
    result = run_cli("check", "--today", TODAY, "--format", fmt, *args, cwd=root)
    assert result.exit_code in (0, 1), result.output
    return result.stdout + f"exit {result.exit_code}\n"


def cold(root: Path, *args: str, fmt: str = "text") -> str:
    return text(root, "--no-cache", *args, fmt=fmt)


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / ACCOUNTS / file
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def test_a_warm_run_prints_what_a_full_run_prints(repo: Path, paths: Paths, fmt: str) -> None:
    reference = cold(repo, fmt=fmt)
    assert text(repo, fmt=fmt) == reference  # stores the parts
    assert paths.full == 1
    assert text(repo, fmt=fmt) == reference  # assembled from them
    assert paths.full == 1


def test_an_edit_within_one_plan_is_reported_from_the_parts(
    repo: Path, paths: Paths, fmt: str
) -> None:
    before = text(repo, fmt=fmt)
    # A contact gone quiet: a new finding in that plan, nothing moves to another line.
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    after = text(repo, fmt=fmt)
    assert paths.full == 1
    assert after == cold(repo, fmt=fmt)
    assert after.count("contact-freshness") == before.count("contact-freshness") + 1


def test_a_fixed_gap_whose_waiver_becomes_unused_takes_the_full_path(
    repo: Path, paths: Paths, fmt: str
) -> None:
    """The plan's own waiver no longer matches anything: it is reported as unused."""
    text(repo, fmt=fmt)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-09-01", "last_contact: 2026-11-20")
    after = text(repo, fmt=fmt)
    assert "waiver-unused" in after
    assert paths.full == 2
    assert after == cold(repo, fmt=fmt)


def test_a_config_waiver_that_becomes_unused_is_reported_in_the_config(
    repo: Path, paths: Paths, fmt: str
) -> None:
    text(repo, fmt=fmt)
    edit(
        repo,
        "huaxin-health.yaml",
        "    # GAP (milestone-review): no review recorded. Waived in revplan.yaml: the",
        "    review: {perspectives: [customer, sales, marketing, customer_success]}",
    )
    after = text(repo, fmt=fmt)
    if fmt == "text":
        assert re.search(r"^revplan\.yaml:\d+:\d+: \S+ waiver-unused", after, re.MULTILINE)
    assert "waiver-unused" in after and "revplan.yaml" in after
    assert paths.full == 2
    assert after == cold(repo, fmt=fmt)


def test_a_waiver_for_every_plan_keeps_the_fast_path_exact(
    repo: Path, paths: Paths, fmt: str
) -> None:
    config = repo / "revplan.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "  - rule: contact-freshness\n    reason: Contacts are tracked in the CRM this quarter.\n",
        encoding="utf-8",
    )
    reference = cold(repo, fmt=fmt)
    assert text(repo, fmt=fmt) == reference
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    assert text(repo, fmt=fmt) == cold(repo, fmt=fmt)
    if fmt == "json":  # JSON gives no reason: that the finding is waived
        findings = json.loads(cold(repo, fmt=fmt).rsplit("exit", 1)[0])["findings"]
        assert any(f["rule"] == "contact-freshness" and f["waived"] for f in findings)
    else:
        assert "Contacts are tracked in the CRM" in cold(repo, fmt=fmt)


def test_an_edit_that_moves_what_other_files_read_takes_the_full_path(
    repo: Path, paths: Paths, fmt: str
) -> None:
    text(repo, fmt=fmt)
    path = repo / ACCOUNTS / "hoshino-precision.yaml"
    path.write_text("# a new first line moves every id\n" + path.read_text(encoding="utf-8"))
    after = text(repo, fmt=fmt)
    assert paths.full == 2
    assert after == cold(repo, fmt=fmt)


@pytest.mark.parametrize(
    "options", [("--quiet",), ("--fail-on", "warning"), ("--quiet", "--fail-on", "info")]
)
def test_output_options_each_get_their_report(
    repo: Path, paths: Paths, options: tuple[str, ...], fmt: str
) -> None:
    text(repo, fmt=fmt)
    assert text(repo, *options, fmt=fmt) == cold(repo, *options, fmt=fmt)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    assert text(repo, *options, fmt=fmt) == cold(repo, *options, fmt=fmt)
    assert text(repo, fmt=fmt) == cold(repo, fmt=fmt)


def test_added_removed_and_touched_files(repo: Path, paths: Paths, fmt: str) -> None:
    text(repo, fmt=fmt)
    shutil.copy(repo / ACCOUNTS / "broken.yaml", repo / ACCOUNTS / "broken-too.yaml")
    assert text(repo, fmt=fmt) == cold(repo, fmt=fmt)
    assert paths.full == 2
    (repo / ACCOUNTS / "broken-too.yaml").unlink()
    assert text(repo, fmt=fmt) == cold(repo, fmt=fmt)
    assert paths.full == 3
    for plan in (repo / ACCOUNTS).glob("*.yaml"):  # a fresh checkout: new mtimes, same bytes
        plan.touch()
    assert text(repo, fmt=fmt) == cold(repo, fmt=fmt)
    assert paths.full == 3


def test_more_changed_files_than_the_parts_serve_take_the_full_path(
    tmp_path: Path, paths: Paths, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(parts, "MAX_CHANGED", 1)
    repo = make_repository(tmp_path / "repo")
    text(repo, fmt=fmt)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    edit(repo, "hoshino-precision.yaml", "reviewed: 2026-11-16", "reviewed: 2026-11-17")
    assert text(repo, fmt=fmt) == cold(repo, fmt=fmt)
    assert paths.full == 2


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ("hoshino-precision", 0),  # an unchanged plan's content digest
        ("hoshino-precision", 1),  # ... its context
        ("hoshino-precision", 3),  # ... its counts
        ("aegean-lines", 2),  # the edited plan's waivers used
        ("aegean-lines", 4),  # ... the findings other files' rules put there
    ],
)
def test_damaged_parts_are_never_trusted(
    repo: Path, paths: Paths, plan: str, field: int, fmt: str
) -> None:
    """A part changed (checksum and all) where the run reads it: the full path runs."""
    text(repo, fmt=fmt)
    (parts_file,) = cache_folder_of(repo).glob(f"check-*.{fmt}")
    target = f"plans/accounts/{plan}.yaml".encode()

    def damage(payload: bytes) -> bytes:
        fields = payload.split(b"\t")
        if fields[0][:-1] == target:
            fields[1 + field] = b"\xff[" + fields[1 + field]
        return b"\t".join(fields)

    rewrite_cache_lines(parts_file, damage)
    edit(repo, "aegean-lines.yaml", "last_contact: 2026-11-03", "last_contact: 2025-11-03")
    assert text(repo, fmt=fmt) == cold(repo, fmt=fmt)
    assert paths.full == 2


def test_damaged_metrics_of_a_plan_are_never_trusted(repo: Path, paths: Paths) -> None:
    """What the JSON report's metrics read of an unchanged plan, damaged: recomputed."""
    report = text(repo, fmt="json")
    (parts_file,) = cache_folder_of(repo).glob("check-*.json")
    target = b"plans/accounts/hoshino-precision.yaml"

    def damage(payload: bytes) -> bytes:
        fields = payload.split(b"\t")
        if fields[0][:-1] == target:
            fields[6] = b'["plan",' + fields[6][1:]  # still JSON, no longer what was stored
        return b"\t".join(fields)

    rewrite_cache_lines(parts_file, damage)
    assert text(repo, fmt="json") == report
    assert paths.full == 2


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  id: aegean-lines", "  id: hoshino-precision"),  # an id another plan has
        ("aligns_to: [cro-fy27/retain-core]", "aligns_to: [cro-fy27/no-such-key-result]"),
    ],
)
def test_an_edit_of_what_other_files_read_is_reported_in_every_file(
    repo: Path, paths: Paths, fmt: str, old: str, new: str
) -> None:
    before = text(repo, fmt=fmt)
    edit(repo, "aegean-lines.yaml", old, new)
    after = text(repo, fmt=fmt)
    assert after != before
    assert after == cold(repo, fmt=fmt)
    assert paths.full == 2
