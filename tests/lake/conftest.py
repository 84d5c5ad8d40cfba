"""The lake fixture of these tests runs once per engine; engines this JVM cannot load are skipped."""

from __future__ import annotations

import pytest

from lifecircle.config import LakeSettings
from lifecircle.lake import Lake
from lifecircle.lake.engine import DELTA_CONNECTOR_CLASS, connector_available


@pytest.fixture(params=["delta-rs", "spark-delta"])
def engine_name(request, spark) -> str:
    if request.param == "spark-delta" and not connector_available(spark):
        pytest.skip(
            f"{DELTA_CONNECTOR_CLASS} cannot be loaded in this JVM: the Delta connector JAR is not on "
            "the classpath (Maven is unreachable here)"
        )
    return request.param


@pytest.fixture
def lake(spark, tmp_path, engine_name) -> Lake:
    return Lake(spark, str(tmp_path / "lake"), LakeSettings(engine=engine_name))
