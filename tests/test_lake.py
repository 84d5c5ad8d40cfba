from __future__ import annotations

import datetime as dt
import threading

import pytest
from deltalake import DeltaTable
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from lifecircle.errors import LakeError, SchemaMismatchError
from lifecircle.lake import Lake
from lifecircle.lake_delta_rs import DeltaRsEngine

SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("ts", T.TimestampType()),
        T.StructField("dwell_s", T.LongType()),
        T.StructField("day", T.DateType()),
    ]
)
D1, D2, D3 = dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)
UTC = dt.UTC


def rows(day: dt.date, n: int, offset: int = 0):
    base = dt.datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    return [(f"s{i + offset}", base + dt.timedelta(minutes=i), 60 * (i + offset), day) for i in range(n)]


def frame(spark, data):
    return spark.createDataFrame(data, SCHEMA)


def test_write_and_read_back(spark, lake):
    data = rows(D1, 3) + rows(D2, 2)
    info = lake.write("mobility/stays", frame(spark, data), partition_by=["day"])
    assert (info.version, info.rows_added) == (0, 5)
    assertDataFrameEqual(lake.read("mobility/stays"), frame(spark, data))
    assert lake.tables() == ["mobility/stays"]
    described = lake.describe("mobility/stays")
    assert (described.rows, described.partitions, described.partition_by) == (5, 2, ("day",))


def test_replace_partitions_is_idempotent(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 3) + rows(D2, 2)), partition_by=["day"])
    new_d2 = frame(spark, rows(D2, 4, offset=100))
    lake.replace_partitions("mobility/stays", new_d2, {"day": [D2]})
    lake.replace_partitions("mobility/stays", new_d2, {"day": [D2]})
    expected = frame(spark, rows(D1, 3) + rows(D2, 4, offset=100))
    assertDataFrameEqual(lake.read("mobility/stays"), expected)
    assert lake.version("mobility/stays") == 2


def test_replace_partitions_clears_a_partition_with_no_new_rows(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 3) + rows(D2, 2)), partition_by=["day"])
    lake.replace_partitions("mobility/stays", frame(spark, rows(D1, 1)), {"day": [D1, D2]})
    assertDataFrameEqual(lake.read("mobility/stays"), frame(spark, rows(D1, 1)))


def test_replace_refuses_rows_outside_the_replaced_partitions(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 3)), partition_by=["day"])
    with pytest.raises(LakeError, match="outside the partitions being replaced"):
        lake.replace_partitions("mobility/stays", frame(spark, rows(D2, 2)), {"day": [D1]})
    assert lake.version("mobility/stays") == 0
    assertDataFrameEqual(lake.read("mobility/stays"), frame(spark, rows(D1, 3)))


def test_crash_between_file_write_and_commit_leaves_table_unchanged(spark, lake, monkeypatch):
    lake.write("mobility/stays", frame(spark, rows(D1, 3)), partition_by=["day"])

    def die(*args, **kwargs):
        raise KeyboardInterrupt("killed before commit")

    monkeypatch.setattr(DeltaRsEngine, "commit", die)
    with pytest.raises(KeyboardInterrupt):
        lake.replace_partitions("mobility/stays", frame(spark, rows(D1, 7, offset=50)), {"day": [D1]})
    monkeypatch.undo()

    assert lake.version("mobility/stays") == 0
    assertDataFrameEqual(lake.read("mobility/stays"), frame(spark, rows(D1, 3)))
    # The orphans are on disk but never read; vacuum removes them.
    removed = lake.vacuum("mobility/stays", retention_hours=0)
    assert any(path.endswith(".parquet") for path in removed)
    assertDataFrameEqual(lake.read("mobility/stays"), frame(spark, rows(D1, 3)))


def test_two_writers_replacing_different_partitions_both_land(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 1) + rows(D2, 1)), partition_by=["day"])
    errors = []

    def replace(day, offset):
        try:
            writer = Lake(spark, lake.root)
            writer.replace_partitions("mobility/stays", frame(spark, rows(day, 3, offset)), {"day": [day]})
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=replace, args=(D1, 10)), threading.Thread(target=replace, args=(D2, 20))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assertDataFrameEqual(lake.read("mobility/stays"), frame(spark, rows(D1, 3, 10) + rows(D2, 3, 20)))
    assert lake.version("mobility/stays") == 2


