"""The shape of engine/ that keeps each stage findable and changeable on its own:
no import cycle, no module over 600 lines, and the layers contract of pyproject.toml."""

from __future__ import annotations

import re

import grimp
import networkx as nx
import pytest
from conftest import REPO
from importlinter.cli import lint_imports

PACKAGE = "engine"
MAX_LINES = 600


def import_graph() -> nx.DiGraph:
    """Module -> module it imports, for every import statement in engine/: those inside
    functions and under TYPE_CHECKING too, and a package's ``__init__`` (named as the
    package) importing its own modules or imported by them."""
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        edges.add_node(module)
        edges.add_edges_from(
            (module, imported) for imported in graph.find_modules_directly_imported_by(module)
        )
    return edges


def one_cycle(graph: nx.DiGraph) -> str:
    """A cycle of ``graph``, written as the modules along it, back to the first."""
    modules = [importer for importer, _ in nx.find_cycle(graph)]
    return " -> ".join([*modules, modules[0]])


def test_engine_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "engine.session" in graph and "engine.rules.base" in graph  # the graph is engine's
    # One cycle shown per tangle of modules that import each other.
    tangles = [graph.subgraph(group) for group in nx.strongly_connected_components(graph)]
    cycles = [one_cycle(tangle) for tangle in tangles if nx.number_of_edges(tangle)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_no_module_of_engine_is_over_600_lines() -> None:
    modules = sorted((REPO / PACKAGE).rglob("*.py"))
    assert modules
    lengths = {
        path.relative_to(REPO): len(path.read_text(encoding="utf-8").splitlines())
        for path in modules
    }
    too_long = [f"{path}: {n} lines" for path, n in lengths.items() if n > MAX_LINES]
    assert not too_long, f"modules over {MAX_LINES} lines (split them by job):\n" + "\n".join(
        too_long
    )


def test_the_layers_contract_is_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    code = lint_imports(config_filename="pyproject.toml", no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_the_architecture_page_names_every_module() -> None:
    # docs/architecture.md is where a newcomer finds a stage: a module it does not
    # name is one they will not find.
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/<>.]+)`", page))
    engine = REPO / PACKAGE
    missing = []
    for path in sorted(engine.rglob("*.py")):
        relative = path.relative_to(engine).as_posix()
        if path.name == "__init__.py" and relative != "cli/__init__.py":
            continue  # a package is named by its folder; cli/__init__ holds the group
        folder, _, name = relative.rpartition("/")
        listed = {relative, name, f"{folder}/{name}" if folder else name}
        if folder == "rules" and name not in ("base.py", "waivers.py"):
            listed.add("rules/<rule>.py")  # one line speaks for every rule module
        if folder == "reporters" and name != "base.py":
            listed.add("reporters/<format>.py")
        if not listed & named:
            missing.append(relative)
    assert not missing, f"docs/architecture.md does not name: {', '.join(missing)}"
