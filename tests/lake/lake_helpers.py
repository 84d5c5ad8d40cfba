"""Data for lake tests. Table names are deliberately fake (``scratch/…``): the suite's real tables
are schema-checked by their registry, which these tests must not depend on."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import types as T

EVENTS = "scratch/events"
OTHER = "scratch/other"

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


def rows(day: dt.date, n: int, offset: int = 0) -> list[tuple]:
    base = dt.datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    return [(f"s{i + offset}", base + dt.timedelta(minutes=i), 60 * (i + offset), day) for i in range(n)]


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def frame(spark, data):
    return spark.createDataFrame(data, SCHEMA)
