"""The result cache and --jobs never change what a check reports.

Every test compares full JSON reports of real runs: a run without the cache
is the reference, and the cached or parallel run must print the same bytes.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, TODAY, cache_folder_of, rewrite_cache_lines, run_cli

from engine import session as run
from engine.cache import codec
from engine.cli import options as cli
from engine.session import PARALLEL_THRESHOLD

OLD = 1_600_000_000  # 2020-09-13: an mtime well in the past


def make_repository(root: Path, copies: int = 1) -> Path:
    """The example repository, each account plan copied ``copies`` times (distinct ids),
    plus a plan with a YAML error and one with a schema error."""
    shutil.copytree(REPO / "plans", root / "plans")
    shutil.move(root / "plans" / "revplan.yaml", root / "revplan.yaml")
    accounts = root / "plans" / "accounts"
    for plan in sorted(accounts.glob("*.yaml")):
        text = plan.read_text(encoding="utf-8")
        for k in range(1, copies):
            copy = re.sub(r"(account:\n(?:.*\n)*?  id: )(\S+)", rf"\g<1>\g<2>-{k}", text, count=1)
            (accounts / f"{plan.stem}-{k}.yaml").write_text(copy, encoding="utf-8")
    (accounts / "broken.yaml").write_text(
        "apiVersion: revplan/v1\nkind: AccountPlan\naccount:\n\tid: broken\n", encoding="utf-8"
    )
    (accounts / "invalid.yaml").write_text(
        "apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: Invalid Id, name: X}\n",
        encoding="utf-8",
    )
    age(root)
    return root


def age(root: Path) -> None:
    """Give every file an old mtime, as a checkout some time ago would."""
    for path in root.rglob("*.yaml"):
        os.utime(path, (OLD, OLD))


def report(root: Path, *args: str) -> str:
    result = run_cli("check", "--format", "json", "--today", TODAY, *args, cwd=root)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def cold(root: Path, *args: str) -> str:
    return report(root, "--no-cache", "--jobs", "1", *args)


def cache_file(root: Path, suffix: str = ".cache") -> Path:
    (found,) = cache_folder_of(root).glob(f"check-*{suffix}")
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repository(tmp_path / "repo")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cached_runs_report_exactly_what_an_uncached_run_reports(repo: Path, jobs: str) -> None:
    reference = cold(repo)
    assert report(repo, "--jobs", jobs) == reference  # fills the cache
    assert cache_file(repo).stat().st_size > 0
    assert report(repo, "--jobs", jobs) == reference  # served from it


def test_jobs_do_not_change_the_report(tmp_path: Path) -> None:
    root = make_repository(tmp_path / "big", copies=25)
    assert len(list(root.rglob("*.yaml"))) >= PARALLEL_THRESHOLD  # workers really start
    one = report(root, "--no-cache", "--jobs", "1")
    assert report(root, "--no-cache", "--jobs", "2") == one
    assert report(root, "--no-cache", "--jobs", "3") == one
    report(root, "--jobs", "2")  # the cache filled by workers...
    assert report(root, "--jobs", "1") == one  # ...serves a serial run


def test_an_edited_plan_is_checked_again(repo: Path) -> None:
    before = report(repo)
    plan = repo / "plans" / "accounts" / "hoshino-precision.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("reviewed: 2026-11-16", "reviewed: 2025-01-16")
    )
    after = report(repo)
    assert after != before
    assert "plan-freshness" in after
    assert after == cold(repo)


def edit_review_date(plan: Path, reviewed: str) -> None:
    text = plan.read_text(encoding="utf-8")
    plan.write_text(re.sub(r"reviewed: \S+", f"reviewed: {reviewed}", text, count=1))


def test_an_edited_plan_in_a_large_repository_is_checked_by_the_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many cached files: the file to check again goes to a worker forked before the
    cache is read; what it sends back is the edited plan's result."""
    root = make_repository(tmp_path / "big", copies=25)
    report(root, "--jobs", "2")
    started = tmp_path / "helper-started"

    def help_and_say_so(connection, settings, pack) -> None:  # noqa: ANN001 - as run._help
        started.touch()
        real_help(connection, settings, pack)

    real_help = run._help
    monkeypatch.setattr(run, "_help", help_and_say_so)
    edit_review_date(root / "plans" / "accounts" / "hoshino-precision-3.yaml", "2025-01-16")
    after = report(root, "--jobs", "2")
    assert started.exists()
    assert '"hoshino-precision-3"' in after and "plan-freshness" in after
    assert after == cold(root)


