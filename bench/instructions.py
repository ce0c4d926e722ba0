"""Instructions, not seconds: render against the check, as Valgrind counts them.

On a shared machine the wall and CPU time of a run change by tens of percent from
one minute to the next (bench/RESULTS.md); the instructions it executes change by
about 0.2% (with PYTHONHASHSEED fixed). This counts them for ``revplan check
--no-cache``, ``revplan render --no-cache`` and ``revplan render`` after a check
(with its cache), in one process (``--jobs 1``), on a small generated repository,
less the instructions of starting revplan (``revplan rules``), and prints the
ratios to the cold check: the render target (at most 3×) without the noise, at a
size Valgrind (about 50 times slower than Python alone) runs in a few minutes.

    python bench/instructions.py [--plans 50] [--root /tmp/revplan-instructions] [--cli PATH]

Workers, pickling between processes and the portfolio's share grow with the
repository, so this is a check on a change, not the 10,000-plan figure itself.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import REPO, ensure_repository, revplan_env  # noqa: E402

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """The instructions ``command`` executes, by Valgrind's cachegrind (no cache model)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "valgrind.log"
        valgrind = [
            "valgrind", "--tool=cachegrind", "--cache-sim=no",
            "--cachegrind-out-file=/dev/null", f"--log-file={log}",
        ]  # fmt: skip
        done = subprocess.run(
            [*valgrind, *command], cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=False
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed (exit {done.returncode})")
        found = _REFS.search(log.read_text(encoding="utf-8", errors="replace"))
    if found is None:
        raise SystemExit(f"valgrind counted nothing for {' '.join(command)}")
    return int(found[1].replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=50, help="account plans [50]")
    parser.add_argument("--root", type=Path, default=Path("/tmp/revplan-instructions"))
    parser.add_argument("--cli", type=Path, default=REPO / "cli.py", help="the revplan measured")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind not found: install it (apt-get install valgrind)")
    root = args.root / str(args.plans)
    ensure_repository(root, args.plans)
    env = revplan_env()
    env["PYTHONHASHSEED"] = "0"  # the same dict layouts, so the same count, every run
    env["XDG_CACHE_HOME"] = str(args.root / "cache-home")
    revplan = [sys.executable, str(args.cli.resolve())]
    out = args.root / "out"
    subprocess.run([*revplan, "rules"], env=env, stdout=subprocess.DEVNULL, check=True)  # bytecode

    def counted(*command: str) -> int:
        shutil.rmtree(out, ignore_errors=True)
        return instructions([*revplan, *command], root, env)

    one = ("--jobs", "1", "-q")
    startup = counted("rules")
    cold = counted("check", "--no-cache", *one) - startup
    render_cold = counted("render", "--no-cache", "--out", str(out), *one) - startup
    shutil.rmtree(args.root / "cache-home", ignore_errors=True)
    subprocess.run([*revplan, "check", *one], cwd=root, env=env, stdout=subprocess.DEVNULL)
    render = counted("render", "--out", str(out), *one) - startup
    shutil.rmtree(out, ignore_errors=True)
    print(f"{args.plans:,} plans, revplan at {args.cli.resolve().parent}, --jobs 1")
    print(f"starting revplan (revplan rules): {startup:,} instructions, not counted below")
    for what, count in (
        ("revplan check, cold (--no-cache)", cold),
        ("revplan render, no cache (--no-cache)", render_cold),
        ("revplan render (after check)", render),
    ):
        print(f"{what}: {count:,} instructions, {count / cold:.2f}× the cold check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
