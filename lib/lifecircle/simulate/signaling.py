"""True stays → clean signalling events (before any file-level dirt).

Per stay: periodic location updates on the subscriber's timer, calls / SMS / data sessions as
Poisson processes thinned by an hour-of-day activity profile, and ping-pong flips (A→B→A
handovers within a minute or two) to the neighbouring cell. Per trip: handovers (or location
updates on a LAC change) through the cells under the straight line between the places.
Phones of some subscribers are switched off at night at home.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .city import City
from .geo import expand

DAY = 86400
# Relative activity by hour of day for: ordinary, night-shift and night-owl subscribers.
PROFILE = np.array([
    [.05, .03, .02, .02, .02, .05, .25, .6, .85, .9, .9, .9, 1, .95, .9, .9, .9, .9, 1, 1, 1, .9, .7, .35],
    [.8, .7, .6, .6, .6, .7, .8, .7, .3, .05, .03, .03, .05, .1, .3, .6, .9, 1, 1, 1, .9, .9, .9, .9],
    [.9, .8, .6, .2, .05, .03, .03, .05, .1, .3, .6, .9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
])
POISSON_TYPES = {1: "rate_call_out", 2: "rate_call_in", 3: "rate_sms_out", 4: "rate_sms_in", 10: "rate_data"}
PINGPONG_PER_HOUR = 0.4


def _frame(sub, t, etype, cell) -> pd.DataFrame:
    return pd.DataFrame({"sub": np.asarray(sub, np.int32), "t": np.asarray(t, np.int64),
                         "etype": np.broadcast_to(np.asarray(etype, np.int8), np.shape(t)).copy(),
                         "cell": np.asarray(cell, np.int32)})


def stay_events(rng, pop: pd.DataFrame, stays: pd.DataFrame, city: City) -> list[pd.DataFrame]:
    sub, cell = stays["sub"].to_numpy(), city.places["cell"].to_numpy()[stays["place"].to_numpy()]
    start, end = stays["start"].to_numpy(), stays["end"].to_numpy()
    dur = end - start
    awake = pop["awake"].to_numpy()[sub]
    out = []
    # Periodic location updates every lu_period seconds from a random phase.
    period = pop["lu_period"].to_numpy()[sub]
    phase = (rng.random(len(sub)) * period).astype(np.int64)
    n_lu = np.where(phase < dur, (dur - phase - 1) // period + 1, 0)
    i, k = expand(n_lu)
    out.append(_frame(sub[i], start[i] + phase[i] + k * period[i], 6, cell[i]))
    # Calls, SMS and data sessions: Poisson at the maximal rate, thinned by the hour profile.
    for etype, col in POISSON_TYPES.items():
        lam = pop[col].to_numpy()[sub] * dur / 3600.0
        i, _ = expand(rng.poisson(lam))
        t = start[i] + (rng.random(len(i)) * dur[i]).astype(np.int64)
        keep = rng.random(len(i)) < PROFILE[awake[i], (t % DAY) // 3600]
        out.append(_frame(sub[i][keep], t[keep], etype, cell[i][keep]))
    # Ping-pong: a handover to the neighbour cell and back within 15–110 s, phone standing still.
    i, _ = expand(rng.poisson(PINGPONG_PER_HOUR * dur / 3600.0))
    t1 = start[i] + (rng.random(len(i)) * dur[i]).astype(np.int64)
    t2 = t1 + rng.integers(15, 111, len(i))
    keep = (t2 < end[i]) & (rng.random(len(i)) < np.maximum(PROFILE[awake[i], (t1 % DAY) // 3600], 0.3))
    i, t1, t2 = i[keep], t1[keep], t2[keep]
    out.append(_frame(sub[i], t1, 9, city.neighbour[cell[i]]))
    out.append(_frame(sub[i], t2, 9, cell[i]))
    return out


def trip_events(rng, stays: pd.DataFrame, city: City) -> pd.DataFrame:
    """Cells along the straight line between consecutive places; 9 inside a LAC, 5 across LACs."""
    sub = stays["sub"].to_numpy()
    same = np.flatnonzero(sub[1:] == sub[:-1])
    a, b = stays["place"].to_numpy()[same], stays["place"].to_numpy()[same + 1]
    depart, arrive = stays["end"].to_numpy()[same], stays["start"].to_numpy()[same + 1]
    px, py, pcell = city.places["x"].to_numpy(), city.places["y"].to_numpy(), city.places["cell"].to_numpy()
    dist = np.hypot(px[a] - px[b], py[a] - py[b])
    n_mid = np.clip(np.rint(dist / 1.5), 0, 12).astype(np.int64)
    # Sequence per trip: origin cell, intermediate cells, destination cell.
    j, k = expand(n_mid + 2)
    frac = k / (n_mid[j] + 1)
    perp = rng.normal(0, 0.3, len(j)) * ((k > 0) & (k <= n_mid[j]))
    dx, dy = px[b] - px[a], py[b] - py[a]
    norm = np.maximum(dist, 1e-9)
    x = px[a][j] + frac * dx[j] - perp * dy[j] / norm[j]
    y = py[a][j] + frac * dy[j] + perp * dx[j] / norm[j]
    cell = city.grid.lookup(x, y)
    cell[k == 0] = pcell[a][j[k == 0]]
    cell[k == n_mid[j] + 1] = pcell[b][j[k == n_mid[j] + 1]]
    prev = np.r_[-1, cell[:-1]]
    emit = (k > 0) & (cell != prev)
    lac = city.cells["lac"].to_numpy()
    etype = np.where(lac[cell] == lac[np.maximum(prev, 0)], 9, 5)
    t = depart[j] + (frac * (arrive - depart)[j]).astype(np.int64)
    return _frame(sub[same][j][emit], t[emit], etype[emit], cell[emit])


def power_cycles(rng, pop: pd.DataFrame, stays: pd.DataFrame, city: City, n_days: int) -> pd.DataFrame:
    """Night-time power off/on at home for subscribers who switch off (most nights)."""
    subs = np.flatnonzero(pop["power_off"].to_numpy())
    s = np.repeat(subs, n_days)
    d = np.tile(np.arange(n_days), len(subs))
    off = d * DAY + 23 * 3600 + rng.integers(0, 5400, len(s))
    on = (d + 1) * DAY + 6 * 3600 + 1800 + rng.integers(0, 3600, len(s))
    keys = stays["sub"].to_numpy().astype(np.int64) << 32 | stays["start"].to_numpy()
    i_off = np.searchsorted(keys, s.astype(np.int64) << 32 | off, side="right") - 1
    i_on = np.searchsorted(keys, s.astype(np.int64) << 32 | on, side="right") - 1
    home = pop["home"].to_numpy()[s]
    ok = ((rng.random(len(s)) < 0.8) & (i_off == i_on) & (i_off >= 0) & (on < n_days * DAY)
          & (stays["sub"].to_numpy()[i_off] == s) & (stays["place"].to_numpy()[i_off] == home)
          & (stays["end"].to_numpy()[i_off] > on))
    cell = city.places["cell"].to_numpy()[home]
    return pd.DataFrame({"sub": s[ok], "off": off[ok], "on": on[ok], "cell": cell[ok]})


def build_signaling(rng: np.random.Generator, pop: pd.DataFrame, stays: pd.DataFrame, city: City,
                    n_days: int) -> pd.DataFrame:
    """Clean, deduplicated events (sub, t, etype, cell) sorted by time, then subscriber."""
    parts = stay_events(rng, pop, stays, city) + [trip_events(rng, stays, city)]
    ev = pd.concat(parts, ignore_index=True)
    cycles = power_cycles(rng, pop, stays, city, n_days)
    # Nothing is recorded while a phone is off.
    ckeys = cycles["sub"].to_numpy().astype(np.int64) << 32 | cycles["off"].to_numpy()
    ekeys = ev["sub"].to_numpy().astype(np.int64) << 32 | ev["t"].to_numpy()
    c = np.searchsorted(ckeys, ekeys, side="right") - 1
    dark = np.zeros(len(ev), bool)
    if len(cycles):
        cc = np.maximum(c, 0)
        dark = (c >= 0) & (cycles["sub"].to_numpy()[cc] == ev["sub"].to_numpy()) & (ev["t"].to_numpy() < cycles["on"].to_numpy()[cc])
    ev = pd.concat([ev[~dark], _frame(cycles["sub"], cycles["off"], 8, cycles["cell"]),
                    _frame(cycles["sub"], cycles["on"], 7, cycles["cell"])], ignore_index=True)
    ev = ev[(ev["t"] >= 0) & (ev["t"] < n_days * DAY)]
    # Two records of the same subscriber, second, type and cell are one record: keep one.
    cols = [ev[c].to_numpy() for c in ("cell", "etype", "sub", "t")]
    order = np.lexsort(cols)
    s = [c[order] for c in cols]
    dup = np.r_[False, (s[0][1:] == s[0][:-1]) & (s[1][1:] == s[1][:-1]) & (s[2][1:] == s[2][:-1]) & (s[3][1:] == s[3][:-1])]
    return pd.DataFrame({"sub": s[2][~dup], "t": s[3][~dup], "etype": s[1][~dup], "cell": s[0][~dup]})
