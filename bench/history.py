"""Benchmark ``revplan history`` against one cold check (issue 18).

    python bench/history.py                       # 1,000 and 10,000 plans
    python bench/history.py --sizes 1000 --repeat 1

For each N: the repository of bench/generate.py committed on 2026-05-25, then
25 weekly commits each editing ~2% of the account plans (their ``reviewed``
date, the edit a team makes most), so a plan changes about every year. Timed
as bench/run.py times (a subprocess from start to exit, peak memory of it and
its workers): ``revplan check --no-cache`` of the newest commit, and
``revplan history`` of the 26 weeks (Sundays 2026-05-31 to 2026-11-22: 26
samples), both printing JSON to /dev/null. The target: history ≤ 3× the cold
check, under 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from run import Timing, measure, revplan, revplan_env  # noqa: E402

START = date(2026, 5, 25)
WEEKS = 26
CHANGED_EVERY = 50  # one plan in this many changes each week: 2%
STAMP = ".history-generated"


def git(root: Path, day: date, *args: str) -> None:
    stamp = f"{day.isoformat()}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=b@example.com", *args],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def build(root: Path, n: int) -> None:
    """The repository and its half-year of history (made once per N)."""
    stamp = root / STAMP
    if stamp.is_file() and stamp.read_text() == str(n):
        return
    print(f"generating {n:,} plans and {WEEKS - 1} weeks of history under {root}", file=sys.stderr)
    generate(root, n)
    git(root, START, "init", "-q", "-b", "main")
    git(root, START, "add", "-A")
    git(root, START, "commit", "-q", "-m", "plans")
    plans = sorted((root / "plans" / "accounts").rglob("*.yaml"))
    for week in range(1, WEEKS):
        day = START + timedelta(weeks=week, days=2)
        for i, plan in enumerate(plans):
            if (i + 7 * week) % CHANGED_EVERY == 0:
                text = plan.read_text(encoding="utf-8")
                new = re.sub(r"reviewed: \d{4}-\d{2}-\d{2}", f"reviewed: {day}", text, count=1)
                plan.write_text(new, encoding="utf-8")
        git(root, day, "commit", "-q", "-am", f"week {week}")
    stamp.write_text(str(n))


def run_size(root: Path, n: int, repeat: int) -> tuple[Timing, Timing]:
    build(root, n)
    env = revplan_env()
    files = len(list((root / "plans").rglob("*.yaml")))
    out = ["--format", "json", "--output", os.devnull]
    sundays = ("--since", (START + timedelta(days=6)).isoformat(), "--until", "2026-11-22")
    cold, history = [], []
    for _ in range(repeat):  # interleaved: both see the machine's same phases
        check = revplan("check", "--no-cache", *out)
        cold.append(measure("revplan check, cold (--no-cache)", check, root, files, env))
        sampled = revplan("history", *sundays, *out)
        history.append(measure(f"revplan history, {WEEKS} weeks", sampled, root, files, env))
    # The best of each (its own CPU time with it: run._best keeps only the wall time).
    return min(cold, key=lambda t: t.seconds), min(history, key=lambda t: t.seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/revplan-bench-history"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=2, help="best of how many runs")
    args = parser.parse_args(argv)
    rows = [
        "| plans | cold check (s) | CPU (s) | MiB | history, 26 weeks (s) | CPU (s) | MiB "
        "| wall ratio | CPU ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in args.sizes:
        cold, history = run_size(args.root / str(n), n, args.repeat)
        rows.append(
            f"| {n:,} | {cold.seconds:.2f} | {cold.cpu:.2f} | {cold.peak_mib:,.0f} "
            f"| {history.seconds:.2f} | {history.cpu:.2f} | {history.peak_mib:,.0f} "
            f"| {history.seconds / cold.seconds:.2f}× | {history.cpu / cold.cpu:.2f}× |"
        )
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
