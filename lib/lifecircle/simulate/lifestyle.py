"""Realistic daily life → true stays, out-of-city trips and the planned visits behind them.

Differences from the clean schedules (schedules.py), every one drawn per subscriber (habits.py):
- leisure comes from weekly rates, not daily coin flips: a moviegoer with 2.4 visits a month gets
  that many cinema days (stochastic rounding, at least one in the window), on days drawn with
  weekday / weekend preferences, avoiding days already planned;
- office workers arrive at their own time +- their own spread (at most 45 min), work their own
  hours, do overtime some days and work from home some days; factory shifts are day, night
  (5-6 nights a week, asleep at home by day) or rotate weekly;
- business travellers leave the city through a station (15-60 min there) and are gone 10-40 h
  (no stays, no records), often reappearing at the station; other trips are a client and a hotel
  night inside the city;
- some people stay home 2-4 days in a row; dormitory students live on campus; both give stays
  spanning several days (one row each).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .city import City
from .habits import LEISURE
from .realism import Realism
from .schedules import DAY, MIN_STAY, _attend_events, _consistent, _Day, _fill_home

H = 3600
# kind -> (weekday weight, Friday weight, Saturday weight, Sunday weight)
DAY_WEIGHT = {
    "gym": (1, 0.8, 0.6, 0.6), "basketball": (0.8, 0.8, 1.5, 1.5), "football": (0.5, 0.5, 1.5, 2.5),
    "golf": (0.1, 0.4, 3, 3), "cinema": (0.6, 1.2, 1.6, 1.4), "ktv": (0.6, 1.5, 1.5, 0.6),
    "concert": (0.3, 1, 2, 1.5), "bar": (0.7, 2, 2, 0.5), "mall": (0.6, 0.8, 2, 2), "market": (1, 1, 1, 1),
    "park": (0.3, 0.3, 2, 2.5), "talent": (1, 1, 0.3, 0), "training": (1, 1, 0.5, 0), "errand": (1, 1, 1, 1),
    "trip": (1, 0.5, 0.1, 0.3),
}
# kind -> (weekday start hhmm, sd min, weekend start hhmm, sd min, duration lo min, hi min)
TIMES = {
    "gym": (1915, 25, 1030, 60, 45, 100), "basketball": (1930, 15, 1500, 45, 80, 130),
    "football": (1930, 15, 1600, 30, 80, 120), "golf": (800, 40, 800, 40, 210, 300),
    "cinema": (1930, 30, 1430, 60, 110, 160), "ktv": (2000, 30, 2000, 45, 120, 200),
    "concert": (1945, 10, 1945, 10, 140, 170), "bar": (2240, 30, 2250, 30, 120, 240),
    "mall": (1900, 20, 1400, 60, 45, 180), "market": (1830, 20, 900, 45, 30, 80),
    "park": (1600, 30, 1000, 60, 60, 150), "talent": (930, 15, 930, 15, 120, 180),
    "training": (1400, 15, 1400, 15, 120, 150), "errand": (845, 30, 845, 30, 25, 60),
}


def _weights(kind: str, days: list[date]) -> np.ndarray:
    wd, fri, sat, sun = DAY_WEIGHT[kind]
    return np.array([[wd, wd, wd, wd, fri, sat, sun][d.weekday()] for d in days], float)


def visit_days(rng, rate_per_week: np.ndarray, days: list[date], kind: str, busy: np.ndarray | None = None,
               at_least_one: bool = True) -> np.ndarray:
    """(days, n) bool: rate x D / 7 visits (stochastic rounding; >= 1 for a positive rate when
    at_least_one) on distinct days drawn by the kind's day weights, avoiding busy days."""
    n, n_days = len(rate_per_week), len(days)
    count = np.floor(rate_per_week * n_days / 7 + rng.random(n)).astype(np.int64)
    if at_least_one:
        count = np.where(rate_per_week > 0, np.maximum(count, 1), count)
    count = np.minimum(count, n_days)
    w = np.repeat(_weights(kind, days)[:, None], n, axis=1)
    if busy is not None:
        w = w * np.where(busy, 0.02, 1.0)
    key = np.log(rng.random((n_days, n))) / np.maximum(w, 1e-9)
    rank = (-key).argsort(axis=0, kind="stable").argsort(axis=0, kind="stable")
    return (rank < count[None, :]) & (w > 0)


