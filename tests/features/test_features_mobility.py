from __future__ import annotations

import datetime as dt

import pytest
from table_frames import table_frame

from lifecircle import tables
from lifecircle.features.build import FeatureInputs, build_features
from lifecircle.features.mobility import compute_dwell_features, compute_observed_days, compute_stay_features
from lifecircle.features.places import place_categories
from lifecircle.features.settings import FeatureSettings

TZ = "Asia/Shanghai"
MON = dt.date(2026, 11, 2)
WEEKEND = (5, 6)  # conf default: Saturday, Sunday
FRI_SAT = (4, 5)  # a Friday–Saturday weekend


def local(day: int, hour: float) -> dt.datetime:
    return dt.datetime(2026, 11, day, tzinfo=dt.UTC) + dt.timedelta(hours=hour - 8)


def places_frame(spark, rows):
    return table_frame(
        spark, tables.PLACES, rows, ["place_id", "name", "category_l1", "category_l2", "category_l3", "district"]
    )


def cells_frame(spark, rows):
    return table_frame(spark, tables.CELLS, rows, ["lac", "cell_id", "longitude", "latitude"])


def stays_frame(spark, rows):
    """rows: (subscriber, place, cell, start, end); lac 1, day = local day of the start."""
    return spark.createDataFrame(
        [
            (s, i, f"v{i}", 1, cell, p, a, b, int((b - a).total_seconds()), 1, (a + dt.timedelta(hours=8)).date())
            for i, (s, p, cell, a, b) in enumerate(rows)
        ],
        tables.STAYS.schema,
    )


def test_stay_helpers(spark):
    places = places_frame(
        spark,
        [
            ("H", "酒店", "酒店", "酒店", "商务酒店", "莞城"),
            ("B", "酒吧", "娱乐", "酒吧", None, "莞城"),
            ("S", "小学", "教育", "学校", "中小学", "莞城"),
            ("T", "火车站", "交通", "枢纽", "火车站", "莞城"),
        ],
    )
    cells = cells_frame(spark, [(1, 1, 113.75, 23.0), (1, 2, 114.10, 23.0)])
    rows = [
        ("a", "H", 1, local(2, 22), local(3, 8)),  # hotel night covering 03:00
        ("a", "H", 1, local(3, 20), local(3, 23)),  # hotel evening, not 03:00
        ("a", "B", 1, local(4, 22), local(4, 23) + dt.timedelta(minutes=40)),  # 40 min after 23:00
        ("a", "B", 1, local(5, 22), local(5, 23) + dt.timedelta(minutes=20)),  # only 20 min
        ("a", "S", 1, local(6, 7.5), local(6, 8)),  # drop-off at school
        ("a", "S", 1, local(6, 16), local(6, 17.6)),  # pick-up: 96 min is too long
        ("a", "T", 2, local(6, 18), local(6, 19)),  # ~36 km from the school: a long travel day
    ]
    pcat = place_categories(spark, places)
    got = compute_stay_features(stays_frame(spark, rows), cells, pcat, FeatureSettings(), TZ, WEEKEND).collect()[0]
    assert (got.nights_hotel_3am, got.days_ent_late_ge30m, got.days_school_run, got.days_travel_long) == (
        1,
        1,
        1,
        1,
    )
    assert (got.days_lodging_ge240m, got.days_hotel_ge120m, got.days_transport_ge60m) == (1, 2, 1)


def test_office_hours_count_only_configured_weekdays(spark):
    places = places_frame(spark, [("O", "国贸中心", "商务", "办公", "写字楼", "南城")])
    cells = cells_frame(spark, [(1, 1, 113.75, 23.0)])
    # Thursday 5, Friday 6 and Saturday 7 November, 08:30-17:30 at the office each.
    stays = stays_frame(spark, [("a", "O", 1, local(d, 8.5), local(d, 17.5)) for d in (5, 6, 7)])
    pcat = place_categories(spark, places)

    def office_days(weekend):
        row = compute_stay_features(stays, cells, pcat, FeatureSettings(), TZ, weekend).collect()[0]
        return row.wd_days_office_hours

    assert office_days(WEEKEND) == 2  # Thursday, Friday
    assert office_days(FRI_SAT) == 1  # Thursday only


def test_an_office_day_counts_time_in_office_hours_however_split(spark):
    places = places_frame(
        spark, [("O", "国贸中心", "商务", "办公", "写字楼", "南城"), ("M", "商场", "购物", "商场", "购物中心", "南城")]
    )
    cells = cells_frame(spark, [(1, 1, 113.75, 23.0)])
    rows = [
        # Thursday: late start, lunch out, overtime — 6.25 h inside 09:00-17:00 at the office.
        ("a", "O", 1, local(5, 9.75), local(5, 12.5)),
        ("a", "M", 1, local(5, 12.5), local(5, 13.5)),
        ("a", "O", 1, local(5, 13.5), local(5, 21)),
        # Friday: a half day, 4 h.
        ("a", "O", 1, local(6, 9), local(6, 13)),
        # A night shift at the office: 22:00-06:00 is not an office day.
        ("b", "O", 1, local(5, 22), local(6, 6)),
    ]
    pcat = place_categories(spark, places)
    got = compute_stay_features(stays_frame(spark, rows), cells, pcat, FeatureSettings(), TZ, WEEKEND)
    assert {r.subscriber_id: r.wd_days_office_hours for r in got.collect()} == {"a": 1, "b": 0}


