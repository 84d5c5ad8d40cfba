"""The package's shape: no import cycle, no domain package importing another's job, and no table
path spelled outside the registry (lifecircle.tables)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from import_graph import find_cycle
from import_graph import import_graph as package_graph

from lifecircle import tables

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "lifecircle"
DOMAINS = ("ingest", "mobility", "features", "tags", "models", "marketing", "reports", "simulate")


def import_graph() -> dict[str, set[str]]:
    return package_graph(LIB, "lifecircle")


def test_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def is_job_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "job" or last.endswith("_job")


def test_domain_packages_do_not_import_each_others_jobs():
    offenders = []
    for source, targets in import_graph().items():
        parts = source.split(".")
        if len(parts) < 2 or parts[1] not in DOMAINS:
            continue
        for target in targets:
            tparts = target.split(".")
            if len(tparts) > 2 and tparts[1] in DOMAINS and tparts[1] != parts[1] and is_job_module(target):
                offenders.append(f"{source} imports {target}")
    assert not offenders, offenders


def imports_of_package(graph: dict[str, set[str]], source: str, target: str) -> list[str]:
    """``module imports module`` for every import of a ``target`` module by a ``source`` module."""
    def inside(name: str, package: str) -> bool:
        return name == package or name.startswith(f"{package}.")

    return sorted(
        f"{s} imports {t}" for s, ts in graph.items() if inside(s, source) for t in ts if inside(t, target)
    )


def test_features_and_models_do_not_import_tags():
    """The feature layer is upstream of tags and models; models read features, never tags code."""
    graph = import_graph()
    assert imports_of_package(graph, "lifecircle.features", "lifecircle.tags") == []
    assert imports_of_package(graph, "lifecircle.models", "lifecircle.tags") == []
    assert imports_of_package({"lifecircle.features.x": {"lifecircle.tags.vocab"}}, "lifecircle.features", "lifecircle.tags")


_PATH = re.compile(r"""["']([a-z]+/[a-z_]+)["']""")


def spelled_table_paths(text: str) -> set[str]:
    return {m for m in _PATH.findall(text) if m in tables.REGISTRY}


def test_no_table_path_is_spelled_outside_the_registry():
    sources = [p for d in ("lib", "jobs", "tests", "scripts") for p in (ROOT / d).rglob("*.py")]
    offenders = {}
    for path in sources:
        if path == LIB / "tables.py":
            continue
        found = spelled_table_paths(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(ROOT))] = sorted(found)
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        found = spelled_table_paths("\n".join("".join(c["source"]) for c in cells))
        if found:
            offenders[str(path.relative_to(ROOT))] = sorted(found)
    assert not offenders, f"use lifecircle.tables constants instead of paths: {offenders}"


def test_the_path_check_catches_a_spelled_path():
    assert spelled_table_paths(f'lake.read("{tables.STAYS}")') == {tables.STAYS}
    assert spelled_table_paths('lake.read("scratch/things")') == set()
