"""Stays from tiny hand-built event sequences: ping-pong, merges, silence, power-off, midnight."""

from __future__ import annotations

import dataclasses

import numpy as np
from mobility_fixtures import FRI, TZ, at, cell_index, signaling, stays_df
from pyspark.testing import assertDataFrameEqual

from lifecircle.mobility import pingpong
from lifecircle.mobility.settings import StaySettings
from lifecircle.mobility.stays import build_stays

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


def test_without_pingpong_suppression_flips_are_lost_as_passages(spark):
    d = FRI
    events = [
        ("a", at(d, "08:00"), LU, 10),
        ("a", at(d, "08:30"), HANDOVER, 11),
        ("a", at(d, "08:31"), HANDOVER, 10),
        ("a", at(d, "09:00"), LU, 10),
    ]
    off = dataclasses.replace(DEFAULT, pingpong_window_s=0)
    # The two pieces at cell 10 are still joined (the flip is a short passage), but its event is not counted.
    assertDataFrameEqual(
        stays_of(spark, events, off), stays_df(spark, [("a", 10, at(d, "08:00"), at(d, "09:30"), 3)])
    )
    assertDataFrameEqual(
        stays_of(spark, events), stays_df(spark, [("a", 10, at(d, "08:00"), at(d, "09:30"), 4)])
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


def test_power_off_and_long_silence_end_stays(spark):
    d = FRI
    events = [
        ("c", at(d, "20:00"), LU, 10),
        ("c", at(d, "21:00"), CALL, 10),
        ("c", at(d, "23:00"), POWER_OFF, 10),  # the stay ends at the power-off
        ("c", at(d, "07:00", days=1), POWER_ON, 10),
        ("c", at(d, "07:30", days=1), LU, 10),
        ("c", at(d, "08:00", days=1), LAU, 20),
        ("c", at(d, "09:00", days=1), LU, 20),
        # 5.5 h without a single event (> max_gap_s 3 h): stay ends 30 min after the last event.
        ("d", at(d, "08:00"), LU, 10),
        ("d", at(d, "08:30"), LU, 10),
        ("d", at(d, "14:00"), LAU, 20),
    ]
    expected = stays_df(
        spark,
        [
            ("c", 10, at(d, "20:00"), at(d, "23:00"), 3),
            ("c", 10, at(d, "07:00", days=1), at(d, "08:00", days=1), 2),
            ("c", 20, at(d, "08:00", days=1), at(d, "09:30", days=1), 2),
            ("d", 10, at(d, "08:00"), at(d, "09:00"), 2),
            ("d", 20, at(d, "14:00"), at(d, "14:30"), 1),
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


def test_stay_running_past_cut_hour_the_next_day_is_cut(spark):
    d = FRI
    # At home from Friday 18:00 until Sunday 10:00, an event every two hours.
    events = [("g", at(d, "18:00"), LU, 10)]
    events += [("g", at(d, f"{h % 24:02d}:00", days=h // 24), LU, 10) for h in range(20, 59, 2)]
    expected = stays_df(
        spark,
        [
            ("g", 10, at(d, "18:00"), at(d, "18:00", days=1), 12),
            ("g", 10, at(d, "18:00", days=1), at(d, "10:30", days=2), 9),
        ],
    )
    assertDataFrameEqual(stays_of(spark, events), expected)


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
