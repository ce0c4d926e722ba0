"""A config's ``plans:`` globs are relative to its folder: an absolute one is a
located config error (it was an internal error: pathlib refuses absolute globs)."""

import pytest
from conftest import run_cli


@pytest.mark.parametrize("pattern", ["/srv/plans/*.yaml", "C:/plans/*.yaml"])
def test_an_absolute_plans_glob_is_a_config_error(tmp_path, pattern):
    (tmp_path / "revplan.yaml").write_text(
        f'apiVersion: revplan/v1\nkind: Config\nplans: ["okrs/*.yaml", "{pattern}"]\n',
        encoding="utf-8",
    )
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2 and "internal error" not in result.stderr
    assert "revplan.yaml:3:" in result.stderr and "is an absolute path" in result.stderr
