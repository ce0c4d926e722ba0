"""Hostile and broken input: every file gets a clear, located answer; nothing crashes or changes.

The corpus is tests/corpus/ (expected.yaml says what each file must produce).
Each case is checked alone through the CLI, then all of them together in one
real process; the plan files are hashed before and after every run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TODAY, run_cli
from corpus.cases import HEADER, Case, cases, materialise

from engine.session import PARALLEL_THRESHOLD

CASES = cases()
CORPUS_DIR = "corpus"
# Control characters a terminal acts on. Output may hold newlines, nothing else.
CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
OWN_COLOURS = re.compile(r"\x1b\[(?:31|33|36|2|0)m")


def snapshot(folder: Path, leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """Every path below ``folder`` (links not followed) with a hash of each regular file."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name.split("/")[0] in leave_out:
            continue
        is_file = path.is_file() and not path.is_symlink()
        found[name] = hashlib.blake2b(path.read_bytes()).hexdigest() if is_file else "-"
    return found


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding corpus/ with every case, committed and generated."""
    root = tmp_path_factory.mktemp("hostile")
    materialise(root / CORPUS_DIR)
    return root


def check(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("check", "--no-cache", "--today", TODAY, *args, cwd=root)
    return result.exit_code, result.stdout, result.stderr


def assert_no_internal_error(*outputs: str) -> None:
    for text in outputs:
        assert "internal error" not in text
        assert "Traceback" not in text


def lines_in(path: Path) -> int:
    """How many lines the file has, counted as the parser counts them (CR, LF, CR LF)."""
    if path.is_symlink() or not path.is_file():
        return 1
    raw = path.read_bytes()
    for bom, encoding in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            raw = raw.decode(encoding).encode()
    return len(re.split(rb"\r\n|\r|\n", raw))


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_file_alone_gets_its_located_finding_and_exit_code(workdir: Path, case: Case) -> None:
    before = snapshot(workdir)
    code, out, err = check(workdir, f"{CORPUS_DIR}/{case.file}", "--format", "json")
    assert snapshot(workdir) == before
    assert_no_internal_error(out, err)
    assert code == case.exit, err
    if case.exit == 2:
        assert case.error in err
        return

    findings = json.loads(out)["findings"]
    got = {(f["rule"], f["line"], f["column"]): f["message"] for f in findings}
    for want in case.findings:
        where = (want.rule, want.line, want.column)
        assert where in got, f"expected {where}, got {sorted(got)}"
        assert want.says in got[where]
    if not case.more:
        assert len(findings) == len(case.findings), findings
    last_line = lines_in(workdir / CORPUS_DIR / case.file)
    for f in findings:
        assert f["file"] == f"{CORPUS_DIR}/{case.file}"
        assert 1 <= f["line"] <= last_line and f["column"] >= 1


def test_the_whole_corpus_in_one_run_reports_every_file(workdir: Path) -> None:
    """A real process over the folder: one bad file never hides another, nothing hangs."""
    good = workdir / CORPUS_DIR / "aegean-lines.yaml"
    shutil.copyfile(REPO / "plans" / "accounts" / "aegean-lines.yaml", good)
    try:
        before = snapshot(workdir / CORPUS_DIR)
        together = _run(workdir, "-v", CORPUS_DIR, "--format", "text", "--format", "json:all.json")
        alone = _run(workdir, f"{CORPUS_DIR}/aegean-lines.yaml", "--format", "json:one.json")
        assert snapshot(workdir / CORPUS_DIR) == before
    finally:
        good.unlink()
    assert together.returncode == alone.returncode == 1
    assert_no_internal_error(together.stdout, together.stderr)

    found = json.loads((workdir / "all.json").read_text())["findings"]
    located = {(f["file"], f["rule"], f["line"], f["column"]) for f in found}
    for case in CASES:
        name = f"{CORPUS_DIR}/{case.file}"
        if case.in_folder == "skipped":
            assert f"skipped {name}:" in together.stdout
            continue
        for want in case.findings:
            assert (name, want.rule, want.line, want.column) in located
    # The good plan's findings are exactly those it has when checked alone.
    mine = [f for f in found if f["file"].endswith("aegean-lines.yaml")]
    assert mine and mine == json.loads((workdir / "one.json").read_text())["findings"]


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "cli.py"), "check", "--no-cache", "--today", TODAY, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_worker_processes_give_the_same_answers(tmp_path: Path) -> None:
    """Hostile files checked in the process pool (64 files or more) report as in one process."""
    folder = tmp_path / "plans"
    committed = [c for c in CASES if not c.generated]
    for copy in range(math.ceil(PARALLEL_THRESHOLD / len(committed))):
        materialise_subset(folder / f"copy{copy}", committed)
    serial = _run(tmp_path, "plans", "--jobs", "1", "--format", "json")
    parallel = _run(tmp_path, "plans", "--jobs", "2", "--format", "json")
    assert_no_internal_error(parallel.stdout, parallel.stderr)
    assert parallel.returncode == serial.returncode == 1
    assert json.loads(parallel.stdout) == json.loads(serial.stdout)


def materialise_subset(folder: Path, chosen: list[Case]) -> None:
    folder.mkdir(parents=True)
    for case in chosen:
        shutil.copyfile(REPO / "tests" / "corpus" / "files" / case.file, folder / case.file)


def test_an_unexpected_error_asks_for_a_bug_report(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: exit 2, a short message, no traceback."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("engine.session.process_file", broken)
    code, out, err = check(workdir, f"{CORPUS_DIR}/tabs.yaml")
    assert code == 2
    assert "internal error: RuntimeError: simulated bug" in err
    assert "please report it" in err
    assert "Traceback" not in err + out


# --- discovery ---------------------------------------------------------------------------


PLAN = HEADER + "account: {{id: {id}, name: {id}}}\nowner: 7\n"  # one schema finding, line 4


def test_symlink_loops_and_folders_named_yaml_are_walked_safely(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    (plans / "nested.yaml").mkdir(parents=True)
    (plans / "top.yaml").write_text(PLAN.format(id="top"))
    (plans / "nested.yaml" / "inner.yaml").write_text(PLAN.format(id="inner"))
    (plans / "loop").symlink_to(".")  # plans/loop/loop/loop/... forever
    (plans / "nested.yaml" / "back").symlink_to("..")
    (tmp_path / "revplan.yaml").write_text(
        "apiVersion: revplan/v1\nkind: Config\nplans: ['plans/**/*.yaml', 'plans/*']\n"
    )
    both = ["plans/nested.yaml/inner.yaml", "plans/top.yaml"]
    for args, expected in (
        (["plans"], both),
        ([], both),  # the config's globs
        (["plans/nested.yaml"], ["plans/nested.yaml/inner.yaml"]),
        (["plans/loop"], ["plans/loop/nested.yaml/inner.yaml", "plans/loop/top.yaml"]),
    ):
        code, out, err = check(tmp_path, "--format", "json", *args)
        assert_no_internal_error(out, err)
        assert code == 1, err
        findings = json.loads(out)["findings"]
        # Each plan once (not once per way round the loop), with its one finding.
        assert [(f["file"], f["rule"], f["line"]) for f in findings] == [
            (name, "schema", 4) for name in expected
        ], args


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_a_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(PLAN.format(id="ok"))
    locked = tmp_path / "locked.yaml"
    locked.write_text(PLAN.format(id="locked"))
    locked.chmod(0)
    try:
        code, out, _ = check(tmp_path, ".", "--format", "json")
    finally:
        locked.chmod(0o644)
    findings = json.loads(out)["findings"]
    assert code == 1
    assert any(f["file"] == "locked.yaml" and "Permission denied" in f["message"] for f in findings)
    assert any(f["file"] == "ok.yaml" and f["rule"] == "schema" for f in findings)


# --- configurable limits -----------------------------------------------------------------


def test_limits_from_the_config_apply_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "revplan.yaml").write_text(
        "apiVersion: revplan/v1\nkind: Config\n"
        "limits: {max_file_bytes: 400, max_aliases: 2, max_depth: 4, max_nodes: 30}\n"
    )
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "a-ok.yaml").write_text(PLAN.format(id="a-ok"))
    (plans / "big.yaml").write_text(PLAN.format(id="big") + "# " + "x" * 400 + "\n")
    (plans / "aliases.yaml").write_text(
        HEADER + "account: {id: aliases, name: &n N, segment: *n, currency: *n, owner: *n}\n"
    )
    (plans / "deep.yaml").write_text(HEADER + "account: {id: deep, name: [[[[x]]]]}\n")
    (plans / "nodes.yaml").write_text(
        HEADER + "account: {id: nodes, name: N}\nteam: [" + ",".join("1" * 30) + "]\n"
    )
    code, out, err = check(tmp_path, "--format", "json")
    assert_no_internal_error(out, err)
    assert code == 1
    located = {
        (f["file"], f["line"], f["column"]): f["message"] for f in json.loads(out)["findings"]
    }
    assert "limits.max_file_bytes" in located["plans/big.yaml", 1, 1]
    # The third alias: "account: {id: aliases, name: &n N, segment: *n, currency: *n, owner: "
    # is 69 characters long.
    assert "limits.max_aliases" in located["plans/aliases.yaml", 3, 70]
    # With the document, the account and two lists open (4), the third '[' is too deep.
    assert "limits.max_depth" in located["plans/deep.yaml", 3, 29]
    # 7 values before the list; the 24th number (column 8 + 2 x 23) is the 31st value.
    assert "limits.max_nodes" in located["plans/nodes.yaml", 4, 54]
    assert "yaml-syntax" not in {
        f["rule"] for f in json.loads(out)["findings"] if f["file"] == "plans/a-ok.yaml"
    }
    assert ("plans/a-ok.yaml", 4, 8) in located  # still checked: owner 7 is not an id


# --- terminal safety ---------------------------------------------------------------------

TERMINAL_CASES = ["escapes-in-names.yaml", "escapes-in-ids.yaml", "bidi-override.yaml"]


def test_text_output_never_passes_control_characters_from_plans(workdir: Path) -> None:
    paths = [f"{CORPUS_DIR}/{name}" for name in TERMINAL_CASES]
    code, out, err = check(workdir, *paths, "-v")
    assert code == 1
    assert not CONTROLS.search(out + err), CONTROLS.findall(out + err)
    # The escapes are shown, so the author can find and remove them.
    assert "Evil\\x1b[2J\\x1b[H\\x1b]0;owned\\x07 Corp\\x9b31m" in out
    assert "bidi\\u202e-override" in out
    # The waiver reason's CR LF cannot start a forged finding line.
    assert not any(line.startswith("plans/ok.yaml") for line in out.splitlines())
    assert "\\x0d\\nplans/ok.yaml:1:1: note all good]" in out


def test_file_names_with_control_characters_are_shown_escaped(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "evil\x1b[2J\ttab\u202e.yaml").write_text(PLAN.format(id="evil"))
    (plans / "forged\nplans").mkdir()
    (plans / "forged\nplans" / "x.yaml").write_text(PLAN.format(id="forged"))
    (plans / "not-a-plan\x1b]0;t\x07.yaml").write_text("name: ci\n")
    code, out, err = check(tmp_path, "plans", "-v")
    assert code == 1
    assert not CONTROLS.search(out + err), CONTROLS.findall(out + err)
    assert "plans/evil\\x1b[2J\\x09tab\\u202e.yaml:4:8:" in out
    assert "plans/forged\\nplans/x.yaml:4:8:" in out
    assert "skipped plans/not-a-plan\\x1b]0;t\\x07.yaml:" in out


def test_a_file_name_that_is_not_utf8_with_the_cache_on(tmp_path: Path) -> None:
    """Two plans with one id, one of them in a file whose name is not UTF-8 (a
    repository-wide finding located there): the cache and the report's parts cannot keep
    such a name as text, and every run still prints what a run without them does."""
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "a.yaml").write_text(PLAN.format(id="same"))
    (plans / os.fsdecode(b"caf\xe9.yaml")).write_text(PLAN.format(id="same"))

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, str(REPO / "cli.py"), "check", "--today", TODAY, *args]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, check=False)

    reference = run("--no-cache")
    assert reference.returncode == 1 and b"duplicate-id" in reference.stdout
    for _ in range(2):  # fills the cache, then reads it
        again = run()
        assert (again.returncode, again.stdout, again.stderr) == (1, reference.stdout, b"")


def _run_in_terminal(cwd: Path, *args: str, env: dict[str, str]) -> str:
    """Run the CLI with a pseudo-terminal as its standard output; returns what it printed."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), "check", "--no-cache", "--today", TODAY, *args],
        cwd=cwd,
        stdout=terminal,
        stderr=terminal,
        env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
    )
    os.close(terminal)
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            process.kill()
            raise AssertionError("the check did not finish")
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(controller)
    return output.decode()


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [
        ((), {"NO_COLOR": None}, True),
        ((), {"NO_COLOR": "1"}, False),
        ((), {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value turns it off
        (("--no-color",), {"NO_COLOR": None}, False),
    ],
    ids=["terminal", "NO_COLOR=1", "NO_COLOR-empty", "--no-color"],
)
def test_colour_only_on_a_terminal_and_never_plan_escapes(
    workdir: Path, flags: tuple[str, ...], env: dict[str, str | None], coloured: bool
) -> None:
    out = _run_in_terminal(workdir, f"{CORPUS_DIR}/escapes-in-names.yaml", *flags, env=env)
    assert "escapes-in-names.yaml:11:17:" in out
    assert bool(OWN_COLOURS.search(out)) is coloured
    # What is left after revplan's own colour codes holds no escape from the plan.
    assert "\x1b" not in OWN_COLOURS.sub("", out)
    assert "\x07" not in out and "\x9b" not in out


def test_no_colour_when_output_is_not_a_terminal(workdir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    piped = subprocess.run(
        [sys.executable, str(REPO / "cli.py"), "check", "--no-cache", "--today", TODAY,
         f"{CORPUS_DIR}/escapes-in-names.yaml"],
        cwd=workdir, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert piped.returncode == 1 and "escapes-in-names.yaml:11:17:" in piped.stdout
    assert "\x1b" not in piped.stdout + piped.stderr


# --- every command over the corpus, and rendering ----------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--format", "json"],
        ["check", "--format", "sarif"],
        ["check", "--format", "junit"],
        ["check", "--format", "github"],
        ["graph", "--format", "json"],
        ["graph", "--format", "mermaid"],
        ["graph", "--format", "dot"],
        ["graph", "--format", "graphml"],
        ["render", "--out", "out"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_command_answers_the_whole_corpus_and_changes_no_plan(
    workdir: Path, command: list[str]
) -> None:
    # Only the output folder and revplan's own cache may change.
    before = snapshot(workdir, leave_out=("out",))
    result = run_cli(*command, CORPUS_DIR, "--today", TODAY, cwd=workdir)
    assert snapshot(workdir, leave_out=("out",)) == before
    assert_no_internal_error(result.stdout, result.stderr)
    assert result.exit_code in (0, 1), result.stderr
    if command[0] == "render":
        after_render = snapshot(workdir, leave_out=())
        documents = list((workdir / "out").rglob("*.md"))
        assert documents and not [d for d in documents if CONTROLS.search(d.read_text())]
        again = run_cli(
            "render", "--out", "out", "--check", CORPUS_DIR, "--today", TODAY, cwd=workdir
        )
        assert again.exit_code == 0, again.stdout + again.stderr
        assert snapshot(workdir, leave_out=()) == after_render
        shutil.rmtree(workdir / "out")


def test_two_renders_at_once_leave_only_whole_documents(tmp_path: Path) -> None:
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    args = [sys.executable, str(REPO / "cli.py"), "render", "plans", "--out", "docs", "-q"]
    reference = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert reference.returncode == 0, reference.stderr
    expected = snapshot(tmp_path / "docs")
    shutil.rmtree(tmp_path / "docs")
    for _ in range(2):
        runs = [
            subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        for process in runs:
            out, err = process.communicate(timeout=120)
            assert_no_internal_error(out.decode(), err.decode())
            assert process.returncode == 0, err.decode()
        assert snapshot(tmp_path / "docs") == expected  # whole documents, no temporary files
