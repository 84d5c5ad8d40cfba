"""Writes to registered tables follow lifecircle.tables; jobs' inputs are checked before any work."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import functions as F
from table_frames import table_frame

from lifecircle import tables
from lifecircle.errors import InputError, LakeError, SchemaMismatchError

DAY = dt.date(2026, 11, 2)
START = dt.datetime(2026, 11, 2, 1, tzinfo=dt.UTC)


def stays(spark, n=2):
    rows = [(f"s{i}", 1, f"v{i}", 10, 100 + i, "P1", START, START + dt.timedelta(hours=1), 3600, 5, DAY) for i in range(n)]
    return table_frame(spark, tables.STAYS, rows)


def test_a_registered_table_takes_its_declared_partitioning_and_column_order(spark, lake):
    shuffled = stays(spark).select("day", *[c for c in tables.STAYS.column_names if c != "day"])
    commit = lake.write(tables.STAYS, shuffled)
    assert commit.rows_added == 2
    assert lake.describe(tables.STAYS).partition_by == ("day",)
    assert lake.schema(tables.STAYS).fieldNames() == tables.STAYS.column_names
    assert lake.partition_values(tables.STAYS, "day") == [DAY]


def test_a_write_that_differs_from_the_registry_is_refused(spark, lake):
    with pytest.raises(SchemaMismatchError, match=r"missing columns \['n_events'\]"):
        lake.write(tables.STAYS, stays(spark).drop("n_events"))
    retyped = stays(spark).withColumn("seq", F.col("seq").cast("bigint"))
    with pytest.raises(SchemaMismatchError, match="column seq is bigint, expected int"):
        lake.replace_partitions(tables.STAYS, retyped, {"day": [DAY]})
    with pytest.raises(SchemaMismatchError, match="partitions it by"):
        lake.write(tables.STAYS, stays(spark), partition_by=["subscriber_id"])
    assert not lake.exists(tables.STAYS)


def test_an_open_table_accepts_more_columns_than_its_keys(spark, lake):
    features = spark.createDataFrame([("s1", 3.0, "2026-11")], "subscriber_id string, arpu double, period string")
    lake.write(tables.FEATURES, features)
    assert lake.schema(tables.FEATURES).fieldNames() == ["subscriber_id", "period", "arpu"]
    with pytest.raises(SchemaMismatchError, match="missing columns"):
        lake.write(tables.FEATURES, features.drop("subscriber_id"))


def test_require_names_a_missing_input_in_one_line(lake):
    with pytest.raises(InputError, match=r"^mobility/stays missing under .* \(run trajectories first\)$"):
        lake.require(tables.STAYS, hint=" (run trajectories first)")
    lake.require(optional=[tables.PLACES])  # an optional input may be absent


def test_require_refuses_an_input_with_a_mistyped_column(spark, lake):
    # Written by another program straight through the engine, past the registry's check.
    odd = stays(spark).withColumn("seq", F.col("seq").cast("string"))
    lake._impl.overwrite(lake.uri(tables.STAYS), tables.STAYS, odd, ["day"])
    with pytest.raises(InputError, match="column seq is string, expected int.*rerun trajectories"):
        lake.require(tables.STAYS)
    with pytest.raises(InputError, match="column seq is string"):
        lake.require(optional=[tables.STAYS])


def test_the_latest_partition_value_comes_from_the_log(spark, lake):
    lake.write(tables.STAYS, stays(spark))
    later = stays(spark).withColumn("day", F.lit(DAY + dt.timedelta(days=1)))
    lake.replace_partitions(tables.STAYS, later, {"day": [DAY + dt.timedelta(days=1)]})
    assert lake.latest_partition_value(tables.STAYS, "day") == DAY + dt.timedelta(days=1)


def test_read_or_empty_falls_back_to_the_registered_schema(spark, lake):
    empty = lake.read_or_empty(tables.PLACES)
    assert empty.count() == 0 and empty.schema == tables.PLACES.schema
    lake.write(tables.STAYS, stays(spark, 3))
    assert lake.read_or_empty(tables.STAYS, {"day": [DAY]}).count() == 3
    with pytest.raises(LakeError, match="needs a schema"):
        lake.read_or_empty("scratch/none")
