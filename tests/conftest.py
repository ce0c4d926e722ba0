"""Shared helpers: write plans to a temporary repository and run the real CLI on them.

The tests' folders mirror ``engine/``. pytest puts each test file's folder on
``sys.path`` (its default import mode; no ``__init__.py`` anywhere), so every
test file imports ``conftest`` and its folder's helpers by name, and a test
file's name must be unique across tests/ (pytest stops with "import file
mismatch" if two are alike). Paths start from ``TESTS`` or ``REPO``, never from
a test file's own place.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine.cli import main

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# Test files import helpers of other folders by name (render_support, test_rules): every
# folder is on the path whichever files a run selects, not only when pytest collected them.
sys.path[1:1] = sorted(
    str(folder) for folder in TESTS.iterdir() if folder.is_dir() and any(folder.glob("*.py"))
)
# Data shared by checkouts (the official SARIF schema): shared/ next to the checkout,
# or next to the folder of worktrees that holds it.
SHARED = next(
    (p / "shared" for p in REPO.parents if (p / "shared").is_dir()), REPO.parent / "shared"
)
TODAY = "2026-11-23"
# Test files import helpers from other folders (render_support, test_rules): with every
# test folder on sys.path a test file runs alone as well as in the whole suite.
for _folder in sorted({path.parent for path in TESTS.glob("*/test_*.py")}):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))
NODE_TOOLS = TESTS / "node"
# An OKR set with nothing to find: the "good" file of tests that need one.
COMPLETE_OKRS = """\
apiVersion: revplan/v1
kind: OKRs
id: sales
title: Sales
objectives:
  - id: pipeline
    title: Build pipeline
    key_results:
      - {id: opps, title: Qualified opportunities, baseline: 10, target: 40, current: 22}
"""
NODE_INSTALL = "npm ci --prefix tests/node"


def require(available: bool, reason: str) -> None:
    """Skip a test whose tool or file is missing, saying what to install; on CI (``CI``
    set) fail it instead, so a broken install cannot pass unnoticed."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: a missing tool or file fails the run)")
    pytest.skip(reason)


def require_module(name: str, reason: str) -> Any:
    """``name`` imported, or ``require``'s skip (or, on CI, failure) with ``reason``."""
    try:
        return importlib.import_module(name)
    except ImportError:
        require(False, reason)


def run_node_tool(script: str, package: str, stdin: Any) -> Any:
    """Run ``tests/node/SCRIPT`` (a real JavaScript tool) on JSON ``stdin``; its JSON output.

    Without Node.js or the npm packages (``npm ci --prefix tests/node``) the
    test skips and says so; on CI (``CI`` set) it fails instead, so a broken
    install cannot pass unnoticed.
    """
    problem = None
    if shutil.which("node") is None:
        problem = f"Node.js is not installed (needed to run {package}); then run: {NODE_INSTALL}"
    elif not (NODE_TOOLS / "node_modules" / package / "package.json").is_file():
        problem = f"the npm package {package} is not installed; run: {NODE_INSTALL}"
    if problem:
        require(False, problem)
    done = subprocess.run(
        ["node", str(NODE_TOOLS / script)],
        input=json.dumps(stdin),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run the same on a laptop and inside a GitHub Actions job: there,
    revplan would switch to annotations and write a step summary."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def _user_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _private_user_cache(monkeypatch: pytest.MonkeyPatch, _user_cache_home: Path) -> None:
    """revplan's cache lives in the user's cache folder: the tests' own, not the
    user's (``cache_folder_of`` says where a repository's is)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(_user_cache_home))


def cache_folder_of(repo: Path) -> Path:
    """Where revplan keeps the cache of the repository at ``repo``."""
    from engine.cache.location import default_folder
    from engine.paths import repository_root

    return default_folder(repository_root(repo))


def rewrite_cache_lines(path: Path, change: Callable[[bytes], bytes]) -> None:
    """Change the entries of a cache file and sign each line again with the user's key,
    as only the user could: then the content alone decides what happens next."""
    from engine.cache.location import secret_key

    key = secret_key()
    assert key is not None
    header, body = path.read_bytes().split(b"\n", 1)
    lines = []
    for line in body.split(b"\n"):
        if line:
            payload = change(line.split(b" ", 1)[1])
            mac = hashlib.blake2b(payload, key=key, digest_size=16).hexdigest().encode()
            lines.append(mac + b" " + payload)
    path.write_bytes(header + b"\n" + b"\n".join(lines) + b"\n")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``revplan ARGS`` in-process with click's runner."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)


def check_json(
    *paths: Path | str, extra: tuple[str, ...] = (), cwd: Path | None = None
) -> tuple[int, dict[str, Any]]:
    """``revplan check --format json`` on ``paths``: (exit code, parsed report)."""
    result = run_cli(
        "check", *map(str, paths), "--format", "json", "--no-cache", "--today", TODAY, *extra,
        cwd=cwd,
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to a file under a temporary folder; returns its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def rules_hit(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in report["findings"]}
