"""``aligns_to`` links form a loop.

Alignment says which bigger objective a piece of work serves: an account
objective serves a team OKR, which serves a company OKR. A loop (A serves B
serves A) means nobody can tell what is the goal and what is the means, and
scores cannot roll up. The loop may run across files.

Anti-pattern::

    # file: okrs-a.yaml
    apiVersion: revplan/v1
    kind: OKRs
    id: sales-fy27
    title: Sales FY27
    objectives:
      - {id: win, title: Win new logos, aligns_to: [cro-fy27/grow]}
    ---
    # file: okrs-b.yaml
    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - {id: grow, title: Grow revenue, aligns_to: [sales-fy27/win]}

Best practice::

    # file: okrs-a.yaml
    apiVersion: revplan/v1
    kind: OKRs
    id: sales-fy27
    title: Sales FY27
    objectives:
      - {id: win, title: Win new logos, aligns_to: [cro-fy27/grow]}
    ---
    # file: okrs-b.yaml
    apiVersion: revplan/v1
    kind: OKRs
    id: cro-fy27
    title: Revenue FY27
    objectives:
      - {id: grow, title: Grow revenue}
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterator, Mapping
from typing import Any

from engine.findings import Many, Problem, Text, args
from engine.rules.base import Alignment, RepoIndex

ID = "alignment-cycle"
SEVERITY = "error"


def check_repository(index: RepoIndex, params: Mapping[str, Any]) -> Iterator[Problem]:
    links = [a for f in index.files for a in f.alignments]
    # Only a link out of something that is itself aligned to can close a loop:
    # account objectives (most links) drop out before any graph is built.
    targets = {link.target for link in links}
    links = [link for link in links if link.source in targets]
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for link in links:
        sorter.add(link.source, link.target)
    try:  # graphlib answers "any loop?" without networkx's 0.3 s import
        sorter.prepare()
        return
    except graphlib.CycleError:
        import networkx as nx
    graph: nx.DiGraph[str] = nx.DiGraph()
    for link in links:
        graph.add_edge(link.source, link.target)
    first_link: dict[str, Alignment] = {}
    for link in sorted(links, key=lambda a: (a.loc.file, a.loc.line, a.loc.column)):
        first_link.setdefault(link.source, link)
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1 and not graph.has_edge(*component, *component):
            continue
        cycle = [edge[0] for edge in nx.find_cycle(graph.subgraph(component))]
        # Report at the loop's first link in file order, naming the whole loop.
        start = min(cycle, key=lambda n: _place(first_link[n]))
        turn = cycle.index(start)
        loop = cycle[turn:] + cycle[:turn] + [start]
        link = first_link[start]
        yield Problem(
            link.loc,
            ID,
            args(loop=Many(tuple(Text(node) for node in loop))),
            plan=link.plan,
            target=link.objective,
            path=f"objectives/{link.objective}/aligns_to",
        )


def _place(link: Any) -> tuple[str, int, int]:
    return (link.loc.file, link.loc.line, link.loc.column)
