"""The relationship maps parse with the real Mermaid library (npm package, run by Node.js).

Needs ``node`` and ``npm ci --prefix tests/node`` (Mermaid and jsdom, pinned by
tests/node/package-lock.json). Without them the tests skip and say so; on CI
(``CI`` set) they fail instead, so a broken install cannot pass unnoticed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import run_node_tool
from render_support import HOSTILE, TODAY, copy_plans, hostile_plan, mermaid_blocks, run, write_yaml

from engine.i18n.catalogue import LOCALES


def parse(diagrams: list[str]) -> list[dict]:
    """Each diagram parsed by Mermaid: {"ok", "type", "labels"} or {"ok": False, "error"}."""
    return run_node_tool("parse.mjs", "mermaid", diagrams)


def shown(label: str) -> list[str]:
    """A parsed label's lines as a reader sees them (Mermaid decodes #NN; entities on display)."""
    label = label.replace("ﬂ°°", "&#").replace("ﬂ°", "&").replace("¶ß", ";")
    return [html.unescape(re.sub(r"</?b>", "", line)) for line in re.split(r"<br\s*/?>", label)]


def test_relationship_maps_of_the_example_plans_parse_in_every_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_plans(tmp_path)
    diagrams = []
    for locale in LOCALES:
        result = run(
            ["render", "plans", "--out", f"docs-{locale}", "--locale", locale],
            tmp_path,
            monkeypatch,
        )
        assert result.exit_code == 0, result.output
        for doc in sorted((tmp_path / f"docs-{locale}" / "accounts").glob("*.md")):
            diagrams += mermaid_blocks(doc.read_text(encoding="utf-8"))
    assert len(diagrams) == 3 * len(LOCALES)  # one map per account document
    results = parse(diagrams)
    for diagram, parsed in zip(diagrams, results, strict=True):
        assert parsed["ok"], f"{parsed.get('error')}\n{diagram}"
        assert parsed["type"] == "flowchart-v2"
    # Aegean Lines: 11 stakeholders, each a box whose first line is the name
    aegean = results[0]["labels"]
    assert len(aegean) == 11
    assert shown(aegean["p7"])[:3] == [
        "Παναγιώτης Μακρής",
        "Υπεύθυνος Προμηθειών (Procurement Manager)",
        "detractor",
    ]


def test_hostile_names_parse_and_read_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_yaml(tmp_path / "plans" / "hostile.yaml", hostile_plan())
    result = run(["render", "plans", "--out", "docs", "--today", TODAY], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    doc = (tmp_path / "docs" / "accounts" / "hostile.md").read_text(encoding="utf-8")
    (parsed,) = parse(mermaid_blocks(doc))
    assert parsed["ok"], parsed.get("error")
    labels = {node: shown(text) for node, text in parsed["labels"].items()}
    assert labels["p0"][0] == f"person: {HOSTILE}"
    assert labels["p0"][1] == "line one # Injected heading | x | y |"
    assert labels["p0"][3] == f"owner: team: {HOSTILE}"
    assert labels["p3"] == [f"group2: {HOSTILE}", "stance unknown"]


def test_the_parser_rejects_a_broken_diagram() -> None:
    """The check can fail: Mermaid's own parser runs, not a stand-in that accepts anything."""
    (parsed,) = parse(['flowchart TB\n  a["x"] -- > b((\n'])
    assert not parsed["ok"] and "Parse error" in parsed["error"]
