"""Prove that a refactor changes no output bytes: run revplan at a base revision and as it is now.

    python bench/identity.py                      # base 5dccc28 against the work tree
    python bench/identity.py --base main~3 --jobs 2
    python bench/identity.py --only examples      # skip the 1,000-plan repository
    python bench/identity.py --head-dir /tmp/wt   # "current" is another checkout
    python bench/identity.py --head 5dccc28       # "current" is a revision too

Both sides run ``python <code>/cli.py ...`` with this interpreter, so only the code
differs: the base is extracted with ``git archive`` into a scratch folder removed at the
end (the work tree and index of the repository are never touched), the current side is
the checkout this script lives in, or ``--head-dir`` / ``--head``.

Inputs, made once from the base revision: a copy of its example plans (``plans/``) and a
1,000-plan repository written by its ``bench/generate.py`` (deterministic). Every command
runs with the input folder as its current directory, with a clean environment (no CI or
GitHub variables unless a command needs them, NO_COLOR=1, COLUMNS=80, C.UTF-8, TZ=UTC,
PYTHONHASHSEED=0, bytecode kept outside the checkouts) and, for the generated repository,
``--today``. Compared for each command: stdout, stderr, the exit code, and the files and
folders it writes (rendered documents, baselines, reports, the GitHub step summary):

- commands: ``--help``, ``--version``, each command's ``--help``, ``rules``, ``explain``
  for every rule, ``schema`` for every kind, ``init`` (and a check of what it wrote), and
  error paths (unknown rule, kind, format, bad date, missing paths);
- per repository, without a cache: ``check`` in every ``--format`` (github also with
  GITHUB_STEP_SUMMARY, and as it runs inside GitHub Actions), ``--verbose``, ``--quiet``,
  ``--fail-on warning``, reports to files, ``--write-baseline`` then ``--baseline``;
  ``graph`` in every format; ``render --out`` for every locale, then ``render --check``;
- per repository, once more with a ``--cache-dir`` of the side's own: the checks from a
  cold cache, from a warm one (the text memo) and ``render`` reading that cache.

Nothing is normalised except absolute folders that differ between the sides (the code
folder becomes ``<CODE>``); every side runs in the same scratch folder, so the paths the
tool prints, and the relative paths it writes (baselines, document links), are the same.

The base side's results are cached under ``$TMPDIR/revplan-identity/<base sha>/`` (inputs
included), chain by chain, keyed by the commands, the input's digest and the interpreter
and installed packages, so a second run only runs the current side; ``--refresh`` runs the
base again. Prints one line per comparison (``same`` or ``DIFFERENT: ...`` with a unified
diff), the totals, and exits 0 when everything is the same, 1 when anything differs and 2
when the comparison could not be set up.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import difflib
import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_BASE = "5dccc28"
TODAY = "2026-11-23"  # the date bench/generate.py pins in the generated repository
CACHE_FORMAT = 1  # bump when the way chains are run or recorded changes
REPO = Path(__file__).resolve().parent.parent

CHECK_FORMATS = ("text", "json", "sarif", "junit", "github")
FALLBACK = {
    "commands": ["check", "explain", "graph", "init", "render", "rules", "schema"],
    "graph": ["mermaid", "dot", "json", "graphml"],
    "locales": ["en", "zh", "ja", "el"],
    "kinds": ["AccountPlan", "OKRs", "Config"],
}
# Environment variables that change what revplan prints (colour, CI detection, GitHub
# annotations and summaries) or how Python runs; dropped, then the pinned ones are set.
DROP_PREFIXES = (
    "GITHUB_",
    "RUNNER_",
    "ACTIONS_",
    "CI_",
    "GITLAB",
    "BUILDKITE",
    "CIRCLE",
    "TRAVIS",
    "JENKINS",
    "TEAMCITY",
    "BITBUCKET",
    "APPVEYOR",
    "DRONE",
    "CODEBUILD",
    "TF_BUILD",
    "REVPLAN",
    "PYTHON",
    "LC_",
    "FORCE_COLOR",
    "CLICOLOR",
    "NO_COLOR",
    "COLUMNS",
    "LINES",
    "TERM",
    "TZ",
    "LANG",
)
PINNED = {
    "NO_COLOR": "1",
    "COLUMNS": "80",
    "LINES": "24",
    "TERM": "dumb",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
    "PYTHONHASHSEED": "0",
}


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Step:
    """One revplan command: arguments after ``cli.py``; ``{work}`` and ``{input}`` are filled in."""

    argv: tuple[str, ...]
    note: str = ""
    env: tuple[tuple[str, str], ...] = ()
    cwd: str = "{input}"
    files: tuple[str, ...] = ()  # under {work}, compared once the chain has run
    trees: tuple[str, ...] = ()  # folders under {work}, compared file by file

    def label(self) -> str:
        words = [shlex.quote(_shown(a)) for a in self.argv] or ["(no arguments)"]
        text = " ".join(words)
        if self.env:
            text += " [" + " ".join(f"{k}={_shown(v)}" for k, v in self.env) + "]"
        if self.cwd != "{input}":
            text += f" [in {_shown(self.cwd)}]"
        return f"{text} ({self.note})" if self.note else text


def _shown(text: str) -> str:
    return text.replace("{work}", "<work>").replace("{input}", "<input>")


@dataclass(frozen=True)
class Chain:
    """Steps run one after another in a fresh ``work`` folder; chains run independently."""

    group: str
    name: str
    steps: tuple[Step, ...]

    def spec(self) -> dict[str, Any]:
        return {"group": self.group, "name": self.name, "steps": [asdict(s) for s in self.steps]}


@dataclass(frozen=True)
class Repository:
    """A plan repository the checks run on."""

    name: str  # the group name: examples or generated
    folder: str  # under inputs/
    paths: tuple[str, ...]  # the PATHS given to check, graph and render
    today: tuple[str, ...]  # --today, where the config does not pin it


@dataclass
class Discovered:
    commands: list[str]
    rules: list[str]
    graph_formats: list[str]
    locales: list[str]
    kinds: list[str]
    quiet: bool
    warnings: list[str] = field(default_factory=list)


def discovery_chain() -> Chain:
    steps = [Step(("--version",)), Step(("--help",)), Step(("rules",))]
    steps += [Step((c, "--help")) for c in FALLBACK["commands"]]
    return Chain("commands", "discover", tuple(steps))


def discover(folder: Path) -> Discovered:
    """The commands, rules, formats, locales and kinds the base offers, read from its output."""
    warnings: list[str] = []

    def out(index: int) -> str:
        try:
            return (folder / f"{index:02d}.stdout").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def helptext(command: str) -> str:
        return out(3 + FALLBACK["commands"].index(command))

    def choices(text: str, pattern: str, key: str) -> list[str]:
        found = re.search(pattern, text)
        if found:
            return found.group(1).split("|")
        warnings.append(f"could not read the {key} from the base's help; using {FALLBACK[key]}")
        return list(FALLBACK[key])

    commands = []
    in_commands = False
    for line in out(1).splitlines():
        if line.startswith("Commands:"):
            in_commands = True
        elif in_commands and re.match(r"  [a-z][a-z0-9-]*(\s|$)", line):
            commands.append(line.split()[0])
    if not commands:
        warnings.append("could not read the commands from the base's --help")
        commands = list(FALLBACK["commands"])
    rules = [m.group(1) for m in re.finditer(r"^([a-z][a-z0-9-]*)\s", out(2), re.MULTILINE)]
    if not rules:
        warnings.append("could not read the rule ids from the base's `rules`: no explain runs")
    return Discovered(
        commands=commands,
        rules=rules,
        graph_formats=choices(helptext("graph"), r"--format \[([a-z|]+)\]", "graph"),
        locales=choices(helptext("render"), r"--locale \[([a-z|]+)\]", "locales"),
        kinds=choices(helptext("schema"), r"\{([A-Za-z|]+)\}", "kinds"),
        quiet="--quiet" in helptext("check"),
        warnings=warnings,
    )


def command_chains(found: Discovered) -> list[Chain]:
    chains = [discovery_chain()]
    extra = [c for c in found.commands if c not in FALLBACK["commands"]]
    if extra:
        chains.append(Chain("commands", "help", tuple(Step((c, "--help")) for c in extra)))
    if found.rules:
        chains.append(
            Chain("commands", "explain", tuple(Step(("explain", r)) for r in found.rules))
        )
    chains.append(Chain("commands", "schema", tuple(Step(("schema", k)) for k in found.kinds)))
    init = ("init", "{work}/scaffold", "--today", TODAY)
    chains.append(
        Chain(
            "commands",
            "init",
            (
                Step(init, trees=("scaffold",)),
                Step(("check", "--no-cache"), note="in the scaffold", cwd="{work}/scaffold"),
                Step(init, note="again: refuses to overwrite"),
            ),
        )
    )
    check = ("check", "plans/", "--no-cache")
    errors = (
        Step(("explain", "backup-per-contct")),
        Step(("schema", "AccountPlans")),
        Step((*check, "--format", "yaml")),
        Step((*check, "--today", "2026-02-30")),
        Step(("check", "no-such-folder/", "--no-cache")),
        Step((*check, "--baseline", "{work}/no-such-baseline.json")),
        Step((*check, "--format", "text", "--format", "json")),
        Step(("no-such-command",)),
    )
    chains.append(Chain("commands", "errors", errors))
    return chains


def repository_chains(repo: Repository, found: Discovered) -> list[Chain]:
    group, paths, today = repo.name, repo.paths, repo.today
    check = ("check", *paths, *today)
    render = ("render", *paths, *today)
    no_cache = ("--no-cache",)
    summary = (("GITHUB_STEP_SUMMARY", "{work}/step-summary.md"),)
    chains: list[Chain] = []

    def chain(name: str, *steps: Step) -> None:
        chains.append(Chain(group, name, steps))

    for fmt in CHECK_FORMATS:
        github = fmt == "github"
        step = Step(
            (*check, *no_cache, "--format", fmt),
            env=summary if github else (),
            files=("step-summary.md",) if github else (),
        )
        chain(f"check-{fmt}", step)
    actions = (("GITHUB_ACTIONS", "true"), ("GITHUB_WORKSPACE", "{input}"), *summary)
    chain(
        "check-actions",
        Step((*check, *no_cache), "in GitHub Actions", env=actions, files=("step-summary.md",)),
    )
    chain("check-verbose", Step((*check, *no_cache, "--verbose")))
    if found.quiet:
        chain("check-quiet", Step((*check, *no_cache, "--quiet")))
    chain("check-fail-on-warning", Step((*check, *no_cache, "--fail-on", "warning")))
    reports = ("report.json", "report.sarif", "report.xml")
    to_files = [
        a
        for fmt, name in zip(("json", "sarif", "junit"), reports, strict=True)
        for a in ("--format", f"{fmt}:{{work}}/{name}")
    ]
    chain(
        "check-files",
        Step((*check, *no_cache, "--format", "text", *to_files), files=reports),
        Step(
            (*check, *no_cache, "--format", "github", "--output", "{work}/report.github"),
            files=("report.github",),
        ),
    )
    baseline = "{work}/baseline.json"
    chain(
        "check-baseline",
        Step((*check, *no_cache, "--write-baseline", baseline), files=("baseline.json",)),
        Step((*check, *no_cache, "--baseline", baseline)),
        Step((*check, *no_cache, "--baseline", baseline, "--format", "json")),
    )
    for fmt in found.graph_formats:
        chain(f"graph-{fmt}", Step(("graph", *paths, *today, "--format", fmt)))
    for locale in found.locales:
        out = ("--locale", locale, "--out", f"{{work}}/docs-{locale}")
        chain(
            f"render-{locale}",
            Step((*render, *no_cache, *out), trees=(f"docs-{locale}",)),
            Step((*render, *no_cache, *out, "--check")),
        )
    cache = ("--cache-dir", "{work}/cache")
    warm = [
        Step((*check, *cache), "cold cache"),
        Step((*check, *cache), "warm cache: the text memo"),
    ]
    if found.quiet:
        warm.append(Step((*check, *cache, "--quiet"), "warm cache"))
    warm += [
        Step((*check, *cache, "--fail-on", "warning"), "warm cache"),
        Step((*check, *cache, "--verbose"), "warm cache"),
    ]
    warm += [
        Step(
            (*check, *cache, "--format", fmt),
            "warm cache",
            env=(("GITHUB_STEP_SUMMARY", "{work}/step-summary.md"),) if fmt == "github" else (),
            files=("step-summary.md",) if fmt == "github" else (),
        )
        for fmt in CHECK_FORMATS[1:]
    ]
    warm += [
        Step(
            (*check, *cache, "--write-baseline", baseline), "warm cache", files=("baseline.json",)
        ),
        Step((*check, *cache, "--baseline", baseline), "warm cache"),
        Step((*render, *cache, "--out", "{work}/docs"), "reads the check's cache", trees=("docs",)),
        Step((*render, *cache, "--out", "{work}/docs", "--check"), "reads the check's cache"),
        Step((*check, *cache), "warm cache, last"),
    ]
    chain("cached", *warm)
    return chains


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Side:
    name: str  # base or current
    code: Path


@dataclass
class Context:
    root: Path  # <cache root>/<base sha>
    env: dict[str, str]
    env_key: str
    timeout: float
    live: set[subprocess.Popen[bytes]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def run_root(self) -> Path:
        return self.root / "run"

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"


def clean_env(pycache: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k != "CI" and not k.upper().startswith(DROP_PREFIXES)
    }
    env.update(PINNED)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def environment_key() -> str:
    """What, besides the code, decides the base's output: the interpreter and its packages."""
    packages = sorted(
        f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
    )
    text = json.dumps([CACHE_FORMAT, sys.executable, sys.version, packages, PINNED])
    return hashlib.sha256(text.encode()).hexdigest()


