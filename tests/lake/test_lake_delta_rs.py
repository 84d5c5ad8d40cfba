"""delta-rs specifics: how partition selections become delta-rs filters, and what it refuses."""

from __future__ import annotations

import pytest
from pyspark.sql import types as T

from lifecircle.config import LakeSettings
from lifecircle.errors import LakeError
from lifecircle.lake import Lake
from lifecircle.lake.delta_rs import pruning_terms

PAIRS = T.StructType([T.StructField("id", T.StringType()), T.StructField("code", T.StringType())])


def test_values_become_one_sorted_in_list_per_column():
    assert pruning_terms([("day", "in", ["2026-11-02", "2026-11-01"]), ("code", "in", ["x"])]) == [
        [("day", "in", ["2026-11-01", "2026-11-02"]), ("code", "in", ["x"])]
    ]


def test_the_null_partition_is_selected_by_an_empty_value():
    assert pruning_terms([("code", "in", [None])]) == [[("code", "=", "")]]
    # delta-rs takes an OR of conjunctions: a null next to other values splits the selection.
    assert pruning_terms([("code", "in", ["b", None]), ("day", "in", ["2026-11-01"])]) == [
        [("code", "in", ["b"]), ("day", "in", ["2026-11-01"])],
        [("code", "=", ""), ("day", "in", ["2026-11-01"])],
    ]


def test_no_value_selects_no_file():
    assert pruning_terms([("code", "in", [])]) == [[("code", "in", [])]]


def test_replacing_the_null_partition_with_other_values_is_refused_before_writing(spark, tmp_path):
    lake = Lake(spark, str(tmp_path / "lake"), LakeSettings(engine="delta-rs"))
    lake.write("scratch/other", spark.createDataFrame([("1", "a"), ("2", None)], PAIRS), partition_by=["code"])
    new = spark.createDataFrame([("3", "a"), ("4", None)], PAIRS)
    with pytest.raises(LakeError, match="cannot replace a null partition together with other values"):
        lake.replace_partitions("scratch/other", new, {"code": ["a", None]})
    # A merge touching both would have to do the same: refused rather than duplicating rows.
    with pytest.raises(LakeError, match="cannot replace a null partition together with other values"):
        lake.merge("scratch/other", new, ["id"])
    assert lake.version("scratch/other") == 0
