"""The lake package imports in one direction only: shared types at the bottom, the API on top.

Imports are read from the source with ``ast`` (including imports inside functions, the usual way
to hide a cycle), so the check needs no Spark and no engine.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

import lifecircle.lake

PACKAGE = "lifecircle.lake"
SOURCES = Path(lifecircle.lake.__file__).parent
# Each module may import only modules of a lower layer. A new module gets its place here.
LAYERS = {
    "types": 0,
    "schema": 1,
    "fs": 1,
    "log": 1,
    "delta_rs": 2,
    "spark_delta": 2,
    "engine": 3,
    "api": 4,
    "__init__": 5,
}


def package_module(dotted: str, modules: set[str]) -> str | None:
    """The package module a dotted import name lands in (the package itself is ``__init__``)."""
    if dotted == PACKAGE:
        return "__init__"
    if not dotted.startswith(PACKAGE + "."):
        return None
    head = dotted[len(PACKAGE) + 1 :].split(".")[0]
    return head if head in modules else "__init__"


def imported_modules(source: str, modules: set[str]) -> set[str]:
    """The package modules a module's ``source`` imports, wherever the import statement sits."""
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {package_module(alias.name, modules) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level <= 1:
            base = ".".join(filter(None, [PACKAGE, node.module])) if node.level else node.module or ""
            if base == PACKAGE:  # ``from lifecircle.lake import x``: x may be a module or a name
                found |= {package_module(f"{base}.{alias.name}", modules) for alias in node.names}
            else:
                found.add(package_module(base, modules))
    return {m for m in found if m is not None}


def import_graph() -> dict[str, set[str]]:
    modules = {p.stem for p in SOURCES.glob("*.py")}
    return {p.stem: imported_modules(p.read_text(), modules) for p in SOURCES.glob("*.py")}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path that ends where it starts, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for dep in sorted(graph.get(module, ())):
            cycle = visit(dep)
            if cycle:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return None


def test_every_module_has_a_layer():
    assert set(import_graph()) == set(LAYERS)


def test_imports_only_go_down_the_layers():
    upward = [(m, d) for m, deps in import_graph().items() for d in deps if LAYERS[d] >= LAYERS[m]]
    assert upward == []


def test_the_import_graph_has_no_cycle():
    assert find_cycle(import_graph()) is None


def test_the_checks_see_deferred_imports_and_cycles():
    # The shape of the old layout: lake.py imported its engine inside Lake.__init__.
    deferred = "def make():\n    from lifecircle.lake.api import Lake\n    from lifecircle.lake import types\n"
    assert imported_modules(deferred, {"api", "types"}) == {"api", "types"}
    assert imported_modules("from lifecircle.lake import Lake\nimport lifecircle.config\n", {"api"}) == {"__init__"}
    assert find_cycle({"api": {"delta_rs"}, "delta_rs": {"types", "api"}, "types": set()}) == ["api", "delta_rs", "api"]


def test_only_the_package_entry_imports_the_api():
    importers = {m for m, deps in import_graph().items() if "api" in deps}
    assert importers == {"__init__"}
    for engine in ("delta_rs", "spark_delta", "engine"):
        assert not {"api", "__init__"} & import_graph()[engine]


@pytest.mark.parametrize("old", ["lake_delta_rs", "lake_spark_delta", "lake_schema", "hadoopfs"])
def test_the_old_top_level_modules_are_gone(old):
    assert importlib.util.find_spec(f"lifecircle.{old}") is None
