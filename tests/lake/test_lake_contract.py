"""What every engine must do behind the Lake API: each test runs once per engine (see conftest)."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable
from lake_helpers import D1, D2, D3, EVENTS, OTHER, at, frame, rows
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from lifecircle.errors import LakeError, SchemaMismatchError
from lifecircle.lake import Lake
from lifecircle.lake.delta_rs import DeltaRsEngine

PAIRS = T.StructType([T.StructField("id", T.StringType()), T.StructField("code", T.StringType())])


def live_files(lake: Lake, table: str, folder: str) -> set[str]:
    """The files of the current snapshot inside one partition folder, as the Delta log lists them."""
    return {uri for uri in DeltaTable(lake.uri(table)).file_uris() if f"/{folder}/" in uri}


def kill_before_commit(lake: Lake, monkeypatch) -> None:
    """Make the next write die after its Parquet files are written, before its commit."""
    if lake.engine != "delta-rs":
        pytest.skip("the connector writes and commits inside one JVM call: no seam to interrupt from Python")

    def die(*args, **kwargs):
        raise KeyboardInterrupt("killed before commit")

    monkeypatch.setattr(DeltaRsEngine, "commit", die)


# ---------------------------------------------------------------- writing and reading back
def test_write_and_read_back(spark, lake):
    data = rows(D1, 3) + rows(D2, 2)
    info = lake.write(EVENTS, frame(spark, data), partition_by=["day"])
    assert (info.version, info.rows_added) == (0, 5)
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, data))
    assert lake.tables() == [EVENTS]
    assert lake.schema(EVENTS).fieldNames() == ["subscriber_id", "ts", "dwell_s", "day"]


def test_append_adds_rows_and_creates_the_table_on_first_use(spark, lake):
    first = lake.append(EVENTS, frame(spark, rows(D1, 2)), partition_by=["day"])
    second = lake.append(EVENTS, frame(spark, rows(D2, 3)))
    assert (first.version, second.version, second.rows_added) == (0, 1, 3)
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, rows(D1, 2) + rows(D2, 3)))


def test_read_prunes_partitions(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 2) + rows(D2, 3) + rows(D3, 1)), partition_by=["day"])
    assertDataFrameEqual(lake.read(EVENTS, partitions={"day": [D2, D3]}), frame(spark, rows(D2, 3) + rows(D3, 1)))


def test_reading_an_older_version_returns_the_old_content(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 2)), partition_by=["day"])
    lake.append(EVENTS, frame(spark, rows(D2, 3)))
    assertDataFrameEqual(lake.read(EVENTS, version=0), frame(spark, rows(D1, 2)))
    assert lake.read(EVENTS).count() == 5
    with pytest.raises(LakeError, match="cannot open version 7"):
        lake.read(EVENTS, version=7)


def test_bad_table_names_and_missing_tables_are_clear(lake):
    with pytest.raises(LakeError, match="must look like 'layer/table'"):
        lake.uri("events")
    with pytest.raises(LakeError, match="does not exist"):
        lake.read("scratch/nothing")


def test_schema_mismatch_is_refused_with_a_clear_error(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 2)), partition_by=["day"])
    wrong = frame(spark, rows(D1, 2)).withColumn("dwell_s", F.col("dwell_s").cast("string"))
    with pytest.raises(SchemaMismatchError, match=r"column dwell_s is string, expected bigint"):
        lake.append(EVENTS, wrong)
    extra = frame(spark, rows(D1, 2)).withColumnRenamed("ts", "start_ts")
    with pytest.raises(SchemaMismatchError, match=r"missing columns \['ts'\]; unexpected columns \['start_ts'\]"):
        lake.replace_partitions(EVENTS, extra, {"day": [D1]})
    assert lake.version(EVENTS) == 0


# ---------------------------------------------------------------- replacing partitions
def test_replace_partitions_is_idempotent(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 3) + rows(D2, 2)), partition_by=["day"])
    new_d2 = frame(spark, rows(D2, 4, offset=100))
    lake.replace_partitions(EVENTS, new_d2, {"day": [D2]})
    lake.replace_partitions(EVENTS, new_d2, {"day": [D2]})
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, rows(D1, 3) + rows(D2, 4, offset=100)))
    assert lake.version(EVENTS) == 2


def test_replace_partitions_clears_a_partition_with_no_new_rows(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 3) + rows(D2, 2)), partition_by=["day"])
    lake.replace_partitions(EVENTS, frame(spark, rows(D1, 1)), {"day": [D1, D2]})
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, rows(D1, 1)))


def test_replace_refuses_rows_outside_the_replaced_partitions(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 3)), partition_by=["day"])
    with pytest.raises(LakeError, match="outside the partitions being replaced"):
        lake.replace_partitions(EVENTS, frame(spark, rows(D2, 2)), {"day": [D1]})
    assert lake.version(EVENTS) == 0
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, rows(D1, 3)))


def test_the_null_partition_is_read_and_replaced_like_any_other(spark, lake):
    lake.write(OTHER, spark.createDataFrame([("1", "a"), ("2", None), ("3", "b")], PAIRS), partition_by=["code"])
    assertDataFrameEqual(lake.read(OTHER, partitions={"code": [None]}), spark.createDataFrame([("2", None)], PAIRS))
    lake.replace_partitions(OTHER, spark.createDataFrame([("4", None)], PAIRS), {"code": [None]})
    expected = spark.createDataFrame([("1", "a"), ("3", "b"), ("4", None)], PAIRS)
    assertDataFrameEqual(lake.read(OTHER), expected)


def test_crash_between_file_write_and_commit_leaves_table_unchanged(spark, lake, monkeypatch):
    lake.write(EVENTS, frame(spark, rows(D1, 3)), partition_by=["day"])
    kill_before_commit(lake, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        lake.replace_partitions(EVENTS, frame(spark, rows(D1, 7, offset=50)), {"day": [D1]})
    monkeypatch.undo()

    assert lake.version(EVENTS) == 0
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, rows(D1, 3)))
    # The orphans are on disk but never read; vacuum removes them.
    removed = lake.vacuum(EVENTS, retention_hours=0)
    assert any(path.endswith(".parquet") for path in removed)
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, rows(D1, 3)))


def test_two_writers_replacing_different_partitions_both_land(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 1) + rows(D2, 1)), partition_by=["day"])
    errors = []

    def replace(day, offset):
        try:
            writer = Lake(spark, lake.root, lake.settings)
            writer.replace_partitions(EVENTS, frame(spark, rows(day, 3, offset)), {"day": [day]})
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=replace, args=(D1, 10)), threading.Thread(target=replace, args=(D2, 20))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assertDataFrameEqual(lake.read(EVENTS), frame(spark, rows(D1, 3, 10) + rows(D2, 3, 20)))
    assert lake.version(EVENTS) == 2


# ---------------------------------------------------------------- merge
def test_merge_upserts_by_key(spark, lake):
    lake.write(OTHER, spark.createDataFrame([("a", "13800000001"), ("b", "13800000002")], PAIRS))
    lake.merge(OTHER, spark.createDataFrame([("b", "13900000002"), ("c", "13800000003")], PAIRS), ["id"])
    expected = spark.createDataFrame([("a", "13800000001"), ("b", "13900000002"), ("c", "13800000003")], PAIRS)
    assertDataFrameEqual(lake.read(OTHER), expected)


def test_merge_rewrites_only_touched_partitions(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 2) + rows(D2, 2)), partition_by=["day"])
    untouched = live_files(lake, EVENTS, "day=2026-11-01")
    update = frame(spark, [("s1", at(D2, 9), 999, D2)])
    lake.merge(EVENTS, update, ["subscriber_id", "day"])
    expected = frame(spark, rows(D1, 2) + [rows(D2, 2)[0], ("s1", at(D2, 9), 999, D2)])
    assertDataFrameEqual(lake.read(EVENTS), expected)
    assert live_files(lake, EVENTS, "day=2026-11-01") == untouched
    assert lake.version(EVENTS) == 1


# ---------------------------------------------------------------- metadata
def test_describe_counts_rows_files_and_partitions(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 3) + rows(D2, 2)), partition_by=["day"])
    info = lake.describe(EVENTS)
    assert (info.table, info.version, info.rows, info.partitions, info.partition_by) == (EVENTS, 0, 5, 2, ("day",))
    assert info.files >= 2 and info.bytes > 0


def test_history_lists_commits_newest_first(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 1)), partition_by=["day"])
    lake.append(EVENTS, frame(spark, rows(D2, 1)))
    lake.replace_partitions(EVENTS, frame(spark, rows(D2, 2)), {"day": [D2]})
    history = lake.history(EVENTS)
    assert [entry["version"] for entry in history] == [2, 1, 0]
    assert all(entry["timestamp"] and entry["operation"] for entry in history)
    assert [entry["version"] for entry in lake.history(EVENTS, 1)] == [2]


def test_partition_values_and_row_counts_come_typed_from_the_log(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D3, 1) + rows(D1, 3) + rows(D2, 2)), partition_by=["day"])
    lake.append(EVENTS, frame(spark, rows(D1, 2, offset=10)))
    # With every data file gone only the log can answer: proof that nothing is scanned.
    for parquet in Path(lake.uri(EVENTS)).rglob("*.parquet"):
        parquet.unlink()
    assert lake.partition_values(EVENTS, "day") == [D1, D2, D3]
    assert lake.partition_row_counts(EVENTS, "day") == {D1: 5, D2: 2, D3: 1}


def test_partition_values_of_strings_put_the_null_partition_last(spark, lake):
    data = [("1", "b"), ("2", None), ("3", "a"), ("4", "b")]
    lake.write(OTHER, spark.createDataFrame(data, PAIRS), partition_by=["code"])
    assert lake.partition_values(OTHER, "code") == ["a", "b", None]
    assert lake.partition_row_counts(OTHER, "code") == {"a": 1, "b": 2, None: 1}


def test_partition_values_refuse_missing_tables_and_other_columns(spark, lake):
    with pytest.raises(LakeError, match="does not exist"):
        lake.partition_values(EVENTS, "day")
    lake.write(EVENTS, frame(spark, rows(D1, 1)), partition_by=["day"])
    with pytest.raises(LakeError, match=r"'dwell_s' is not a partition column \(table is partitioned by \['day'\]\)"):
        lake.partition_row_counts(EVENTS, "dwell_s")


# ---------------------------------------------------------------- maintenance and other readers
def test_optimize_compacts_files_without_changing_content(spark, lake):
    for day in (D1, D1, D2):
        lake.append(EVENTS, frame(spark, rows(day, 2, offset=len(day.isoformat()))), partition_by=["day"])
    before = lake.read(EVENTS).collect()
    assert lake.describe(EVENTS).files >= 3
    lake.optimize(EVENTS)
    assert lake.describe(EVENTS).files == 2
    assertDataFrameEqual(lake.read(EVENTS), before)


def test_optimize_keeps_the_null_partition_intact(spark, lake):
    for batch in ([("1", "a"), ("2", None)], [("3", "a"), ("4", None)]):
        lake.append(OTHER, spark.createDataFrame(batch, PAIRS), partition_by=["code"])
    before = lake.read(OTHER).collect()
    lake.optimize(OTHER)
    assert len(live_files(lake, OTHER, "code=a")) == 1
    assertDataFrameEqual(lake.read(OTHER), before)


def test_downstream_reader_without_spark_sees_the_same_rows(spark, lake):
    lake.write(EVENTS, frame(spark, rows(D1, 3) + rows(D2, 2)), partition_by=["day"])
    lake.replace_partitions(EVENTS, frame(spark, rows(D2, 1, 7)), {"day": [D2]})
    table = DeltaTable(lake.uri(EVENTS))
    assert table.protocol().min_reader_version == 1
    pdf = table.to_pandas().sort_values("subscriber_id").reset_index(drop=True)
    assert list(pdf["subscriber_id"]) == ["s0", "s1", "s2", "s7"]
    assert str(pdf["ts"].dt.tz) == "UTC"
    assert pdf.loc[3, "day"] == D2
    con = duckdb.connect()
    con.register("events", table.to_pyarrow_dataset())
    counted = con.sql("select day, count(*) as n from events group by day order by day").fetchall()
    assert counted == [(D1, 3), (D2, 1)]
