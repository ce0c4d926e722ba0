"""The suite itself: a missing tool or file skips on a laptop and fails on CI."""

import re

import pytest
from conftest import TESTS, require, require_module

# Skips that no install can fix: root reads and writes every file.
ROOT_ONLY = re.compile(r"skipif\(os\.geteuid\(\) == 0")


def test_a_missing_tool_skips_on_a_laptop_and_fails_on_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="frobnicate is not installed"):
        require(False, "frobnicate is not installed")
    with pytest.raises(pytest.skip.Exception):
        require_module("no_such_module_anywhere", "no_such_module_anywhere is not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set: a missing tool or file fails"):
        require(False, "frobnicate is not installed")
    with pytest.raises(pytest.fail.Exception):
        require_module("no_such_module_anywhere", "no_such_module_anywhere is not installed")
    require(True, "never said")


def test_every_skip_for_a_missing_tool_goes_through_require():
    raw = re.compile(r"pytest\.skip\(|importorskip\(|mark\.skipif\(")
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if "node_modules" in path.parts or path.name in ("conftest.py", "test_suite.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if raw.search(line) and not ROOT_ONLY.search(line):
                found.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert found == []
