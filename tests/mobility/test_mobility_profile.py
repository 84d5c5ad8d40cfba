"""Frequency classes over the window, per place and per district."""

from __future__ import annotations

import datetime as dt

from mobility_fixtures import FRI, dims
from pyspark.sql import types as T

from lifecircle.mobility.profile import class_thresholds, district_profile, place_profile
from lifecircle.mobility.settings import AnchorSettings, ProfileSettings

DWELL_CELL_SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("lac", T.IntegerType()),
        T.StructField("cell_id", T.IntegerType()),
        T.StructField("place_id", T.StringType()),
        T.StructField("district", T.StringType()),
        T.StructField("slot", T.StringType()),
        T.StructField("is_weekend", T.BooleanType()),
        T.StructField("dwell_s", T.LongType()),
        T.StructField("n_stays", T.IntegerType()),
        T.StructField("day", T.DateType()),
    ]
)


def test_thresholds_scale_with_observed_days():
    settings = ProfileSettings()
    assert class_thresholds(30, settings) == (9, 3)
    assert class_thresholds(20, settings) == (6, 2)
    assert class_thresholds(7, settings) == (3, 1)
    assert class_thresholds(1, settings) == (1, 1)


def test_frequency_classes(spark):
    _, places, _ = dims(spark)
    days = [FRI + dt.timedelta(days=i) for i in range(20)]
    rows = []
    for i, d in enumerate(days):
        rows.append(("s", 1, 10, "P_HOME", "莞城", "night", False, 30000, 1, d))  # every day
        if i < 2:
            rows.append(("s", 1, 11, "P_SHOP", "莞城", "evening", False, 3600, 1, d))  # two days
        if i < 6:
            rows.append(("s", 1, 20, "P_WORK", "松山湖", "work_hours", False, 28000, 1, d))  # six days
    rows.append(("s", 1, 40, "P_FACTORY", "常平", "work_hours", False, 3600, 1, days[0]))  # once
    rows.append(("s", 1, 40, "P_FACTORY", "常平", "evening", False, 300, 1, days[5]))  # too short to count
    dwell = spark.createDataFrame(rows, DWELL_CELL_SCHEMA)
    window = (days[0], days[-1])
    prof = place_profile(dwell, places, 20, ProfileSettings(), AnchorSettings(), "2026-11", window)
    got = {r.place_id: (r.days_present, r.frequency_class, r.frequency_class_zh) for r in prof.collect()}
    assert got == {
        "P_HOME": (20, "frequent", "经常到达"),
        "P_WORK": (6, "frequent", "经常到达"),
        "P_SHOP": (2, "general", "一般到达"),
        "P_FACTORY": (1, "occasional", "偶尔到达"),
    }
    home = prof.where("place_id = 'P_HOME'").first()
    assert (home.dwell_s, home.night_dwell_s, home.district, home.period) == (
        600000,
        600000,
        "莞城",
        "2026-11",
    )
    assert (home.window_start, home.window_end, home.observed_days) == (days[0], days[-1], 20)

    by_district = district_profile(dwell, 20, ProfileSettings(), AnchorSettings(), "2026-11", window)
    got = {r.district: (r.days_present, r.frequency_class) for r in by_district.collect()}
    assert got == {"莞城": (20, "frequent"), "松山湖": (6, "frequent"), "常平": (1, "occasional")}
