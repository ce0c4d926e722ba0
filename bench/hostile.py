"""Time and memory of every hostile-input corpus case (tests/corpus/).

    python bench/hostile.py [--budget-seconds 1] [--budget-mb 200] [--markdown]

Each case runs in processes of its own, twice:

* ``revplan check FILE`` as CI runs it (a fresh interpreter): exit code, wall
  time, CPU time (user + system) and peak resident memory (from wait4; all
  three include starting Python and importing revplan);
* the same check inside an interpreter that has already imported revplan and
  checked two small plans (one valid, one not, so that every lazy import is
  done): the wall time of the check alone, and the peak of Python's own
  allocations during it (tracemalloc, in a second run: it slows Python down).

Prints a table and exits 1 when a case exits with another code than the
corpus expects, or when its check takes longer than the time budget or its
process more memory (peak resident) than the memory budget. The time budget
holds for the check alone: starting Python and importing revplan costs every
run the same (the table's first rows, the cheapest cases, show how much).

Then the plans that are small to write and were large to render or check
(tests/corpus/big.py: an alignment chain, an alignment ladder, one action
engaging many detractors, thousands of waivers): ``revplan render`` and
``revplan check`` on each, as CI runs them, with wall time, peak resident
memory and the size of the documents (``--budget-render-seconds``, default 20).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from corpus import big  # noqa: E402
from corpus.cases import Case, cases, materialise  # noqa: E402

TODAY = "2026-11-23"

# Runs in a child: warm up, then time one check, then measure its
# allocations with tracemalloc (not timed: tracing slows Python down).
IN_PROCESS = r"""
import json, sys, time, tracemalloc
from datetime import date
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from engine.cli.options import resolve_config
from engine.reporters import reporters
from engine.errors import UsageError
from engine.session import run_check

def check(path):
    config = resolve_config(None, (path,))
    try:
        report, _ = run_check((path,), config, date(2026, 11, 23), jobs=1)
    except UsageError:
        return
    reporters()["text"]().render(report)
    reporters()["json"]().render(report)

for warm_up in sys.argv[3:]:
    check(Path(warm_up))
target = Path(sys.argv[2])
start = time.perf_counter()
check(target)
seconds = time.perf_counter() - start
tracemalloc.start()
check(target)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({"seconds": seconds, "python_peak": peak}))
"""


def end_to_end(path: Path, cwd: Path) -> tuple[int, float, float, int]:
    """(exit code, wall seconds, CPU seconds, peak resident bytes) of ``revplan check PATH``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), "check", "--no-cache", "--today", TODAY, str(path)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return process.returncode, wall, cpu, usage.ru_maxrss * 1024  # Linux: kilobytes


def in_process(path: Path, warm_ups: list[Path], cwd: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(REPO), str(path), *map(str, warm_ups)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(result.stdout)


def measure(case: Case, corpus: Path, warm_ups: list[Path]) -> dict[str, object]:
    path = corpus / case.file
    code, wall, cpu, rss = end_to_end(path, corpus.parent)
    inner = in_process(path, warm_ups, corpus.parent)
    return {
        "case": case.file,
        "expected_exit": case.exit,
        "exit": code,
        "wall": wall,
        "cpu": cpu,
        "check": inner["seconds"],
        "rss": rss,
        "python_peak": inner["python_peak"],
    }


HEAD = ["case", "exit", "wall (s)", "CPU (s)", "check alone (s)", "peak RSS (MB)", "Python (MB)"]


def table(rows: list[dict[str, object]], markdown: bool) -> str:
    lines = [
        [
            str(r["case"]),
            str(r["exit"]) if r["exit"] == r["expected_exit"] else f"{r['exit']}!",
            f"{r['wall']:.2f}",
            f"{r['cpu']:.2f}",
            f"{r['check']:.3f}",
            f"{r['rss'] / 1e6:.0f}",
            f"{r['python_peak'] / 1e6:.1f}",
        ]
        for r in rows
    ]
    if markdown:
        rule = "|" + "|".join(["---"] + ["---:"] * (len(HEAD) - 1)) + "|"
        return "\n".join(["| " + " | ".join(row) + " |" for row in [HEAD]] + [rule] + [
            "| " + " | ".join(row) + " |" for row in lines
        ])  # fmt: skip
    widths = [max(len(row[i]) for row in [HEAD, *lines]) for i in range(len(HEAD))]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*row) for row in [HEAD, *lines])


# name -> builder and size: each was seconds to minutes, a RecursionError or GBs.
BIG_CASES = {
    "OKR chain of 1,500 objectives": (big.okr_chain, 1500),
    "OKR ladder of 16 levels": (big.okr_ladder, 16),
    "1,600 detractors, one action": (big.detractors, 1600),
    "2,400 waivers": (big.waivers, 2400),
}


def run_measured(args: list[str], cwd: Path) -> tuple[int, float, int]:
    """(exit code, wall seconds, peak resident bytes) of ``revplan ARGS``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), *args, "--today", TODAY],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - start, usage.ru_maxrss * 1024


def big_cases(tmp: Path, budget_seconds: float) -> list[str]:
    """Print the render and check of each big case; the names of those over budget."""
    over = []
    head = ("case", "command", "exit", "wall (s)", "RSS (MB)", "docs (KB)")
    line = "{:<32} {:<7} {:>4} {:>9} {:>9} {:>10}"
    print("\n" + line.format(*head))
    for name, (build, size) in BIG_CASES.items():
        folder = tmp / "big" / name.replace(" ", "-").replace(",", "")
        build(folder, size)
        for command in (["render", "--out", "out", "--no-cache"], ["check", "--no-cache"]):
            code, wall, rss = run_measured(command, folder)
            docs = sum(p.stat().st_size for p in (folder / "out").rglob("*.md"))
            shown = (f"{wall:.2f}", f"{rss / 1e6:.0f}", f"{docs / 1e3:.0f}")
            print(line.format(name, command[0], code, *shown))
            if code == 2 or wall > budget_seconds:
                over.append(f"{name} ({command[0]})")
    return over


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-seconds", type=float, default=1.0)
    parser.add_argument("--budget-mb", type=float, default=200.0)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--budget-render-seconds", type=float, default=20.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="revplan-hostile-") as tmp:
        corpus = materialise(Path(tmp) / "corpus")
        valid = Path(tmp) / "warm-up.yaml"
        valid.write_bytes((REPO / "plans" / "okrs" / "company-fy27.yaml").read_bytes())
        invalid = Path(tmp) / "warm-up-invalid.yaml"
        invalid.write_text("apiVersion: revplan/v1\nkind: OKRs\nid: 7\n")
        rows = [measure(case, corpus, [valid, invalid]) for case in cases()]
        code, wall, cpu, rss = end_to_end(corpus, Path(tmp))
        big_over = big_cases(Path(tmp), args.budget_render_seconds)

    print(table(rows, args.markdown))
    print(
        f"\nthe whole corpus in one run: exit {code}, {wall:.2f} s ({cpu:.2f} s CPU), "
        f"peak RSS {rss / 1e6:.0f} MB"
    )
    over = [
        str(r["case"])
        for r in rows
        if r["check"] > args.budget_seconds
        or r["rss"] > args.budget_mb * 1e6
        or r["exit"] != r["expected_exit"]
    ] + big_over
    if over:
        print(f"over budget or wrong exit code: {', '.join(over)}", file=sys.stderr)
        return 1
    print(f"every case checked within {args.budget_seconds:g} s and {args.budget_mb:g} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
