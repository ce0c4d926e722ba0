"""Render stays linear in what the plans say: deep alignment chains, alignment DAGs,
one action engaging many people. No timed tests: sizes and memory, which do not
depend on the machine's speed (bench/hostile.py prints the times)."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, TODAY, run_cli
from corpus import big

from engine.documents.okrs import MAX_TREE_DEPTH


def render(folder: Path) -> dict[str, str]:
    result = run_cli("render", "--out", "out", "--today", TODAY, "--jobs", "1", cwd=folder)
    assert "internal error" not in result.output, result.output
    assert result.exit_code == 0, result.output
    return {
        p.relative_to(folder / "out").as_posix(): p.read_text(encoding="utf-8")
        for p in (folder / "out").rglob("*.md")
    }


def tree_rows(document: str) -> list[str]:
    [section] = [part for part in document.split("\n## ") if part.startswith("Objective tree")]
    return [line for line in section.splitlines() if line.lstrip().startswith("- ")]


def test_a_chain_of_1500_aligned_objectives_renders(tmp_path):
    """RecursionError before: the tree was walked recursively."""
    big.okr_chain(tmp_path, 1500)
    rows = tree_rows(render(tmp_path)["okrs/chain.md"])
    assert len(rows) == 1500
    assert rows[-1].startswith("  " * MAX_TREE_DEPTH + "- ")  # indented no further
    assert "O1499" in rows[-1] and "O0" in rows[0]


def test_an_alignment_dag_is_not_expanded_into_a_tree(tmp_path):
    """Each objective aligned to both of the level above: 2**levels rows before."""
    levels = 16
    big.okr_ladder(tmp_path, levels)
    rows = tree_rows(render(tmp_path)["okrs/ladder.md"])
    # One row per alignment: 2 roots, then 2 objectives x 2 parents a level.
    assert len(rows) == 2 + 4 * (levels - 1)
    again = [row for row in rows if "shown above" in row]
    assert len(again) == 2 * (levels - 1)  # the second parent's row of each objective


def test_an_action_engaging_many_detractors_is_held_once(tmp_path):
    """The action's row (and its people) was built again for each detractor it engages:
    quadratic memory, 580 MB for 1,600 detractors (75 MB now)."""
    big.detractors(tmp_path, 1600)
    process = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), "render", "--out", "out", "--jobs", "1", "--no-cache",
         "--today", TODAY, "-q"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read() if process.stderr else ""
    assert "Person 1599" in (tmp_path / "out/accounts/many.md").read_text(encoding="utf-8")
    peak_mb = usage.ru_maxrss / 1024  # Linux: kilobytes
    assert peak_mb < 250, f"{peak_mb:.0f} MB"
