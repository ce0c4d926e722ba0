"""Graph export: Mermaid, Graphviz DOT, JSON (node-link data) and GraphML.

Plan text and file names reach every format readable and safe: a file name's
undecodable bytes as ``\\xNN``, and in DOT and GraphML control characters as
``\\x1b`` too (raw, they would drive the terminal the graph is printed to, and
XML 1.0 cannot hold them at all). JSON escapes controls itself.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from engine.controls import CONTROL, utf8_safe
from engine.graph import PlanGraph


def readable(text: str, controls: bool) -> str:
    """``text`` with undecodable bytes as ``\\xNN`` and, if ``controls``, control
    characters (not tab or newline) as ``\\x1b``."""
    text = utf8_safe(text).replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")
    if controls:
        text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text


def _readable_graph(g: nx.MultiDiGraph[str], controls: bool) -> nx.MultiDiGraph[str]:
    """A copy of ``g`` whose node ids, keys and text attributes are ``readable``."""

    def clean(value: Any) -> Any:
        return readable(value, controls) if isinstance(value, str) else value

    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for n, data in g.nodes(data=True):
        out.add_node(clean(n), **{k: clean(v) for k, v in data.items()})
    for s, t, k, data in g.edges(keys=True, data=True):
        out.add_edge(clean(s), clean(t), clean(k), **{a: clean(v) for a, v in data.items()})
    return out


# Quotes and markup as Mermaid's entity codes, control characters (line breaks) as spaces.
_MERMAID_CODES: dict[int, str] = {code: " " for code in range(32)}
_MERMAID_CODES.update({ord(ch): f"#{ord(ch)};" for ch in '"#<>&|[]{}()`\\;'})
_MERMAID_LABEL = str.maketrans(_MERMAID_CODES)


def mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: quotes and markup become entity codes."""
    return text.translate(_MERMAID_LABEL)


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _sorted_nodes(g: nx.MultiDiGraph[str]) -> list[str]:
    return sorted(g.nodes)


def _sorted_edges(g: nx.MultiDiGraph[str]) -> list[tuple[str, str, str]]:
    return sorted((s, t, k) for s, t, k in g.edges(keys=True))


def to_mermaid(g: nx.MultiDiGraph[str]) -> str:
    short = {n: f"n{i}" for i, n in enumerate(_sorted_nodes(g))}
    lines = ["flowchart LR"]
    for n in _sorted_nodes(g):
        data = g.nodes[n]
        label = mermaid_label(f"{data['kind']}: {data['label'] or n}")
        lines.append(f'  {short[n]}["{label}"]')
    for s, t, k in _sorted_edges(g):
        lines.append(f"  {short[s]} -->|{k}| {short[t]}")
    return "\n".join(lines) + "\n"


def to_dot(g: nx.MultiDiGraph[str]) -> str:
    lines = ["digraph revplan {", "  rankdir=LR;"]
    for n in _sorted_nodes(g):
        data = g.nodes[n]
        attrs = ", ".join(f"{k}={_dot_string(str(v))}" for k, v in sorted(data.items()))
        lines.append(f"  {_dot_string(n)} [{attrs}];")
    for s, t, k in _sorted_edges(g):
        lines.append(f"  {_dot_string(s)} -> {_dot_string(t)} [label={_dot_string(k)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def export_graph(graph: PlanGraph, fmt: str) -> str:
    g = _readable_graph(graph.export(), controls=fmt in ("dot", "graphml"))
    if fmt == "mermaid":
        return to_mermaid(g)
    if fmt == "dot":
        return to_dot(g)
    if fmt == "json":
        data = nx.node_link_data(g, edges="links")
        data["nodes"].sort(key=lambda n: n["id"])
        data["links"].sort(key=lambda e: (e["source"], e["target"], e["key"]))
        return (
            json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, sort_keys=True) + "\n"
        )
    ordered: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    ordered.add_nodes_from((n, g.nodes[n]) for n in _sorted_nodes(g))
    for source, target, key in _sorted_edges(g):
        ordered.add_edge(source, target, key, relation=key)
    return "\n".join(nx.generate_graphml(ordered)) + "\n"
