"""The loader: values with exact source locations, and YAML read the way authors mean it."""

from engine.findings import Problem
from engine.i18n.messages import english
from engine.parse.loader import Limits, load_bytes, load_text


def message(problem: Problem) -> str:
    """The problem as the check prints it."""
    return english(problem.key, problem.args)


PLAN = """\
apiVersion: revplan/v1
kind: AccountPlan
account: {id: acme, name: Acme}
stakeholders:
  - id: maria
    name: Maria Chen
    group: renew
  - id: tom
    name: Tom Berger
    group: renew
    stance: detractor
    needs:
      see: The price
objectives:
  - id: renew
    title: Renew
    key_results:
      - {id: wau, title: Weekly users, baseline: 120, target: 300}
      - id: nps
        title: NPS
        target: 50
"""


def test_nested_values_and_keys_have_exact_line_and_column():
    doc = load_text(PLAN, "acme.yaml")
    assert doc.problems == []
    stance = doc.loc(("stakeholders", 1, "stance"))
    assert (stance.line, stance.column) == (11, 13)
    key = doc.key_loc(("stakeholders", 1, "stance"))
    assert (key.line, key.column) == (11, 5)
    see = doc.loc(("stakeholders", 1, "needs", "see"))
    assert (see.line, see.column) == (13, 12)
    # a key result inside an objective, in flow style and in block style
    flow = doc.loc(("objectives", 0, "key_results", 0, "target"))
    assert (flow.line, flow.column) == (18, 63)
    block = doc.key_loc(("objectives", 0, "key_results", 1, "target"))
    assert (block.line, block.column) == (21, 9)
    item = doc.loc(("stakeholders", 1))
    assert (item.line, item.column) == (8, 5)


def test_missing_path_falls_back_to_the_nearest_enclosing_value():
    doc = load_text(PLAN, "acme.yaml")
    loc = doc.loc(("stakeholders", 0, "backup"))
    assert (loc.line, loc.column) == (5, 5)


def test_duplicate_key_is_reported_at_the_second_key_and_first_value_kept():
    doc = load_text("a: 1\nb:\n  c: x\n  c: y\n", "f.yaml")
    [problem] = doc.problems
    assert (problem.loc.line, problem.loc.column) == (4, 3)
    assert "duplicate key 'c'" in message(problem) and "line 3" in message(problem)
    assert doc.data == {"a": 1, "b": {"c": "x"}}


def test_dates_stay_iso_text_quoted_or_bare():
    doc = load_text("a: 2026-11-02\nb: '2026-11-02'\n", "f.yaml")
    assert doc.data == {"a": "2026-11-02", "b": "2026-11-02"}


def test_yaml_11_booleans_never_silently_become_false():
    doc = load_text("a: no\nb: yes\nc: off\nd: On\ne: true\nf: false\n", "f.yaml")
    assert doc.data == {"a": "no", "b": "yes", "c": "off", "d": "On", "e": True, "f": False}


def test_numbers_and_text_that_only_looks_like_numbers():
    doc = load_text("a: 480000\nb: 0.8\nc: 480_000\nd: 1:30\ne: .nan\nf: 1e400\ng: '12'\n", "f")
    assert doc.data == {
        "a": 480000,
        "b": 0.8,
        "c": 480000,
        "d": "1:30",  # YAML 1.1 would have read 90 (sexagesimal)
        "e": ".nan",  # not finite: kept as written, the schema reports it
        "f": "1e400",
        "g": "12",
    }


def test_tags_are_refused_and_never_constructed():
    doc = load_text("a: !!python/object/apply:os.system ['echo hacked']\n", "f.yaml")
    [problem] = doc.problems
    assert "!!python/object/apply:os.system" in message(problem)
    assert (problem.loc.line, problem.loc.column) == (1, 4)


def test_second_document_is_reported():
    doc = load_text("a: 1\n---\nb: 2\n", "f.yaml")
    [problem] = doc.problems
    assert problem.loc.line == 2 and "more than one YAML document" in message(problem)
    assert doc.data == {"a": 1}


def test_syntax_error_is_located_with_a_hint_for_tabs():
    doc = load_text("a:\n\tb: 1\n", "f.yaml")
    [problem] = doc.problems
    assert problem.loc.line == 2
    assert "tabs" in message(problem)


def test_alias_bomb_stops_at_the_node_limit():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(8):
        prev, cur = chr(ord("a") + i), chr(ord("a") + i + 1)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    doc = load_text("\n".join(lines), "bomb.yaml", Limits(max_aliases=1000))
    [problem] = doc.problems
    assert "limits.max_nodes" in message(problem)


def test_deep_nesting_stops_at_the_depth_limit_without_crashing():
    doc = load_text("a: " + "[" * 100_000 + "]" * 100_000, "deep.yaml")
    [problem] = doc.problems
    assert "limits.max_depth" in message(problem)


def test_encodings_bom_utf16_crlf_and_invalid_utf8():
    assert load_bytes(b"\xef\xbb\xbfa: 1\r\nb: x\r\n", "f").data == {"a": 1, "b": "x"}
    assert load_bytes("a: Ελένη".encode("utf-16"), "f").data == {"a": "Ελένη"}
    doc = load_bytes(b"a: ok\nb: \xff\n", "f")
    [problem] = doc.problems
    assert "not UTF-8" in message(problem) and problem.loc.line == 2


def test_oversized_file_is_a_finding_not_a_parse():
    doc = load_bytes(b"a: " + b"x" * 100, "big.yaml", Limits(max_file_bytes=50))
    [problem] = doc.problems
    assert "limits.max_file_bytes" in message(problem) and doc.data is None


def test_a_key_written_as_the_duplicate_marker_is_an_unknown_field(write):
    """A double-quoted key may hold NUL: ``"\\0duplicate"`` is a key like any other."""
    from conftest import check_json

    path = write(
        "acme.yaml",
        'apiVersion: revplan/v1\nkind: AccountPlan\naccount: {id: acme, name: Acme}\n"\\0duplicate": 1\n',
    )
    code, report = check_json(path)
    [finding] = [f for f in report["findings"] if f["rule"] == "schema"]
    assert (
        code == 1 and finding["line"] == 4 and "unknown field '\x00duplicate'" in finding["message"]
    )
