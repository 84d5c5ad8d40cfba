from __future__ import annotations

import datetime as dt

from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.tags.features import (
    FeatureInputs,
    feature_schema,
    place_categories,
    stay_features,
    with_percentiles,
)
from lifecircle.tags.settings import TagSettings

TZ = "Asia/Shanghai"
SLOTS = ["night", "work_hours"]


def test_schema_is_a_function_of_the_settings():
    schema = feature_schema(TagSettings(stay_minutes=(30, 240)), SLOTS)
    names = schema.fieldNames()
    assert names[0] == "subscriber_id" and len(names) == len(set(names))
    assert {
        "days_office_ge240m",
        "days_leisure_ge30m",
        "days_music_ge30m",
        "dwell_s_office_night",
        "freq_gym",
        "days_gym",
        "home_district",
        "arpu_pct",
        "product_status",
        "events_attended",
    } <= set(names)
    assert "days_office_ge45m" not in names


def test_percentiles_are_the_share_below(spark):
    df = spark.createDataFrame([(i, float(i)) for i in range(10)] + [(10, None)], "id int, x double")
    out = {r.id: r.p for r in with_percentiles(df, {"p": F.col("x")}).collect()}
    assert out[10] is None
    assert [round(out[i], 1) for i in range(10)] == [i / 10 for i in range(10)]


def local(day: int, hour: float) -> dt.datetime:
    return dt.datetime(2026, 11, day, tzinfo=dt.UTC) + dt.timedelta(hours=hour - 8)


def test_stay_helpers(spark):
    places = spark.createDataFrame(
        [
            ("H", "酒店", "酒店", "酒店", "商务酒店", "莞城", False),
            ("B", "酒吧", "娱乐", "酒吧", None, "莞城", False),
            ("S", "小学", "教育", "学校", "中小学", "莞城", False),
            ("T", "火车站", "交通", "枢纽", "火车站", "莞城", False),
        ],
        "place_id string, name string, category_l1 string, category_l2 string, category_l3 string, "
        "district string, is_landmark boolean",
    )
    cells = spark.createDataFrame(
        [(1, 1, 113.75, 23.0), (1, 2, 114.10, 23.0)],
        "lac int, cell_id int, longitude double, latitude double",
    )
    rows = [
        ("a", "H", 1, local(2, 22), local(3, 8)),  # hotel night covering 03:00
        ("a", "H", 1, local(3, 20), local(3, 23)),  # hotel evening, not 03:00
        (
            "a",
            "B",
            1,
            local(4, 22),
            local(
                4,
                23,
            )
            + dt.timedelta(minutes=40),
        ),  # 40 min after 23:00
        ("a", "B", 1, local(5, 22), local(5, 23) + dt.timedelta(minutes=20)),  # only 20 min
        ("a", "S", 1, local(6, 7.5), local(6, 8)),  # drop-off at school
        ("a", "S", 1, local(6, 16), local(6, 17.6)),  # pick-up: 96 min is too long
        ("a", "T", 2, local(6, 18), local(6, 19)),  # ~36 km from the school: a long travel day
    ]
    stays = spark.createDataFrame(
        [
            (s, i, lac, cell, p, a, b, int((b - a).total_seconds()), 1, (a + dt.timedelta(hours=8)).date())
            for i, (s, p, cell, a, b) in enumerate(rows)
            for lac in [1]
        ],
        tables.STAYS.schema,
    )
    inp = FeatureInputs(
        stays, None, places, cells, None, None, None, None, None, None, "2026-11", "2026-10", TZ
    )
    got = stay_features(inp, place_categories(spark, places), TagSettings()).collect()[0]
    assert (got.nights_hotel_3am, got.days_ent_late_ge30m, got.days_school_run, got.days_travel_long) == (
        1,
        1,
        1,
        1,
    )
    assert (got.days_lodging_ge240m, got.days_hotel_ge120m, got.days_transport_ge60m) == (1, 2, 1)
