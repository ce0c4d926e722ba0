"""The plan graph: one networkx MultiDiGraph for the whole repository.

Nodes are accounts, team members, stakeholders, objectives, key results,
actions, renewal requirements, expansion opportunities, milestones, OKR sets
and OKR objectives. Edges are typed by ``relation``. Rules ask the graph
questions ("which open actions engage this detractor?") instead of walking
documents. Built in one pass, linear in the size of the repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from engine.model.types import AccountPlan, Node, OKRSet, Repository

if TYPE_CHECKING:
    import networkx as nx


# Relations, as edge "relation" attributes (source -> target).
HAS = "has"  # container -> part (account -> stakeholder, objective -> action, ...)
OWNS = "owns"  # team member -> stakeholder relationship, action or plan
ENGAGES = "engages"  # action -> stakeholder
BACKS_UP = "backs_up"  # backup stakeholder -> the contact they back up
REPORTS_TO = "reports_to"  # stakeholder -> manager
ALIGNS_TO = "aligns_to"  # objective -> OKR objective -> parent OKR objective
MET_BY = "met_by"  # renewal requirement -> objective or action
TARGETS = "targets"  # expansion opportunity -> Group 2 stakeholder
VIA = "via"  # expansion opportunity -> Group 1 reference who opens the door


def node_id(kind: str, *parts: str) -> str:
    return f"{kind}:{'/'.join(parts)}"


class PlanGraph:
    """The repository's graph plus the lookups rules need."""

    def __init__(self, repo: Repository) -> None:
        # Imported here: its 0.3 s import is for runs that build graphs (cold
        # files, export), not for every run that only reads the cache.
        import networkx as nx

        self.g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self._objects: dict[str, Node | AccountPlan | OKRSet] = {}
        for okrs in repo.okrs:
            self._add_okrs(okrs)
        for plan in repo.plans:
            self._add_plan(plan)
        for plan in repo.plans:
            self._link_plan(plan)
        for okrs in repo.okrs:
            for objective in okrs.objectives:
                self._align(node_id("okr_objective", okrs.id, objective.id), objective.aligns_to)

    # --- building ------------------------------------------------------------

    def _node(self, nid: str, kind: str, obj: Any, plan: str, label: str) -> None:
        if nid in self._objects:  # a duplicate id: the first definition stands
            return
        loc = obj.loc
        self._objects[nid] = obj
        self.g.add_node(
            nid, kind=kind, plan=plan, label=label, file=loc.file, line=loc.line, column=loc.column
        )

    def _edge(self, source: str, target: str, relation: str) -> None:
        if source in self._objects and target in self._objects:
            self.g.add_edge(source, target, key=relation, relation=relation)

    def _add_okrs(self, okrs: OKRSet) -> None:
        set_id = node_id("okrs", okrs.id)
        self._node(set_id, "okrs", okrs, okrs.id, okrs.name)
        for objective in okrs.objectives:
            nid = node_id("okr_objective", okrs.id, objective.id)
            self._node(nid, "okr_objective", objective, okrs.id, objective.title)
            self._edge(set_id, nid, HAS)
            for kr in objective.key_results:
                kid = node_id("key_result", okrs.id, objective.id, kr.id)
                self._node(kid, "key_result", kr, okrs.id, kr.title)
                self._edge(nid, kid, HAS)

    def _add_plan(self, plan: AccountPlan) -> None:
        p = plan.id
        account = node_id("account", p)
        self._node(account, "account", plan, p, plan.name)
        parts: list[tuple[str, Any, str]] = (
            [("team", m, m.name) for m in plan.team]
            + [("stakeholder", s, s.name) for s in plan.stakeholders]
            + [("objective", o, o.title) for o in plan.objectives]
            + [("requirement", q, q.title) for q in plan.requirements]
            + [("expansion", e, e.title) for e in plan.expansion]
            + [("milestone", m, m.title) for m in plan.milestones]
        )
        for kind, obj, label in parts:
            nid = node_id(kind, p, obj.id)
            self._node(nid, kind, obj, p, label)
            self._edge(account, nid, HAS)
        for objective in plan.objectives:
            oid = node_id("objective", p, objective.id)
            for kr in objective.key_results:
                kid = node_id("key_result", p, objective.id, kr.id)
                self._node(kid, "key_result", kr, p, kr.title)
                self._edge(oid, kid, HAS)
            for action in objective.actions:
                aid = node_id("action", p, action.id)
                self._node(aid, "action", action, p, action.title)
                self._edge(oid, aid, HAS)

    def _link_plan(self, plan: AccountPlan) -> None:
        p = plan.id
        if plan.owner:
            self._edge(node_id("team", p, plan.owner), node_id("account", p), OWNS)
        for s in plan.stakeholders:
            sid = node_id("stakeholder", p, s.id)
            if s.owner:
                self._edge(node_id("team", p, s.owner), sid, OWNS)
            if s.backup:
                self._edge(node_id("stakeholder", p, s.backup), sid, BACKS_UP)
            if s.reports_to:
                self._edge(sid, node_id("stakeholder", p, s.reports_to), REPORTS_TO)
        for objective in plan.objectives:
            self._align(node_id("objective", p, objective.id), objective.aligns_to)
        for _, action in plan.actions():
            aid = node_id("action", p, action.id)
            if action.owner:
                self._edge(node_id("team", p, action.owner), aid, OWNS)
            for person in action.stakeholders:
                self._edge(aid, node_id("stakeholder", p, person), ENGAGES)
        for q in plan.requirements:
            for ref in q.met_by:
                target = self.resolve_work(p, ref)
                if target:
                    self._edge(node_id("requirement", p, q.id), target, MET_BY)
        for e in plan.expansion:
            eid = node_id("expansion", p, e.id)
            for person in e.stakeholders:
                self._edge(eid, node_id("stakeholder", p, person), TARGETS)
            for person in e.via:
                self._edge(eid, node_id("stakeholder", p, person), VIA)

    def _align(self, source: str, refs: tuple[str, ...]) -> None:
        for ref in refs:
            okrs, _, objective = ref.partition("/")
            self._edge(source, node_id("okr_objective", okrs, objective), ALIGNS_TO)

    # --- questions -----------------------------------------------------------

    def resolve_work(self, plan: str, ref: str) -> str | None:
        """An objective or action of the plan named ``ref`` (what met_by may name)."""
        for kind in ("objective", "action"):
            nid = node_id(kind, plan, ref)
            if nid in self._objects:
                return nid
        return None

    def sources(self, nid: str, relation: str) -> Iterator[Any]:
        """Objects with a ``relation`` edge into ``nid``."""
        if nid in self.g:
            for source, _, key in self.g.in_edges(nid, keys=True):
                if key == relation:
                    yield self._objects[source]

    def export(self) -> nx.MultiDiGraph[str]:
        """A copy holding only plain attributes (for JSON, GraphML, DOT, Mermaid)."""
        return self.g.copy()
