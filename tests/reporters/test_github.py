"""GitHub Actions output: annotations, automatic selection, the job summary and the overflow case."""

import json
import re

import pytest
from conftest import run_cli

from engine.findings import Finding
from engine.reporters.github import annotation, escape_data, escape_property

KR6 = ", ".join(f"{{id: k{i}, title: K{i}, baseline: 0, target: 1}}" for i in range(6))


def errors_okrs(plan_id: str, count: int) -> str:
    """An OKR set with ``count`` objectives without key results: one error each."""
    head = f"apiVersion: revplan/v1\nkind: OKRs\nid: {plan_id}\ntitle: Errors\nobjectives:\n"
    return head + "".join(f"  - {{id: o{i}, title: Objective {i}}}\n" for i in range(count))


def warnings_okrs(plan_id: str, count: int) -> str:
    """An OKR set with ``count`` objectives of six key results (more than 5): one warning each."""
    head = f"apiVersion: revplan/v1\nkind: OKRs\nid: {plan_id}\ntitle: Warnings\nobjectives:\n"
    return head + "".join(
        f"  - {{id: w{i}, title: W{i}, key_results: [{KR6}]}}\n" for i in range(count)
    )


def unescape_property(text: str) -> str:
    """What the Actions runner does to a property value (the inverse of the toolkit's escaping)."""
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def unescape_data(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Parse a workflow command the way the runner does: ``::name k=v,k=v::message``."""
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    props = {}
    for pair in filter(None, (match["props"] or "").split(",")):
        key, _, value = pair.partition("=")
        props[key] = unescape_property(value)
    return match["name"], props, unescape_data(match["message"])


def test_escaping_follows_the_toolkit_rules():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b:c%d\ne") == "a%2Cb%3Ac%25d%0Ae"
    assert escape_data("a:b,c") == "a:b,c"  # only properties escape : and ,


def test_an_annotation_round_trips_through_the_runners_parsing():
    message = "line one\nline two: 100% sure, \r::error::forged"
    finding = Finding("schema", "error", message, "plans/a,b: c.yaml", 7, 3)
    line = annotation(finding)
    assert "\n" not in line and "\r" not in line  # one command, nothing forged
    name, props, text = parse(line)
    assert name == "error"
    assert props == {"file": "plans/a,b: c.yaml", "line": "7", "col": "3", "title": "schema"}
    assert text == message.replace("\r", "\\x0d")  # a lone CR is shown, not sent


def test_annotations_name_file_line_column_rule_and_message(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 2), encoding="utf-8")
    (tmp_path / "plans" / "b.yaml").write_text(warnings_okrs("b", 1), encoding="utf-8")
    result = run_cli(
        "check", "plans", "--no-cache", "--format", "github", "--format", "json:r.json",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.exit_code == 1
    findings = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
    commands = [parse(line) for line in result.stdout.splitlines() if line.startswith("::")]
    assert commands == [
        (
            {"error": "error", "warning": "warning"}[f["severity"]],
            {
                "file": f["file"],
                "line": str(f["line"]),
                "col": str(f["column"]),
                "title": f["rule"],
            },
            f["message"],
        )
        for f in findings
    ]
    assert result.stdout.splitlines()[-1].startswith("revplan: 2 files checked")


def test_paths_are_relative_to_the_github_workspace(tmp_path, monkeypatch):
    (tmp_path / "repo" / "plans").mkdir(parents=True)
    (tmp_path / "repo" / "plans" / "a.yaml").write_text(errors_okrs("a", 1), encoding="utf-8")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    result = run_cli("check", "plans", "--no-cache", "--format", "github", cwd=tmp_path / "repo")
    [(_, props, _)] = [parse(line) for line in result.stdout.splitlines() if line.startswith("::")]
    assert props["file"] == "repo/plans/a.yaml"  # GitHub resolves it from the workspace


def test_github_format_is_chosen_automatically_in_github_actions(tmp_path, monkeypatch):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 1), encoding="utf-8")
    plain = run_cli("check", "plans", "--no-cache", cwd=tmp_path).stdout
    assert plain.startswith("plans/a.yaml:")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    auto = run_cli("check", "plans", "--no-cache", cwd=tmp_path).stdout
    assert auto.startswith("::error file=plans/a.yaml,")
    asked = run_cli("check", "plans", "--no-cache", "--format", "text", cwd=tmp_path).stdout
    assert asked == plain  # an explicit --format wins
    run_cli("check", "plans", "--no-cache", "--output", "out.txt", cwd=tmp_path)
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == plain  # a file gets text


@pytest.mark.parametrize(
    ("locale", "start"),
    [
        ("en", "1 more finding not shown as an annotation (1 error): "),
        ("el", "1 ακόμη εύρημα δεν εμφανίζεται ως σχόλιο (1 σφάλμα): "),
    ],
)
def test_one_finding_over_the_limit_is_told_in_the_singular(tmp_path, locale, start):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 11), encoding="utf-8")
    args = ("check", "plans", "--no-cache", "--format", "github", "--locale", locale)
    lines = run_cli(*args, cwd=tmp_path).stdout.splitlines()
    [notice] = [parse(line) for line in lines if line.startswith("::notice")]
    assert notice[2].startswith(start), notice[2]


def test_more_findings_than_github_shows_are_summarised_not_dropped(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 13), encoding="utf-8")
    (tmp_path / "plans" / "b.yaml").write_text(warnings_okrs("b", 12), encoding="utf-8")
    result = run_cli(
        "check", "plans", "--no-cache", "--format", "github", "--format", "json:r.json",
        cwd=tmp_path,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    findings = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
    assert len(findings) == 25
    kinds = [parse(line)[0] for line in lines if line.startswith("::")]
    assert kinds.count("error") == 10 and kinds.count("warning") == 10
    [notice] = [parse(line) for line in lines if line.startswith("::notice")]
    assert notice[2].startswith("5 more findings not shown as annotations (3 errors, 2 warnings)")
    plain = [line for line in lines if line.startswith("revplan: plans/")]
    assert len(plain) == 5
    commands = [parse(line) for line in lines if line.startswith("::")]
    shown = {
        (props["file"], props["line"], text) for name, props, text in commands if name != "notice"
    }
    for f in findings:  # every finding is in the log: as an annotation or as a plain line
        as_annotation = (f["file"], str(f["line"]), f["message"]) in shown
        as_line = f"revplan: {f['file']}:{f['line']}:{f['column']}: {f['severity']} {f['rule']} "
        assert as_annotation or any(line.startswith(as_line) for line in plain), f


def test_no_notice_when_everything_fits(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 10), encoding="utf-8")
    result = run_cli("check", "plans", "--no-cache", "--format", "github", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert not any(line.startswith("::notice") for line in lines)


def test_summary_is_appended_to_the_step_summary_file(tmp_path, monkeypatch):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 2), encoding="utf-8")
    (tmp_path / "plans" / "b.yaml").write_text(
        warnings_okrs("b", 1).replace("W0", "W0 | <b>bold</b>"), encoding="utf-8"
    )
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_cli("check", "plans", "--no-cache", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n")  # appended, never overwritten
    assert "## revplan check failed" in text
    rows = [line for line in text.splitlines() if line.startswith("| error") or "| warning" in line]
    assert len(rows) == 3
    assert "| error | plans/a.yaml:6:5 | objective-has-key-results |" in text
    assert "<b>" not in text  # plan text cannot restyle the page


def test_unwritable_step_summary_exits_2(tmp_path, monkeypatch):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 1), encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    result = run_cli("check", "plans", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2
    assert "summary.md" in result.stderr


def test_waived_findings_are_not_annotated(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(errors_okrs("a", 2), encoding="utf-8")
    (tmp_path / "revplan.yaml").write_text(
        "apiVersion: revplan/v1\nkind: Config\nwaivers:\n"
        "  - {rule: objective-has-key-results, plan: a, target: o0, reason: Agreed at the offsite}\n",
        encoding="utf-8",
    )
    result = run_cli("check", "plans", "--no-cache", "--format", "github", cwd=tmp_path)
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1 and "'o1'" in annotations[0]
    assert "(1 waived)" in result.stdout
