"""Daily schedules → true stays.

Each day every subscriber gets at most one activity per *slot* (school run, main, weekend
morning, weekend afternoon, evening, late night, errands, business-trip legs, events), drawn
for all subscribers at once. Activities are then made consistent (a later activity starts
only after the earlier one ended plus travel), and the gaps are filled with home when there is
time to go home, otherwise the subscriber lingers where they are. Times are integer seconds
from local midnight of the first day.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .city import City

DAY = 86400
MIN_STAY = 8 * 60
HOME_MIN = 30 * 60


def travel_s(places: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Door-to-door seconds between places: 5 min overhead plus 25 km/h, capped at 90 min."""
    x, y = places["x"].to_numpy(), places["y"].to_numpy()
    d = np.hypot(x[a] - x[b], y[a] - y[b])
    return np.minimum(300 + d / 25.0 * 3600, 5400).astype(np.int64)


class _Day:
    """Slot arrays for one day: place (-1 = none), start and end seconds."""

    def __init__(self, rng: np.random.Generator, n: int, d: int):
        self.rng, self.n, self.base = rng, n, d * DAY
        self.slots: dict[str, list[np.ndarray]] = {}

    def t(self, hhmm: int, sd_min: float) -> np.ndarray:
        h, m = divmod(hhmm, 100)
        jitter = np.rint(self.rng.normal(0, sd_min * 60, self.n)).astype(np.int64)
        return self.base + h * 3600 + m * 60 + jitter

    def put(self, name: str, mask: np.ndarray, place, start: np.ndarray, end: np.ndarray) -> None:
        if name not in self.slots:
            self.slots[name] = [np.full(self.n, -1), np.zeros(self.n, np.int64), np.zeros(self.n, np.int64)]
        p, s, e = self.slots[name]
        place = np.broadcast_to(np.asarray(place), (self.n,))
        p[mask], s[mask], e[mask] = place[mask], start[mask], end[mask]

    def pick(self, name: str, cands: list[tuple]) -> None:
        """One activity among the candidates (mask, place, start, end) whose mask holds."""
        if not cands:
            return
        act = np.column_stack([c[0] for c in cands])
        j = np.where(act, self.rng.random(act.shape), -1.0).argmax(axis=1)
        rows = np.arange(self.n)

        def col(k):
            return np.column_stack([np.broadcast_to(np.asarray(c[k]), (self.n,)) for c in cands])[rows, j]

        self.put(name, act.any(axis=1), col(1), col(2), col(3))

    def clear(self, mask: np.ndarray, lo: int, hi: int) -> None:
        """Drop every activity of the masked subscribers that overlaps [lo, hi)."""
        for p, s, e in self.slots.values():
            p[mask & (p >= 0) & (s < hi) & (e > lo)] = -1