def test_schema_mismatch_is_refused_with_a_clear_error(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 2)), partition_by=["day"])
    wrong = frame(spark, rows(D1, 2)).withColumn("dwell_s", F.col("dwell_s").cast("string"))
    with pytest.raises(SchemaMismatchError, match=r"column dwell_s is string, table has bigint"):
        lake.append("mobility/stays", wrong)
    extra = frame(spark, rows(D1, 2)).withColumnRenamed("ts", "start_ts")
    with pytest.raises(SchemaMismatchError, match=r"missing columns \['ts'\]; unexpected columns \['start_ts'\]"):
        lake.replace_partitions("mobility/stays", extra, {"day": [D1]})
    assert lake.version("mobility/stays") == 0


def test_reading_an_older_version_returns_the_old_content(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 2)), partition_by=["day"])
    lake.append("mobility/stays", frame(spark, rows(D2, 3)))
    assertDataFrameEqual(lake.read("mobility/stays", version=0), frame(spark, rows(D1, 2)))
    assert lake.read("mobility/stays").count() == 5
    with pytest.raises(LakeError, match="cannot open version 7"):
        lake.read("mobility/stays", version=7)


def test_read_prunes_partitions(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 2) + rows(D2, 3) + rows(D3, 1)), partition_by=["day"])
    assertDataFrameEqual(lake.read("mobility/stays", partitions={"day": [D2, D3]}), frame(spark, rows(D2, 3) + rows(D3, 1)))


def test_merge_upserts_by_key(spark, lake):
    schema = T.StructType([T.StructField("subscriber_id", T.StringType()), T.StructField("msisdn", T.StringType())])
    lake.write("vault/identity", spark.createDataFrame([("a", "13800000001"), ("b", "13800000002")], schema))
    lake.merge("vault/identity", spark.createDataFrame([("b", "13900000002"), ("c", "13800000003")], schema), ["subscriber_id"])
    expected = spark.createDataFrame([("a", "13800000001"), ("b", "13900000002"), ("c", "13800000003")], schema)
    assertDataFrameEqual(lake.read("vault/identity"), expected)


def test_merge_rewrites_only_touched_partitions(spark, lake):
    lake.write("mobility/stays", frame(spark, rows(D1, 2) + rows(D2, 2)), partition_by=["day"])
    update = frame(spark, [("s1", dt.datetime(2026, 11, 2, 9, tzinfo=UTC), 999, D2)])
    lake.merge("mobility/stays", update, ["subscriber_id", "day"])
    expected = frame(spark, rows(D1, 2) + [rows(D2, 2)[0], ("s1", dt.datetime(2026, 11, 2, 9, tzinfo=UTC), 999, D2)])
    assertDataFrameEqual(lake.read("mobility/stays"), expected)
    last = lake.history("mobility/stays", 1)[0]
    assert last["lifecircle.operation"] == "REPLACE PARTITIONS"


def test_optimize_compacts_files_without_changing_content(spark, lake):
    for day in (D1, D1, D2):
        lake.append("mobility/stays", frame(spark, rows(day, 2, offset=len(day.isoformat()))), partition_by=["day"])
    before = lake.read("mobility/stays").collect()
    assert lake.describe("mobility/stays").files >= 3
    lake.optimize("mobility/stays")
    assert lake.describe("mobility/stays").files == 2
    assertDataFrameEqual(lake.read("mobility/stays"), before)


def test_downstream_reader_without_spark_sees_the_same_rows(spark, lake):
    data = rows(D1, 3) + rows(D2, 2)
    lake.write("mobility/stays", frame(spark, data), partition_by=["day"])
    lake.replace_partitions("mobility/stays", frame(spark, rows(D2, 1, 7)), {"day": [D2]})
    table = DeltaTable(lake.uri("mobility/stays"))
    assert table.protocol().min_reader_version == 1
    pdf = table.to_pandas().sort_values("subscriber_id").reset_index(drop=True)
    assert list(pdf["subscriber_id"]) == ["s0", "s1", "s2", "s7"]
    assert str(pdf["ts"].dt.tz) == "UTC"
    assert pdf.loc[3, "day"] == D2
    import duckdb

    con = duckdb.connect()
    con.register("stays", table.to_pyarrow_dataset())
    counted = con.sql("select day, count(*) as n from stays group by day order by day").fetchall()
    assert counted == [(D1, 3), (D2, 1)]


def test_bad_table_names_and_missing_tables_are_clear(lake):
    with pytest.raises(LakeError, match="must look like 'layer/table'"):
        lake.uri("stays")
    with pytest.raises(LakeError, match="does not exist"):
        lake.read("mobility/nothing")
