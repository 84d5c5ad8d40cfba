"""The tags job end to end on a tiny hand-built lake: one office worker, one homebody, one week."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import functions as F
from table_frames import conform_to

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.errors import InputError
from lifecircle.mobility.dwell import dwell_by_cell
from lifecircle.mobility.profile import place_profile
from lifecircle.mobility.settings import AnchorSettings, DwellSettings, ProfileSettings
from lifecircle.tags.audience import select_audience
from lifecircle.tags.job import run

TZ = "Asia/Shanghai"
MON = dt.date(2026, 11, 2)
WINDOW = (MON, MON + dt.timedelta(days=6))
PERIOD = "2026-11"
CELLS = [
    (1, 10, "s1", 113.75, 23.00, None, "莞城"),
    (1, 20, "s2", 113.74, 23.01, None, "南城"),
    (1, 30, "s3", 113.76, 23.00, None, "莞城"),
    (1, 40, "s4", 113.79, 23.03, None, "东城"),
]
PLACES = [
    ("P_HOME", "家园小区", "住宅", "住宅小区", None, 113.75, 23.0, 200.0, "莞城", False),
    ("P_WORK", "国贸中心", "商务", "办公", "写字楼", 113.74, 23.01, 100.0, "南城", True),
    ("P_GYM", "健身房", "体育", "健身", "健身房", 113.76, 23.0, 50.0, "莞城", False),
    ("P_BB", "篮球馆", "体育", "篮球", "篮球场馆", 113.79, 23.03, 100.0, "东城", True),
]
CELL_OF = {"P_HOME": 10, "P_WORK": 20, "P_GYM": 30, "P_BB": 40}


def local(day: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(hours=hour - 8)


def schedule():
    """(subscriber, place, start, end) in local days × hours; contiguous per subscriber."""
    out = []
    t = local(MON, 0)
    for i in range(7):
        day = MON + dt.timedelta(days=i)
        if i < 5:
            plan = [("P_HOME", 9), ("P_WORK", 18)]
        elif i == 5:  # Saturday: one hour at the gym (fitness: one day a week with 45 minutes)
            plan = [("P_HOME", 10), ("P_GYM", 11)]
        else:  # Sunday: the basketball game 19:00-21:00
            plan = [("P_HOME", 19), ("P_BB", 21)]
        plan.append(("P_HOME", 24))
        for place, end_h in plan:
            end = local(day, end_h)
            out.append(("w", place, t, end))
            t = end
    out.append(("h", "P_HOME", local(MON, 0), local(MON, 24 * 7)))
    return out


@pytest.fixture
def tiny_lake(spark, lake):
    cells = spark.createDataFrame(
        CELLS,
        "lac int, cell_id int, site_id string, longitude double, latitude double, "
        "azimuth int, district string",
    )
    places = spark.createDataFrame(
        PLACES,
        "place_id string, name string, category_l1 string, category_l2 string, category_l3 string, "
        "longitude double, latitude double, radius_m double, district string, is_landmark boolean",
    )
    seq: dict[str, int] = {}
    stays = []
    for sub, place, start, end in schedule():
        seq[sub] = seq.get(sub, 0) + 1
        day = (start + dt.timedelta(hours=8)).date()
        stays.append(
            (sub, seq[sub], f"{sub}{seq[sub]}", 1, CELL_OF[place], place, start, end,
             int((end - start).total_seconds()), 3, day)
        )
    stays_df = spark.createDataFrame(stays, tables.STAYS.schema)
    dwell = dwell_by_cell(stays_df, cells, DwellSettings(), TZ).where(F.col("day") <= WINDOW[1])
    profile = place_profile(dwell, places, 7, ProfileSettings(), AnchorSettings(), PERIOD, WINDOW)
    anchors = spark.createDataFrame(
        [
            ("w", "home", "P_HOME", 1, 10, 0.9, "regular_block", 7, 1, PERIOD),
            ("w", "work", "P_WORK", 1, 20, 0.8, "regular_block", 5, 1, PERIOD),
            ("h", "home", "P_HOME", 1, 10, 1.0, "regular_block", 7, 1, PERIOD),
        ],
        "subscriber_id string, anchor_type string, place_id string, lac int, cell_id int, confidence double, "
        "method string, days int, dwell_s long, period string",
    )
    events = spark.createDataFrame(
        [
            (
                "E1",
                "周日篮球赛",
                "basketball",
                "P_BB",
                local(MON + dt.timedelta(days=6), 19),
                local(MON + dt.timedelta(days=6), 21),
            )
        ],
        "event_id string, name string, event_type string, place_id string, start_ts timestamp, end_ts timestamp",
    )
    subscribers = spark.createDataFrame(
        [
            ("w", "gotone", "gold", "M", 1990, dt.date(2015, 3, 1), "PK1", "active", PERIOD),
            ("h", "easyown", "normal", "F", 1950, dt.date(2026, 6, 1), "PK2", "active", PERIOD),
        ],
        "subscriber_id string, brand string, tier string, gender string, birth_year int, open_date date, "
        "package_code string, status string, month string",
    )
    usage = spark.createDataFrame(
        [
            (s, m, arpu, 100.0, 80.0, 10, 12, 2000.0, 0.0, 50.0, extra, 300.0, 30.0)
            for s, m, arpu, extra in (
                ("w", "2026-10", 100.0, 50.0),
                ("w", PERIOD, 120.0, 70.0),
                ("h", "2026-10", 50.0, 0.0),
                ("h", PERIOD, 50.0, 0.0),
            )
        ],
        "subscriber_id string, month string, arpu double, voice_out_min double, voice_in_min double, sms_out long, "
        "sms_in long, data_mb double, roaming_min double, package_fee double, extra_fee double, "
        "night_data_mb double, weekend_voice_min double",
    )
    status = spark.createDataFrame(
        [
            ("w", "1001", "active", dt.date(2026, 11, 3), PERIOD),
            ("w", "1001", "marketed", dt.date(2026, 10, 3), "2026-10"),
            ("h", "1002", "cancelled", dt.date(2026, 11, 3), PERIOD),
        ],
        "subscriber_id string, product_code string, status string, status_date date, month string",
    )
    products = spark.createDataFrame(
        [("1001", "手机邮箱"), ("1002", "飞信")], "product_code string, name string"
    )
    for table, frame in (
        (tables.CELLS, cells),
        (tables.PLACES, places),
        (tables.EVENTS, events),
        (tables.PRODUCTS, products),
        (tables.STAYS, stays_df),
        (tables.DWELL_DAILY_CELL, dwell),
        (tables.DWELL_PROFILE, profile),
        (tables.ANCHORS, anchors),
        (tables.SUBSCRIBERS, subscribers),
        (tables.USAGE, usage),
        (tables.PRODUCT_STATUS, status),
    ):
        lake.write(table, conform_to(table, frame))
    return lake


def test_tags_job_end_to_end_and_idempotent(spark, tiny_lake):
    conf = load_config()
    result = run(spark, conf, tiny_lake.root, PERIOD)
    assert result.summary["subscribers"] == 2
    tags = {(r.subscriber_id, r.tag_code): r for r in tiny_lake.read(tables.CUSTOMER_TAGS).collect()}
    w = {c for s, c in tags if s == "w"}
    h = {c for s, c in tags if s == "h"}
    assert {
        "circle.social.office",
        "circle.behav.nine_to_five",
        "circle.region.莞城",
        "circle.region.night.莞城",
        "circle.region.day.南城",
        "event.basketball.E1",
        "event.basketball",
        "bg.brand.gotone",
        "trend.growing",
        "product.1001.has",
        "product.1001.uses",
        "product.1001.adopted",
        "place.office.frequent",
        "circle.behav.fitness",
    } <= w
    assert "circle.social.residential" not in w and "circle.behav.fitness" not in h
    assert {
        "circle.social.residential",
        "circle.region.莞城",
        "trend.stable",
        "product.1002.cancelled",
        "bg.age.60_plus",
    } <= h
    assert not {c for c in h if c.startswith(("event.", "circle.social.office"))}
    office = tags[("w", "circle.social.office")]
    assert (office.landmark_place_id, office.landmark_name, office.value) == ("P_WORK", "国贸中心", None)
    assert tags[("w", "event.basketball.E1")].landmark_place_id == "P_BB"
    assert tags[("w", "bg.age")].value == "36"
    assert tags[("h", "circle.region.莞城")].landmark_place_id == "P_HOME"

    feats = {r.subscriber_id: r for r in tiny_lake.read(tables.FEATURES).collect()}
    assert (feats["w"].days_office_ge240m, feats["w"].wd_days_office_hours, feats["w"].observed_days) == (
        5,
        5,
        7,
    )
    assert feats["w"].events_attended == ["E1"] and feats["h"].events_attended == []
    assert feats["w"].home_district == "莞城" and feats["w"].work_district == "南城"

    participants = tiny_lake.read(tables.EVENT_PARTICIPANTS).collect()
    assert [(r.subscriber_id, r.event_id, r.overlap_s) for r in participants] == [("w", "E1", 7200)]
    catalog = {r.code: r for r in tiny_lake.read(tables.CATALOG).collect()}
    assert (catalog["circle.social.office"].coverage, catalog["circle.social.office"].share) == (1, 0.5)
    assert catalog["circle.region.东城"].coverage == 0
    assert catalog["circle.social.office"].level_path == "生活圈/人文圈/写字楼圈"

    before = sorted(tiny_lake.read(tables.CUSTOMER_TAGS).collect())
    run(spark, conf, tiny_lake.root, PERIOD)
    assert sorted(tiny_lake.read(tables.CUSTOMER_TAGS).collect()) == before
    assert tiny_lake.version(tables.CUSTOMER_TAGS) == 1
    runs = tiny_lake.read(tables.JOB_RUNS).where(F.col("job") == "tags").collect()
    assert [r.status for r in runs] == ["success", "success"]

    audience = select_audience(spark, tiny_lake, "circle.social.office AND NOT circle.social.residential")
    assert [r.subscriber_id for r in audience.collect()] == ["w"]


def test_tags_job_needs_the_mobility_tables(spark, lake):
    with pytest.raises(InputError, match="run ingest, trajectories, dwell"):
        run(spark, load_config(), lake.root, PERIOD)
    with pytest.raises(InputError, match="yyyy-MM"):
        run(spark, load_config(), lake.root, "2026-13")
