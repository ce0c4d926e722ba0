"""Benchmark revplan against the YAML parse floor, check-jsonschema and yamllint.

    python bench/run.py                          # N = 1,000 and 10,000; 100,000 for revplan
    python bench/run.py --sizes 1000 --big 0 --out /tmp/results.md   # a quick look

In one run, on the same generated files (see bench/generate.py), for each N:

- the parse floor: every file read and loaded with ``yaml.load(...,
  Loader=yaml.CSafeLoader)`` in one process (a subprocess, like the others);
- ``revplan check`` cold: ``--no-cache``, every rule on, default ``--jobs``;
- ``revplan check`` with a cache: the first run (empty cache), then warm runs
  after editing one plan (median of several), and with nothing changed;
- ``revplan render`` of every plan, after the check (with its cache) and with
  ``--no-cache``;
- ``check-jsonschema`` with revplan's own schemas (schema only);
- ``yamllint`` with its default config (syntax and style only);
- ``revplan check`` cold and warm (no change) with ten rules of the custom-rules
  cookbook (docs/custom-rules.md) added to the config, beside the same runs
  without (``--custom-only``: these rows alone).

Each is a subprocess timed from start to exit (interpreter start-up included);
peak memory is the largest sum of the proportional set sizes of the process and
its children, sampled every 20 ms (less often when a sample is slow). Output
goes to /dev/null: printing to a terminal is not what is measured. The results
are written as Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

GENERATOR_STAMP = ".generated"


@dataclass
class Timing:
    name: str
    seconds: float
    files: int
    peak_bytes: int
    exit_code: int
    note: str = ""
    cpu: float = 0.0  # user + system seconds of the process and the workers it waited for

    @property
    def per_second(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


# --- measuring a subprocess ---------------------------------------------------


def _tree_memory(pid: int) -> int:
    """Memory of a process and all its descendants, in bytes: their proportional set
    sizes, so that pages forked workers share with their parent count once, not once
    a process."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(
    name: str,
    command: list[str],
    cwd: Path,
    files: int,
    env: dict[str, str],
    note: str = "",
    stdout: Path | None = None,
) -> Timing:
    peak = 0
    done = threading.Event()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115 - closed below
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.PIPE)

    def sample() -> None:
        # Reading smaps_rollup walks the process's page tables and holds its memory map
        # lock: 36 ms for a 1.5 GiB process. Every 20 ms that took most of a core (and
        # stalled the workers' page faults) in large runs; waiting 20 times as long as a
        # sample took keeps the sampler under 5% of a core at any size.
        nonlocal peak
        while not done.is_set():
            began = time.perf_counter()
            peak = max(peak, _tree_memory(process.pid))
            done.wait(max(0.02, 20 * (time.perf_counter() - began)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    # The largest single process, as the kernel counted it, in case sampling missed a peak.
    peak = max(peak, usage.ru_maxrss * 1024)
    cpu = usage.ru_utime + usage.ru_stime
    timing = Timing(name, seconds, files, peak, process.returncode, note, cpu)
    print(
        f"  {name}: {seconds:.2f} s, {timing.per_second:,.0f} files/s, "
        f"{timing.peak_mib:,.0f} MiB, {cpu:.2f} s CPU, exit {process.returncode}",
        file=sys.stderr,
    )
    if process.returncode not in (0, 1):
        raise SystemExit(f"{name} failed (exit {process.returncode}):\n{stderr[-2000:]}")
    return timing


# --- the tools ----------------------------------------------------------------


# revplan's cache for the runs: under --root (main sets it), so that two benchmarks on
# one machine never empty each other's.
BENCH_CACHE_HOME = Path("/tmp/revplan-bench") / "cache-home"


def revplan_env() -> dict[str, str]:
    """revplan as installed: with its bytecode cached (here outside the checkout)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path("/tmp/revplan-bench-pycache"))
    # revplan's cache goes to the user's cache folder: the benchmark's own, to empty at will.
    env["XDG_CACHE_HOME"] = str(BENCH_CACHE_HOME)
    env.pop("CI", None)
    return env


CLI = REPO / "cli.py"  # the revplan measured (--cli: another checkout's, to compare)


def revplan(*args: str) -> list[str]:
    return [sys.executable, str(CLI), *args]


def plan_files(root: Path) -> tuple[list[Path], list[Path]]:
    accounts = sorted((root / "plans" / "accounts").rglob("*.yaml"))
    okrs = sorted((root / "plans" / "okrs").glob("*.yaml"))
    return accounts, okrs


def floor_main(root: Path) -> None:
    """The parse floor, run as a subprocess: load every file with libyaml, nothing else."""
    import yaml

    for folder, dirs, names in os.walk(root / "plans"):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".yaml"):
                with open(os.path.join(folder, name), "rb") as handle:
                    raw = handle.read()
                # A broken file still costs its parse (the calendar-invalid date
                # in a few plans raises ValueError, not a YAML error).
                with contextlib.suppress(Exception):
                    yaml.load(raw, Loader=yaml.CSafeLoader)


def edit_plan(root: Path, reviewed: str) -> None:
    """Edit one plan the way a person does: change the date it was last reviewed."""
    plan = root / "plans" / "accounts" / "amer" / "batch-000" / "plan-000000.yaml"
    text = plan.read_text(encoding="utf-8")
    new = re.sub(r"reviewed: \d{4}-\d{2}-\d{2}", f"reviewed: {reviewed}", text, count=1)
    plan.write_text(new, encoding="utf-8")


def _day(round_: int) -> str:
    return f"2026-10-{1 + round_ % 28:02d}"


def _warm(root: Path, files: int, env: dict[str, str], runs: int, fmt: str, day: int) -> Timing:
    """The median of ``runs`` warm runs printing ``fmt``, each after editing one plan."""
    timings = []
    for round_ in range(runs):
        edit_plan(root, _day(day + round_))
        timings.append(
            measure(
                f"revplan check, warm, {fmt} output (1 plan edited)",
                revplan("check", "--format", fmt, "--output", os.devnull),
                root,
                files,
                env,
            )
        )
    return _median(timings, f"median of {len(timings)}")


CUSTOM_RULES = 10


def custom_config(root: Path, off: bool = False) -> Path:
    """The repository's config plus the first ten AccountPlan rules of the cookbook
    (``off``: each set to severity off, so that they find nothing: what loading
    them costs alone)."""
    text = (REPO / "docs" / "custom-rules.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(- id:.*?)```", text, re.S) if "kind: OKRs" not in b]
    rules = "".join("\n".join("  " + line for line in b.splitlines()) + "\n" for b in blocks)
    path = root / ("revplan-custom-off.yaml" if off else "revplan-custom.yaml")
    base = (root / "revplan.yaml").read_text(encoding="utf-8")
    assert "\nrules:" not in base, "the generated config has no rules: section to merge"
    ids = re.findall(r"^- id: (\S+)", "".join(blocks), re.M)
    severities = "\nrules:\n" + "".join(f'  {i}: {{severity: "off"}}\n' for i in ids) if off else ""
    path.write_text(base + severities + "\ncustom_rules:\n" + rules, encoding="utf-8")
    assert len(blocks) >= CUSTOM_RULES
    return path


def custom_rows(root: Path, files: int, env: dict[str, str], repeat: int) -> dict[str, Timing]:
    """Cold and warm checks with and without the cookbook's rules, interleaved."""
    config = custom_config(root)
    json_null = ["--format", "json", "--output", os.devnull]
    runs: dict[str, list[Timing]] = {"cold": [], "custom_cold": []}
    for _ in range(repeat):
        for key, extra in (("cold", ()), ("custom_cold", ("--config", str(config)))):
            name = "revplan check, cold" + (", ten custom rules" if extra else " (--no-cache)")
            runs[key].append(
                measure(name, revplan("check", "--no-cache", *extra, *json_null), root, files, env)
            )
    out = {key: _best(timings) for key, timings in runs.items()}
    warm_configs = (
        ("unchanged", (), ""),
        ("custom_unchanged", ("--config", str(config)), ", ten custom rules"),
        ("custom_off_unchanged", ("--config", str(custom_config(root, off=True))),
         ", ten custom rules set off"),
    )  # fmt: skip
    for key, extra, what in warm_configs:
        name = "revplan check, warm (no change)" + what
        subprocess.run(revplan("check", *extra, *json_null), cwd=root, env=env, check=False)
        warm = [
            measure(name, revplan("check", *extra, *json_null), root, files, env) for _ in range(5)
        ]
        out[key] = _median(warm, "median of 5")
    return out


def render_rows(
    root: Path, files: int, env: dict[str, str], out: Path, repeat: int
) -> dict[str, Timing]:
    """A cold check, render without a cache, the check that fills the cache render reads,
    and render with it (--render-only): ``repeat`` rounds of the four, each row the best
    of its rounds by wall and by CPU time, and the highest peak memory of any. The
    renders' notes give each round's ratio to that round's cold check too: on a shared
    machine the speed changes from minute to minute, and a ratio of runs made together
    is the steadier figure."""
    json_null = ["--format", "json", "--output", os.devnull]
    cold = revplan("check", "--no-cache", *json_null)
    runs: dict[str, list[Timing]] = defaultdict(list)

    def render(key: str, *extra: str) -> None:
        shutil.rmtree(out, ignore_errors=True)
        name = "revplan render" + (", no cache (--no-cache)" if extra else " (after check)")
        command = revplan("render", *extra, "--out", str(out))
        runs[key].append(measure(name, command, root, files, env))

    for _ in range(repeat):
        runs["cold"].append(measure("revplan check, cold (--no-cache)", cold, root, files, env))
        render("render_cold", "--no-cache")
        shutil.rmtree(BENCH_CACHE_HOME / "revplan" / "repositories", ignore_errors=True)
        fill = revplan("check", *json_null)
        name = "revplan check, first run (empty cache)"
        runs["fill"].append(measure(name, fill, root, files, env))
        render("render")
    shutil.rmtree(out, ignore_errors=True)
    rows = {
        key: dataclasses.replace(_best(timings), peak_bytes=max(t.peak_bytes for t in timings))
        for key, timings in runs.items()
    }
    for key in ("render", "render_cold"):
        walls = [r.seconds / c.seconds for r, c in zip(runs[key], runs["cold"], strict=True)]
        cpus = [r.cpu / c.cpu for r, c in zip(runs[key], runs["cold"], strict=True)]
        rounds = (
            "÷ its round's cold check: " + ", ".join(f"{w:.2f}×" for w in walls) + " wall, "
            + ", ".join(f"{c:.2f}×" for c in cpus) + " CPU"
            + (f" (median {statistics.median(walls):.2f}×, {statistics.median(cpus):.2f}×)"
               if len(walls) > 1 else "")
        )  # fmt: skip
        note = rows[key].note
        rows[key] = dataclasses.replace(rows[key], note=f"{note}; {rounds}" if note else rounds)
    return rows


def write_render_report(path: Path, results: dict[int, dict]) -> None:
    """The --render-only rows as Markdown: wall and CPU seconds, peak memory, and render
    against the cold check (the targets: at most 3×, under 1 GiB)."""
    lines = [
        f"`python bench/run.py {' '.join(sys.argv[1:])}` on revplan at {CLI.parent}.",
        "",
        "| plans | what | wall (s) | CPU (s) | peak memory (MiB) | ÷ cold check, wall | "
        "÷ cold check, CPU |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, r in sorted(results.items()):
        cold = r["cold"]
        for key in ("cold", "fill", "render", "render_cold"):
            t = r[key]
            lines.append(
                f"| {n:,} | {t.name} | {t.seconds:,.2f} | {t.cpu:,.2f} | {t.peak_mib:,.0f} | "
                f"{t.seconds / cold.seconds:.2f}× | {t.cpu / cold.cpu:.2f}× |"
            )
        lines.append(f"| {n:,} | load average before / after | {r['load_before']} / "
                     f"{r['load_after']} | | | | |")  # fmt: skip
    notes = [f"- {n:,}, {r[k].name}: {r[k].note}" for n, r in sorted(results.items())
             for k in ("cold", "fill", "render", "render_cold") if r[k].note]  # fmt: skip
    if notes:
        lines += ["", *notes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def run_size(n: int, args: argparse.Namespace, big: bool) -> dict[str, Timing | str]:
    root = args.root / str(n)
    ensure_repository(root, n)
    accounts, okrs = plan_files(root)
    files = len(accounts) + len(okrs)
    env = revplan_env()
    print(f"N = {n:,} ({files:,} files)", file=sys.stderr)
    subprocess.run(revplan("rules"), env=env, stdout=subprocess.DEVNULL, check=True)  # bytecode
    out: dict[str, Timing | str] = {"load_before": load_average()}
    if args.custom_only:
        out.update(custom_rows(root, files, env, args.repeat))
        out["load_after"] = load_average()
        return out
    if args.render_only:
        out.update(render_rows(root, files, env, args.root / f"render-{n}", args.repeat))
        out["load_after"] = load_average()
        return out

    json_null = ["--format", "json", "--output", os.devnull]
    floors, colds = [], []
    repeat = args.big_repeat if big else args.repeat
    with_floor = not big or args.big_floor
    for _ in range(repeat):  # interleaved, so that both meet the same machine
        if with_floor:
            floors.append(
                measure(
                    "parse floor (CSafeLoader, 1 process)",
                    [sys.executable, str(Path(__file__).resolve()), "--floor-of", str(root)],
                    root,
                    files,
                    env,
                )
            )
        colds.append(
            measure(
                "revplan check, cold (--no-cache)",
                revplan("check", "--no-cache", *json_null),
                root,
                files,
                env,
            )
        )
    out["floor"] = _best(floors) if floors else None
    out["cold"] = _best(colds)
    if not big:
        custom = custom_rows(root, files, env, repeat)
        for key in ("custom_cold", "custom_unchanged", "custom_off_unchanged"):
            out[key] = custom[key]
    if not big or args.big_warm:
        shutil.rmtree(BENCH_CACHE_HOME / "revplan" / "repositories", ignore_errors=True)
        report = args.root / f"report-{n}.json"
        out["fill"] = measure(
            "revplan check, first run (empty cache)",
            revplan("check", "--format", "json", "--output", str(report)),
            root,
            files,
            env,
        )
        # The first run stored the JSON report's parts: warm runs assemble it from them.
        out["warm"] = _warm(root, files, env, args.warm_runs, "json", 0)
        # Each format's parts are stored by a run of that format: a full path first.
        for fmt, first_day in (("text", 7), ("sarif", 14)):
            out[f"fill_{fmt}"] = measure(
                f"revplan check, {fmt}, full path (stores its parts)",
                revplan("check", "--format", fmt, "--output", os.devnull),
                root,
                files,
                env,
            )
            out[f"warm_{fmt}"] = _warm(root, files, env, args.warm_runs, fmt, first_day)
        unchanged = [
            measure(
                "revplan check, warm (no change)", revplan("check", *json_null), root, files, env
            )
            for _ in range(args.warm_runs)
        ]
        out["unchanged"] = _median(unchanged, f"median of {len(unchanged)}")
    if not big:
        render_out = args.root / f"render-{n}"
        shutil.rmtree(render_out, ignore_errors=True)
        # As CI runs it: after `revplan check`, whose cache render reads (it starts none).
        out["render"] = measure(
            "revplan render (after check: its cache)",
            revplan("render", "--out", str(render_out)),
            root,
            files,
            env,
        )
        shutil.rmtree(render_out, ignore_errors=True)
        out["render_cold"] = measure(
            "revplan render, no cache (--no-cache)",
            revplan("render", "--no-cache", "--out", str(render_out)),
            root,
            files,
            env,
        )
        shutil.rmtree(render_out, ignore_errors=True)
        if not args.skip_tools:
            # Both are single-process: they run side by side, one core each, and
            # nothing of revplan runs meanwhile.
            with ThreadPoolExecutor(max_workers=2) as both:
                jsonschema = both.submit(check_jsonschema, root, accounts, okrs, env, args.root)
                yamllint = both.submit(
                    measure,
                    "yamllint (default config)",
                    [shutil.which("yamllint") or "yamllint", "-f", "parsable", "plans"],
                    root,
                    files,
                    env,
                    "run beside check-jsonschema, one core each",
                )
                out["jsonschema"], flagged = jsonschema.result()
                out["yamllint"] = yamllint.result()
            out["agreement"] = agreement(flagged, args.root / f"report-{n}.json")
        if n <= args.identity_max:
            out["identity"] = identity_checks(root)
    out["load_after"] = load_average()
    return out


def check_jsonschema(
    root: Path, accounts: list[Path], okrs: list[Path], env: dict, scratch: Path
) -> tuple[Timing, set[str]]:
    """Schema only, with revplan's own schemas: AccountPlan for plans, OKRs for OKR sets.

    check-jsonschema reads YAML with ruamel.yaml and loads dates as strings (it
    turns ruamel's timestamp type off), so revplan's ``format: date`` string
    schema applies as written: nothing to convert. Returns the files it flagged.
    """
    schemas = REPO / "schemas"
    tool = shutil.which("check-jsonschema") or "check-jsonschema"
    runs, flagged = [], set()
    for label, schema, files in (
        ("account plans", "accountplan.schema.json", accounts),
        ("OKR sets", "okrs.schema.json", okrs),
    ):
        output = scratch / "check-jsonschema.json"
        runs.append(
            measure(
                f"  check-jsonschema, {label}",
                [tool, "-o", "json", "--schemafile", str(schemas / schema)]
                + [str(f.relative_to(root)) for f in files],
                root,
                len(files),
                env,
                stdout=output,
            )
        )
        answer = json.loads(output.read_text(encoding="utf-8"))
        problems = answer.get("errors", []) + answer.get("parse_errors", [])
        flagged |= {e["filename"] for e in problems}
    timing = Timing(
        "check-jsonschema (schema only)",
        sum(r.seconds for r in runs),
        sum(r.files for r in runs),
        max(r.peak_bytes for r in runs),
        max(r.exit_code for r in runs),
        "two runs: AccountPlan schema, OKRs schema; beside yamllint, one core each",
    )
    return timing, flagged


def agreement(flagged: set[str], report_path: Path) -> str:
    """Whether check-jsonschema and revplan agree on which files break the schema or YAML."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    broken = {f["file"] for f in report["findings"] if f["rule"] in ("schema", "yaml-syntax")}
    if flagged == broken:
        return (
            f"check-jsonschema and revplan flag the same {len(broken)} files as breaking "
            "the schema or the YAML syntax"
        )
    only_tool, only_revplan = sorted(flagged - broken)[:5], sorted(broken - flagged)[:5]
    return (
        f"check-jsonschema flags {len(flagged)} files, revplan {len(broken)}; only "
        f"check-jsonschema: {only_tool}, only revplan: {only_revplan}"
    )


def identity_checks(root: Path) -> str:
    """Same report whatever the cache and --jobs: compare the reports byte for byte
    (JSON, text and SARIF, whose warm runs are assembled from the cached parts)."""
    env = revplan_env()
    out = root.parent / f"identity-{root.name}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    cache = out / "cache"

    def report(name: str, *args: str, fmt: str = "json") -> bytes:
        target = out / f"{name}.{fmt}"
        subprocess.run(
            revplan("check", "--format", fmt, "--output", str(target), *args),
            cwd=root,
            env=env,
            check=False,
        )
        return target.read_bytes()

    edit_plan(root, "2026-11-01")
    cold = report("cold-jobs-default", "--no-cache")
    variants = {  # name: (what it printed, what it must print)
        "--jobs 1": (report("cold-jobs-1", "--no-cache", "--jobs", "1"), cold),
        "--jobs 2": (report("cold-jobs-2", "--no-cache", "--jobs", "2"), cold),
        "--jobs 3": (report("cold-jobs-3", "--no-cache", "--jobs", "3"), cold),
    }
    # Each format's warm runs are assembled from the parts its first run stored.
    formats = ("json", "text", "sarif")
    colds = {fmt: report(f"cold-{fmt}", "--no-cache", fmt=fmt) for fmt in formats}
    for fmt in formats:
        variants[f"{fmt}, first run with cache"] = (
            report(f"fill-{fmt}", "--cache-dir", str(cache), fmt=fmt),
            colds[fmt],
        )
        variants[f"{fmt}, warm"] = (
            report(f"warm-{fmt}", "--cache-dir", str(cache), fmt=fmt),
            colds[fmt],
        )
    edit_plan(root, "2025-01-15")  # now stale: the report must change
    for fmt in formats:
        cold_edited = report(f"cold-edited-{fmt}", "--no-cache", fmt=fmt)
        if cold_edited == colds[fmt]:
            raise SystemExit(
                "the edit did not change the report: the warm comparison would prove nothing"
            )
        variants[f"{fmt}, warm, 1 plan edited"] = (
            report(f"warm-edited-{fmt}", "--cache-dir", str(cache), fmt=fmt),
            cold_edited,
        )
    differing = [name for name, (blob, expected) in variants.items() if blob != expected]
    shutil.rmtree(out, ignore_errors=True)
    if differing:
        raise SystemExit(f"reports differ from the cold run: {', '.join(differing)}")
    return "identical reports: " + ", ".join(["cold (JSON, text and SARIF)", *variants])


def _best(runs: list[Timing]) -> Timing:
    best = min(runs, key=lambda t: t.seconds)
    if len(runs) == 1:
        return best
    note = (
        f"best of {len(runs)}: " + ", ".join(f"{r.seconds:.2f}" for r in runs) + " s wall, "
        + ", ".join(f"{r.cpu:.2f}" for r in runs) + " s CPU"
    )  # fmt: skip
    cpu = min(r.cpu for r in runs)  # the least disturbed run, by CPU as by wall
    return Timing(best.name, best.seconds, best.files, best.peak_bytes, best.exit_code, note, cpu)


def _median(runs: list[Timing], note: str) -> Timing:
    middle = sorted(runs, key=lambda t: t.seconds)[len(runs) // 2]
    return Timing(
        middle.name,
        statistics.median(r.seconds for r in runs),
        middle.files,
        max(r.peak_bytes for r in runs),
        middle.exit_code,
        f"{note}: " + ", ".join(f"{r.seconds:.2f}" for r in runs) + " s",
        statistics.median(r.cpu for r in runs),
    )


def ensure_repository(root: Path, n: int) -> None:
    """Generate the repository unless this generator already made it."""
    stamp = root / GENERATOR_STAMP
    generator = (REPO / "bench" / "generate.py").read_bytes()
    version = f"{n}:{hashlib.sha256(generator).hexdigest()}"
    if stamp.is_file() and stamp.read_text() == version:
        return
    print(f"generating {n:,} plans under {root}", file=sys.stderr)
    generate(root, n)
    stamp.write_text(version)


# --- the machine and the report -------------------------------------------------


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> dict[str, str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem_kib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
    import yaml

    versions = {}
    for package in ("check-jsonschema", "yamllint", "fastjsonschema", "jsonschema", "PyYAML"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - not installed
            versions[package] = "not installed"
    sys.path.insert(0, str(REPO))
    from engine import __version__

    return {
        "cores": f"{os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})",
        "CPU": cpu,
        "RAM": f"{mem_kib / 2**20:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "revplan": __version__,
        "libyaml": "yes" if yaml.__with_libyaml__ else "no",
        **versions,
    }


def write_report(path: Path, results: dict[int, dict]) -> None:
    lines = [
        "# revplan benchmark results",
        "",
        "Generated by `python bench/run.py` (see bench/README.md); one run, every tool on "
        "the same generated files. Times are wall-clock seconds from process start to exit; "
        "peak memory is the largest total memory of the process and its workers (proportional "
        "set size: pages forked workers share with their parent count once).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in machine().items()]
    lines += [""]
    sizes = sorted(results)
    for n in sizes:
        r = results[n]
        floor = r.get("floor")
        cjs = r.get("jsonschema")
        lines += [
            f"## {n:,} account plans ({r['cold'].files:,} files)",
            "",
            f"Load average before / after: {r['load_before']} / {r['load_after']}.",
            "",
            "| what | wall (s) | files/s | peak memory (MiB) | ÷ parse floor | "
            "check-jsonschema ÷ this | notes |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for key in ("floor", "cold", "fill", "warm", "fill_text", "warm_text", "fill_sarif",
                    "warm_sarif", "unchanged", "custom_cold", "custom_unchanged",
                    "custom_off_unchanged", "render",
                    "render_cold", "jsonschema", "yamllint"):  # fmt: skip
            t = r.get(key)
            if not isinstance(t, Timing):
                continue
            speedup = f"{cjs.seconds / t.seconds:,.1f}×" if isinstance(cjs, Timing) else "—"
            lines.append(
                f"| {t.name} | {t.seconds:,.2f} | {t.per_second:,.0f} | {t.peak_mib:,.0f} | "
                f"{_ratio(t, floor)} | {speedup} | {t.note} |"
            )
        if "identity" in r:
            lines += ["", f"Same results: {r['identity']}."]
        if "agreement" in r:
            lines += ["", f"Same verdicts: {r['agreement']}."]
        lines.append("")
    lines += growth_table(results)
    lines += targets_table(results)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def _ratio(t: Timing, floor: Timing | None) -> str:
    return f"{t.seconds / floor.seconds:.2f}" if floor else "—"


def growth_table(results: dict[int, dict]) -> list[str]:
    lines = [
        "## Growth",
        "",
        "| plans | parse floor (s) | cold check (s) | cold ÷ floor | µs per file, cold | "
        "warm, 1 edited (s) | peak memory, cold (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sorted(results):
        r = results[n]
        cold, floor, warm = r["cold"], r.get("floor"), r.get("warm")
        lines.append(
            f"| {n:,} | {f'{floor.seconds:,.2f}' if floor else '—'} | {cold.seconds:,.2f} | "
            f"{_ratio(cold, floor)} | {cold.seconds / cold.files * 1e6:,.0f} | "
            f"{f'{warm.seconds:.2f}' if isinstance(warm, Timing) else '—'} | "
            f"{cold.peak_mib:,.0f} |"
        )
    return [*lines, ""]


def targets_table(results: dict[int, dict]) -> list[str]:
    r = results.get(10_000) or results[max(results)]
    rows: list[tuple[str, str, bool]] = []
    cold, floor = r["cold"], r.get("floor")
    if isinstance(floor, Timing):
        ratio = cold.seconds / floor.seconds
        rows.append(("cold check ≤ parse floor", f"{ratio:.2f} × floor", ratio <= 1))
    for n in sorted(results):
        with_rules, without = results[n].get("custom_cold"), results[n].get("cold")
        if isinstance(with_rules, Timing) and isinstance(without, Timing):
            added = with_rules.cpu / without.cpu - 1
            rows.append(
                (
                    f"ten custom rules add ≤ 15% to a cold check ({n:,}; CPU time)",
                    f"{added:+.1%} CPU; {with_rules.seconds / without.seconds - 1:+.1%} wall",
                    added <= 0.15,
                )
            )
        warm_without = results[n].get("unchanged")
        for key, what in (("custom_off_unchanged", "set off: loading them"),
                          ("custom_unchanged", "on: and their findings shown")):  # fmt: skip
            warm = results[n].get(key)
            if isinstance(warm, Timing) and isinstance(warm_without, Timing):
                delta = warm.cpu - warm_without.cpu
                rows.append(
                    (
                        f"ten custom rules add nothing measurable to a warm check ({n:,}; "
                        f"rules {what}; CPU time)",
                        f"{delta:+.2f} s CPU ({warm.cpu:.2f} against {warm_without.cpu:.2f} s); "
                        f"wall {warm.seconds:.2f} against {warm_without.seconds:.2f} s",
                        delta <= 0.05,
                    )
                )
    cjs = r.get("jsonschema")
    if isinstance(cjs, Timing):
        speedup = cjs.seconds / cold.seconds
        rows.append(
            ("cold check ≥ 10× faster than check-jsonschema", f"{speedup:.1f}×", speedup >= 10)
        )
    # `revplan check` as people and pre-commit run it (text), and as CI does (JSON with
    # every plan's metrics, 20 MB at 10,000 plans; SARIF for code scanning).
    for key, what, limit in (
        ("warm_text", "text output", 0.5),
        ("warm", "JSON output", 1.0),
        ("warm_sarif", "SARIF output", 1.0),
    ):
        warm = r.get(key)
        if isinstance(warm, Timing):
            rows.append(
                (
                    f"warm check ({what}), 1 plan edited, ≤ {limit} s",
                    f"{warm.seconds:.2f} s",
                    warm.seconds <= limit,
                )
            )
    checks = ("cold", "fill", "warm", "fill_text", "warm_text", "fill_sarif", "warm_sarif")
    checks += ("unchanged",)
    peak = max(t.peak_bytes for k, t in r.items() if k in checks and isinstance(t, Timing))
    rows.append(("peak memory of check < 1 GiB", f"{peak / 2**20:,.0f} MiB", peak < 2**30))
    renders = [(k, t) for k, t in r.items() if k in ("render", "render_cold")]
    for key, render in renders:
        if isinstance(render, Timing):
            times = render.seconds / cold.seconds
            how = "with the check's cache" if key == "render" else "no cache"
            rows.append((f"render ({how}) ≤ 3× cold check", f"{times:.2f}×", times <= 3))
    memories = [t.peak_bytes for _, t in renders if isinstance(t, Timing)]
    if memories:
        memory = max(memories)
        rows.append(("peak memory of render < 1 GiB", f"{memory / 2**20:,.0f} MiB", memory < 2**30))
    big = [n for n in results if n > 10_000]
    if big:
        n = max(big)
        growth = (results[n]["cold"].seconds / results[n]["cold"].files) / (
            cold.seconds / cold.files
        )
        rows.append(
            (
                f"near-linear growth 10k → {n // 1000}k",
                f"{growth:.2f}× the time per file",
                growth <= 1.25,
            )
        )
    lines = ["## Targets (N = 10,000)", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else 'no'} |" for t, m, ok in rows]
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    global CLI, BENCH_CACHE_HOME
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/revplan-bench"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--big", type=int, default=100_000, help="revplan alone (0: skip)")
    parser.add_argument("--big-warm", action="store_true", help="also time warm runs at --big")
    parser.add_argument("--repeat", type=int, default=3, help="best of how many cold runs")
    parser.add_argument("--big-repeat", type=int, default=1, help="the same at --big")
    parser.add_argument("--big-floor", action="store_true", help="also time the floor at --big")
    parser.add_argument("--warm-runs", type=int, default=5, help="median of how many warm runs")
    parser.add_argument("--identity-max", type=int, default=1000, help="compare reports up to N")
    parser.add_argument("--skip-tools", action="store_true", help="no check-jsonschema/yamllint")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--floor-of", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--custom-only", action="store_true", help="only the custom-rules rows")
    parser.add_argument("--render-only", action="store_true", help="only the render rows")
    parser.add_argument("--cli", type=Path, default=CLI, help="the cli.py of the revplan to run")
    args = parser.parse_args(argv)
    CLI = args.cli.resolve()
    BENCH_CACHE_HOME = args.root / "cache-home"
    if args.floor_of:
        floor_main(args.floor_of)
        return 0
    results = {n: run_size(n, args, big=False) for n in args.sizes}
    if args.render_only:
        write_render_report(args.out, results)
        return 0
    if args.big:
        results[args.big] = run_size(args.big, args, big=True)
    write_report(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