def test_a_helper_that_dies_costs_time_not_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repository(tmp_path / "big", copies=25)
    report(root, "--jobs", "2")

    def dies(connection, settings) -> None:  # noqa: ANN001 - as run._help is called
        connection.close()

    monkeypatch.setattr(run, "_help", dies)
    edit_review_date(root / "plans" / "accounts" / "hoshino-precision-3.yaml", "2025-01-16")
    assert report(root, "--jobs", "2") == cold(root)


def test_an_edit_that_keeps_the_size_and_the_mtime_is_still_seen(repo: Path) -> None:
    report(repo)
    plan = repo / "plans" / "accounts" / "hoshino-precision.yaml"
    text = plan.read_text(encoding="utf-8")
    edited = text.replace("reviewed: 2026-11-16", "reviewed: 2025-11-16")
    assert len(edited) == len(text)
    plan.write_text(edited, encoding="utf-8")
    os.utime(plan, (OLD, OLD))  # as `touch -r` or an archive tool would leave it
    assert report(repo) == cold(repo)
    assert "plan-freshness" in cold(repo)


def test_another_today_is_not_served_from_the_cache(repo: Path) -> None:
    report(repo, "--today", "2026-11-23")
    later = report(repo, "--today", "2027-06-30")
    assert later == cold(repo, "--today", "2027-06-30")
    assert later != cold(repo)


def test_a_changed_rule_setting_is_not_served_from_the_cache(repo: Path) -> None:
    report(repo)
    config = repo / "revplan.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("max_age_days: 90", "max_age_days: 5")
    )
    assert report(repo) == cold(repo)


