"""Dwell split exactly at local midnight and slot boundaries; place, cell and district grains."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from mobility_fixtures import FRI, TZ, at, dims, stays_df
from pyspark.sql import Row
from pyspark.sql import functions as F

from lifecircle.errors import ConfigError
from lifecircle.mobility.dwell import dwell_by_cell, dwell_by_place, slot_parts
from lifecircle.mobility.settings import DwellSettings, MobilitySettings, SlotSettings

SAT = FRI + dt.timedelta(days=1)


def test_slot_split_over_midnight_and_weekend(spark):
    cells, places, _ = dims(spark)
    stays = stays_df(
        spark,
        [
            ("a", 10, at(FRI, "21:00"), at(FRI, "08:30", days=1)),  # Friday evening → Saturday morning
            ("a", 20, at(FRI, "08:45"), at(FRI, "17:10")),
            ("a", 21, at(FRI, "17:10"), at(FRI, "17:40")),  # a second cell of the same workplace
        ],
    )
    by_cell = dwell_by_cell(stays, cells, DwellSettings(), TZ)
    got = {
        (r.cell_id, r.day, r.slot, r.is_weekend): (r.dwell_s, r.n_stays, r.district)
        for r in by_cell.collect()
    }
    assert got == {
        (10, FRI, "evening", False): (3600, 1, "莞城"),
        (10, FRI, "night", False): (7200, 1, "莞城"),
        (10, SAT, "night", True): (25200, 1, "莞城"),
        (10, SAT, "morning_commute", True): (5400, 1, "莞城"),
        (20, FRI, "morning_commute", False): (900, 1, "松山湖"),
        (20, FRI, "work_hours", False): (28800, 1, "松山湖"),
        (20, FRI, "evening_commute", False): (600, 1, "松山湖"),
        (21, FRI, "evening_commute", False): (1800, 1, "松山湖"),
    }
    by_place = dwell_by_place(stays, places, DwellSettings(), TZ).where(F.col("slot") == "evening_commute").collect()
    assert [(r.place_id, r.dwell_s, r.n_stays, r.district) for r in by_place] == [
        ("P_WORK", 2400, 2, "松山湖")
    ]
    # Nothing is lost or counted twice.
    total = by_cell.agg(F.sum("dwell_s")).first()[0]
    assert total == sum(r.duration_s for r in stays.collect())


def test_a_visit_on_two_cells_of_a_place_in_one_slot_counts_once(spark):
    _, places, _ = dims(spark)
    # One presence at work cut into two pieces (e.g. at the day cut), on the place's two cells.
    visit = at(FRI, "08:45")
    pieces = [("a", 20, visit, at(FRI, "12:00"), 5, visit), ("a", 21, at(FRI, "12:00"), at(FRI, "16:00"), 5, visit)]
    by_place = dwell_by_place(stays_df(spark, pieces), places, DwellSettings(), TZ)
    got = [(r.place_id, r.dwell_s, r.n_stays) for r in by_place.where(F.col("slot") == "work_hours").collect()]
    assert got == [("P_WORK", 7 * 3600, 1)]  # summing the cells' counts gave 2


def test_night_slot_collects_both_ends_of_a_day(spark):
    stays = stays_df(spark, [("b", 10, at(FRI, "06:00"), at(FRI, "23:00"))])
    parts = slot_parts(stays, DwellSettings(), TZ).where(F.col("slot") == "night")
    night = parts.groupBy("day").agg(F.sum("dwell_s").alias("s"), F.count_distinct("start_ts").alias("n"))
    assert night.collect() == [Row(day=FRI, s=7200, n=1)]


def test_split_is_exact_on_a_dst_day(spark):
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks jump from 02:00 to 03:00 on 2026-03-29: local 00:00–06:00 is five real hours.
    start = dt.datetime(2026, 3, 29, 0, 0, tzinfo=berlin)
    end = dt.datetime(2026, 3, 29, 6, 0, tzinfo=berlin)
    stays = stays_df(spark, [("c", 10, start, end)])
    parts = slot_parts(stays, DwellSettings(), "Europe/Berlin").collect()
    assert [(p.slot, p.dwell_s) for p in parts] == [("night", 5 * 3600)]


def test_slot_settings_must_cover_the_day():
    with pytest.raises(ValueError, match="cover"):
        DwellSettings(slots=(SlotSettings("day", "07:00", "22:00"),))
    with pytest.raises(ValueError, match="cover"):
        DwellSettings(slots=(SlotSettings("a", "00:00", "13:00"), SlotSettings("b", "12:00", "24:00")))
    assert DwellSettings(slots=(SlotSettings("a", "06:00", "18:00"), SlotSettings("b", "18:00", "06:00")))


def test_anchor_slots_must_exist(tmp_path):
    from lifecircle.config import load_config

    with pytest.raises(ValueError, match="dwell.slots"):
        MobilitySettings(dwell=DwellSettings(slots=(SlotSettings("all", "00:00", "24:00"),)))
    overlay = tmp_path / "bad.yaml"
    overlay.write_text("mobility:\n  stays:\n    max_gap_s: 90000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_gap_s"):
        load_config([overlay])
