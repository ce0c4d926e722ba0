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
from conftest import run_cli, run_node_tool
from render_support import HOSTILE, TODAY, copy_plans, hostile_plan, mermaid_blocks, run, write_yaml

from engine.i18n.catalogue import LOCALES


def parse(diagrams: list[str]) -> list[dict]:
    """Each diagram parsed by Mermaid: {"ok", "type", "labels"} or {"ok": False, "error"}."""
    return run_node_tool("parse.mjs", "mermaid", diagrams)


def shown(label: str) -> list[str]:
    """A parsed label's lines as a reader sees them (Mermaid decodes #NN; entities on display)."""
    label = label.replace("ﬂ°°", "&#").replace("ﬂ°", "&").replace("¶ß", ";")
    return [html.unescape(re.sub(r"</?b>", "", line)) for line in re.split(r"<br\s*/?>", label)]


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example plans' account documents in every language: locale -> their folder."""
    root = tmp_path_factory.mktemp("examples")
    copy_plans(root)
    for locale in LOCALES:
        result = run_cli("render", "plans", "--out", f"docs-{locale}", "--locale", locale, cwd=root)
        assert result.exit_code == 0, result.output
    return {locale: root / f"docs-{locale}" / "accounts" for locale in LOCALES}


def test_relationship_maps_of_the_example_plans_parse_in_every_language(
    examples: dict[str, Path],
) -> None:
    diagrams = []
    for folder in examples.values():
        for doc in sorted(folder.glob("*.md")):
            diagrams += mermaid_blocks(doc.read_text(encoding="utf-8"))
    diagrams = [d for d in diagrams if d.startswith("flowchart")]
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


# --- key-result check-ins (xychart-beta) ---------------------------------------------


def charts_of(doc: str) -> list[dict]:
    """The check-in charts of a document, parsed by Mermaid; each must parse."""
    sources = [d for d in mermaid_blocks(doc) if "xychart-beta" in d]
    results = parse(sources)
    for source, parsed in zip(sources, results, strict=True):
        assert parsed["ok"] and parsed["type"] == "xychart", f"{parsed.get('error')}\n{source}"
    return [parsed["chart"] for parsed in results]


def assert_drawable(chart: dict) -> None:
    """What a reader needs to see the chart: a visible colour, one point per date and
    no date twice, a line of two points at least, whole ticks for whole numbers."""
    data = chart["data"]
    categories = data["xAxis"]["categories"]
    assert len(categories) == len(set(categories))
    assert chart["palette"].split(",")[0] == "#1565c0"  # never Mermaid's pale #ECECFF
    for plot in data["plots"]:
        assert [x for x, _ in plot["data"]] == categories
        assert all(y is not None for _, y in plot["data"])
        if plot["type"] == "line":
            assert len(plot["data"]) >= 2
    values = [y for plot in data["plots"] for _, y in plot["data"]]
    if all(float(v).is_integer() for v in values):
        assert all(float(t).is_integer() for t in chart["ticks"]), chart["ticks"]
    assert data["yAxis"]["min"] <= min(values) and max(values) <= data["yAxis"]["max"]


def test_the_example_check_in_charts_parse_and_draw_in_every_language(
    examples: dict[str, Path],
) -> None:
    charts = []
    for folder in examples.values():
        charts += charts_of((folder / "hoshino-precision.md").read_text(encoding="utf-8"))
    assert len(charts) == 2 * len(LOCALES)  # Hoshino's two key results with check-ins
    for chart in charts:
        assert_drawable(chart)
    lines = charts[0]["data"]
    assert lines["xAxis"]["categories"] == ["Baseline", "Sep 14", "Oct 12", "Nov 16"]
    assert [y for _, y in lines["plots"][0]["data"]] == [3, 4, 5, 6]  # baseline, check-ins
    assert [y for _, y in lines["plots"][1]["data"]] == [8, 8, 8, 8]  # the target


def kr(ident: str, checkins: list[dict], **fields: float) -> dict:
    return {"id": ident, "title": ident, **fields, "checkins": checkins}


def test_check_in_charts_draw_whatever_the_check_ins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nov = [{"date": f"2026-11-{d:02d}", "value": d} for d in range(1, 13)]
    plan = {
        "apiVersion": "revplan/v1",
        "kind": "AccountPlan",
        "account": {"id": "acme", "name": "Acme"},
        "objectives": [
            {
                "id": "grow",
                "title": "Grow",
                "key_results": [
                    # One check-in and no baseline: a bar, since a line of one point draws nothing.
                    kr("single", [{"date": "2026-11-16", "value": 4}], target=10),
                    # Across a new year: the dates carry their years, never two alike.
                    kr("years", [{"date": "2025-11-16", "value": 2},
                                 {"date": "2026-11-16", "value": 3}], baseline=1, target=4),
                    # Twelve check-ins: the latest eight; a small whole range: whole ticks.
                    kr("many", nov, baseline=0, target=5),
                    # Two on one date (an error the check reports): one point, the later.
                    kr("twice", [{"date": "2026-11-16", "value": 1},
                                 {"date": "2026-11-16", "value": 2}], baseline=0, target=3),
                    # Fractions and a negative baseline.
                    kr("nps", [{"date": "2026-11-16", "value": 4.25}], baseline=-1.5, target=4.5),
                ],
            }
        ],
    }  # fmt: skip
    write_yaml(tmp_path / "plans" / "acme.yaml", plan)
    result = run(["render", "plans", "--out", "docs", "--today", TODAY], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    doc = (tmp_path / "docs" / "accounts" / "acme.md").read_text(encoding="utf-8")
    single, years, many, twice, nps = charts_of(doc)
    for chart in (single, years, many, twice, nps):
        assert_drawable(chart)
    assert [p["type"] for p in single["data"]["plots"]] == ["bar"]
    assert years["data"]["xAxis"]["categories"] == ["Baseline", "Nov 16, 2025", "Nov 16, 2026"]
    assert many["data"]["xAxis"]["categories"][1:] == [f"Nov {d}" for d in range(5, 13)]
    assert [y for _, y in twice["data"]["plots"][0]["data"]] == [0, 2]
    assert [y for _, y in nps["data"]["plots"][0]["data"]] == [-1.5, 4.25]
    assert "A single check-in so far" in doc