def _day_activities(rng, pop: pd.DataFrame, events: pd.DataFrame, d: int, day: date,
                    trip_start: np.ndarray, trip_back: np.ndarray) -> _Day:
    n = len(pop)
    g = _Day(rng, n, d)
    wd, we = day.weekday() < 5, day.weekday() >= 5
    role = pop["role"].to_numpy()
    has = {c: pop[c].to_numpy() for c in pop.columns if pop[c].dtype == bool}
    fav = {c[4:]: pop[c].to_numpy() for c in pop.columns if c.startswith("fav_")}
    u = lambda: rng.random(n)  # noqa: E731 - a fresh uniform per subscriber
    work = pop["work"].to_numpy()
    on_trip = trip_start | trip_back
    night_work = has["night_shift"] & wd

    # Main activity.
    if wd:
        office = (role == "office") & (u() < 0.96) & ~on_trip
        reg = has["regular_hours"]
        g.put("main", office, work, np.where(reg, g.t(845, 10), g.t(940, 25)),
              np.where(reg, g.t(1750, 12), g.t(2030, 35)))
        g.put("main", (role == "student_uni") & (u() < 0.95), work, g.t(810, 15), g.t(1700, 40))
        g.put("main", (role == "student_school") & (u() < 0.98), work, g.t(735, 5), g.t(1645, 10))
        g.put("main", night_work & (u() < 0.97), work, g.t(1945, 8), g.t(3145, 8))
    day_factory = (role == "factory") & ~has["night_shift"] & (wd | ((day.weekday() == 5) & (u() < 0.6)))
    long_ = has["long_shift"]
    g.put("main", day_factory, work, np.where(long_, g.t(745, 6), g.t(800, 6)),
          np.where(long_, g.t(2000, 8), g.t(1730, 10)))
    seek = role == "job_seeker"
    g.put("main", seek & np.isin(day.weekday(), [1, 3, 5]) & (u() < 0.85), fav["talent"], g.t(930, 15), g.t(1200, 20))
    g.put("main", seek & np.isin(day.weekday(), [0, 2, 4]) & (u() < 0.4), fav["training"], g.t(1400, 15), g.t(1630, 15))
    g.put("errand", (role == "homebody") & (u() < 0.45), fav["market"], g.t(845, 15), g.t(915, 8))

    # Business trips: out via a station to a client office and a hotel night; back the next day.
    g.put("station", trip_start, fav["station"], g.t(800, 10), g.t(840, 5))
    g.put("main", trip_start, fav["client"], g.t(1015, 15), g.t(1700, 20))
    g.put("hotel", trip_start, fav["hotel"], g.t(1900, 20), g.t(3150, 10))
    g.put("station", trip_back, fav["station"], g.t(830, 10), g.t(905, 5))
    g.put("main", trip_back, work, g.t(1015, 10), g.t(1800, 15))

    # School runs.
    if wd:
        runs = has["parent"] & np.isin(role, ["office", "homebody"]) & ~on_trip
        g.put("drop", runs & (u() < 0.85), fav["school"], g.t(720, 5), g.t(748, 4))
        g.put("pick", runs & (role == "homebody") & (u() < 0.85), fav["school"], g.t(1630, 6), g.t(1700, 5))

    free = ~on_trip
    if we:
        sunday = day.weekday() == 6
        g.pick("morning", [
            (has["golf"] & (u() < 0.55), fav["golf"], g.t(800, 20), g.t(1230, 20)),
            (has["fitness"] & (u() < 0.4), fav["gym"], g.t(1000, 20), g.t(1130, 15)),
            (has["parent"] & sunday & (u() < 0.45), fav["park"], g.t(930, 20), g.t(1130, 20)),
            (has["parent"] & ~sunday & (u() < 0.5), fav["training"], g.t(900, 10), g.t(1100, 10)),
            (u() < 0.08, fav["park"], g.t(900, 30), g.t(1030, 20)),
        ])
        g.pick("afternoon", [
            (has["basketball"] & (u() < 0.55), fav["basketball"], g.t(1500, 20), g.t(1700, 15)),
            (has["football"] & (u() < (0.55 if sunday else 0.2)), fav["football"], g.t(1600, 15), g.t(1800, 10)),
            (has["shopper"] & (u() < 0.7), np.where(u() < 0.7, fav["mall"], fav["market"]), g.t(1400, 30), g.t(1700, 30)),
            ((role == "homebody") & (u() < 0.3), fav["park"], g.t(1500, 20), g.t(1630, 15)),
            (u() < 0.12, fav["mall"], g.t(1430, 30), g.t(1630, 20)),
        ])

    # Evening and late night, only for those whose day leaves room for it.
    p_main, _, e_main = g.slots["main"]
    evening_ok = free & ~night_work & ((p_main < 0) | (e_main < g.base + 18 * 3600 + 45 * 60))
    concert = u() < 0.5
    g.pick("evening", [
        (evening_ok & has["fitness"] & (u() < (0.45 if wd else 0.2)), fav["gym"], g.t(1915, 15), g.t(2035, 10)),
        (evening_ok & has["basketball"] & wd & (u() < 0.25), fav["basketball"], g.t(1930, 10), g.t(2100, 10)),
        (evening_ok & has["football"] & wd & (u() < 0.15), fav["football"], g.t(1930, 10), g.t(2100, 10)),
        (evening_ok & has["movie"] & (u() < (0.15 if wd else 0.5)), fav["cinema"], g.t(1930, 15), g.t(2150, 10)),
        (evening_ok & has["music"] & (u() < (0.2 if wd else 0.4)), np.where(we & concert, fav["concert"], fav["ktv"]),
         np.where(we & concert, g.t(1945, 10), g.t(2000, 15)), np.where(we & concert, g.t(2215, 10), g.t(2230, 10))),
        (evening_ok & has["shopper"] & wd & (u() < 0.25), fav["mall"], g.t(1900, 15), g.t(2045, 15)),
        (evening_ok & (u() < 0.02), fav["cinema"], g.t(1930, 15), g.t(2140, 10)),
        (evening_ok & (u() < 0.03), fav["mall"], g.t(1900, 20), g.t(2030, 15)),
    ])
    g.put("late", free & ~night_work & has["night_owl"] & (u() < (0.35 if wd else 0.7)), fav["bar"],
          g.t(2240, 15), g.t(2540 if wd else 2640, 25))
    g.put("visit", free & (u() < 0.005), fav["hospital"], g.t(1000, 30), g.t(1130, 20))
    g.put("visit", free & (u() < 0.004), fav["government"], g.t(930, 20), g.t(1030, 15))

    _attend_events(rng, pop, events, d, g, eligible=free & ~night_work)
    return g


