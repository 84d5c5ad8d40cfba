"""Home and work from each method over two weeks of hand-built stays, night-shift worker included."""

from __future__ import annotations

import datetime as dt

import pytest
from mobility_fixtures import LOCAL, TZ, dims, stays_df
from pyspark.sql import functions as F

from lifecircle.mobility.anchors import METHODS, AnchorInputs, agreement, detect_all
from lifecircle.mobility.dwell import dwell_by_cell
from lifecircle.mobility.location import with_location
from lifecircle.mobility.settings import AnchorSettings, DwellSettings

MON = dt.date(2026, 11, 2)
DAYS = [MON + dt.timedelta(days=i) for i in range(14)]
HOME, SHOP, WORK, FACTORY = 10, 11, 20, 40


def t(day: dt.date, hours: float) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL) + dt.timedelta(hours=hours)


def pieces(start: dt.datetime, end: dt.datetime, dark: bool) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut at local midnights; ``dark``: without 23:00–07:00 (phone off)."""
    out, day = [], start.astimezone(LOCAL).date()
    while t(day, 0) < end:
        lo, hi = (t(day, 7), t(day, 23)) if dark else (t(day, 0), t(day, 24))
        lo, hi = max(lo, start), min(hi, end)
        if hi > lo:
            out.append((lo, hi))
        day += dt.timedelta(days=1)
    return out


def with_home(sub: str, away: list[tuple[int, dt.datetime, dt.datetime]], dark: bool = False) -> list[tuple]:
    """``away`` stays plus home in between (45 minutes of travel each way), cut at midnights."""
    items, cursor = [], t(DAYS[0], 0)
    for cell, start, end in sorted(away, key=lambda a: a[1]):
        items.append((HOME, cursor, start - dt.timedelta(minutes=45)))
        items.append((cell, start, end))
        cursor = end + dt.timedelta(minutes=45)
    items.append((HOME, cursor, t(DAYS[-1], 24)))
    return [
        (sub, cell, lo, hi)
        for cell, start, end in items
        for lo, hi in pieces(start, end, dark and cell == HOME)
    ]


def office(sub: str, dark: bool = False) -> list[tuple]:
    away = [(WORK, t(d, 9), t(d, 18)) for d in DAYS if d.weekday() < 5]
    away += [(SHOP, t(d, 15), t(d, 17)) for d in DAYS if d.weekday() == 5]
    return with_home(sub, away, dark)


def night_shift(sub: str) -> list[tuple]:
    return with_home(sub, [(FACTORY, t(d, 20), t(d, 32)) for d in DAYS[:-1] if d.weekday() < 5])


def homebody(sub: str) -> list[tuple]:
    return with_home(sub, [(SHOP, t(d, 9), t(d, 10)) for d in DAYS])


@pytest.fixture(scope="module")
def inputs(spark):
    cells, places, _ = dims(spark)
    items = office("day") + office("dark", dark=True) + night_shift("night") + homebody("idle")
    stays = stays_df(spark, items)
    dwell = dwell_by_cell(stays, cells, DwellSettings(), TZ).where(F.col("day").between(DAYS[0], DAYS[-1]))
    dwell, stays = with_location(dwell).persist(), with_location(stays).persist()
    yield AnchorInputs(dwell, stays, places, (DAYS[0], DAYS[-1]), TZ, len(DAYS))
    dwell.unpersist()
    stays.unpersist()


def anchors_of(spark, inputs, method: str) -> dict[tuple[str, str], tuple]:
    found = METHODS[method].detect(inputs, AnchorSettings()).collect()
    for row in found:
        assert 0.0 <= row.confidence <= 1.0
    return {(r.subscriber_id, r.anchor_type): r.loc for r in found}


def test_dark_nights_leave_no_home_stays_at_night(inputs):
    night_dwell = (
        inputs.dwell.where("subscriber_id = 'dark' AND slot = 'night'").agg(F.sum("dwell_s")).first()[0]
    )
    assert night_dwell == 14 * 3600  # only 22:00–23:00 each night


def test_regular_block_handles_night_shift_and_dark_nights(spark, inputs):
    assert anchors_of(spark, inputs, "regular_block") == {
        ("day", "home"): "P_HOME",
        ("day", "work"): "P_WORK",
        ("dark", "home"): "P_HOME",
        ("dark", "work"): "P_WORK",
        ("night", "home"): "P_HOME",
        ("night", "work"): "P_FACTORY",
        ("idle", "home"): "P_HOME",
    }


def test_night_dwell_puts_a_night_shift_worker_at_the_factory(spark, inputs):
    got = anchors_of(spark, inputs, "night_dwell")
    assert got[("day", "home")] == got[("dark", "home")] == got[("idle", "home")] == "P_HOME"
    assert got[("day", "work")] == got[("dark", "work")] == "P_WORK"
    assert ("idle", "work") not in got
    # The known blind spot that makes regular_block the default: nights at the factory win.
    assert got[("night", "home")] == "P_FACTORY"


def test_night_mode(spark, inputs):
    got = anchors_of(spark, inputs, "night_mode")
    assert got[("day", "home")] == got[("dark", "home")] == got[("idle", "home")] == "P_HOME"
    assert got[("day", "work")] == got[("dark", "work")] == "P_WORK"
    assert ("idle", "work") not in got
    assert got[("night", "home")] == "P_FACTORY"


def test_candidates_cells_and_agreement(spark, inputs):
    candidates = detect_all(inputs, AnchorSettings(), "2026-11").persist()
    night_home = candidates.where(
        "subscriber_id = 'night' AND anchor_type = 'home' AND method = 'regular_block'"
    )
    row = night_home.first()
    assert (row.place_id, row.lac, row.cell_id, row.period) == ("P_HOME", 1, HOME, "2026-11")
    agree = {
        (r.anchor_type, r.method_a, r.method_b): (r.subscribers_both, r.agreeing, r.only_a, r.only_b)
        for r in agreement(candidates, "2026-11").collect()
    }
    assert agree[("home", "night_dwell", "regular_block")] == (4, 3, 0, 0)
    assert agree[("work", "night_dwell", "regular_block")][0:2] == (3, 2)
    candidates.unpersist()
