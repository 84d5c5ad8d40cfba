"""Subscribers present per place × hour of week, averaged over the observed occurrences."""

from __future__ import annotations

import datetime as dt

from mobility_fixtures import TZ, at, dims, stays_df

from lifecircle.mobility.population import area_population
from lifecircle.mobility.settings import PopulationSettings

MON = dt.date(2026, 11, 2)


def test_presence_average_peaks_and_valleys(spark):
    _, places, _ = dims(spark)
    next_mon = MON + dt.timedelta(days=7)
    stays = stays_df(
        spark,
        [
            ("a", 20, at(MON, "10:00"), at(MON, "12:00")),
            ("b", 20, at(MON, "10:30"), at(MON, "11:05")),  # only 5 minutes of 11:00: not present then
            ("a", 20, at(next_mon, "10:00"), at(next_mon, "10:20")),
            ("c", 21, at(next_mon, "10:50"), at(next_mon, "11:30")),  # another cell of the same place
        ],
    )
    observed = [MON + dt.timedelta(days=i) for i in range(14)]
    pop = area_population(stays, places, observed, PopulationSettings(), TZ, "2026-11")
    rows = {r.hour_of_week: r for r in pop.collect()}
    assert len(rows) == 168
    # Monday 10:00: a and b, then a and c (c's 10 minutes are just enough); 11:00: a, then c.
    assert (rows[10].subscribers_avg, rows[10].subscribers_max, rows[10].occurrences) == (2.0, 2, 2)
    assert (rows[11].subscribers_avg, rows[11].subscribers_max) == (1.0, 1)
    assert rows[10].place_id == "P_WORK" and rows[10].district == "松山湖"
    assert (rows[10].weekday, rows[10].hour) == (0, 10)
    assert sorted(h for h, r in rows.items() if r.is_peak) == [10, 11]
    assert sorted(h for h, r in rows.items() if r.is_valley) == [0, 1, 2]
    assert rows[10].period == "2026-11"
