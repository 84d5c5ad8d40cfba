"""True stays → realistic signalling records (before any file-level dirt).

- calls, SMS and data sessions are Poisson at the subscriber's own (often low) rates, thinned by
  an hour profile whose sleeping hours carry the subscriber's own small overnight activity;
- a stationary phone's records land on the place's other serving cells for a per-stay share
  (`neighbour_share`): runs of 1-4 consecutive records on one alternate cell (single records
  minutes apart, or a few in a row), plus quick A-B-A handover bursts;
- the periodic location update fires when the phone has been silent for the network's timer
  (every record restarts it), so an idle phone reports once per 1-6 h;
- phones switched off at night (8 ... 7) and phones out of the city record nothing; a phone
  coming back sends a location update (5) where it reappears.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .city import City
from .geo import expand
from .realism import Realism
from .signaling import DAY, POISSON_TYPES, PROFILE, trip_events

# Hours of sleep for ordinary, night-shift and night-owl subscribers: their own night activity applies.
SLEEP = np.zeros((3, 24), bool)
SLEEP[0, 1:6] = True
SLEEP[1, 10:15] = True
SLEEP[2, 4:9] = True


def _frame(sub, t, etype, cell, place) -> pd.DataFrame:
    return pd.DataFrame({"sub": np.asarray(sub, np.int32), "t": np.asarray(t, np.int64),
                         "etype": np.broadcast_to(np.asarray(etype, np.int8), np.shape(t)).copy(),
                         "cell": np.asarray(cell, np.int32), "place": np.asarray(place, np.int32)})


class _Alternates:
    """Per place, its alternate serving cells and their cumulative shares (for vectorized draws)."""

    def __init__(self, city: City):
        sv = city.serving
        alt = sv[~sv["main"]].sort_values(["place", "cell"], kind="stable")
        n = len(city.places)
        self.count = np.bincount(alt["place"], minlength=n)
        self.offset = np.r_[0, np.cumsum(self.count)[:-1]]
        self.cell = alt["cell"].to_numpy()
        share = alt["share"].to_numpy()
        tot = np.bincount(alt["place"], weights=share, minlength=n)
        cum = np.cumsum(share) - np.repeat(np.cumsum(tot) - tot, self.count)
        self.cum = cum / np.maximum(np.repeat(tot, self.count), 1e-12)
        self.pingpong = sv.groupby("place")["pingpong_per_h"].first().reindex(range(n), fill_value=0).to_numpy()

    def draw(self, rng, place: np.ndarray) -> np.ndarray:
        """One alternate cell per row (the place must have one)."""
        u = rng.random(len(place))
        k = self.count[place]
        # Index of the first cumulative share >= u within the place's block.
        j = np.zeros(len(place), np.int64)
        for step in range(int(k.max()) if len(k) else 0):
            idx = self.offset[place] + step
            j += (step < k - 1) & (self.cum[np.minimum(idx, len(self.cum) - 1)] < u)
        return self.cell[self.offset[place] + j]


def _profile(pop, stays, days) -> tuple[np.ndarray, np.ndarray]:
    """Per stay the awake kind (rotating workers follow their week) and the subscriber's night activity."""
    sub = stays["sub"].to_numpy()
    awake = pop["awake"].to_numpy()[sub].copy()
    rot = pop["shift"].to_numpy()[sub] == "rotating"
    if rot.any():
        week = np.array([(d.toordinal() - 1) // 7 for d in days])
        day = np.minimum(stays["start"].to_numpy() // DAY, len(days) - 1)
        night = (week[day] + pop["rot_phase"].to_numpy()[sub]) % 2 == 1
        awake[rot & night] = 1
    return awake, pop["night_activity"].to_numpy()[sub]


def _activity(awake, night, t) -> np.ndarray:
    hour = (t % DAY) // 3600
    return np.where(SLEEP[awake, hour], night, PROFILE[awake, hour])


def _place_cells(rng, alts: _Alternates, main, place, share, stay, t, runs_lo, runs_hi) -> np.ndarray:
    """Cells of records sorted by (stay, t): main, or runs on an alternate with the stay's share."""
    cell = main.copy()
    has = alts.count[place] > 0
    n = len(t)
    if not has.any():
        return cell
    run_len = rng.integers(runs_lo, runs_hi + 1, n)
    mean_run = (runs_lo + runs_hi) / 2
    starts = has & (rng.random(n) < share / mean_run)
    # Run from each start over the next run_len records of the same stay.
    stay_end = np.r_[np.flatnonzero(np.diff(stay)) + 1, n]
    last = stay_end[np.searchsorted(stay_end, np.arange(n), side="right")]
    idx = np.flatnonzero(starts)
    stop = np.minimum(idx + run_len[idx], last[idx])
    diff = np.zeros(n + 1, np.int64)
    np.add.at(diff, idx, 1)
    np.add.at(diff, stop, -1)
    on_alt = np.cumsum(diff)[:n] > 0
    # The alternate of the latest run start covering the record.
    mark = np.where(starts, np.arange(n), -1)
    latest = np.maximum.accumulate(mark)
    chosen = np.full(n, -1, np.int64)
    chosen[idx] = alts.draw(rng, place[idx])
    cell[on_alt] = chosen[latest[on_alt]]
    return cell


def stay_records(rng, pop: pd.DataFrame, stays: pd.DataFrame, city: City, alts: _Alternates,
                 realism: Realism, days) -> tuple[list[pd.DataFrame], np.ndarray]:
    sub, place = stays["sub"].to_numpy(), stays["place"].to_numpy()
    main = city.places["cell"].to_numpy()[place]
    start, end = stays["start"].to_numpy(), stays["end"].to_numpy()
    dur = end - start
    awake, night = _profile(pop, stays, days)
    share = np.where(alts.count[place] > 0, realism.draw(rng, "neighbour_share", len(stays)), 0.0)
    scale = pop["activity_scale"].to_numpy()[sub]
    idx, ts, types = [], [], []
    for etype, col in POISSON_TYPES.items():
        lam = pop[col].to_numpy()[sub] * scale * dur / 3600.0
        i, _ = expand(rng.poisson(lam))
        t = start[i] + (rng.random(len(i)) * dur[i]).astype(np.int64)
        keep = rng.random(len(i)) < _activity(awake[i], night[i], t)
        idx.append(i[keep])
        ts.append(t[keep])
        types.append(np.full(keep.sum(), etype, np.int8))
    i, t, et = np.concatenate(idx), np.concatenate(ts), np.concatenate(types)
    order = np.lexsort((t, i))
    i, t, et = i[order], t[order], et[order]
    lo, hi = (int(round(v)) for v in realism.alt_run_events)
    cell = _place_cells(rng, alts, main[i], place[i], share[i], i, t, lo, hi)
    out = [_frame(sub[i], t, et, cell, place[i])]
    # Quick A-B-A handover bursts to an alternate serving cell.
    has = alts.count[place] > 0
    i, _ = expand(rng.poisson(alts.pingpong[place] * has * dur / 3600.0))
    t1 = start[i] + (rng.random(len(i)) * dur[i]).astype(np.int64)
    t2 = t1 + rng.integers(15, 111, len(i))
    keep = (t2 < end[i]) & (rng.random(len(i)) < np.maximum(_activity(awake[i], night[i], t1), 0.2))
    i, t1, t2 = i[keep], t1[keep], t2[keep]
    out.append(_frame(sub[i], t1, 9, alts.draw(rng, place[i]), place[i]))
    out.append(_frame(sub[i], t2, 9, main[i], place[i]))
    return out, share


def power_cycles(rng, pop: pd.DataFrame, stays: pd.DataFrame, city: City, n_days: int) -> pd.DataFrame:
    """Night power off (22:30-01:00) / on (06:00-08:00) at home, on the subscriber's share of nights."""
    subs = np.flatnonzero(pop["power_off"].to_numpy())
    s = np.repeat(subs, n_days)
    d = np.tile(np.arange(n_days), len(subs))
    off = d * DAY + 22 * 3600 + 1800 + rng.integers(0, 9000, len(s))
    on = (d + 1) * DAY + 6 * 3600 + rng.integers(0, 7200, len(s))
    keys = stays["sub"].to_numpy().astype(np.int64) << 32 | stays["start"].to_numpy()
    i_off = np.searchsorted(keys, s.astype(np.int64) << 32 | off, side="right") - 1
    i_on = np.searchsorted(keys, s.astype(np.int64) << 32 | on, side="right") - 1
    home = pop["home"].to_numpy()[s]
    ok = ((rng.random(len(s)) < pop["power_off_p"].to_numpy()[s]) & (i_off == i_on) & (i_off >= 0)
          & (on < n_days * DAY) & (stays["sub"].to_numpy()[i_off] == s)
          & (stays["place"].to_numpy()[i_off] == home) & (stays["end"].to_numpy()[i_off] > on))
    return pd.DataFrame({"sub": s[ok], "off": off[ok], "on": on[ok], "cell": city.places["cell"].to_numpy()[home[ok]],
                         "place": home[ok]})


def _dark(ev: pd.DataFrame, d_sub, d_lo, d_hi) -> np.ndarray:
    """Records inside [lo, hi) of a dark interval of their subscriber (intervals disjoint per subscriber)."""
    if len(d_sub) == 0 or len(ev) == 0:
        return np.zeros(len(ev), bool)
    order = np.lexsort((d_lo, d_sub))
    d_sub, d_lo, d_hi = d_sub[order], d_lo[order], d_hi[order]
    keys = d_sub.astype(np.int64) << 34 | (d_lo + DAY)
    e_sub, e_t = ev["sub"].to_numpy().astype(np.int64), ev["t"].to_numpy()
    c = np.searchsorted(keys, e_sub << 34 | (e_t + DAY), side="right") - 1
    cc = np.maximum(c, 0)
    return (c >= 0) & (d_sub[cc] == e_sub) & (e_t < d_hi[cc])


def _stay_at(stays: pd.DataFrame, sub: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Index of the latest stay of sub starting at or before t (-1 if none)."""
    keys = stays["sub"].to_numpy().astype(np.int64) << 34 | (stays["start"].to_numpy() + DAY)
    i = np.searchsorted(keys, sub.astype(np.int64) << 34 | (t + DAY), side="right") - 1
    ok = (i >= 0) & (stays["sub"].to_numpy()[np.maximum(i, 0)] == sub)
    return np.where(ok, i, -1)


def periodic_updates(rng, pop, stays, ev: pd.DataFrame, city: City, alts: _Alternates, share: np.ndarray,
                     n_days: int) -> pd.DataFrame:
    """Periodic location updates (6) wherever a phone stayed silent for its timer."""
    n = len(pop)
    period = pop["lu_period"].to_numpy()
    # A virtual last record before the window at a random phase of the timer.
    phase = -(rng.random(n) * period).astype(np.int64)
    sub = np.r_[np.arange(n), ev["sub"].to_numpy()]
    t = np.r_[phase, ev["t"].to_numpy()]
    order = np.lexsort((t, sub))
    sub, t = sub[order], t[order]
    nxt = np.r_[t[1:], 0]
    same = np.r_[sub[1:] == sub[:-1], False]
    gap_end = np.where(same, nxt, n_days * DAY)
    count = np.maximum((gap_end - t - 1) // period[sub], 0)
    i, k = expand(count)
    lu_sub = sub[i]
    lu_t = t[i] + (k + 1) * period[lu_sub]
    keep = (lu_t >= 0) & (lu_t < n_days * DAY)
    lu_sub, lu_t = lu_sub[keep], lu_t[keep]
    st = _stay_at(stays, lu_sub, lu_t)
    inside = (st >= 0) & (lu_t < stays["end"].to_numpy()[np.maximum(st, 0)])
    place = np.where(st >= 0, stays["place"].to_numpy()[np.maximum(st, 0)], -1)
    main = city.places["cell"].to_numpy()[np.maximum(place, 0)]
    alt = (place >= 0) & (alts.count[np.maximum(place, 0)] > 0) & (rng.random(len(st)) < share[np.maximum(st, 0)])
    cell = main.copy()
    if alt.any():
        cell[alt] = alts.draw(rng, place[alt])
    # Between stays (travelling) the phone is under the cells of the way: take the grid cell halfway.
    moving = ~inside & (st >= 0)
    if moving.any():
        a = place[moving]
        nxt_i = np.minimum(st[moving] + 1, len(stays) - 1)
        b = np.where(stays["sub"].to_numpy()[nxt_i] == lu_sub[moving], stays["place"].to_numpy()[nxt_i], a)
        x = (city.places["x"].to_numpy()[a] + city.places["x"].to_numpy()[b]) / 2
        y = (city.places["y"].to_numpy()[a] + city.places["y"].to_numpy()[b]) / 2
        cell[moving] = city.grid.lookup(x, y)
    return _frame(lu_sub, lu_t, 6, cell, np.where(inside, place, -1))


def build_signaling_realistic(rng: np.random.Generator, pop: pd.DataFrame, stays: pd.DataFrame, city: City,
                              trips: pd.DataFrame, realism: Realism, days) -> pd.DataFrame:
    """Clean, deduplicated records (sub, t, etype, cell, place) sorted by time, then subscriber;
    place is the true place of the stay a record was emitted in (-1 on the move)."""
    n_days = len(days)
    alts = _Alternates(city)
    parts, share = stay_records(rng, pop, stays, city, alts, realism, days)
    moves = trip_events(rng, stays, city)
    moves["place"] = np.int32(-1)
    ev = pd.concat(parts + [moves], ignore_index=True)
    cycles = power_cycles(rng, pop, stays, city, n_days)
    d_sub = np.r_[cycles["sub"].to_numpy(), trips["sub"].to_numpy()].astype(np.int64)
    d_lo = np.r_[cycles["off"].to_numpy(), trips["depart"].to_numpy()].astype(np.int64)
    d_hi = np.r_[cycles["on"].to_numpy(), trips["back"].to_numpy()].astype(np.int64)
    ev = ev[~_dark(ev, d_sub, d_lo, d_hi)]
    # Coming back into the network: a location update where the phone reappears.
    back = trips[trips["back"] < n_days * DAY]
    st = _stay_at(stays, back["sub"].to_numpy(), back["back"].to_numpy())
    ok = st >= 0
    bplace = stays["place"].to_numpy()[st[ok]]
    ev = pd.concat([ev, _frame(cycles["sub"], cycles["off"], 8, cycles["cell"], cycles["place"]),
                    _frame(cycles["sub"], cycles["on"], 7, cycles["cell"], cycles["place"]),
                    _frame(back["sub"].to_numpy()[ok], back["back"].to_numpy()[ok], 5,
                           city.places["cell"].to_numpy()[bplace], bplace)], ignore_index=True)
    ev = ev[(ev["t"] >= 0) & (ev["t"] < n_days * DAY)]
    lu = periodic_updates(rng, pop, stays, ev, city, alts, share, n_days)
    lu = lu[~_dark(lu, d_sub, d_lo, d_hi)]
    ev = pd.concat([ev, lu], ignore_index=True)
    cols = [ev[c].to_numpy() for c in ("cell", "etype", "sub", "t")]
    order = np.lexsort(cols)
    s = [c[order] for c in cols]
    dup = np.r_[False, (s[0][1:] == s[0][:-1]) & (s[1][1:] == s[1][:-1]) & (s[2][1:] == s[2][:-1])
                & (s[3][1:] == s[3][:-1])]
    return pd.DataFrame({"sub": s[2][~dup], "t": s[3][~dup], "etype": s[1][~dup], "cell": s[0][~dup],
                         "place": ev["place"].to_numpy()[order][~dup]})
