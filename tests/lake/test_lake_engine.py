"""The engine contract: the protocol names what the API uses, both engines implement it, and the
session's engine is chosen as configured. Checked by inspection, so the spark-delta engine is
covered here even where its connector cannot load."""

from __future__ import annotations

import ast
import inspect

import pytest

from lifecircle.config import LakeSettings
from lifecircle.lake import api
from lifecircle.lake.delta_rs import DeltaRsEngine
from lifecircle.lake.engine import Engine, connector_available, select_engine
from lifecircle.lake.spark_delta import SparkDeltaEngine

PROTOCOL_METHODS = {name for name, member in vars(Engine).items() if inspect.isfunction(member) and name[0] != "_"}


def engine_attributes_used_by_the_api() -> set[str]:
    tree = ast.parse(inspect.getsource(api))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "_impl"
    }


def test_the_protocol_names_every_engine_method_the_api_calls():
    assert engine_attributes_used_by_the_api() == PROTOCOL_METHODS | {"name"}


def test_every_protocol_method_has_a_contract():
    assert all(inspect.getdoc(getattr(Engine, name)) for name in PROTOCOL_METHODS)


@pytest.mark.parametrize("engine", [DeltaRsEngine, SparkDeltaEngine])
def test_both_engines_implement_the_protocol_with_its_signatures(engine):
    for name in sorted(PROTOCOL_METHODS):
        expected = list(inspect.signature(getattr(Engine, name)).parameters)
        assert list(inspect.signature(getattr(engine, name)).parameters) == expected, name
    assert engine.name in ("delta-rs", "spark-delta")


def test_auto_prefers_the_connector_only_when_it_loads(spark):
    expected = "spark-delta" if connector_available(spark) else "delta-rs"
    assert select_engine(spark, LakeSettings(engine="auto")).name == expected


def test_an_explicit_engine_setting_is_obeyed(spark, tmp_path):
    assert isinstance(select_engine(spark, LakeSettings(engine="delta-rs")), DeltaRsEngine)
    assert api.Lake(spark, str(tmp_path), LakeSettings(engine="delta-rs")).engine == "delta-rs"