CORRUPTIONS = {
    "a flipped byte": lambda blob: blob[:-40] + bytes([blob[-40] ^ 0x55]) + blob[-39:],
    "cut short": lambda blob: blob[: len(blob) // 2],
    "empty": lambda blob: b"",
    "not a cache": lambda blob: b"\x00\xff garbage \n\n\t\t" * 10,
    "another format version": lambda blob: blob.replace(b"revplan-cache-", b"revplan-cache-9", 1),
    "a value changed in place (bit rot)": lambda blob: blob.replace(b'"error"', b'"errxr"'),
}


@pytest.mark.parametrize("suffix", [".cache", ".metrics", ".summaries", ".repository"])
@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_cache_is_ignored_and_rebuilt(repo: Path, corrupt, suffix: str) -> None:  # noqa: ANN001
    reference = cold(repo)
    report(repo)
    path = cache_file(repo, suffix)
    path.write_bytes(corrupt(path.read_bytes()))
    assert report(repo) == reference
    assert report(repo) == reference  # the rebuilt cache is good
    run_cli("check", "--today", TODAY, "--format", "text", cwd=repo)  # reads no metrics
    assert report(repo) == reference


def first_line_only(edit):  # noqa: ANN001, ANN201 - a test helper
    edited: list[bytes] = []

    def change(line: bytes) -> bytes:
        if edited:
            return line
        edited.append(line)
        return edit(line)

    return change


DEEP = b"[" * 200_000 + b"]" * 200_000
ENTRY_EDITS = {
    # Entries are parsed together: a damaged one must not shift the results of others.
    "one result holding two values": (
        ".cache",
        first_line_only(lambda line: re.sub(rb"\t\[[^\t]*", b"\t1,2", line)),
    ),
    "one result cut short": (
        ".cache",
        first_line_only(lambda line: re.sub(rb"\t(\[[^\t]*)", rb"\t\1,", line)),
    ),
    "a result that is not a result": (
        ".cache",
        lambda line: re.sub(rb"\t\[[^\t]*", b"\t[1,2]", line),
    ),
    "a result of another file": (".cache", lambda line: line.replace(b"\t[null,", b'\t["x.yaml",')),
    "a result that is not JSON": (
        ".cache",
        lambda line: re.sub(rb"\t\[[^\t]*", b"\t{not json", line),
    ),
    "metrics that are not metrics": (
        ".metrics",
        lambda line: re.sub(rb"\t[^\t]*$", b"\t[1]", line),
    ),
}


@pytest.mark.parametrize("where, edit", ENTRY_EDITS.values(), ids=ENTRY_EDITS.keys())
def test_a_broken_entry_with_a_valid_checksum_is_recomputed(repo: Path, where: str, edit) -> None:  # noqa: ANN001
    reference = cold(repo)
    report(repo)
    before = cache_file(repo, where).read_bytes()
    rewrite_cache_lines(cache_file(repo, where), edit)
    assert cache_file(repo, where).read_bytes() != before  # the edit took
    assert report(repo) == reference
    assert report(repo) == reference


def break_an_alignment(repo: Path) -> tuple[Path, str]:
    """Point an objective at an OKR objective that does not exist (an edit the
    repository-wide rules see); returns the plan and its text before the edit."""
    plan = repo / "plans" / "accounts" / "hoshino-precision.yaml"
    text = plan.read_text(encoding="utf-8")
    edited = text.replace("aligns_to: [cro-fy27/retain-core]", "aligns_to: [cro-fy27/retain-cor]")
    assert edited != text
    plan.write_text(edited, encoding="utf-8")
    return plan, text


def test_repository_rules_follow_an_edit_that_changes_what_they_read(repo: Path) -> None:
    before = report(repo)
    plan, text = break_an_alignment(repo)
    broken = report(repo)
    assert "unresolved-reference" in broken and "cro-fy27/retain-cor" in broken
    assert broken == cold(repo)
    plan.write_text(text, encoding="utf-8")
    assert report(repo) == before == cold(repo)


def test_repository_rules_follow_a_plan_added_or_removed(repo: Path) -> None:
    before = report(repo)
    plan = repo / "plans" / "accounts" / "hoshino-precision.yaml"
    twin = plan.with_name("hoshino-twin.yaml")
    shutil.copy(plan, twin)  # the same account id twice
    doubled = report(repo)
    assert "duplicate-id" in doubled and doubled == cold(repo)
    twin.unlink()
    assert report(repo) == before


def test_repository_rules_follow_the_config_waivers(repo: Path) -> None:
    report(repo)
    config = repo / "revplan.yaml"
    text = config.read_text(encoding="utf-8")
    head = "\nwaivers:                # repository-wide; a plan may also carry its own\n"
    assert head in text
    config.write_text(
        text.replace(
            head, head + "  - {rule: plan-freshness, plan: no-such-plan, reason: a test}\n"
        ),
        encoding="utf-8",
    )
    waived = report(repo)
    assert "no-such-plan" in waived and waived == cold(repo)


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_corrupt_summaries_are_recomputed_when_the_repository_rules_need_them(
    repo: Path,
    corrupt,  # noqa: ANN001
) -> None:
    report(repo)
    path = cache_file(repo, ".summaries")
    path.write_bytes(corrupt(path.read_bytes()))
    break_an_alignment(repo)  # the repository-wide rules run again, on every summary
    assert report(repo) == cold(repo)


def test_metrics_of_an_earlier_version_of_the_file_are_not_used(repo: Path) -> None:
    report(repo)
    metrics = cache_file(repo, ".metrics")
    earlier = metrics.read_bytes()
    plan = repo / "plans" / "accounts" / "hoshino-precision.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("arr: 72000000", "arr: 90000000"))
    report(repo)
    metrics.write_bytes(earlier)  # as if the run had stopped before adding the new metrics
    assert report(repo) == cold(repo)


def test_the_cache_is_never_unpickled(repo: Path, tmp_path: Path) -> None:
    """A CI-restored cache folder is untrusted input: it must not be able to run code."""
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):  # noqa: ANN204 - pickle protocol
            return (os.system, (f"touch {marker}",))

    bomb = pickle.dumps(Payload())
    reference = cold(repo)
    report(repo)
    for suffix in (".cache", ".metrics"):
        path = cache_file(repo, suffix)
        header = path.read_bytes().split(b"\n", 1)[0]
        for blob in (bomb, header + b"\n" + bomb):
            path.write_bytes(blob)
            assert report(repo) == reference
        report(repo)
        rewrite_cache_lines(
            path, lambda line: re.sub(rb"\t[^\t]*$", b"\t" + bomb.replace(b"\n", b" "), line)
        )
        assert report(repo) == reference
    assert not marker.exists()


def test_a_cache_folder_that_cannot_be_written_only_costs_time(repo: Path) -> None:
    (repo / "blocked").write_text("a file where the cache folder should be")
    reference = cold(repo)
    assert report(repo, "--cache-dir", "blocked/cache") == reference
    assert report(repo, "--cache-dir", "blocked/cache") == reference


def test_no_cache_writes_nothing(repo: Path) -> None:
    cold(repo)
    assert not cache_folder_of(repo).exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_for_a_person_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert cli.progress_wanted()
    monkeypatch.setenv("CI", "true")  # CI logs are not a person
    assert not cli.progress_wanted()
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr", io.StringIO())  # piped or redirected
    assert not cli.progress_wanted()


