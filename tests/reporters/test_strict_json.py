"""Every JSON revplan writes is strict JSON: no Infinity or NaN, whatever the numbers."""

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, TODAY, run_cli


def strict(text: str) -> object:
    """Parse as a strict JSON reader does (JavaScript's, jq's): Infinity and NaN are errors."""

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def extreme(tmp_path: Path) -> Path:
    """The example plans, with an acquisition cost so small that the return overflows
    (plans' numbers are at most 1e15, so a quotient is the one way past a float)."""
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    for name in ("aegean-lines", "huaxin-health"):
        plan = tmp_path / f"plans/accounts/{name}.yaml"
        text = plan.read_text(encoding="utf-8")
        lines = []
        for line in text.splitlines(keepends=True):
            if line.startswith("  arr:"):
                line = "  arr: 1000000000000000\n"  # the largest a plan may hold
            elif line.startswith("  acquisition_cost:"):
                line = "  acquisition_cost: 1.0e-300\n"  # the return overflows
            elif line.startswith("  segment:"):
                line = "  segment: one\n"
            elif line.startswith("  currency:"):
                line = "  currency: EUR\n"
            lines.append(line)
        plan.write_text("".join(lines), encoding="utf-8")
    return tmp_path


def test_metrics_that_overflow_are_null_not_infinity(extreme):
    result = run_cli(
        "check", "plans", "--no-cache", "--today", TODAY, "--format", "json", cwd=extreme
    )
    report = strict(result.stdout)
    plans = {m["plan"]: m for m in report["metrics"]["plans"]}
    assert plans["aegean-lines"]["return"] is None  # 7.5e14 / 1e-300: no number JSON has
    [segment] = [s for s in report["metrics"]["segments"] if s["segment"] == "one"]
    assert segment["return"] is None
    assert segment["arr"] == 2e15  # finite values stay


def test_every_json_file_written_is_strict(extreme):
    for args in (
        ("check", "plans", "--no-cache", "--format", "json:report.json"),
        ("check", "plans", "--no-cache", "--format", "sarif:report.sarif"),
        ("check", "plans", "--no-cache", "--write-baseline", "baseline.json"),
        ("graph", "plans", "--format", "json", "--output", "graph.json"),
    ):
        result = run_cli(*args, "--today", TODAY, cwd=extreme)
        assert result.exit_code in (0, 1), result.output
    for name in ("report.json", "report.sarif", "baseline.json", "graph.json"):
        strict((extreme / name).read_text(encoding="utf-8"))
