"""The lake package imports in one direction only: shared types at the bottom, the API on top.

Imports are read from the source with ``ast`` (including imports inside functions, the usual way
to hide a cycle), so the check needs no Spark and no engine.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from import_graph import find_cycle, imports_of
from import_graph import import_graph as package_graph

import lifecircle.lake

PACKAGE = "lifecircle.lake"
SOURCES = Path(lifecircle.lake.__file__).parent
# Each module may import only modules of a lower layer. A new module gets its place here.
LAYERS = {
    "types": 0,
    "faults": 0,
    "schema": 1,
    "fs": 1,
    "log": 1,
    "conflicts": 2,
    "delta_rs": 3,
    "spark_delta": 3,
    "engine": 4,
    "api": 5,
    "__init__": 6,
}


def import_graph() -> dict[str, set[str]]:
    """Module stem → stems of the lake modules it imports (the package itself is ``__init__``)."""
    def stem(name: str) -> str:
        return name[len(PACKAGE) + 1 :] if name != PACKAGE else "__init__"

    graph = package_graph(SOURCES, PACKAGE)
    return {stem(m): {stem(d) for d in deps} for m, deps in graph.items()}


def imported_modules(source: str, modules: set[str]) -> set[str]:
    names = {f"{PACKAGE}.{m}" for m in modules} | {PACKAGE}
    found = imports_of(source, f"{PACKAGE}.probe", False, names)
    return {m[len(PACKAGE) + 1 :] if m != PACKAGE else "__init__" for m in found}


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
