"""Days at the ends of the calendar: an answer or a usage error, never an overflow."""

import shutil
from datetime import date

import pytest
from conftest import REPO, run_cli

from engine.model.metrics import days_after


@pytest.mark.parametrize("today", ["9999-12-20", "0001-01-01"])
def test_check_and_render_on_the_last_and_first_days(tmp_path, today):
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    for args in (("check", "plans", "--no-cache"), ("render", "plans", "--out", "docs")):
        result = run_cli(*args, "--today", today, cwd=tmp_path)
        assert "internal error" not in result.output, result.output
        assert result.exit_code in (0, 1), result.output


def test_init_with_a_day_the_example_cannot_be_dated_around_is_a_usage_error(tmp_path):
    result = run_cli("init", str(tmp_path / "repo"), "--today", "9999-12-20")
    assert result.exit_code == 2 and "pick a day between" in result.stderr
    assert not (tmp_path / "repo").exists()
    assert run_cli("init", str(tmp_path / "late"), "--today", "9997-12-31").exit_code == 0


def test_days_after_stops_at_the_calendars_ends():
    assert days_after(date(9999, 12, 20), 14) == date.max
    assert days_after(date(1, 1, 2), -5) == date.min
    assert days_after(date(2026, 11, 23), 14) == date(2026, 12, 7)
