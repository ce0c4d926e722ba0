"""Benchmark `revplan diff` on a generated repository where one plan changed.

    python bench/diff.py                      # 10,000 plans
    python bench/diff.py --plans 1000 --root /tmp/revplan-bench-diff

Rows (each a subprocess, timed as bench/run.py times them: wall and CPU seconds,
peak memory of the process and its workers):

- ``revplan check --no-cache``: the cold check the targets compare with;
- ``revplan diff --no-cache``: HEAD against the work tree with one stakeholder's
  stance edited, every file of both sides checked from scratch;
- ``revplan diff`` warm: the same after a ``revplan check`` filled the cache
  (median of ``--warm-runs``), as a person runs it after editing;
- ``revplan diff HEAD~1 HEAD`` warm: the edit committed, as CI runs it.

Targets (issue 17): warm ≤ 2 s, cold ≤ 1.5× a cold check, memory < 1 GiB.
Not a test: it prints the numbers and a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run
from run import Timing, _median, ensure_repository, load_average, measure, revplan, revplan_env

EDITED = Path("plans/accounts/amer/batch-000/plan-000000.yaml")


def git(root: Path, *args: str) -> str:
    who = ("-c", "user.name=bench", "-c", "user.email=bench@example.com")
    return subprocess.check_output(["git", "-C", str(root), *who, *args], text=True).strip()


def prepare(root: Path, plans: int) -> str:
    """The generated plans committed (once), the work tree reset to that commit; the
    text of the plan that each run edits."""
    ensure_repository(root, plans)
    if not (root / ".git").is_dir():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    if git(root, "status", "--porcelain"):
        git(root, "commit", "-qm", "the generated plans")
    return (root / EDITED).read_text(encoding="utf-8")


def edit(root: Path, original: str) -> None:
    """One stakeholder turns from advocate to detractor: worse changes and new findings."""
    edited = re.sub(r"stance: advocate", "stance: detractor", original, count=1)
    assert edited != original, "the generated plan has no advocate"
    (root / EDITED).write_text(edited, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/revplan-bench-diff"))
    parser.add_argument("--plans", type=int, default=10_000)
    parser.add_argument("--warm-runs", type=int, default=3)
    args = parser.parse_args(argv)
    root = args.root / str(args.plans)
    # revplan's cache under --root, as bench/run.py keeps it: no other benchmark empties it.
    run.BENCH_CACHE_HOME = args.root / "cache-home"
    original = prepare(root, args.plans)
    files = sum(1 for _ in (root / "plans").rglob("*.yaml"))
    env = revplan_env()
    quiet = ("--format", "json", "--output", "/dev/null")
    rows: list[Timing] = []
    committed = False
    try:
        rows.append(
            measure("check, cold", revplan("check", "--no-cache", *quiet), root, files, env)
        )
        edit(root, original)
        diff = revplan("diff", *quiet)
        rows.append(measure("diff, cold", [*diff, "--no-cache"], root, files, env))
        (root / EDITED).write_text(original, encoding="utf-8")
        measure("check, filling the cache", revplan("check", *quiet), root, files, env)
        edit(root, original)
        warm = [measure("diff, warm", diff, root, files, env) for _ in range(args.warm_runs)]
        rows.append(_median(warm, f"median of {len(warm)}"))
        git(root, "commit", "-qam", "one stance changed")
        committed = True
        ci = revplan("diff", "HEAD~1", "HEAD", *quiet)
        warm = [
            measure("diff HEAD~1 HEAD, warm", ci, root, files, env) for _ in range(args.warm_runs)
        ]
        rows.append(_median(warm, f"median of {len(warm)}"))
    finally:  # the repository as it was, for the next run
        if committed:
            git(root, "reset", "-q", "--hard", "HEAD~1")
        else:
            (root / EDITED).write_text(original, encoding="utf-8")
    check = rows[0]
    print(f"\n{args.plans:,} plans ({files:,} files), load average {load_average()}\n")
    print("| run | wall (s) | CPU (s) | peak memory (MiB) | note |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print(
            f"| {row.name} | {row.seconds:.2f} | {row.cpu:.2f} | {row.peak_mib:,.0f} | {row.note} |"
        )
    cold = rows[1]
    print(
        f"\ncold diff / cold check: {cold.seconds / check.seconds:.2f}× wall, "
        f"{cold.cpu / check.cpu:.2f}× CPU (target ≤ 1.5×); warm diff {rows[2].seconds:.2f} s "
        f"(target ≤ 2 s); peak {max(r.peak_mib for r in rows):,.0f} MiB (target < 1,024)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
