"""Lake administration: listing with descriptions, a table's history, compaction plus vacuum."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import types as T

from lifecircle.admin import MaintainResult, describe_tables, maintain_tables, table_history

SCHEMA = T.StructType([T.StructField("n", T.LongType()), T.StructField("day", T.DateType())])
DAYS = [dt.date(2026, 11, 1), dt.date(2026, 11, 2)]


def example(spark, lake, name: str, appends: int) -> None:
    for n in range(appends):
        rows = [(n, d) for d in DAYS]
        lake.append(name, spark.createDataFrame(rows, SCHEMA), partition_by=["day"])


def test_describe_tables_lists_every_table_with_its_numbers(spark, lake):
    assert describe_tables(lake) == []
    example(spark, lake, "raw/example", 2)
    lake.write("ops/example", spark.createDataFrame([(1, DAYS[0])], SCHEMA))
    infos = describe_tables(lake)
    assert [i.table for i in infos] == ["ops/example", "raw/example"]
    raw = infos[1]
    assert (raw.version, raw.rows, raw.files, raw.partition_by, raw.partitions) == (1, 4, 4, ("day",), 2)
    assert raw.bytes > 0 and infos[0].partition_by == ()


def test_table_history_is_newest_first(spark, lake):
    example(spark, lake, "raw/example", 3)
    entries = table_history(lake, "raw/example")
    assert [e.version for e in entries] == [2, 1, 0]
    assert all(e.operation for e in entries) and all(e.timestamp is not None for e in entries)
    assert [e.version for e in table_history(lake, "raw/example", limit=1)] == [2]


def test_maintain_tables_compacts_each_partition_and_vacuums(spark, lake):
    example(spark, lake, "raw/example", 3)
    example(spark, lake, "raw/other", 1)
    assert maintain_tables(lake, ["raw/example"], retention_hours=0) == [MaintainResult("raw/example", 6, 2, 6)]
    assert sorted(r["n"] for r in lake.read("raw/example").collect()) == [0, 0, 1, 1, 2, 2]
    # default: every table; nothing left to compact in the first, the second had one file per day
    done = {d.table: d for d in maintain_tables(lake, retention_hours=0)}
    assert (done["raw/example"].files_after, done["raw/other"].files_after) == (2, 2)
