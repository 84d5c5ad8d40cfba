from __future__ import annotations

import datetime as dt

from pyspark.testing import assertDataFrameEqual

from lifecircle import tables
from lifecircle.tags.events import event_participants

UTC = dt.UTC
TZ = "Asia/Shanghai"


def ts(h, m=0, day=7):  # local time on 2026-11-<day> as a UTC-aware instant
    return dt.datetime(2026, 11, day, h, m, tzinfo=UTC) - dt.timedelta(hours=8)


def test_overlap_rule_min_30_minutes_or_half_the_event(spark):
    events = spark.createDataFrame(
        [
            ("E1", "game", "basketball", "P1", ts(19), ts(21)),  # 2 h: needs 30 min
            ("E2", "talk", "exhibition", "P2", ts(10), ts(10, 40)),  # 40 min: needs 20 min
        ],
        "event_id string, name string, event_type string, place_id string, start_ts timestamp, end_ts timestamp",
    )
    stays = spark.createDataFrame(
        [
            ("in", "P1", ts(18), ts(19, 30)),  # 30 min inside: attends
            ("short", "P1", ts(20, 45), ts(22)),  # 15 min: no
            ("split", "P1", ts(19), ts(19, 20)),  # 20 + 15 min in two stays: attends
            ("split", "P1", ts(20, 30), ts(20, 45)),
            ("other", "P9", ts(19), ts(21)),  # elsewhere: no
            ("talk", "P2", ts(10, 15), ts(10, 35)),  # 20 min of a 40-min event: attends
            ("late", "P2", ts(10, 25), ts(12)),  # 15 min: no
        ],
        "subscriber_id string, place_id string, start_ts timestamp, end_ts timestamp",
    )
    day = dt.date(2026, 11, 7)
    expected = spark.createDataFrame(
        [
            ("in", "E1", "basketball", "P1", 1800, day),
            ("split", "E1", "basketball", "P1", 2100, day),
            ("talk", "E2", "exhibition", "P2", 1200, day),
        ],
        tables.EVENT_PARTICIPANTS.schema,
    )
    assertDataFrameEqual(event_participants(stays, events, TZ), expected)


def test_event_day_is_the_local_day_of_the_start(spark):
    events = spark.createDataFrame(
        [("E3", "party", "concert", "P1", ts(0, 30, day=8), ts(3, day=8))],
        "event_id string, name string, event_type string, place_id string, start_ts timestamp, end_ts timestamp",
    )
    stays = spark.createDataFrame(
        [("x", "P1", ts(23, day=7), ts(2, day=8))],
        "subscriber_id string, place_id string, start_ts timestamp, end_ts timestamp",
    )
    rows = event_participants(stays, events, TZ).collect()
    assert [(r.subscriber_id, r.overlap_s, r.event_day) for r in rows] == [("x", 5400, dt.date(2026, 11, 8))]


def test_a_stay_on_a_cell_carrying_the_event_place_counts(spark):
    events = spark.createDataFrame(
        [("E4", "match", "football", "STADIUM", ts(19), ts(21))],
        "event_id string, name string, event_type string, place_id string, start_ts timestamp, end_ts timestamp",
    )
    stays = spark.createDataFrame(
        [
            ("fan", 1, 7, "MALL", ts(18, 50), ts(21, 10)),  # on a stadium cell, resolved to the mall
            ("home", 1, 8, "ESTATE", ts(18), ts(23)),  # at home on a cell that only grazes the stadium
        ],
        "subscriber_id string, lac int, cell_id int, place_id string, start_ts timestamp, end_ts timestamp",
    )
    cell_place = spark.createDataFrame(
        [(1, 7, "MALL", 0.5), (1, 7, "STADIUM", 0.4), (1, 8, "ESTATE", 0.9), (1, 8, "STADIUM", 0.02)],
        "lac int, cell_id int, place_id string, weight double",
    )
    rows = event_participants(stays, events, TZ, cell_place=cell_place).collect()
    assert [(r.subscriber_id, r.place_id, r.overlap_s) for r in rows] == [("fan", "STADIUM", 7200)]
    assert event_participants(stays, events, TZ).count() == 0  # by place_id alone: nobody
