"""Graph exports their readers accept: DOT that a DOT parser reads, GraphML that XML
parsers and networkx read, and no raw escape from a plan in either."""

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pydot
import pytest
from conftest import TESTS, TODAY, run_cli

from engine.controls import CONTROL
from engine.export import readable

HOSTILE = TESTS / "corpus/files/escapes-in-names.yaml"
NAME = "Evil\x1b[2J\x1b[H\x1b]0;owned\x07 Corp\x9b31m"  # the plan's account name


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    (tmp_path / "plans").mkdir()
    shutil.copy(HOSTILE, tmp_path / "plans/escapes.yaml")
    return tmp_path


def graph(cwd: Path, fmt: str) -> str:
    result = run_cli("graph", "plans", "--format", fmt, "--today", TODAY, cwd=cwd)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_dot_is_parsed_and_carries_no_raw_escape(plans):
    text = graph(plans, "dot")
    assert not CONTROL.search(text)  # nothing reaches the terminal raw
    [parsed] = pydot.graph_from_dot_data(text)
    [node] = [n for n in parsed.get_nodes() if n.get_name() == '"account:escapes-in-names"']
    # The label says what the name holds, escapes shown: \x1b as text, backslash doubled.
    assert node.get("label") == '"' + readable(NAME, controls=True).replace("\\", "\\\\") + '"'


def test_graphml_is_well_formed_and_networkx_reads_it_back(plans):
    text = graph(plans, "graphml")
    ET.fromstring(text.encode("utf-8"))  # raises if not well-formed
    (plans / "graph.graphml").write_text(text, encoding="utf-8")
    g = nx.read_graphml(plans / "graph.graphml")
    assert g.nodes["account:escapes-in-names"]["label"] == readable(NAME, controls=True)


def test_readable_shows_what_a_name_holds():
    assert readable("a\x1b]0;t\x07b", controls=True) == "a\\x1b]0;t\\x07b"
    assert readable("plan-\udcff.yaml", controls=False) == "plan-\\xff.yaml"  # a byte not UTF-8
    assert readable("tab\tand\nline", controls=True) == "tab\tand\nline"