EVENT_APPEAL = {  # event_type -> (persona weights, base probability)
    "basketball": ({"basketball": 0.5}, 0.01),
    "concert": ({"music": 0.5}, 0.01),
    "flower_festival": ({"parent": 0.3, "homebody": 0.2}, 0.04),
    "football": ({"football": 0.5}, 0.01),
    "exhibition": ({"business_traveler": 0.2, "office": 0.03}, 0.01),
}


def _attend_events(rng, pop: pd.DataFrame, events: pd.DataFrame, d: int, g: _Day, eligible: np.ndarray) -> None:
    """Attendees drop whatever overlaps the event and go; a few only pass by briefly."""
    n = len(pop)
    taken = np.zeros(n, bool)
    for ev in events[events["day_index"] == d].itertuples():
        weights, base = EVENT_APPEAL[ev.event_type]
        prob = base + sum(w * pop[p].to_numpy() for p, w in weights.items())
        go = eligible & ~taken & (rng.random(n) < prob)
        taken |= go
        g.clear(go, ev.start_s - 7200, ev.end_s + 3600)
        dur = ev.end_s - ev.start_s
        brief = rng.random(n) < 0.08
        start = np.where(brief, ev.start_s + rng.integers(0, int(dur * 0.8), n),
                         ev.start_s - rng.integers(0, 2400, n))
        end = np.where(brief, start + rng.integers(600, 2400, n), ev.end_s + rng.integers(0, 1200, n))
        g.put(f"event{ev.event_id}", go, ev.place, start, end)


def _trip_days(rng, pop: pd.DataFrame, days: list[date]) -> np.ndarray:
    """(days, n) business-trip start flags: Mon–Thu, never two in a row."""
    n = len(pop)
    starts = np.zeros((len(days) + 1, n), bool)
    for d, day in enumerate(days):
        if day.weekday() <= 3 and d < len(days) - 1:
            starts[d] = pop["business_traveler"].to_numpy() & (rng.random(n) < 0.3) & ~starts[d - 1]
    return starts