def _at(g: _Day, mean_s, sd_s, clip_s=None) -> np.ndarray:
    j = g.rng.normal(0, 1, g.n) * sd_s
    if clip_s is not None:
        j = np.clip(j, -clip_s, clip_s)
    return g.base + np.rint(np.asarray(mean_s, float) + j).astype(np.int64)


def _hm(hhmm: int) -> int:
    return (hhmm // 100) * H + (hhmm % 100) * 60


def _visit(g: _Day, kind: str, mask, place, weekend: bool, pop: pd.DataFrame) -> None:
    wd_t, wd_sd, we_t, we_sd, lo, hi = TIMES[kind]
    t, sd = (we_t, we_sd) if weekend else (wd_t, wd_sd)
    start = _at(g, _hm(t), sd * 60)
    if kind == "cinema" and weekend:  # afternoon or evening show
        start = np.where(g.rng.random(g.n) < 0.5, start, _at(g, _hm(1930), 1800))
    if kind == "park" and weekend:
        start = np.where(g.rng.random(g.n) < 0.5, start, _at(g, _hm(1500), 2400))
    if kind == "mall":
        dur = pop["shop_min"].to_numpy() * g.rng.uniform(0.6, 1.4, g.n) * 60
    else:
        dur = g.rng.uniform(lo, hi, g.n) * 60
    g.put(f"leisure_{kind}", mask, place, start, start + np.rint(dur).astype(np.int64))


def _week(day: date) -> int:
    return (day.toordinal() - 1) // 7  # weeks start on Monday (0001-01-01 was a Monday)


def _day(rng, pop, events, d: int, day: date, plan: dict[str, np.ndarray], in_city_trip: np.ndarray,
         after_trip: np.ndarray) -> _Day:
    n = len(pop)
    g = _Day(rng, n, d)
    wd, we = day.weekday() < 5, day.weekday() >= 5
    role = pop["role"].to_numpy()
    col = lambda c: pop[c].to_numpy()  # noqa: E731
    fav = {c[4:]: pop[c].to_numpy() for c in pop.columns if c.startswith("fav_")}
    u = lambda: rng.random(n)  # noqa: E731
    work = col("work")
    shift = col("shift")
    night_week = ((_week(day) + col("rot_phase")) % 2) == 1
    night_tonight = ((shift == "night") | ((shift == "rotating") & night_week)) & (
        (day.weekday() < 5) | ((day.weekday() == 6) & (u() < 0.5)))
    day_shift = (role == "factory") & ((shift == "day") | ((shift == "rotating") & ~night_week))

    # Office.
    office = (role == "office") & wd & ~in_city_trip & (u() >= col("wfh_p"))
    office |= (role == "office") & ~col("regular_hours") & (day.weekday() == 5) & (u() < 0.3)
    arrive = _at(g, col("arrive_s"), col("arrive_sd_s"), np.where(col("regular_hours"), 45 * 60, 90 * 60))
    overtime = np.where(u() < col("overtime_p"), rng.uniform(1, 3, n) * H, 0)
    leave = arrive + np.rint(col("hours_s") + overtime).astype(np.int64)
    g.put("main", office, work, arrive, leave)
    # Students.
    half = u() < 0.2
    g.put("main", (role == "student_uni") & wd & (u() < 0.93), work, g.t(810, 30),
          np.where(half, g.t(1230, 30), g.t(1700, 60)))
    g.put("main", (role == "student_school") & wd & (u() < 0.98), work, g.t(735, 5), g.t(1645, 10))
    # Factory: day shifts (long or normal, some Saturdays), night shifts (asleep at home by day).
    day_on = day_shift & (wd | ((day.weekday() == 5) & (u() < 0.6)))
    long_ = col("long_shift")
    g.put("main", day_on, work, np.where(long_, g.t(745, 8), g.t(800, 8)),
          np.where(long_, g.t(2000, 12), g.t(1730, 15)))
    g.put("main", night_tonight, work, g.t(1945, 10), g.t(3145, 12))
    # Job seekers and homebodies.
    seek = plan["talent"][d]
    g.put("main", seek, fav["talent"], g.t(930, 15), g.t(1200, 25))
    g.put("afternoon", plan["training"][d], fav["training"], g.t(1400, 15), g.t(1630, 15))
    g.put("errand", plan["errand"][d], fav["market"], g.t(845, 30), g.t(930, 15))
    # In-city business trips: a client office, then a hotel night.
    g.put("main", in_city_trip, fav["client"], g.t(1015, 15), g.t(1700, 20))
    g.put("hotel", in_city_trip, fav["hotel"], g.t(1930, 30), g.t(3150, 10))
    # School runs (office and homebody parents), weekend classes and outings.
    if wd:
        runs = col("parent") & np.isin(role, ["office", "homebody"]) & ~in_city_trip & ~after_trip
        runs &= u() < col("school_run_p")
        g.put("drop", runs, fav["school"], g.t(720, 5), g.t(740, 5))
        g.put("pick", runs & (role == "homebody"), fav["school"], g.t(1630, 6), g.t(1655, 5))
    elif day.weekday() == 5:
        g.put("morning", col("parent") & (u() < 0.4), fav["training"], g.t(900, 10), g.t(1100, 10))

    # Leisure from the plan; night workers only on their free evenings.
    for kind in LEISURE:
        mask = plan[kind][d] & ~in_city_trip
        if kind in ("bar", "ktv", "concert", "cinema", "gym", "basketball", "football", "mall") and not we:
            mask &= ~night_tonight
        _visit(g, kind, mask, fav[kind], we, pop)
    for kind in ("park", "mall", "cinema"):
        _visit(g, kind, plan[f"casual_{kind}"][d] & ~plan[kind][d] & ~in_city_trip & ~night_tonight,
               fav[kind], we, pop)
    g.put("visit", u() < 0.005, fav["hospital"], g.t(1000, 30), g.t(1130, 20))
    g.put("visit", u() < 0.004, fav["government"], g.t(930, 20), g.t(1030, 15))
    _attend_events(rng, pop, events, d, g, eligible=~in_city_trip & ~night_tonight)
    return g


def _plan(rng, pop: pd.DataFrame, days: list[date]) -> dict[str, np.ndarray]:
    """Visit days per kind: (days, n) bool each."""
    n = len(pop)
    busy = np.zeros((len(days), n), bool)
    plan = {}
    # Frequent kinds first, so the rare ones (cinema, concert) pick the days left free.
    for kind in ("gym", "basketball", "football", "mall", "market", "golf", "park", "ktv", "concert", "cinema"):
        plan[kind] = visit_days(rng, pop[f"rate_{kind}"].to_numpy(), days, kind, busy)
        busy |= plan[kind]
    plan["bar"] = visit_days(rng, pop["rate_bar"].to_numpy(), days, "bar")
    for kind in ("park", "mall", "cinema"):
        plan[f"casual_{kind}"] = visit_days(rng, pop[f"casual_{kind}"].to_numpy(), days, kind, busy,
                                            at_least_one=False)
    plan["talent"] = visit_days(rng, pop["talent_per_week"].to_numpy(), days, "talent")
    plan["training"] = visit_days(rng, pop["training_per_week"].to_numpy(), days, "training", plan["talent"],
                                  at_least_one=False)
    plan["errand"] = visit_days(rng, pop["errand_per_week"].to_numpy(), days, "errand")
    return plan


def _trips(rng, pop: pd.DataFrame, days: list[date], realism: Realism) -> tuple[pd.DataFrame, np.ndarray]:
    """Out-of-city trips (sub, station, station_start, depart, back, via_station) and in-city trip days."""
    n, n_days = len(pop), len(days)
    trip_days = visit_days(rng, pop["trips_per_week"].to_numpy(), days, "trip")
    out = trip_days & (rng.random((n_days, n)) < pop["trip_out_p"].to_numpy()[None, :])
    in_city = trip_days & ~out
    d_idx, sub = np.nonzero(out)
    k = len(sub)
    morning = rng.random(k) < 0.6
    arrive = d_idx * DAY + np.where(morning, rng.uniform(7, 10, k), rng.uniform(16, 20, k)) * H
    dur = realism.draw(rng, "station_stay_min", k) * 60
    away = realism.draw(rng, "trip_away_h", k) * H
    via = rng.random(k) < pop["via_station_p"].to_numpy()[sub]
    t = pd.DataFrame({"sub": sub, "station": pop["fav_station"].to_numpy()[sub],
                      "station_start": np.rint(arrive).astype(np.int64)})
    t["depart"] = t["station_start"] + np.rint(dur).astype(np.int64)
    t["back"] = t["depart"] + np.rint(away).astype(np.int64)
    t["via_station"] = via
    t["back_station_end"] = t["back"] + np.where(via, rng.integers(10 * 60, 30 * 60, k), 0)
    t = t.sort_values(["sub", "station_start"], ignore_index=True)
    # A trip starts at least 12 h after the previous one came back.
    keep = np.ones(len(t), bool)
    last_sub, last_end = -1, -np.inf
    for i, (s, st, end) in enumerate(zip(t["sub"], t["station_start"], t["back_station_end"], strict=True)):
        if s == last_sub and st < last_end + 12 * H:
            keep[i] = False
            continue
        last_sub, last_end = s, end
    t = t[keep].reset_index(drop=True)
    # No in-city trip on a day spent out of the city.
    for s, a, b in zip(t["sub"], t["station_start"], t["back_station_end"], strict=True):
        in_city[int(a // DAY): int(b // DAY) + 1, s] = False
    return t, in_city


def _overlapping(sub, start, end, b_sub, b_lo, b_hi) -> np.ndarray:
    """Rows whose [start, end) overlaps a block of the same subscriber (blocks disjoint per subscriber)."""
    if len(b_sub) == 0:
        return np.zeros(len(sub), bool)
    order = np.lexsort((b_lo, b_sub))
    b_sub, b_lo, b_hi = b_sub[order], b_lo[order], b_hi[order]
    keys = b_sub.astype(np.int64) << 34 | (b_lo + DAY)
    i = np.searchsorted(keys, sub.astype(np.int64) << 34 | (end + DAY), side="left") - 1
    ii = np.maximum(i, 0)
    return (i >= 0) & (b_sub[ii] == sub) & (b_hi[ii] > start)


def carve(stays: pd.DataFrame, b_sub, b_lo, b_hi) -> pd.DataFrame:
    """Remove [lo, hi) of the blocked subscribers from their stays (splitting a stay if needed)."""
    s = stays.copy()
    for _ in range(3):
        hit = _overlapping(s["sub"].to_numpy(), s["start"].to_numpy(), s["end"].to_numpy(), b_sub, b_lo, b_hi)
        if not hit.any():
            break
        h = s[hit]
        order = np.lexsort((b_lo, b_sub))
        keys = b_sub[order].astype(np.int64) << 34 | (b_lo[order] + DAY)
        i = order[np.searchsorted(keys, h["sub"].to_numpy().astype(np.int64) << 34 | (h["end"].to_numpy() + DAY),
                                  side="left") - 1]
        lo, hi = b_lo[i], b_hi[i]
        before = h.assign(end=np.minimum(h["end"].to_numpy(), lo))
        after = h.assign(start=np.maximum(h["start"].to_numpy(), hi))
        pieces = pd.concat([before[before["end"] > before["start"]], after[after["end"] > after["start"]]])
        s = pd.concat([s[~hit], pieces], ignore_index=True)
    s = s[s["end"] - s["start"] >= MIN_STAY]
    return s.sort_values(["sub", "start"], kind="stable", ignore_index=True)


def _merge_same_place(stays: pd.DataFrame) -> pd.DataFrame:
    new = (stays["sub"].diff() != 0) | (stays["place"].diff() != 0) | (stays["start"] > stays["end"].shift())
    key = new.cumsum()
    return stays.groupby(key, sort=False).agg(sub=("sub", "first"), place=("place", "first"),
                                              start=("start", "min"), end=("end", "max")).reset_index(drop=True)


def build_stays_realistic(rng: np.random.Generator, pop: pd.DataFrame, city: City, events: pd.DataFrame,
                          days: list[date], realism: Realism) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """(true stays, out-of-city trips, visit plan); stays are one row per continuous presence."""
    n, n_days = len(pop), len(days)
    window = n_days * DAY
    plan = _plan(rng, pop, days)
    trips, in_city = _trips(rng, pop, days, realism)
    parts = []
    for d, day in enumerate(days):
        g = _day(rng, pop, events, d, day, plan, in_city[d], in_city[d - 1] if d else np.zeros(n, bool))
        for p, s, e in g.slots.values():
            m = p >= 0
            parts.append((np.flatnonzero(m), p[m], s[m], e[m]))
    sub, place, start, end = (np.concatenate([p[k] for p in parts]) for k in range(4))

    # Stays at home for several days: every activity in the block is dropped (not travellers).
    share = realism.draw(rng, "stay_home_share")
    cand = np.flatnonzero(~pop["business_traveler"].to_numpy() & (rng.random(n) < share))
    first_days = [k for k, day in enumerate(days) if day.weekday() in (4, 5)] or list(range(n_days))
    h_lo = np.array(first_days)[rng.integers(0, len(first_days), len(cand))] * DAY
    h_hi = h_lo + realism.draw(rng, "stay_home_days", len(cand)) * DAY
    b_sub = np.r_[trips["sub"].to_numpy(), cand].astype(np.int64)
    b_lo = np.r_[trips["station_start"].to_numpy() - 100 * 60, h_lo].astype(np.int64)
    b_hi = np.r_[trips["back_station_end"].to_numpy() + 30 * 60, h_hi].astype(np.int64)
    hit = _overlapping(sub, start, end, b_sub, b_lo, b_hi)
    sub, place, start, end = sub[~hit], place[~hit], start[~hit], end[~hit]
    # The stations on the way out and (for some) back in.
    via = trips[trips["via_station"]]
    sub = np.r_[sub, trips["sub"], via["sub"]]
    place = np.r_[place, trips["station"], via["station"]]
    start = np.r_[start, trips["station_start"], via["back"]]
    end = np.r_[end, trips["depart"], via["back_station_end"]]
    end = np.minimum(end, window)
    keep = start < window
    sub, place, start, end = sub[keep], place[keep], start[keep], end[keep]
    sub, place, start, end = _consistent(city.places, sub, place, start, end)
    stays = _fill_home(city.places, pop["home"].to_numpy(), n, sub, place, start, end, window)
    stays = carve(stays, trips["sub"].to_numpy().astype(np.int64), trips["depart"].to_numpy(),
                  trips["back"].to_numpy())
    stays = _merge_same_place(stays)
    trips = trips[trips["depart"] < window].reset_index(drop=True)
    return stays, trips, plan
