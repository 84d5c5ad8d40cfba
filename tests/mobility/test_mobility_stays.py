"""Stays from tiny hand-built event sequences: ping-pong, merges, silence, power-off, midnight."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
from mobility_fixtures import CELL_PLACE, FRI, TZ, at, cell_index, signaling, stays_df
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from lifecircle.mobility import pingpong
from lifecircle.mobility.settings import StaySettings
from lifecircle.mobility.stays import build_stays, with_inherited_visit_ids

DEFAULT = StaySettings()
LU, CALL, HANDOVER, LAU, POWER_ON, POWER_OFF = 6, 1, 9, 5, 7, 8


def stays_of(spark, events, settings=DEFAULT):
    return build_stays(signaling(spark, events), cell_index(), settings, TZ)


def test_pingpong_flips_are_folded_into_the_stay(spark):
    d = FRI
    events = [
        ("a", at(d, "08:00"), LU, 10),
        ("a", at(d, "08:30"), HANDOVER, 11),  # flip to the neighbour and back within a minute
        ("a", at(d, "08:31"), HANDOVER, 10),
        ("a", at(d, "09:00"), CALL, 10),
        ("a", at(d, "09:00:30"), HANDOVER, 11),  # an oscillation during the call
        ("a", at(d, "09:01"), HANDOVER, 10),
        ("a", at(d, "09:01:30"), HANDOVER, 11),
        ("a", at(d, "09:02"), HANDOVER, 10),
        ("a", at(d, "10:00"), LU, 10),
        ("a", at(d, "10:30"), LAU, 20),
        ("a", at(d, "12:00"), LU, 20),
    ]
    expected = stays_df(
        spark,
        [
            ("a", 10, at(d, "08:00"), at(d, "10:30"), 9),
            # The last stay ends silence_tail_s after its last event: nothing follows.
            ("a", 20, at(d, "10:30"), at(d, "12:30"), 2),
        ],
    )
    assertDataFrameEqual(stays_of(spark, events), expected)


def test_without_pingpong_or_flicker_absorption_flips_are_lost_as_passages(spark):
    d = FRI
    events = [
        ("a", at(d, "08:00"), LU, 10),
        ("a", at(d, "08:30"), HANDOVER, 11),
        ("a", at(d, "08:31"), HANDOVER, 10),
        ("a", at(d, "09:00"), LU, 10),
    ]
    off = dataclasses.replace(DEFAULT, pingpong_window_s=0, flicker_max_events=0)
    # The two pieces at cell 10 are still joined (the flip is a short passage), but its event is not counted.
    assertDataFrameEqual(
        stays_of(spark, events, off), stays_df(spark, [("a", 10, at(d, "08:00"), at(d, "09:30"), 3)])
    )
    assertDataFrameEqual(
        stays_of(spark, events), stays_df(spark, [("a", 10, at(d, "08:00"), at(d, "09:30"), 4)])
    )
    # Either absorption alone keeps the flip in the stay.
    no_pingpong = dataclasses.replace(DEFAULT, pingpong_window_s=0)
    assertDataFrameEqual(
        stays_of(spark, events, no_pingpong), stays_df(spark, [("a", 10, at(d, "08:00"), at(d, "09:30"), 4)])
    )


def test_pingpong_blips_vectorized():
    # Segments: A B A B A (oscillation), then a slow excursion A C A (C stays 10 minutes: real).
    first = np.array([0, 30, 60, 90, 120, 1000, 1600, 2200])
    cell = np.array([1, 2, 1, 2, 1, 3, 1, 3])
    x = np.array([0.0, 500, 0, 500, 0, 800, 0, 800])
    y = np.zeros(8)
    fos = np.array([True] + [False] * 7)
    off = np.zeros(8, dtype=bool)
    take = pingpong.suppress(first, cell, x, y, fos, off, window_s=180, max_distance_m=5000)
    assert cell[take].tolist() == [1, 1, 1, 1, 1, 3, 1, 3]
    # A far cell is never ping-pong, whatever the timing.
    take = pingpong.suppress(first, cell, x * 100, y, fos, off, window_s=180, max_distance_m=5000)
    assert cell[take].tolist() == cell.tolist()


def test_same_place_cells_nearby_cells_and_short_detours_merge(spark):
    d = FRI
    events = [
        # Workplace served by cells 20 and 21: one stay, on the cell with most time (21).
        ("b", at(d, "09:00"), LU, 20),
        ("b", at(d, "09:40"), CALL, 20),
        ("b", at(d, "10:00"), HANDOVER, 21),
        ("b", at(d, "11:00"), LU, 21),
        # Home (cell 10) and cell 12, 50 m away and serving no place: one stay at the home place.
        ("b", at(d, "12:00"), LAU, 10),
        ("b", at(d, "12:30"), LU, 12),
        ("b", at(d, "13:00"), LU, 10),
        ("b", at(d, "14:00"), LU, 10),
        # A 5-minute passage through the transit cell: home continues.
        ("b", at(d, "14:30"), LAU, 30),
        ("b", at(d, "14:35"), LAU, 10),
        ("b", at(d, "16:00"), LU, 10),
    ]
    expected = stays_df(
        spark,
        [
            ("b", 21, at(d, "09:00"), at(d, "12:00"), 4),
            ("b", 10, at(d, "12:00"), at(d, "16:30"), 6),
        ],
    )
    assertDataFrameEqual(stays_of(spark, events), expected)


def test_power_off_and_silence_at_one_place_are_bridged(spark):
    d = FRI
    events = [
        # Switched off for the night at home and on again at home: one stay through the night.
        ("c", at(d, "20:00"), LU, 10),
        ("c", at(d, "23:00"), POWER_OFF, 10),
        ("c", at(d, "07:00", days=1), POWER_ON, 10),
        ("c", at(d, "08:00", days=1), LAU, 20),
        ("c", at(d, "09:00", days=1), LU, 20),
        # Idle all night: the periodic updates of a 6-hour network, one of them on cell 11
        # (serving the shop next door, and home too).
        ("d", at(d, "21:00"), LU, 10),
        ("d", at(d, "03:00", days=1), LU, 11),
        ("d", at(d, "09:00", days=1), LU, 10),
        ("d", at(d, "09:30", days=1), LAU, 20),
    ]
    cp = CELL_PLACE.assign(weight=CELL_PLACE["weight"].where(CELL_PLACE["place_id"] != "P_HOME", 0.3))
    expected = stays_df(
        spark,
        [
            ("c", 10, at(d, "20:00"), at(d, "08:00", days=1), 3),
            ("c", 20, at(d, "08:00", days=1), at(d, "09:30", days=1), 2),
            ("d", 10, at(d, "21:00"), at(d, "09:30", days=1), 3),
            ("d", 20, at(d, "09:30", days=1), at(d, "10:00", days=1), 1),
        ],
    )
    got = build_stays(signaling(spark, events), cell_index(cp), DEFAULT, TZ)
    assertDataFrameEqual(got, expected)


def test_power_off_elsewhere_and_silences_too_long_end_stays(spark):
    d = FRI
    events = [
        # Off at home, on again at work: home ends at the power-off.
        ("c", at(d, "06:00"), LU, 10),
        ("c", at(d, "07:00"), POWER_OFF, 10),
        ("c", at(d, "09:00"), POWER_ON, 20),
        ("c", at(d, "10:00"), LU, 20),
        # 7 hours without a single event (> max_gap_s 6 h) and then elsewhere: we no longer know
        # where the phone was, the stay ends 30 minutes after its last event.
        ("d", at(d, "01:00"), LU, 10),
        ("d", at(d, "02:00"), LU, 10),
        ("d", at(d, "09:00"), LAU, 20),
        # 13 hours of silence (> bridge_max_s 12 h), even at the same cell: two stays.
        ("e", at(d, "06:00"), LU, 10),
        ("e", at(d, "07:00"), LU, 10),
        ("e", at(d, "20:00"), LU, 10),
        # 5 hours of silence and then elsewhere: the stay lasts until the phone is seen there.
        ("f", at(d, "03:00"), LU, 10),
        ("f", at(d, "04:00"), LU, 10),
        ("f", at(d, "09:00"), LAU, 20),
    ]
    expected = stays_df(
        spark,
        [
            ("c", 10, at(d, "06:00"), at(d, "07:00"), 2),
            ("c", 20, at(d, "09:00"), at(d, "10:30"), 2),
            ("d", 10, at(d, "01:00"), at(d, "02:30"), 2),
            ("d", 20, at(d, "09:00"), at(d, "09:30"), 1),
            ("e", 10, at(d, "06:00"), at(d, "07:30"), 2),
            ("e", 10, at(d, "20:00"), at(d, "20:30"), 1),
            ("f", 10, at(d, "03:00"), at(d, "09:00"), 2),
            ("f", 20, at(d, "09:00"), at(d, "09:30"), 1),
        ],
    )
    assertDataFrameEqual(stays_of(spark, events), expected)


def test_stays_below_min_stay_are_dropped(spark):
    d = FRI
    events = [
        ("e", at(d, "08:00"), LU, 10),
        ("e", at(d, "08:40"), LAU, 30),  # 5 minutes at the transit cell
        ("e", at(d, "08:45"), LAU, 20),
        ("e", at(d, "09:45"), LU, 20),
    ]
    expected = stays_df(
        spark, [("e", 10, at(d, "08:00"), at(d, "08:40"), 1), ("e", 20, at(d, "08:45"), at(d, "10:15"), 2)]
    )
    assertDataFrameEqual(stays_of(spark, events), expected)


def test_stay_over_midnight_is_kept_whole_on_its_start_day(spark):
    d = FRI
    events = [
        ("f", at(d, "20:00"), LU, 10),
        ("f", at(d, "22:30"), LU, 10),
        ("f", at(d, "01:00", days=1), LU, 10),
        ("f", at(d, "03:30", days=1), LU, 10),
        ("f", at(d, "06:00", days=1), LU, 10),
        ("f", at(d, "08:00", days=1), LAU, 20),
        ("f", at(d, "09:00", days=1), LU, 20),
    ]
    got = stays_of(spark, events)
    expected = stays_df(
        spark,
        [
            ("f", 10, at(d, "20:00"), at(d, "08:00", days=1), 5),
            ("f", 20, at(d, "08:00", days=1), at(d, "09:30", days=1), 2),
        ],
    )
    assertDataFrameEqual(got, expected)
    assert [r["day"] for r in got.orderBy("start_ts").collect()] == [FRI, FRI.replace(day=7)]


def test_stay_running_past_cut_hour_the_next_day_is_cut_into_pieces_of_one_visit(spark):
    d = FRI
    # At home from Friday 18:00 until Sunday 10:00, an event every two hours.
    events = [("g", at(d, "18:00"), LU, 10)]
    events += [("g", at(d, f"{h % 24:02d}:00", days=h // 24), LU, 10) for h in range(20, 59, 2)]
    visit = at(d, "18:00")
    expected = stays_df(
        spark,
        [
            ("g", 10, at(d, "18:00"), at(d, "12:00", days=1), 9, visit),
            ("g", 10, at(d, "12:00", days=1), at(d, "10:30", days=2), 12, visit),
        ],
    )
    got = stays_of(spark, events)
    assertDataFrameEqual(got, expected)
    assert got.select("visit_id").distinct().count() == 1


def test_midpoint_boundary(spark):
    d = FRI
    events = [("h", at(d, "08:00"), LU, 10), ("h", at(d, "09:00"), LU, 10), ("h", at(d, "10:00"), LAU, 20)]
    mid = dataclasses.replace(DEFAULT, boundary="midpoint")
    expected = stays_df(
        spark, [("h", 10, at(d, "08:00"), at(d, "09:30"), 2), ("h", 20, at(d, "09:30"), at(d, "10:30"), 1)]
    )
    assertDataFrameEqual(stays_of(spark, events, mid), expected)


def test_unknown_cells_and_chunk_or_partition_sizes_change_nothing(spark):
    d = FRI
    events = []
    for i in range(12):
        sub = f"s{i:02d}"
        events += [
            (sub, at(d, "08:00"), LU, 10),
            (sub, at(d, "09:00"), LU, 99),
            (sub, at(d, "10:00"), LU, 99),
        ]
    default = stays_of(spark, events)
    rows = default.orderBy("subscriber_id", "start_ts").collect()
    assert len(rows) == 24
    assert {(r["cell_id"], r["place_id"]) for r in rows} == {(10, "P_HOME"), (99, None)}
    # Tiny chunks and partitions: subscribers must still be whole, and the stays the same.
    small = dataclasses.replace(DEFAULT, chunk_rows=2, partition_rows=5)
    assert stays_of(spark, events, small).rdd.getNumPartitions() == 8
    assertDataFrameEqual(stays_of(spark, events, small), default)


def test_cells_crossed_on_a_trip_are_not_stays(spark):
    d = FRI
    events = [
        ("t", at(d, "07:00"), LU, 10),
        ("t", at(d, "08:00"), LU, 10),
        ("t", at(d, "08:05"), LAU, 30),  # 20 minutes on the transit cell, half-way to work
        ("t", at(d, "08:25"), LAU, 20),
        ("t", at(d, "09:30"), LU, 20),
        # The same 20 minutes at the transit cell, but coming back home: a real (short) stay.
        ("u", at(d, "07:00"), LU, 10),
        ("u", at(d, "08:05"), LAU, 30),
        ("u", at(d, "08:25"), LAU, 10),
        ("u", at(d, "09:30"), LU, 10),
    ]
    expected = stays_df(
        spark,
        [
            ("t", 10, at(d, "07:00"), at(d, "08:05"), 2),
            ("t", 20, at(d, "08:25"), at(d, "10:00"), 2),
            ("u", 10, at(d, "07:00"), at(d, "08:05"), 1),
            ("u", 30, at(d, "08:05"), at(d, "08:25"), 1),
            ("u", 10, at(d, "08:25"), at(d, "10:00"), 2),
        ],
    )
    assertDataFrameEqual(stays_of(spark, events), expected)


def test_two_known_places_on_one_site_stay_apart(spark):
    d = FRI
    events = [
        ("v", at(d, "08:00"), LU, 10),
        ("v", at(d, "09:00"), HANDOVER, 13),  # the cafe on another sector of the home site
        ("v", at(d, "10:00"), LU, 13),
        ("v", at(d, "11:00"), HANDOVER, 10),
        ("v", at(d, "12:00"), LU, 10),
    ]
    expected = stays_df(
        spark,
        [
            ("v", 10, at(d, "08:00"), at(d, "09:00"), 1),
            ("v", 13, at(d, "09:00"), at(d, "11:00"), 2),
            ("v", 10, at(d, "11:00"), at(d, "12:30"), 2),
        ],
    )
    assertDataFrameEqual(stays_of(spark, events), expected)


def test_brief_appearances_on_other_cells_do_not_split_a_stay(spark):
    d = FRI
    # At home on cell 10 all day; the idle phone camps now and then on cell 11 (the shop's main
    # cell, which serves home too) and once on the cafe's sector 13 of the home site.
    events = [("k", at(d, f"{h:02d}:00"), LU, 10) for h in range(8, 15)]
    events += [("k", at(d, "09:10"), LU, 11), ("k", at(d, "11:30"), CALL, 11), ("k", at(d, "12:40"), LU, 13)]
    events += [("k", at(d, "15:00"), LAU, 20), ("k", at(d, "16:00"), LU, 20)]
    expected = stays_df(
        spark,
        [("k", 10, at(d, "08:00"), at(d, "15:00"), 10), ("k", 20, at(d, "15:00"), at(d, "16:30"), 2)],
    )
    assertDataFrameEqual(stays_of(spark, sorted(events, key=lambda e: e[1])), expected)
    # Without absorption the appearances cut home into pieces at the shop and the cafe.
    off = dataclasses.replace(DEFAULT, flicker_max_events=0)
    places = [r.place_id for r in stays_of(spark, sorted(events, key=lambda e: e[1]), off).orderBy("start_ts").collect()]
    assert places.count("P_HOME") > 1 and "P_SHOP" in places


def test_a_stay_takes_the_place_its_cells_and_the_subscribers_regular_places_support(spark):
    d = FRI
    # Cell 11 serves the shop (0.45) a little more than home (0.40). The subscriber sleeps at home
    # (cell 10), works, and spends the afternoon on cell 11: at home, not at the shop.
    cp = CELL_PLACE.copy()
    cp.loc[(cp["cell_id"] == 11) & (cp["place_id"] == "P_SHOP"), "weight"] = 0.45
    cp.loc[(cp["cell_id"] == 11) & (cp["place_id"] == "P_HOME"), "weight"] = 0.40
    events = [("m", at(d, f"{h:02d}:00"), LU, 10) for h in range(8)]
    events += [("m", at(d, f"{h:02d}:00"), LU, 20) for h in range(8, 13)]
    events += [("m", at(d, f"{h:02d}:00"), LU, 11) for h in range(13, 18)]
    got = build_stays(signaling(spark, events), cell_index(cp), DEFAULT, TZ).orderBy("start_ts").collect()
    assert [(r.cell_id, r.place_id) for r in got] == [(10, "P_HOME"), (20, "P_WORK"), (11, "P_HOME")]
    alone = dataclasses.replace(DEFAULT, regular_place_weight=0.0)
    got = build_stays(signaling(spark, events), cell_index(cp), alone, TZ).orderBy("start_ts").collect()
    assert [r.place_id for r in got] == ["P_HOME", "P_WORK", "P_SHOP"]


def test_visits_running_since_before_the_events_read_keep_the_stored_visit_id(spark):
    d = FRI
    nxt = FRI + dt.timedelta(days=1)
    computed = stays_df(
        spark,
        [
            # A presence seen from the first event read, cut at noon: its stored piece of d has
            # the visit_id of the real, earlier start.
            ("n", 10, at(d, "00:10"), at(d, "12:00"), 5),
            ("n", 10, at(d, "12:00"), at(d, "12:00", days=1), 9, at(d, "00:10")),
            ("n", 10, at(d, "12:00", days=1), at(d, "15:00", days=1), 2, at(d, "00:10")),
            # A visit that begins on d as stored keeps its own id.
            ("o", 20, at(d, "09:00"), at(d, "17:00"), 4),
        ],
    )
    stored = (
        computed.where(F.col("day") == F.lit(d))
        .withColumn("visit_id", F.when(F.col("subscriber_id") == "n", F.lit("earlier")).otherwise(F.col("visit_id")))
    )
    got = with_inherited_visit_ids(computed, stored, d)
    ids = {(r.subscriber_id, r.day, r.seq): r.visit_id for r in got.collect()}
    assert [ids[("n", d, 1)], ids[("n", d, 2)], ids[("n", nxt, 1)]] == ["earlier"] * 3
    assert ids[("o", d, 1)] == computed.where("subscriber_id = 'o'").first().visit_id != "earlier"


def test_a_visitor_on_someone_elses_home_cell_is_at_the_venue_it_also_serves(spark):
    d = FRI
    # Cell 12 carries mostly the traffic of the housing estate P_HOME and a little of the cafe.
    cp = pd.concat(
        [CELL_PLACE, pd.DataFrame([(1, 12, "P_HOME", 0.9), (1, 12, "P_CAFE", 0.04)], columns=CELL_PLACE.columns)]
    )
    # q lives and sleeps at P_WORK's site (a night at cell 20), and spends 90 minutes on cell 12.
    events = [("q", at(d, f"{h:02d}:00"), LU, 20) for h in range(9)]
    events += [("q", at(d, "10:00"), LAU, 12), ("q", at(d, "10:45"), CALL, 12), ("q", at(d, "11:30"), LAU, 20)]
    events += [("q", at(d, "12:30"), LU, 20)]
    places = {}
    for members in (set(), {"P_HOME", "P_WORK"}):
        got = build_stays(signaling(spark, events), cell_index(cp, members), DEFAULT, TZ).orderBy("start_ts")
        places[bool(members)] = [r.place_id for r in got.collect()]
    # Without knowing whose places are homes, the estate wins on weight; knowing it, a visitor
    # (no night there) is at the cafe. q's own night place stays theirs.
    assert places[False] == ["P_WORK", "P_HOME", "P_WORK"]
    assert places[True] == ["P_WORK", "P_CAFE", "P_WORK"]