def _consistent(places: pd.DataFrame, sub, place, start, end):
    """Sort per subscriber; push a start after the previous end plus travel, drop what no longer fits."""
    order = np.lexsort((start, sub))
    order = order[end[order] - start[order] >= MIN_STAY]
    sub, place, start, end = sub[order], place[order], start[order], end[order]
    for _ in range(20):
        same = sub[1:] == sub[:-1]
        need = end[:-1] + travel_s(places, place[:-1], place[1:])
        late = np.flatnonzero(same & (start[1:] < need)) + 1
        if len(late) == 0:
            break
        start[late] = need[late - 1]
        keep = end - start >= MIN_STAY
        sub, place, start, end = sub[keep], place[keep], start[keep], end[keep]
    return sub, place, start, end


def build_stays(rng: np.random.Generator, pop: pd.DataFrame, city: City, events: pd.DataFrame,
                days: list[date]) -> pd.DataFrame:
    """True stays (sub, place, start, end), ordered per subscriber, filling gaps with home."""
    trips = _trip_days(rng, pop, days)
    parts = []
    for d, day in enumerate(days):
        g = _day_activities(rng, pop, events, d, day, trips[d], trips[d - 1] if d else trips[-1])
        for p, s, e in g.slots.values():
            m = p >= 0
            parts.append((np.flatnonzero(m), p[m], s[m], e[m]))
    sub, place, start, end = (np.concatenate([p[k] for p in parts]) for k in range(4))
    window = len(days) * DAY
    end = np.minimum(end, window)
    sub, place, start, end = _consistent(city.places, sub, place, start, end)
    return _fill_home(city.places, pop["home"].to_numpy(), len(pop), sub, place, start, end, window)


def _fill_home(places, home, n, sub, place, start, end, window) -> pd.DataFrame:
    h = home[sub]
    same = np.r_[sub[1:] == sub[:-1], False]
    nxt = np.r_[place[1:], 0]
    to_home, from_home = travel_s(places, place, h), travel_s(places, h, nxt)
    gap = np.r_[start[1:], window] - end
    go_home = same & (gap >= to_home + from_home + HOME_MIN)
    # Home between activities, before the first and after the last one of each subscriber.
    first = np.r_[True, sub[1:] != sub[:-1]]
    last = ~same & (end + to_home < window)
    home_rows = [
        (sub[go_home], h[go_home], end[go_home] + to_home[go_home], np.r_[start[1:], 0][go_home] - from_home[go_home]),
        (sub[first], h[first], np.zeros(first.sum(), np.int64), start[first] - travel_s(places, h[first], place[first])),
        (sub[last], h[last], end[last] + to_home[last], np.full(last.sum(), window)),
    ]
    idle = np.setdiff1d(np.arange(n), sub)
    home_rows.append((idle, home[idle], np.zeros(len(idle), np.int64), np.full(len(idle), window)))
    # No time to go home: linger at the current place until leaving for the next one.
    linger = same & ~go_home
    end = end.copy()
    end[linger] = np.maximum(end[linger], np.r_[start[1:], 0][linger] - travel_s(places, place, nxt)[linger])
    cols = [np.concatenate([sub] + [r[0] for r in home_rows]), np.concatenate([place] + [r[1] for r in home_rows]),
            np.concatenate([start] + [r[2] for r in home_rows]), np.concatenate([end] + [r[3] for r in home_rows])]
    stays = pd.DataFrame(dict(zip(["sub", "place", "start", "end"], cols, strict=True)))
    stays = stays[stays["end"] - stays["start"] >= MIN_STAY]
    stays = stays.sort_values(["sub", "start"], kind="stable", ignore_index=True)
    # Consecutive stays at the same place (e.g. a market visit after lingering there) are one stay.
    new = (stays["sub"].diff() != 0) | (stays["place"].diff() != 0)
    key = new.cumsum()
    return stays.groupby(key, sort=False).agg(sub=("sub", "first"), place=("place", "first"),
                                              start=("start", "min"), end=("end", "max")).reset_index(drop=True)
