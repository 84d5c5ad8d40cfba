"""Local time helpers against Python's zoneinfo, including the DST days of Europe/Berlin."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pyspark.sql import functions as F

from lifecircle.localtime import (
    is_weekday,
    is_weekend,
    local_day,
    local_midnight_utc,
    local_seconds,
    to_utc,
    to_wall,
    utc_seconds,
    weekday_of,
)

UTC = dt.UTC
INSTANTS = [
    dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # Berlin: last second of CET (01:59:59)
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # Berlin: 03:00 CEST, the spring-forward instant
    dt.datetime(2026, 7, 1, 22, 30, tzinfo=UTC),  # Berlin 00:30 the next day; Shanghai 06:30
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # Berlin: 02:30 CEST, first pass of the repeated hour
    dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # Berlin: 02:30 CET, second pass
    dt.datetime(2026, 11, 1, 16, 0, tzinfo=UTC),  # Shanghai: Monday 00:00
]
ZONES = ["Europe/Berlin", "Asia/Shanghai", "UTC"]


def wall_of(instant: dt.datetime, tz: str) -> int:
    """Seconds since 1970-01-01 00:00 local, the reference for every helper."""
    return int(instant.astimezone(ZoneInfo(tz)).replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize("tz", ZONES)
def test_column_helpers_match_zoneinfo(spark, tz):
    df = spark.createDataFrame([(i, t) for i, t in enumerate(INSTANTS)], "i int, ts timestamp")
    rows = df.select(
        "i",
        local_seconds(F.col("ts"), tz).alias("wall"),
        local_day(F.col("ts"), tz).alias("day"),
        weekday_of(local_day(F.col("ts"), tz)).alias("weekday"),
    ).collect()
    for r in sorted(rows):
        local = INSTANTS[r.i].astimezone(ZoneInfo(tz))
        assert r.wall == wall_of(INSTANTS[r.i], tz)
        assert r.day == local.date()
        assert r.weekday == local.weekday()


@pytest.mark.parametrize("tz", ZONES)
def test_utc_seconds_inverts_local_seconds_outside_the_repeated_hour(spark, tz):
    once = [t for t in INSTANTS if t.day != 25 or tz != "Europe/Berlin"]
    df = spark.createDataFrame([(wall_of(t, tz), int(t.timestamp())) for t in once], "wall long, utc long")
    for r in df.select("utc", utc_seconds(F.col("wall"), tz).alias("back")).collect():
        assert r.back == r.utc


def test_numpy_wall_seconds_match_zoneinfo():
    for tz in ZONES:
        utc = np.array([int(t.timestamp()) for t in INSTANTS])
        walls = to_wall(utc, tz)
        assert walls.tolist() == [wall_of(t, tz) for t in INSTANTS]
    # The repeated hour of Berlin's autumn change goes back to its first instant.
    berlin = to_utc(to_wall(utc, "Europe/Berlin"), "Europe/Berlin")
    assert berlin[3] == berlin[4] == int(INSTANTS[3].timestamp())


def test_local_midnight_utc_on_a_dst_day():
    assert local_midnight_utc(dt.date(2026, 3, 29), "Europe/Berlin") == dt.datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert local_midnight_utc(dt.date(2026, 3, 30), "Europe/Berlin") == dt.datetime(2026, 3, 29, 22, tzinfo=UTC)


def test_weekend_and_weekdays_follow_the_configured_days(spark):
    week = [dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(7)]  # Monday .. Sunday
    df = spark.createDataFrame([(d,) for d in week], "day date")

    def flags(column):
        return [r.f for r in df.orderBy("day").select(column.alias("f")).collect()]

    assert flags(is_weekend(F.col("day"), (5, 6))) == [False] * 5 + [True] * 2
    assert flags(is_weekend(F.col("day"), [4, 5])) == [False] * 4 + [True, True, False]
    assert flags(is_weekday(F.col("day"), [4, 5])) == [True] * 4 + [False, False, True]
    assert flags(is_weekday(F.col("day"), ())) == [True] * 7
