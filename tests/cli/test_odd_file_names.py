"""Every writer handles a plan whose file name is not UTF-8 or holds terminal escapes:
no "internal error", output its readers accept, names shown safely."""

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, TODAY, run_cli

from engine.controls import CONTROL

# A byte that is not UTF-8 (Latin-1 ÿ), as a file name can hold on Linux (revplan's CI).
NOT_UTF8 = os.fsdecode(b"plan-\xff.yaml")
# Set the window title, then write to the clipboard (OSC 0 and OSC 52).
ESCAPES = "osc-\x1b]0;owned\x07-\x1b]52;c;ZXZpbA==\x07.yaml"


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    (tmp_path / "plans").mkdir()
    text = (REPO / "plans/accounts/hoshino-precision.yaml").read_bytes()
    (tmp_path / "plans" / NOT_UTF8).write_bytes(text)
    # An id render refuses: its "not rendered" note names the file.
    (tmp_path / "plans" / ESCAPES).write_bytes(
        text.replace(b"id: hoshino-precision", b"id: Bad_Id", 1)
    )
    return tmp_path


def ok(result) -> None:
    assert "internal error" not in result.output, result.output
    assert result.exit_code in (0, 1), result.output


def test_machine_formats_written_to_files_are_valid(plans):
    ok(run_cli(
        "check", "plans", "--no-cache", "--today", TODAY, "--format", "json:report.json",
        "--format", "sarif:report.sarif", "--format", "junit:report.xml",
        "--format", "text:report.txt", "--format", "github:report.log", cwd=plans,
    ))  # fmt: skip
    report = json.loads((plans / "report.json").read_text(encoding="utf-8"))
    assert f"plans/{NOT_UTF8}" in {f["file"] for f in report["findings"]}  # the same name back
    log = json.loads((plans / "report.sarif").read_text(encoding="utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert "plans/plan-%FF.yaml" in uris  # the byte, percent-encoded (RFC 3986)
    ET.parse(plans / "report.xml")  # well-formed


def test_step_summary_is_written(plans):
    summary = plans / "summary.md"
    result = run_cli(
        "check", "plans", "--no-cache", "--today", TODAY, cwd=plans,
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    ok(result)
    text = summary.read_text(encoding="utf-8")  # UTF-8, the name's byte shown as \xff
    assert "plan-\\\\xff.yaml" in text and not CONTROL.search(text)  # Markdown: \\ is \


def test_baseline_records_and_matches_the_name(plans):
    ok(
        run_cli(
            "check",
            "plans",
            "--no-cache",
            "--today",
            TODAY,
            "--write-baseline",
            "b.json",
            cwd=plans,
        )
    )
    json.loads((plans / "b.json").read_text(encoding="utf-8"))
    again = run_cli(
        "check", "plans", "--no-cache", "--today", TODAY, "--baseline", "b.json", "--format", "json",
        cwd=plans,
    )  # fmt: skip
    ok(again)
    assert all(f["waived"] for f in json.loads(again.stdout)["findings"])


@pytest.mark.parametrize("fmt", ["dot", "graphml", "json", "mermaid"])
def test_graph_output_file(plans, fmt):
    ok(
        run_cli(
            "graph",
            "plans",
            "--format",
            fmt,
            "--output",
            f"graph.{fmt}",
            "--today",
            TODAY,
            cwd=plans,
        )
    )
    text = (plans / f"graph.{fmt}").read_text(encoding="utf-8")  # UTF-8
    if fmt != "mermaid":  # the others name each node's file; DOT and JSON escape the \
        assert "plan-\\xff.yaml" in text.replace("\\\\", "\\")


def test_render_names_files_safely(plans):
    result = run_cli("render", "plans", "--out", "docs", "--today", TODAY, cwd=plans)
    ok(result)
    # The note for the refused id names its file with the escapes shown, not sent.
    assert "not rendered" in result.stderr and not CONTROL.search(result.stderr)
    assert "osc-\\x1b]0;owned\\x07" in result.stderr
    document = (plans / "docs/accounts/hoshino-precision.md").read_text(encoding="utf-8")
    assert "(../../plans/plan-%FF.yaml" in document  # the link names the real file
    shutil.rmtree(plans / "docs")
