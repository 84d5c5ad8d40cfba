"""Benchmark and evaluation scripts are not run by the tests (they build whole cities), but they
must still import: a module renamed in lib breaks them otherwise without anyone noticing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.mark.parametrize("path", sorted(SCRIPTS.glob("*.py")), ids=lambda p: p.name)
def test_script_imports(path, monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))  # scripts import their sibling simcity
    spec = importlib.util.spec_from_file_location(f"script_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)  # module level only: main() runs under __main__
    assert callable(getattr(module, "main", None)) or path.stem == "simcity"
