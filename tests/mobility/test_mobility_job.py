"""The two jobs on a tiny lake: day-by-day reruns equal one run over the range; anchors come out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from mobility_fixtures import at, dims, signaling
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.lake import Lake
from lifecircle.mobility.dwell_job import run as run_dwell
from lifecircle.mobility.trajectories_job import run as run_trajectories
from lifecircle.periods import period_window, periods_between
from lifecircle.progress import quiet

SUN = dt.date(2026, 11, 1)
DAYS = [SUN + dt.timedelta(days=i) for i in range(5)]  # Sun .. Thu


def events() -> list[tuple]:
    out = []
    for d in DAYS:
        # x: home in the evening and at night, at work by day, a ping-pong flip now and then.
        for minute in range(0, 8 * 60, 45):
            out.append(("x", at(d, "00:00") + dt.timedelta(minutes=minute), 6, 10))
        out.append(("x", at(d, "03:10"), 9, 11))
        out.append(("x", at(d, "03:11"), 9, 10))
        if d.weekday() < 5:
            for minute in range(9 * 60, 18 * 60, 45):
                out.append(("x", at(d, "00:00") + dt.timedelta(minutes=minute), 6 if minute > 540 else 5, 20))
        for minute in range(19 * 60, 24 * 60, 45):
            out.append(("x", at(d, "00:00") + dt.timedelta(minutes=minute), 6 if minute > 1140 else 5, 10))
        # y: never leaves home (stays are cut at 12:00 of the next day).
        out += [("y", at(d, f"{h:02d}:20"), 6, 10) for h in range(0, 24, 2)]
        # z: phone off at night, an evening at the shop.
        out += [("z", at(d, "07:00"), 7, 10), ("z", at(d, "08:00"), 6, 10), ("z", at(d, "12:00"), 6, 10)]
        out += [("z", at(d, "14:00"), 6, 10), ("z", at(d, "17:00"), 5, 11), ("z", at(d, "18:30"), 6, 11)]
        out += [("z", at(d, "19:30"), 5, 10), ("z", at(d, "21:00"), 6, 10), ("z", at(d, "23:00"), 8, 10)]
    return out


def make_lake(spark, root: Path) -> Lake:
    lake = Lake(spark, str(root))
    cells, places, cell_place = dims(spark)
    lake.write(tables.CELLS, cells)
    lake.write(tables.PLACES, places)
    lake.write(tables.CELL_PLACE, cell_place)
    lake.write(tables.SIGNALING, signaling(spark, events()), partition_by=["day", "cell_bucket"])
    return lake


@pytest.fixture(scope="module")
def conf(tmp_path_factory):
    overlay = tmp_path_factory.mktemp("conf") / "test.yaml"
    overlay.write_text("mobility:\n  profile:\n    window_days: 7\n", encoding="utf-8")
    return load_config([overlay])


def test_day_by_day_reruns_equal_one_range_run(spark, tmp_path, conf):
    whole = make_lake(spark, tmp_path / "whole")
    result = run_trajectories(spark, conf, whole.root, DAYS[1], DAYS[3], progress=quiet())
    assert [c.table for c in result.outputs] == [tables.STAYS, tables.DWELL_DAILY_CELL, tables.DWELL_DAILY]
    daily = make_lake(spark, tmp_path / "daily")
    for day in (DAYS[3], DAYS[1], DAYS[2], DAYS[2]):
        run_trajectories(spark, conf, daily.root, day, day.isoformat(), progress=quiet())
    # Out of order, a visit running into DAYS[3] from before it could not take the id written
    # for the day before (not there yet): every other column is already the same.
    assertDataFrameEqual(daily.read(tables.STAYS).drop("visit_id"), whole.read(tables.STAYS).drop("visit_id"))
    for table in (tables.DWELL_DAILY_CELL, tables.DWELL_DAILY):
        assertDataFrameEqual(daily.read(table), whole.read(table))
    assert daily.read(tables.STAYS).exceptAll(whole.read(tables.STAYS)).select("subscriber_id").distinct().count() > 0
    # Re-run in day order, each day takes the visit_id of the day before: all equal.
    for day in DAYS[1:4]:
        run_trajectories(spark, conf, daily.root, day, day.isoformat(), progress=quiet())
    for table in (tables.STAYS, tables.DWELL_DAILY_CELL, tables.DWELL_DAILY):
        assertDataFrameEqual(daily.read(table), whole.read(table))
    stays = whole.read(tables.STAYS)
    assert {r.day for r in stays.select("day").distinct().collect()} == set(DAYS[1:4])
    # y never leaves home: from the second day on, one piece a day from cut hour (12:00) to cut
    # hour, all of one visit.
    y = stays.where("subscriber_id = 'y' AND day = DATE'2026-11-03'").select(
        F.unix_seconds("start_ts").alias("start"), F.unix_seconds("end_ts").alias("end")
    )
    cut = [int(at(d, "12:00").timestamp()) for d in DAYS]
    assert [(r.start, r.end) for r in y.collect()] == [(cut[2], cut[3])]
    assert stays.where("subscriber_id = 'y'").select("visit_id").distinct().count() == 1
    # Dwell of a day adds up to 24 hours for someone always seen (x's phone never sleeps).
    x_total = whole.read(tables.DWELL_DAILY_CELL).where("subscriber_id = 'x'").groupBy("day").agg(F.sum("dwell_s"))
    assert {r[1] for r in x_total.collect()} == {86400}


def test_dwell_job_writes_profile_anchors_and_city_view(spark, tmp_path, conf):
    lake = make_lake(spark, tmp_path / "lake")
    run_trajectories(spark, conf, lake.root, DAYS[0], DAYS[4], progress=quiet())
    result = run_dwell(spark, conf, lake.root, DAYS[0], DAYS[4], progress=quiet())
    assert result.summary["periods"] == ["2026-11"]
    anchors = {
        (r.subscriber_id, r.anchor_type): (r.place_id, r.method) for r in lake.read(tables.ANCHORS).collect()
    }
    assert anchors[("x", "home")] == ("P_HOME", "regular_block")
    assert anchors[("x", "work")] == ("P_WORK", "regular_block")
    assert anchors[("y", "home")] == anchors[("z", "home")] == ("P_HOME", "regular_block")
    assert ("y", "work") not in anchors
    methods = {r.method for r in lake.read(tables.ANCHOR_CANDIDATES).select("method").distinct().collect()}
    assert methods == {"night_dwell", "night_mode", "regular_block"}
    assert lake.read(tables.ANCHOR_AGREEMENT).count() == 6  # 3 pairs x (home, work)
    profile = lake.read(tables.DWELL_PROFILE).where("subscriber_id = 'x' AND place_id = 'P_HOME'").first()
    assert (profile.frequency_class, profile.observed_days, profile.window_end) == ("frequent", 5, DAYS[4])
    assert lake.read(tables.DWELL_PROFILE_DISTRICT).where("subscriber_id = 'x'").count() == 2
    assert lake.read(tables.AREA_POPULATION).where("place_id = 'P_WORK'").count() == 168
    runs = lake.read(tables.JOB_RUNS).select("job", "status").collect()
    assert sorted((r.job, r.status) for r in runs) == [("dwell", "success"), ("trajectories", "success")]


def test_periods_and_windows():
    assert periods_between(dt.date(2026, 10, 30), dt.date(2026, 12, 1)) == ["2026-10", "2026-11", "2026-12"]
    assert period_window("2026-11", dt.date(2026, 12, 5), 30) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period_window("2026-11", dt.date(2026, 11, 10), 30) == (
        dt.date(2026, 10, 12),
        dt.date(2026, 11, 10),
    )


def test_job_script_fails_with_one_line(spark, tmp_path, run_job_file, session_overlay):
    code, _, err = run_job_file(
        "mobility_trajectories", "--lake", str(tmp_path / "empty"), "--start", "2026-11-02", "--end", "2026-11-03",
        "--conf", session_overlay,
    )
    ours = [line for line in err.splitlines() if line.startswith("lifecircle:")]
    assert code == 1 and len(ours) == 1
    assert ours[0].startswith(f"lifecircle: error: {tables.SIGNALING}, {tables.CELLS} missing")