def test_a_quick_run_shows_no_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", terminal := Terminal())
    with cli.Progress(100, "checking", delay=60) as progress:
        for _ in range(100):
            progress(1)
    assert terminal.getvalue() == ""


def test_a_slow_run_shows_the_progress_to_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", terminal := Terminal())
    with cli.Progress(10, "checking", delay=0) as progress:
        for _ in range(10):
            progress(1)
    assert "checking" in terminal.getvalue()
    assert "100%" in terminal.getvalue()


@pytest.mark.parametrize("ids", [{"maria", "tom", ""}, {"odd\x1fid", "x"}, set()])
def test_a_result_survives_the_cache_unchanged(ids: set[str]) -> None:
    """Encoding then decoding gives back every field, dates, infinities and places in
    other files included (real runs rarely hold those, so they are made up here)."""
    from datetime import date

    from engine.cache.codec import decode_part, encode_result
    from engine.findings import Finding, Location
    from engine.model.metrics import PlanMetrics
    from engine.model.types import Places, Waiver
    from engine.pipeline.file import FileResult
    from engine.rules.base import Alignment, FileSummary

    here, there = Location("a.yaml", 3, 5), Location("b.yaml", 7, 9)
    positions = {("waivers", 0): (3, 5), ("waivers", 0, "rule"): (4, 7), ("other",): (9, 1)}
    places = Places("a.yaml", positions, ("waivers", 0))
    waiver = Waiver(here, places, "backup-per-contact", "why", None, "tom", date(2027, 1, 2))
    metrics = PlanMetrics(
        "acme", None, "EUR", 1.5, None, {"end_user": ["maria"]}, {}, [], [], [], [], {"o/k": None},
        {"o": 0.25}, -3.0, float("inf"), date(2030, 1, 31), None,
    )  # fmt: skip
    result = FileResult(
        "a.yaml",
        "checked",
        findings=[
            Finding("schema", "error", "ünïcode\ttab\nline", "a.yaml", 1, 2, "acme", None, "p"),
            Finding(
                "yaml-syntax",
                "warning",
                "m",
                "b.yaml",
                4,
                1,
                waived=True,
                waiver_reason="r",
                waiver_expires=date(2027, 1, 2),
            ),
        ],
        kind="AccountPlan",
        plan_id="acme",
        valid=False,
        waivers=(waiver,),
        summary=FileSummary(
            "a.yaml",
            "AccountPlan",
            "acme",
            here,
            frozenset(ids),
            ("o1",),
            (Alignment("acme/o1", "cro/x", there, "acme", "o1"),),
        ),  # fmt: skip
        metrics=metrics,
    )
    encoded = encode_result(result)
    assert not any(b"\n" in line or b"\t" in line for line in encoded)
    back = decode_part("result", encoded.result, "a.yaml")
    assert (back.file, back.status, back.note, back.findings) == (
        result.file, result.status, result.note, result.findings
    )  # fmt: skip
    # (not compared by ==: the waiver a finding carries is not part of its identity)
    waivers_of = [(f.waiver_reason, f.waiver_expires) for f in back.findings]
    assert waivers_of == [(f.waiver_reason, f.waiver_expires) for f in result.findings]
    assert (back.kind, back.plan_id, back.valid) == ("AccountPlan", "acme", False)
    back.summary = summary = decode_part("summary", encoded.summary, "a.yaml")
    assert summary is not None
    assert (summary.file, summary.kind, summary.id, summary.id_loc, summary.ids) == (
        "a.yaml", "AccountPlan", "acme", here, frozenset(ids)
    )  # fmt: skip
    assert (summary.objectives, summary.alignments) == (("o1",), result.summary.alignments)
    (w,) = back.waivers
    assert (w.loc, w.at("rule"), w.at("reason"), w.rule, w.reason, w.plan, w.target, w.expires) == (
        here, Location("a.yaml", 4, 7), here, "backup-per-contact", "why", None, "tom", date(2027, 1, 2)
    )  # fmt: skip
    back.metrics = decode_part("metrics", encoded.metrics, "a.yaml")
    assert back.metrics == metrics
    assert encode_result(back) == encoded


def test_the_codec_reads_deep_nesting_as_damage() -> None:
    """Deeper than the JSON parser recurses (a planted or damaged entry): a
    RecursionError, an internal error of `check`, until the codec read it as damage."""
    assert codec._parse_all([b"[1]", DEEP]) == [[1], None]
    with pytest.raises(ValueError):
        codec.decode_part("findings", DEEP, "a.yaml")
