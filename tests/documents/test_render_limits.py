"""Render stays linear in what the plans say: deep alignment chains, alignment DAGs,
one action engaging many people. No timed tests: sizes and memory, which do not
depend on the machine's speed (bench/hostile.py prints the times)."""

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


# Renders in a process of its own and prints that process's peak resident memory (Linux's
# /proc, as on revplan's CI):
# VmHWM belongs to the process's own memory since exec (ru_maxrss would include the
# memory of the pytest process it was started from).
RENDER_AND_PEAK = """
import sys
sys.path.insert(0, sys.argv[1])
from engine.cli import main
try:
    main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
status = open("/proc/self/status", encoding="ascii").read()
peak_kb = int(status.split("VmHWM:")[1].split()[0])
print(code, peak_kb)
"""


def test_an_action_engaging_many_detractors_is_held_once(tmp_path):
    """The action's row (and its people) was built again for each detractor it engages:
    quadratic memory, 580 MB for 1,600 detractors (75 MB now)."""
    big.detractors(tmp_path, 1600)
    args = ["render", "--out", "out", "--jobs", "1", "--no-cache", "--today", TODAY, "-q"]
    done = subprocess.run(
        [sys.executable, "-c", RENDER_AND_PEAK, str(REPO), *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    code, peak_kb = map(int, done.stdout.split())
    assert code == 0, done.stderr
    assert "Person 1599" in (tmp_path / "out/accounts/many.md").read_text(encoding="utf-8")
    assert peak_kb / 1024 < 250, f"{peak_kb / 1024:.0f} MB"