def chain_key(ctx: Context, chain: Chain, input_digest: str) -> str:
    text = json.dumps([ctx.env_key, chain.spec(), input_digest], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def run_chain(ctx: Context, side: Side, chain: Chain, input_dir: Path, key: str) -> float:
    """Run the chain in run/<group>/<name>/ (the same folder for both sides); its wall time."""
    folder = ctx.run_root / chain.group / chain.name
    shutil.rmtree(folder, ignore_errors=True)
    work = folder / "work"
    work.mkdir(parents=True)
    started = time.monotonic()
    steps = []
    for index, step in enumerate(chain.steps):

        def fill(text: str) -> str:
            return text.replace("{work}", str(work)).replace("{input}", str(input_dir))

        argv = [sys.executable, str(side.code / "cli.py"), *(fill(a) for a in step.argv)]
        env = {**ctx.env, **{k: fill(v) for k, v in step.env}}
        stdout, stderr, code, error, seconds = run_command(ctx, argv, Path(fill(step.cwd)), env)
        (folder / f"{index:02d}.stdout").write_bytes(stdout)
        (folder / f"{index:02d}.stderr").write_bytes(stderr)
        steps.append({"exit": code, "error": error, "seconds": round(seconds, 3)})
    elapsed = time.monotonic() - started
    record = {
        "key": key,
        "side": side.name,
        "code": str(side.code),
        "work": str(work),
        "input": str(input_dir),
        "run_root": str(ctx.run_root),
        "seconds": round(elapsed, 3),
        "steps": steps,
        "spec": chain.spec(),
    }
    (folder / "chain.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return elapsed


def run_command(
    ctx: Context, argv: list[str], cwd: Path, env: dict[str, str]
) -> tuple[bytes, bytes, int | None, str | None, float]:
    """stdout, stderr, exit code (None when it did not finish), why not, seconds."""
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its workers can be stopped with it
        )
    except OSError as exc:
        return b"", b"", None, f"could not start: {exc}", time.monotonic() - started
    with ctx.lock:
        ctx.live.add(proc)
    try:
        stdout, stderr = proc.communicate(timeout=ctx.timeout)
        return stdout, stderr, proc.returncode, None, time.monotonic() - started
    except subprocess.TimeoutExpired:
        _stop(proc)
        stdout, stderr = proc.communicate()
        error = f"timed out after {ctx.timeout:g} s"
        return stdout, stderr, None, error, time.monotonic() - started
    finally:
        with ctx.lock:
            ctx.live.discard(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_chains(
    ctx: Context, side: Side, work: list[tuple[Chain, Path, str]], jobs: int
) -> float | None:
    """Run the chains (chain, input folder, cache key) of one side; the wall time."""
    if not work:
        return None
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(run_chain, ctx, side, chain, input_dir, key): chain
            for chain, input_dir, key in work
        }
        for done in concurrent.futures.as_completed(futures):
            chain = futures[done]
            try:
                seconds = done.result()
            except Exception as exc:  # recorded nothing: compared as "no results"
                print(f"  [{side.name}] {chain.group}/{chain.name}: {exc!r}", file=sys.stderr)
                continue
            print(f"  [{side.name}] {chain.group}/{chain.name}: {seconds:.1f} s", file=sys.stderr)
    return time.monotonic() - started


def probe(ctx: Context, side: Side, cwd: Path) -> str | None:
    """Fail when the side would import engine from elsewhere; a warning when it does not import."""
    script = "import sys; sys.path.insert(0, sys.argv[1]); import engine; print(engine.__file__)"
    argv = [sys.executable, "-c", script, str(side.code)]
    stdout, stderr, code, error, _ = run_command(ctx, argv, cwd, ctx.env)
    if code != 0:
        last = (stderr.decode(errors="replace").strip().splitlines() or [error or "?"])[-1]
        return f"warning: the {side.name} side's engine does not import ({last})"
    where = Path(stdout.decode().strip()).resolve()
    if not where.is_relative_to(side.code.resolve()):
        raise SetupError(
            f"the {side.name} side imports engine from {where}, not from {side.code}: "
            "something on sys.path shadows it"
        )
    return None


# --------------------------------------------------------------------------- setup


class SetupError(Exception):
    """The comparison cannot be set up (exit 2)."""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        raise SetupError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def resolve(repo: Path, rev: str) -> str:
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except SetupError:
        raise SetupError(f"{rev} names no commit in {repo}") from None


def materialise(repo: Path, sha: str, dest: Path) -> None:
    """The tree of ``sha`` in ``dest``, from ``git archive`` (no work tree or index involved)."""
    dest.mkdir(parents=True)
    argv = ["git", "-C", str(repo), "archive", "--format=tar", sha]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # Python before 3.11.4
                tar.extractall(dest)  # noqa: S202 - our own repository's tree
        stderr = proc.stderr.read() if proc.stderr else b""
    if proc.returncode:
        raise SetupError(f"git archive {sha}: {stderr.decode(errors='replace').strip()}")


class Code:
    """A revision's tree, extracted on first use (the caller removes ``scratch``)."""

    def __init__(self, repo: Path, sha: str, name: str, scratch: Path) -> None:
        self.repo, self.sha, self.name, self.scratch = repo, sha, name, scratch
        self.path: Path | None = None

    def get(self) -> Path:
        if self.path is None:
            path = self.scratch / f"{self.name}-{self.sha[:12]}"
            shutil.rmtree(path, ignore_errors=True)
            print(f"extracting {self.sha[:12]} into {path}", file=sys.stderr)
            materialise(self.repo, self.sha, path)
            self.path = path
        return self.path


def digest(folder: Path) -> str:
    """Every file's path and bytes under ``folder``."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        h.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        h.update(path.read_bytes() if path.is_file() else os.readlink(path).encode() + b"\1")
        h.update(b"\0")
    return h.hexdigest()


def ensure_input(
    ctx: Context, repo: Repository, base: Code, plans: int, refresh: bool
) -> tuple[Path, str]:
    """The input folder (made from the base revision when missing) and its expected digest."""
    ctx.inputs.mkdir(parents=True, exist_ok=True)
    folder = ctx.inputs / repo.folder
    marker = ctx.inputs / f"{repo.folder}.json"
    if not refresh and marker.is_file():
        expected = json.loads(marker.read_text(encoding="utf-8"))["digest"]
        if folder.is_dir() and digest(folder) == expected:
            return folder, expected
        print(f"input {repo.folder} changed since it was made: making it again", file=sys.stderr)
    marker.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    fresh = ctx.inputs / f".{repo.folder}.tmp"
    shutil.rmtree(fresh, ignore_errors=True)
    code = base.get()
    if repo.name == "examples":
        shutil.copytree(code / "plans", fresh / "plans", symlinks=True)
    else:
        generator = code / "bench" / "generate.py"
        if not generator.is_file():
            generator = Path(__file__).resolve().parent / "generate.py"
        argv = [sys.executable, str(generator), str(fresh), "--plans", str(plans)]
        done = subprocess.run(argv, env=ctx.env, capture_output=True, cwd=ctx.inputs)
        if done.returncode:
            raise SetupError(f"{' '.join(argv)}: {done.stderr.decode(errors='replace')}")
    os.replace(fresh, folder)
    expected = digest(folder)
    marker.write_text(json.dumps({"digest": expected, "from": base.sha}), encoding="utf-8")
    return folder, expected


# --------------------------------------------------------------------------- comparing


@dataclass
class Verdict:
    what: str
    problems: list[str]
    diffs: list[str]

    @property
    def same(self) -> bool:
        return not self.problems


class Normaliser:
    """Absolute folders that differ between the sides, replaced by fixed tokens."""

    def __init__(self, record: dict[str, Any]) -> None:
        pairs: dict[bytes, bytes] = {}
        for key, token in (
            ("work", "<WORK>"),
            ("input", "<INPUT>"),
            ("run_root", "<RUN>"),
            ("code", "<CODE>"),
        ):
            path = record.get(key)
            if not path:
                continue
            for form in {path, os.path.realpath(path)}:
                pairs[os.fsencode(form)] = token.encode()
        self.pairs = sorted(pairs.items(), key=lambda p: -len(p[0]))

    def __call__(self, data: bytes) -> bytes:
        for old, new in self.pairs:
            data = data.replace(old, new)
        return data


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def text_diff(name: str, base: bytes, current: bytes, limit: int) -> list[str]:
    """A unified diff (at most ``limit`` lines) and where the bytes first differ."""
    if limit <= 0:
        return []
    at = next((i for i, (a, b) in enumerate(zip(base, current, strict=False)) if a != b), None)
    at = min(len(base), len(current)) if at is None else at
    head = [
        f"first difference at byte {at}: base {base[max(0, at - 30) : at + 30]!r}, "
        f"current {current[max(0, at - 30) : at + 30]!r}"
    ]
    a, b = _lines(base), _lines(current)
    if max((len(x) for x in a + b), default=0) > 400:
        pretty = [_pretty_json(base), _pretty_json(current)]
        if pretty[0] is not None and pretty[1] is not None:
            a, b = pretty[0], pretty[1]
            head.append("(long lines: the diff shows the JSON indented)")
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    first = min(len(a), len(b)) if first is None else first
    skip = max(0, first - 5)  # difflib on huge texts is slow: start near the first change
    a, b = a[skip : first + 400], b[skip : first + 400]
    lines = list(difflib.unified_diff(a, b, f"base/{name}", f"current/{name}", lineterm="", n=3))
    if skip:  # hunk headers numbered as in the whole text
        lines = [_HUNK.sub(lambda m: _shift(m, skip), line, count=1) for line in lines]
    lines = [line if len(line) <= 400 else line[:400] + " [...]" for line in lines]
    if len(lines) > limit:
        lines = lines[:limit] + [f"[... {len(lines) - limit} more diff lines]"]
    return head + lines


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _shift(match: re.Match[str], by: int) -> str:
    old, old_len, new, new_len = match.groups()
    return f"@@ -{int(old) + by}{old_len or ''} +{int(new) + by}{new_len or ''} @@"


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="backslashreplace")
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    elif parts:
        parts[-1] += "  [no newline at end]"
    return [p.replace("\r", "\\r") for p in parts]


def _pretty_json(data: bytes) -> list[str] | None:
    try:
        return json.dumps(json.loads(data), indent=1, ensure_ascii=False).split("\n")
    except ValueError:
        return None


def compare_chain(
    group: str, chain: Chain, base_dir: Path, current_dir: Path, limit: int
) -> list[Verdict]:
    verdicts: list[Verdict] = []
    try:
        records = [
            json.loads((d / "chain.json").read_text(encoding="utf-8"))
            for d in (base_dir, current_dir)
        ]
    except (OSError, ValueError) as exc:
        return [Verdict(f"{group}: {chain.name}", [f"no results ({exc})"], [])]
    norm_base, norm_current = Normaliser(records[0]), Normaliser(records[1])
    for index, step in enumerate(chain.steps):
        what = f"{group}: {step.label()}"
        problems: list[str] = []
        diffs: list[str] = []
        metas = [r["steps"][index] for r in records]
        for side, meta in zip(("base", "current"), metas, strict=True):
            if meta["error"]:
                problems.append(f"{side}: {meta['error']}")
        if metas[0]["exit"] != metas[1]["exit"]:
            problems.append(f"exit code (base {metas[0]['exit']}, current {metas[1]['exit']})")
        for stream in ("stdout", "stderr"):
            name = f"{index:02d}.{stream}"
            a = norm_base(read(base_dir / name) or b"")
            b = norm_current(read(current_dir / name) or b"")
            if a != b:
                problems.append(stream)
                diffs += text_diff(stream, a, b, limit)
        verdicts.append(Verdict(what, problems, diffs))
        for file in step.files:
            verdicts.append(
                compare_file(
                    f"{what} -> {file}",
                    file,
                    [read(base_dir / "work" / file), read(current_dir / "work" / file)],
                    norm_base,
                    norm_current,
                    limit,
                )
            )
        for tree in step.trees:
            verdicts.append(
                compare_tree(
                    f"{what} -> {tree}/",
                    base_dir / "work" / tree,
                    current_dir / "work" / tree,
                    norm_base,
                    norm_current,
                    limit,
                )
            )
    return verdicts


def compare_file(
    what: str,
    name: str,
    data: Sequence[bytes | None],
    norm_base: Normaliser,
    norm_current: Normaliser,
    limit: int,
) -> Verdict:
    if data[0] is None and data[1] is None:
        return Verdict(what, ["written on neither side"], [])
    if data[0] is None or data[1] is None:
        missing = "base" if data[0] is None else "current"
        return Verdict(what, [f"not written on the {missing} side"], [])
    a, b = norm_base(data[0]), norm_current(data[1])
    if a == b:
        return Verdict(what, [], [])
    return Verdict(what, ["content"], text_diff(name, a, b, limit))


def files_under(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    }


def compare_tree(
    what: str,
    base: Path,
    current: Path,
    norm_base: Normaliser,
    norm_current: Normaliser,
    limit: int,
) -> Verdict:
    names = [files_under(base), files_under(current)]
    if not base.is_dir() and not current.is_dir():
        return Verdict(what, ["written on neither side"], [])
    problems: list[str] = []
    diffs: list[str] = []
    for side, only in (("base", names[0] - names[1]), ("current", names[1] - names[0])):
        if only:
            shown = ", ".join(sorted(only)[:5]) + (", ..." if len(only) > 5 else "")
            problems.append(f"{len(only)} file(s) only on the {side} side: {shown}")
    differing = []
    for name in sorted(names[0] & names[1]):
        a = norm_base(read(base / name) or b"")
        b = norm_current(read(current / name) or b"")
        if a != b:
            differing.append(name)
            if len(differing) <= 3:
                diffs += text_diff(name, a, b, limit)
    if differing:
        shown = ", ".join(differing[:5]) + (", ..." if len(differing) > 5 else "")
        total = len(names[0] & names[1])
        problems.append(f"{len(differing)} of {total} file(s) differ: {shown}")
    if not problems:
        return Verdict(f"{what} ({len(names[0])} files)", [], [])
    return Verdict(what, problems, diffs)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--base", metavar="REV", default=DEFAULT_BASE, help="base revision [%(default)s]"
    )
    heads = parser.add_mutually_exclusive_group()
    heads.add_argument(
        "--head-dir",
        metavar="DIR",
        type=Path,
        help="checkout to compare against the base [this checkout]",
    )
    heads.add_argument("--head", metavar="REV", help="compare against this revision instead")
    parser.add_argument(
        "--repo", metavar="DIR", type=Path, default=REPO, help="git repository [%(default)s]"
    )
    parser.add_argument(
        "--only",
        choices=("examples", "generated"),
        action="append",
        help="only this plan repository (repeatable); the commands group always runs",
    )
    parser.add_argument(
        "--jobs", metavar="N", type=int, default=1, help="chains run at once per side [1]"
    )
    parser.add_argument("--refresh", action="store_true", help="run the base side again")
    parser.add_argument(
        "--cache-root",
        metavar="DIR",
        type=Path,
        default=Path(tempfile.gettempdir()) / "revplan-identity",
        help="where base results and inputs are kept [%(default)s]",
    )
    parser.add_argument(
        "--plans", metavar="N", type=int, default=1000, help="generated plans [%(default)s]"
    )
    parser.add_argument(
        "--timeout", metavar="S", type=float, default=900, help="seconds per command [900]"
    )
    parser.add_argument(
        "--diff-lines", metavar="N", type=int, default=40, help="diff lines shown [40]"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the current side's results (in <root>/run)"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return compare(args)
    except SetupError as exc:
        print(f"identity: {exc}", file=sys.stderr)
        return 2


def compare(args: argparse.Namespace) -> int:
    started = time.monotonic()
    repo = args.repo.resolve()
    sha = resolve(repo, args.base)
    root = args.cache_root.resolve() / sha
    root.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        lock = stack.enter_context(open(root / ".lock", "w"))  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print(f"waiting for another identity run on {root}", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        # Extracted trees, at a fixed place so that their bytecode under the pycache prefix
        # is reused from run to run; removed at the end.
        scratch = root / "code"
        shutil.rmtree(scratch, ignore_errors=True)
        stack.callback(shutil.rmtree, scratch, True)
        ctx = Context(
            root=root,
            env=clean_env(args.cache_root.resolve() / "pycache"),
            env_key=environment_key(),
            timeout=args.timeout,
        )
        stack.callback(_stop_all, ctx)
        if not args.keep:
            stack.callback(shutil.rmtree, ctx.run_root, True)
        return compare_in(args, ctx, repo, sha, scratch, started)
    raise AssertionError("unreachable")  # pragma: no cover


def _stop_all(ctx: Context) -> None:
    with ctx.lock:
        for proc in list(ctx.live):
            _stop(proc)


def compare_in(
    args: argparse.Namespace, ctx: Context, repo: Path, sha: str, scratch: Path, started: float
) -> int:
    base_code = Code(repo, sha, "base", scratch)
    head_dir = (args.head_dir or repo).resolve()
    if args.head:
        head_sha = resolve(repo, args.head)
        head_code: Code | None = Code(repo, head_sha, "current", scratch)
        head_label = f"{args.head} ({head_sha[:12]})"
    else:
        head_code = None
        if not (head_dir / "cli.py").is_file():
            raise SetupError(f"{head_dir} has no cli.py")
        head_label = str(head_dir)
    print(f"revplan identity: base {args.base} ({sha[:12]}) against {head_label}")

    examples = Repository("examples", "examples", ("plans/",), ())
    generated = Repository("generated", f"generated-{args.plans}", (), ("--today", TODAY))
    wanted = [r for r in (examples, generated) if not args.only or r.name in args.only]
    inputs: dict[str, tuple[Path, str]] = {}
    for r in [examples, *(r for r in wanted if r is not examples)]:
        inputs[r.name] = ensure_input(ctx, r, base_code, args.plans, args.refresh)
    inputs["commands"] = inputs["examples"]
    base_results = ctx.root / "base"

    ran: set[tuple[str, str]] = set()  # base chains run by this invocation
    base_time = 0.0

    def cached(chain: Chain) -> tuple[Path, str] | None:
        """None when the base's results for the chain are up to date; else (input, key)."""
        input_dir, expected = inputs[chain.group]
        key = chain_key(ctx, chain, expected)
        record = base_results / chain.group / chain.name / "chain.json"
        fresh = (chain.group, chain.name) in ran
        if (fresh or not args.refresh) and record.is_file():
            with contextlib.suppress(OSError, ValueError, KeyError):
                if json.loads(record.read_text(encoding="utf-8"))["key"] == key:
                    return None
        return input_dir, key

    def run_base(chains: list[Chain]) -> None:
        nonlocal base_time
        todo = [(c, *need) for c in chains if (need := cached(c)) is not None]
        if not todo:
            return
        side = Side("base", base_code.get())
        warning = probe(ctx, side, inputs["examples"][0])
        if warning:
            print(warning, file=sys.stderr)
        shutil.rmtree(ctx.run_root, ignore_errors=True)
        base_time += run_chains(ctx, side, todo, args.jobs) or 0.0
        for chain, _, _ in todo:  # keep the results where the cache is
            target = base_results / chain.group / chain.name
            shutil.rmtree(target, ignore_errors=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(ctx.run_root / chain.group / chain.name, target)
            ran.add((chain.group, chain.name))

    discovery = discovery_chain()
    run_base([discovery])
    found = discover(base_results / discovery.group / discovery.name)
    for note in found.warnings:
        print(f"warning: {note}", file=sys.stderr)
    chains = command_chains(found)
    for r in wanted:
        chains += repository_chains(r, found)
    run_base(chains)
    checked = [examples, *(r for r in wanted if r is not examples)]
    verdicts: list[Verdict] = []
    check_inputs(ctx, inputs, checked, "base", verdicts)
    if ran:
        base_note = f"{len(ran)} of {len(chains)} chains run in {base_time:.1f} s"
    else:
        base_note = f"all {len(chains)} chains cached"
    print(f"base: {base_note} ({base_results})", file=sys.stderr)

    side = Side("current", head_code.get() if head_code else head_dir)
    problem = probe(ctx, side, inputs["examples"][0])
    if problem:
        print(problem, file=sys.stderr)
    shutil.rmtree(ctx.run_root, ignore_errors=True)
    work = [(c, inputs[c.group][0], "") for c in chains]
    current_time = run_chains(ctx, side, work, args.jobs) or 0.0
    print(f"current: {len(chains)} chains run in {current_time:.1f} s", file=sys.stderr)
    check_inputs(ctx, inputs, checked, "current", verdicts)

    for chain in chains:
        try:
            verdicts += compare_chain(
                chain.group,
                chain,
                base_results / chain.group / chain.name,
                ctx.run_root / chain.group / chain.name,
                args.diff_lines,
            )
        except Exception as exc:  # a comparison that fails is a difference, not a crash
            what = f"{chain.group}: {chain.name}"
            verdicts.append(Verdict(what, [f"comparison failed: {exc!r}"], []))
    different = 0
    for verdict in verdicts:
        if verdict.same:
            print(f"same: {verdict.what}")
            continue
        different += 1
        print(f"DIFFERENT: {verdict.what}: {'; '.join(verdict.problems)}")
        for line in verdict.diffs:
            print(f"    {line}")
    total = len(verdicts)
    print(
        f"{total} comparisons: {total - different} same, {different} different "
        f"(base: {base_note}; current: {current_time:.1f} s; "
        f"total {time.monotonic() - started:.1f} s)"
    )
    if args.keep:
        print(f"current side's results kept in {ctx.run_root}", file=sys.stderr)
    return 1 if different else 0


def check_inputs(
    ctx: Context,
    inputs: dict[str, tuple[Path, str]],
    wanted: list[Repository],
    side: str,
    verdicts: list[Verdict],
) -> None:
    """An input a side changed (a cache written into it, say) is a difference, and made again."""
    for r in wanted:
        folder, expected = inputs[r.name]
        if digest(folder) != expected:
            verdicts.append(Verdict(f"{r.name}: input", [f"changed by the {side} side's run"], []))
            (ctx.inputs / f"{r.folder}.json").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