def test_trips_out_of_the_city_are_holes_next_to_a_station_or_very_long(spark):
    places = places_frame(
        spark,
        [("T", "火车站", "交通", "枢纽", "火车站", "莞城"), ("HOME", "家园小区", "住宅", "住宅小区", None, "莞城")],
    )
    cells = cells_frame(spark, [(1, 1, 113.75, 23.0)])
    rows = [
        # a: to the station Tuesday morning, gone until Wednesday night (back through the station).
        ("a", "HOME", 1, local(2, 20), local(3, 7)),
        ("a", "T", 1, local(3, 7.5), local(3, 8)),
        ("a", "T", 1, local(4, 21), local(4, 21.5)),
        ("a", "HOME", 1, local(4, 22), local(5, 8)),
        # b: 8 silent hours between two stays at home (no station): not a trip; then a 22 h hole.
        ("b", "HOME", 1, local(2, 8), local(2, 12)),
        ("b", "HOME", 1, local(2, 20), local(3, 7)),
        ("b", "HOME", 1, local(4, 5), local(4, 9)),
    ]
    pcat = place_categories(spark, places)
    got = compute_stay_features(stays_frame(spark, rows), cells, pcat, FeatureSettings(), TZ, WEEKEND)
    found = {r.subscriber_id: (r.trips_out_of_city, r.days_out_of_city) for r in got.collect()}
    assert found == {"a": (1, 2), "b": (1, 2)}


def dwell_frame(spark, rows):
    """rows: (subscriber, place, slot, dwell_s, day) on cell 1/1."""
    return table_frame(
        spark,
        tables.DWELL_DAILY_CELL,
        [(s, 1, 1, p, "莞城", slot, sec, 1, day) for s, p, slot, sec, day in rows],
        ["subscriber_id", "lac", "cell_id", "place_id", "district", "slot", "dwell_s", "n_stays", "day"],
    )


def test_observed_weekdays_follow_the_configured_weekend(spark):
    dwell = dwell_frame(spark, [("a", "HOME", "night", 3600, MON + dt.timedelta(days=i)) for i in range(5)])
    default = compute_observed_days(dwell, WEEKEND).collect()[0]
    assert (default.observed_days, default.observed_weekdays) == (5, 5)
    fri_sat = compute_observed_days(dwell, FRI_SAT).collect()[0]
    assert (fri_sat.observed_days, fri_sat.observed_weekdays) == (5, 4)


def test_weekday_housing_share_follows_the_configured_weekend(spark):
    places = places_frame(
        spark,
        [("HOME", "家园小区", "住宅", "住宅小区", None, "莞城"), ("O", "国贸中心", "商务", "办公", "写字楼", "南城")],
    )
    cells = cells_frame(spark, [(1, 1, 113.75, 23.0)])
    thu, fri = MON + dt.timedelta(days=3), MON + dt.timedelta(days=4)
    dwell = dwell_frame(spark, [("a", "O", "work_hours", 3600, thu), ("a", "HOME", "work_hours", 3600, fri)])
    pcat = place_categories(spark, places)

    def share(weekend):
        row = compute_dwell_features(dwell, cells, pcat, FeatureSettings(), ["work_hours"], 600, weekend).collect()[0]
        return row.wd_daytime_housing_share

    assert share(WEEKEND) == pytest.approx(0.5)
    assert share(FRI_SAT) == pytest.approx(0.0)


def test_build_features_carries_the_weekend_of_its_inputs(spark):
    places = places_frame(spark, [("O", "国贸中心", "商务", "办公", "写字楼", "南城")])
    cells = cells_frame(spark, [(1, 1, 113.75, 23.0)])
    days = [MON + dt.timedelta(days=i) for i in range(5)]  # Monday .. Friday
    stays = stays_frame(spark, [("a", "O", 1, local(d.day, 8.5), local(d.day, 17.5)) for d in days])
    dwell = dwell_frame(spark, [("a", "O", "work_hours", 9 * 3600, d) for d in days])

    def built(weekend):
        inp = FeatureInputs(
            stays=stays,
            dwell=dwell,
            places=places,
            cells=cells,
            profile=tables.DWELL_PROFILE.empty(spark),
            anchors=tables.ANCHORS.empty(spark),
            subscribers=tables.SUBSCRIBERS.empty(spark),
            usage=tables.USAGE.empty(spark),
            product_status=tables.PRODUCT_STATUS.empty(spark),
            participants=tables.EVENT_PARTICIPANTS.empty(spark).select("subscriber_id", "event_id", "event_type"),
            period="2026-11",
            prev_period="2026-10",
            tz=TZ,
            weekend_days=weekend,
        )
        return build_features(inp, FeatureSettings(), ["work_hours"]).collect()

    (default,) = built(WEEKEND)
    assert (default.observed_days, default.observed_weekdays, default.wd_days_office_hours) == (5, 5, 5)
    assert (default.days_office, default.dwell_s_office_work_hours, default.period) == (5, 5 * 9 * 3600, "2026-11")
    (fri_sat,) = built(FRI_SAT)
    assert (fri_sat.observed_days, fri_sat.observed_weekdays, fri_sat.wd_days_office_hours) == (5, 4, 4)
