"""A user's templates (--templates) cannot take the machine: what would be too large,
too deep or without end is a located template error (exit 2), before it is built."""

import shutil
from pathlib import Path

import pytest
from conftest import REPO, TODAY, run_cli

HOSTILE = {
    "a gigabyte string": ("{{ ('x' * 1000000000) | length }}", "over the limit"),
    "lipsum without end": ("{{ lipsum(n=1000000) }}", "'lipsum' is undefined"),
    "a macro calling itself": (
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "nested too deep",
    ),
    "loops of ranges": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "range() would go past",
    ),
    "loops inside loops over a short list": (
        "{% set s = range(100) | list %}{% for a in s %}{% for b in s %}{% for c in s %}"
        "{% for d in s %}{% for e in s %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
        "{% endfor %}",
        "more than 10,000,000 steps",
    ),
    "a padding filter": ("{{ 'x' | center(1000000000) }}", "center() of that width"),
    "a padding method": ("{{ 'x'.ljust(1000000000) }}", "ljust() of that width"),
    "a replace that multiplies": (
        "{{ ('x' * 100000) | replace('x', 'y' * 100000) }}",
        "the result of replace()",
    ),
    "a join that multiplies": ("{{ (['x' * 999999] * 999999) | join }}", "join()"),
    "a format width": ("{{ '{:>1000000000}'.format(1) }}", "a format of that width"),
    "a printf width": ("{{ '%1000000000s' % 1 }}", "a format of that width"),
    "a huge power": ("{{ 2 ** 100000000 }}", "too large"),
    "a document past the size limit": (
        "{% for i in range(30) %}{{ 'x' * 999999 }}{% endfor %}",
        "the limit for one document",
    ),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    (tmp_path / "templates").mkdir()
    return tmp_path


@pytest.mark.parametrize(("body", "says"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_template_past_the_limits_is_a_template_error(repo, body, says):
    (repo / "templates/account.md.j2").write_text(body, encoding="utf-8")
    result = run_cli(
        "render", "plans", "--out", "docs", "--templates", "templates", "--today", TODAY,
        "--jobs", "1", cwd=repo,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.stderr
    assert "template error in" in result.stderr and says in result.stderr, result.stderr
    assert not (repo / "docs/accounts").exists()  # nothing half-written


def test_what_templates_do_within_the_limits_still_works(repo):
    (repo / "templates/account.md.j2").write_text(
        "{{ 'a b' | replace('a', 'c') }}|{{ [1, 2] | join(',') }}|{{ '%3s' | format('x') }}|"
        "{{ 'x' | center(5) }}|{{ '{} {}'.format(1, 2) }}|{{ range(3) | list | length }}|"
        "{{ 2 ** 10 }}|{{ 'ab' * 2 }}|{{ 'x' ~ 'y' }}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "render", "plans", "--out", "docs", "--templates", "templates", "--today", TODAY, cwd=repo
    )
    assert result.exit_code == 0, result.output
    text = (repo / "docs/accounts/aegean-lines.md").read_text(encoding="utf-8")
    assert "c b|1,2|  x|  x  |1 2|3|1024|abab|xy" in text
