"""Signaling events → stays, vectorized with numpy after a single shuffle by subscriber.

Spark hash-partitions the events by subscriber (the only shuffle); ``mapInArrow`` hands each
partition to numpy, which sorts it by subscriber and time and runs :func:`detect` on chunks that
never split a subscriber. Everything in :func:`detect` works on whole arrays (no loop over rows
or subscribers). It is written for how real feeds behave: idle phones report every 1–6 hours,
some are switched off at night, and a phone standing still camps now and then on another of the
cells serving its place — often the main cell of the place next door.

1. *segments*: runs of events on one cell; only a silence beyond ``bridge_max_s`` closes one;
2. *ping-pong and brief appearances*: A→B→A excursions to a neighbouring cell within the
   ping-pong window, and brief appearances elsewhere (a few events within ``flicker_span_s``)
   between two visits at one location, take the surrounding cell (pingpong.py,
   :func:`_absorb_flicker`); then runs on one cell are *visits*;
3. *time bounds*: a visit lasts until the phone is seen elsewhere (or half-way there); a silence
   or power-off with the phone at the same location before and after it is bridged up to
   ``bridge_max_s``; a move across a silence up to ``max_gap_s`` is connected; otherwise the
   visit ends at the power-off, or ``silence_tail_s`` after its last event;
4. *merge and resolve*: consecutive visits at the same primary place, or at cells within
   ``merge_distance_m`` when one of them serves no known place, are one candidate stay;
   candidates shorter than ``min_stay_s``, and short ones crossed at speed on the way between
   their neighbours (transit), are passages and dropped. Each kept candidate's place is the one
   best supported by all the cells seen during it (cell_place weights × time) and the
   subscriber's regular places around that day (:func:`_resolve_places`); kept stays at the same
   resolved place separated only by passages totalling at most ``merge_gap_s`` are joined;
5. *day cut*: a stay still running at ``cut_hour`` (local) on a day after it started is cut
   there; the pieces keep the stay's place and ``visit_id`` and take the cell with most time
   among the piece's cells serving that place.

Why the cut: a stay belongs to the local day of its start and is kept whole over midnight, so
building day D needs day D−1 (where D's first stay may have started) and day D+1 (where D's last
stay ends). Without a cut a stay could run for days and D's result would depend on unbounded
context. With it every stay of D ends by ``cut_hour`` on D+1 and every decision about D's stays
depends on events between D−1 00:00 and D+2 00:00 only (``bridge_max_s`` ≤ 24 h − ``cut_hour``
keeps silences from reaching past that horizon, and the regular places of D are the subscriber's
time on D−1, D and D+1): re-running D alone gives exactly what a run over the whole range gives.
The ``visit_id`` of a presence that began before the events read is carried over from the day
already written (:func:`with_inherited_visit_ids`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle import tables
from lifecircle.localtime import DAY_S, to_utc, to_wall
from lifecircle.mobility import pingpong
from lifecircle.mobility.cells import CellIndex
from lifecircle.mobility.pingpong import shift
from lifecircle.mobility.settings import StaySettings

POWER_OFF = 8
_F_SHIFT = np.int64(1) << np.int64(34)  # composite (final stay, epoch second) keys; seconds < 2**34


def _runs(breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last index of each run, a run starting wherever ``breaks`` is true."""
    starts = np.flatnonzero(breaks)
    return starts, np.r_[starts[1:], len(breaks)] - 1


def _rank_within(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, rank) for counts[i] consecutive items per owner i."""
    owner = np.repeat(np.arange(len(counts)), counts)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, rank


def _near(x: np.ndarray, y: np.ndarray, limit: float) -> np.ndarray:
    """Whether each element is within ``limit`` metres of the previous one (NaN: never)."""
    with np.errstate(invalid="ignore"):
        return np.hypot(x - shift(x, 1, np.nan), y - shift(y, 1, np.nan)) <= limit


def _top_per_piece(piece: np.ndarray, item: np.ndarray, dur: np.ndarray) -> pd.DataFrame:
    """Per piece the item with the most time (ties: the lowest item)."""
    sums = (
        pd.DataFrame({"piece": piece, "item": item, "dur": dur})
        .groupby(["piece", "item"], sort=False)["dur"]
        .sum()
    )
    ranked = sums.reset_index().sort_values(["piece", "dur", "item"], ascending=[True, False, True])
    return ranked.drop_duplicates("piece").astype({"piece": np.int64, "item": np.int64})


def _transit(
    kept: np.ndarray,
    c_a: np.ndarray,
    c_b: np.ndarray,
    c_start: np.ndarray,
    c_end: np.ndarray,
    chain: np.ndarray,
    vx: np.ndarray,
    vy: np.ndarray,
    s: StaySettings,
) -> np.ndarray:
    """Per kept candidate: a cell crossed on a trip between its kept neighbours.

    Trips through sparse cells leave 10–40 minute "stays" at cells along the way; a real short
    stay either returns where it came from (no through-speed) or costs the time it lasts (low
    average speed from leaving the previous stay to reaching the next one).
    """
    n = len(kept)
    if n < 3:
        return np.zeros(n, dtype=bool)
    first, last = c_a[kept], c_b[kept]
    prev_last, next_first = shift(last, 1, 0), shift(first, -1, 0)
    linked = (chain[prev_last] == chain[first]) & (chain[last] == chain[next_first])
    linked[0] = linked[-1] = False
    direct = np.hypot(vx[next_first] - vx[prev_last], vy[next_first] - vy[prev_last])
    via = np.hypot(vx[first] - vx[prev_last], vy[first] - vy[prev_last]) + np.hypot(
        vx[next_first] - vx[first], vy[next_first] - vy[first]
    )
    span = shift(c_start[kept], -1, 0) - shift(c_end[kept], 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fast = direct * 3.6 >= s.transit_min_speed_kmh * np.maximum(span, 1)
        on_the_way = via <= s.transit_max_detour * direct
    short = c_end[kept] - c_start[kept] < s.transit_max_s
    return linked & short & (direct > s.merge_distance_m) & fast & on_the_way


def _visit_breaks(key: np.ndarray, fos: np.ndarray, first_ts: np.ndarray, last_ts: np.ndarray, bridge: int):
    """Where a new visit starts among segments: new subscriber, other cell, or a silence beyond bridging."""
    brk = fos.copy()
    brk[1:] |= (key[1:] != key[:-1]) | (first_ts[1:] - last_ts[:-1] > bridge)
    return brk


def _absorb_flicker(
    first_ts: np.ndarray,
    last_ts: np.ndarray,
    seg_key: np.ndarray,
    seg_rows: np.ndarray,
    seg_fos: np.ndarray,
    seg_off: np.ndarray,
    seg_events: np.ndarray,
    cells: CellIndex,
    s: StaySettings,
) -> tuple[np.ndarray, np.ndarray]:
    """(cell key, cell row) per segment after brief appearances elsewhere took their surroundings' cell.

    A visit is a brief appearance when it has few events within a short span, on a cell that
    serves the place of the visits before and after it (one location: same cell or same primary
    place), near them, with no power-off around it. A run of them takes the visit before the run,
    like ping-pong, whatever the silence around it (an idle phone reports every few hours).
    """
    brk = _visit_breaks(seg_key, seg_fos, first_ts, last_ts, s.bridge_max_s)
    a, b = _runs(brk)
    if len(a) < 3:
        return seg_key, seg_rows
    v_key, v_rows, v_fos, v_off = seg_key[a], seg_rows[a], seg_fos[a], seg_off[b]
    v_first, v_last = first_ts[a], last_ts[b]
    n_events = np.add.reduceat(seg_events, a)
    place = cells.places_of(v_rows)
    x, y = cells.coords(v_rows)
    around = shift(place, 1, -1)
    same_around = (shift(v_key, 1, -1) == shift(v_key, -1, -2)) | ((around == shift(place, -1, -2)) & (around >= 0))
    # The phone could be at the surrounding place while on this cell: the cell serves that place
    # (cell_place), or it is next door (another sector of the site). A cell serving only a gym
    # down the road is a real visit there, however few its events.
    plausible = cells.serves(v_rows, around) | _near(x, y, s.merge_distance_m)
    brief = (n_events <= s.flicker_max_events) & (v_last - v_first <= s.flicker_span_s)
    has_prev, has_next = ~v_fos, shift(~v_fos, -1, False)
    silent = (v_first - shift(v_last, 1, 0) <= s.bridge_max_s) & (shift(v_first, -1, 0) - v_last <= s.bridge_max_s)
    mark = (
        has_prev
        & has_next
        & same_around
        & plausible
        & brief
        & _near(x, y, s.flicker_max_distance_m)
        & silent
        & ~v_off
        & ~shift(v_off, 1, True)
    )
    idx = np.arange(len(a))
    source = np.maximum.accumulate(np.where(mark, 0, idx))
    visit_of_seg = np.cumsum(brk) - 1
    return v_key[source][visit_of_seg], v_rows[source][visit_of_seg]


def _event_seconds(ts: np.ndarray, first_of_sub: np.ndarray, s: StaySettings, tz: str) -> tuple[np.ndarray, ...]:
    """Per event: seconds until the next event (capped; ``silence_tail_s`` after a subscriber's
    last), the same within its local day only, its local day number and whether it is at night
    (22:00–07:00 local)."""
    last_of_sub = shift(first_of_sub, -1, True)
    until_next = np.where(last_of_sub, s.silence_tail_s, shift(ts, -1, 0) - ts)
    until_next = np.clip(until_next, 60, s.bridge_max_s)
    wall = to_wall(ts, tz)
    day = wall // DAY_S
    in_day = np.minimum(until_next, (day + 1) * DAY_S - wall)
    tod = wall % DAY_S
    return until_next, np.maximum(in_day, 1), day, (tod >= 22 * 3600) | (tod < 7 * 3600)


def _regular_places(
    sub: np.ndarray,
    day: np.ndarray,
    in_day: np.ndarray,
    night: np.ndarray,
    owner: np.ndarray,
    place: np.ndarray,
    weight: np.ndarray,
) -> pd.DataFrame:
    """(sub, day, place, r, n, days): the subscriber's time at the place (cell weights × seconds)
    on the day before, the day and the day after, the part of it at night, and on how many of the
    three days they were there, so a day's result depends on those three days only."""
    seconds = weight * in_day[owner]
    per_day = (
        pd.DataFrame(
            {
                "sub": sub[owner],
                "day": day[owner],
                "place": place,
                "r": seconds,
                "n": np.where(night[owner], seconds, 0.0),
            }
        )
        .groupby(["sub", "day", "place"], as_index=False)[["r", "n"]]
        .sum()
        .assign(days=1)
    )
    around = pd.concat([per_day, per_day.assign(day=per_day["day"] + 1), per_day.assign(day=per_day["day"] - 1)])
    return around.groupby(["sub", "day", "place"], as_index=False)[["r", "n", "days"]].sum()


@dataclass(frozen=True)
class _Evidence:
    """What place resolution weighs, per event of a chunk: the places its cell serves (``owner``
    indexes events), seconds until the next event, its subscriber, and their regular places."""

    ts: np.ndarray
    until_next: np.ndarray
    sub: np.ndarray
    owner: np.ndarray
    place: np.ndarray
    weight: np.ndarray
    regular: pd.DataFrame


def _resolve_places(
    ev: _Evidence,
    group_of_event: np.ndarray,
    group_end: np.ndarray,
    group_day: np.ndarray,
    group_first_event: np.ndarray,
    cells: CellIndex,
    s: StaySettings,
) -> np.ndarray:
    """Place code per group of events (a stay), -1 where no cell of it serves a known place.

    An event weighs the seconds until the next event, up to the group's end. Score of a place:
    its share of the group's cell weight × seconds (someone else's home, workplace or school
    weighted by ``visitor_weight``), plus ``regular_place_weight`` × its share of the
    subscriber's time around that day among the places the group's cells serve that are regular
    for them (a night there, or two of the three days). Ties go to the lowest place code.
    """
    out = np.full(len(group_end), -1, dtype=np.int64)
    g = group_of_event[ev.owner]
    keep = g >= 0
    if not keep.any():
        return out
    seconds = np.minimum(ev.until_next, np.maximum(group_end[np.maximum(group_of_event, 0)] - ev.ts, 1))
    support = (
        pd.DataFrame({"g": g[keep], "place": ev.place[keep], "s": ev.weight[keep] * seconds[ev.owner[keep]]})
        .groupby(["g", "place"], as_index=False)["s"]
        .sum()
    )
    groups, codes = support["g"].to_numpy(), support["place"].to_numpy()
    keyed = pd.DataFrame(
        {"sub": ev.sub[group_first_event[groups]], "day": group_day[groups], "place": codes}
    ).merge(ev.regular, on=["sub", "day", "place"], how="left")
    # Only places the subscriber returns to (a night, or two of the three days) are their own.
    own = (keyed["n"].fillna(0.0).to_numpy() > 0) | (keyed["days"].fillna(0).to_numpy() >= 2)
    r = np.where(own, keyed["r"].fillna(0.0).to_numpy(), 0.0)
    evidence = support["s"].to_numpy() * np.where(cells.members_only[codes] & ~own, s.visitor_weight, 1.0)
    total = pd.Series(evidence).groupby(groups).transform("sum").to_numpy()
    r_total = pd.Series(r).groupby(groups).transform("sum").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, evidence / total, 0.0) + s.regular_place_weight * np.where(
            r_total > 0, r / r_total, 0.0
        )
    ranked = support.assign(score=score).sort_values(["g", "score", "place"], ascending=[True, False, True])
    top = ranked.drop_duplicates("g")
    out[top["g"].to_numpy()] = top["place"].to_numpy()
    return out


def detect(
    ts: np.ndarray,
    key: np.ndarray,
    etype: np.ndarray,
    first_of_sub: np.ndarray,
    cells: CellIndex,
    s: StaySettings,
    tz: str,
) -> pd.DataFrame:
    """Stays of events sorted by (subscriber, time).

    Returns one row per stay: ``row`` (an event row of the stay's subscriber), ``start``, ``end``
    (epoch seconds), ``n_events``, ``key`` (cell key), ``place`` (code into ``cells.place_ids``,
    -1 for none), ``day`` (local day number), ``seq`` (1-based per subscriber and day) and
    ``visit_start`` (start of the whole presence the row is a piece of).
    """
    n = len(ts)
    if n == 0:
        return _empty()
    off = etype == POWER_OFF
    event_rows = cells.lookup(key)

    # 1. Segments: runs of one cell; only a silence beyond bridging ends one.
    brk = first_of_sub.copy()
    brk[1:] |= (key[1:] != key[:-1]) | (np.diff(ts) > s.bridge_max_s)
    seg_first, seg_last = _runs(brk)
    first_ts, last_ts, seg_key = ts[seg_first], ts[seg_last], key[seg_first]
    seg_fos, seg_off = first_of_sub[seg_first], off[seg_last]
    seg_rows = event_rows[seg_first]
    sx, sy = cells.coords(seg_rows)

    # 2. Ping-pong blips and brief appearances elsewhere take the surrounding cell; then runs on
    # one cell become visits.
    take = pingpong.suppress(
        first_ts, seg_key, sx, sy, seg_fos, seg_off, s.pingpong_window_s, s.pingpong_max_distance_m
    )
    seg_key, seg_rows = _absorb_flicker(
        first_ts, last_ts, seg_key[take], seg_rows[take], seg_fos, seg_off, seg_last - seg_first + 1, cells, s
    )
    brk2 = _visit_breaks(seg_key, seg_fos, first_ts, last_ts, s.bridge_max_s)
    v_a, v_b = _runs(brk2)
    v_first, v_last = first_ts[v_a], last_ts[v_b]
    v_rows, v_fos, v_off = seg_rows[v_a], seg_fos[v_a], seg_off[v_b]
    v_event = seg_first[v_a]
    visit_of_event = (np.cumsum(brk2) - 1)[np.cumsum(brk) - 1]

    # 3. Time bounds of visits. A move is connected across a silence up to max_gap_s (not after a
    # power-off); the same location across a silence or power-off up to bridge_max_s.
    v_place = cells.places_of(v_rows)
    vx, vy = cells.coords(v_rows)
    prev_place = shift(v_place, 1, -1)
    # Proximity only joins a visit without a known place to its neighbour: two different known
    # places stay apart even on sectors of one site (a dormitory next to its factory).
    unplaced = (v_place < 0) | (prev_place < 0)
    close = ((v_place == prev_place) & (v_place >= 0)) | (unplaced & _near(vx, vy, s.merge_distance_m))
    prev_last = shift(v_last, 1, 0)
    gap = v_first - prev_last
    moved = (gap <= s.max_gap_s) & ~shift(v_off, 1, True)
    conn = ~v_fos & (moved | (close & (gap <= s.bridge_max_s)))
    bound = v_first if s.boundary == "next_event" else (prev_last + v_first) // 2
    v_start = np.where(conn, bound, v_first)
    v_end = np.where(
        shift(conn, -1, False), shift(v_start, -1, 0), np.where(v_off, v_last, v_last + s.silence_tail_s)
    )

    # 4a. Candidate stays: connected visits at one place or at nearby cells.
    c_brk = ~(conn & close)
    c_a, c_b = _runs(c_brk)
    c_start, c_end = v_start[c_a], v_end[c_b]
    kept = np.flatnonzero(c_end - c_start >= s.min_stay_s)
    # The chain id changes at every unbridged power-off, long silence and new subscriber.
    chain = np.cumsum(~conn)
    kept = kept[~_transit(kept, c_a, c_b, c_start, c_end, chain, vx, vy, s)]
    if len(kept) == 0:
        return _empty()

    # Place of each kept candidate from every cell seen during it (and the subscriber's regular places).
    until_next, in_day, ev_day, at_night = _event_seconds(ts, first_of_sub, s, tz)
    owner, sup_place, sup_weight = cells.serving(event_rows)
    sub_of_event = np.cumsum(first_of_sub) - 1
    regular = _regular_places(sub_of_event, ev_day, in_day, at_night, owner, sup_place, sup_weight)
    evidence = _Evidence(ts, until_next, sub_of_event, owner, sup_place, sup_weight, regular)
    c_of_visit = np.cumsum(c_brk) - 1
    k_of_c = np.full(len(c_a), -1)
    k_of_c[kept] = np.arange(len(kept))
    k_of_event = k_of_c[c_of_visit[visit_of_event]]
    k_day = to_wall(c_start[kept], tz) // DAY_S
    k_place = _resolve_places(evidence, k_of_event, c_end[kept], k_day, v_event[c_a[kept]], cells, s)

    # 4b. Kept candidates at one place separated only by short passages are one stay.
    la, fb = c_b[kept[:-1]], c_a[kept[1:]]
    pair_close = (k_place[:-1] == k_place[1:]) & (k_place[:-1] >= 0)
    with np.errstate(invalid="ignore"):
        near = np.hypot(vx[la] - vx[fb], vy[la] - vy[fb]) <= s.merge_distance_m
    pair_close |= near & ((k_place[:-1] < 0) | (k_place[1:] < 0))
    join = (chain[la] == chain[fb]) & (c_start[kept[1:]] - c_end[kept[:-1]] <= s.merge_gap_s) & pair_close
    f_id_of_kept = np.cumsum(np.r_[True, ~join]) - 1
    f_first_kept = np.flatnonzero(np.r_[True, ~join])
    f_last_kept = np.r_[f_first_kept[1:], len(kept)] - 1
    f_start, f_end = c_start[kept[f_first_kept]], c_end[kept[f_last_kept]]
    f_event = v_event[c_a[kept[f_first_kept]]]
    n_f = len(f_start)
    f_of_event = np.where(k_of_event >= 0, f_id_of_kept[np.maximum(k_of_event, 0)], -1)
    f_day = to_wall(f_start, tz) // DAY_S
    f_place = _resolve_places(evidence, f_of_event, f_end, f_day, f_event, cells, s)

    # 5. Cut stays at cut_hour of every local day after the day they started.
    w_start, w_end = to_wall(f_start, tz), to_wall(f_end, tz)
    first_cut = (w_start // DAY_S + 1) * DAY_S + s.cut_hour * 3600
    n_cut = np.maximum((w_end - first_cut + DAY_S - 1) // DAY_S, 0)
    cut_f, cut_k = _rank_within(n_cut)
    cut_t = to_utc(first_cut[cut_f] + cut_k * DAY_S, tz)
    valid = (cut_t > f_start[cut_f]) & (cut_t < f_end[cut_f])
    cut_f, cut_t = cut_f[valid], cut_t[valid]
    cuts_of_f = np.bincount(cut_f, minlength=n_f)
    cut_base = np.cumsum(cuts_of_f) - cuts_of_f
    ck = cut_f.astype(np.int64) * _F_SHIFT + cut_t
    pieces_of_f = cuts_of_f + 1
    piece_base = np.cumsum(pieces_of_f) - pieces_of_f
    p_f, p_k = _rank_within(pieces_of_f)
    p_start = np.where(
        p_k == 0, f_start[p_f], cut_t[np.maximum(cut_base[p_f] + p_k - 1, 0)] if len(cut_t) else 0
    )
    last_piece = p_k == cuts_of_f[p_f]
    p_end = np.where(
        last_piece, f_end[p_f], cut_t[np.minimum(cut_base[p_f] + p_k, len(cut_t) - 1)] if len(cut_t) else 0
    )
    n_p = len(p_f)

    # Events per piece (ping-pong flips and brief appearances count for the stay they joined).
    ev = np.flatnonzero(f_of_event >= 0)
    ev_f = f_of_event[ev].astype(np.int64)
    ev_piece = piece_base[ev_f] + np.searchsorted(ck, ev_f * _F_SHIFT + ts[ev], side="right") - cut_base[ev_f]
    n_events = np.bincount(ev_piece, minlength=n_p)

    # Cell of a piece: the one with most time among its cells serving the stay's place (any cell
    # when none does, or the stay has no place).
    place = f_place[p_f]
    ev_seconds = np.maximum(np.minimum(until_next[ev], p_end[ev_piece] - ts[ev]), 1)
    serves = cells.serves(event_rows[ev], place[ev_piece])
    any_serving = np.bincount(ev_piece[serves], minlength=n_p) > 0
    pick = serves | ~any_serving[ev_piece]
    top_cell = _top_per_piece(ev_piece[pick], key[ev][pick], ev_seconds[pick])
    cell = np.full(n_p, -1, dtype=np.int64)
    cell[top_cell["piece"].to_numpy()] = top_cell["item"].to_numpy()

    day = to_wall(p_start, tz) // DAY_S
    sub = np.cumsum(first_of_sub)[f_event][p_f]
    new = np.r_[True, (sub[1:] != sub[:-1]) | (day[1:] != day[:-1])]
    idx = np.arange(n_p)
    seq = idx - np.maximum.accumulate(np.where(new, idx, 0)) + 1
    return pd.DataFrame(
        {
            "row": f_event[p_f],
            "start": p_start,
            "end": p_end,
            "n_events": n_events,
            "key": cell,
            "place": place,
            "day": day,
            "seq": seq,
            "visit_start": f_start[p_f],
        }
    )


def _empty() -> pd.DataFrame:
    cols = ["row", "start", "end", "n_events", "key", "place", "day", "seq", "visit_start"]
    return pd.DataFrame({c: np.empty(0, dtype=np.int64) for c in cols})


# What the vectorized step emits: the stays columns with the visit's start instead of its id.
DETECTED_SCHEMA = T.StructType(
    [
        T.StructField("visit_start", T.LongType()) if f.name == "visit_id" else f
        for f in tables.STAYS.schema.fields
    ]
)


def to_arrow(subscribers: pa.Array, found: pd.DataFrame, cells: CellIndex) -> pa.RecordBatch:
    """The stays of :func:`detect` as a record batch of DETECTED_SCHEMA."""
    place = found["place"].to_numpy()
    place_ids = np.where(
        place >= 0, cells.place_ids[np.maximum(place, 0)] if len(cells.place_ids) else None, None
    )
    key = found["key"].to_numpy()
    start, end = found["start"].to_numpy(), found["end"].to_numpy()
    return pa.RecordBatch.from_arrays(
        [
            subscribers.take(pa.array(found["row"].to_numpy())),
            pa.array(found["seq"].to_numpy(), pa.int32()),
            pa.array(found["visit_start"].to_numpy(), pa.int64()),
            pa.array(np.where(key >= 0, key >> 32, 0), pa.int32(), mask=key < 0),
            pa.array(np.where(key >= 0, key & 0xFFFFFFFF, 0), pa.int32(), mask=key < 0),
            pa.array(place_ids, pa.string()),
            pa.array(start * 1_000_000, pa.timestamp("us", tz="UTC")),
            pa.array(end * 1_000_000, pa.timestamp("us", tz="UTC")),
            pa.array(end - start, pa.int64()),
            pa.array(found["n_events"].to_numpy(), pa.int32()),
            pa.array(found["day"].to_numpy().astype(np.int32), pa.date32()),
        ],
        names=DETECTED_SCHEMA.fieldNames(),
    )


def detect_table(table: pa.Table, cells: CellIndex, s: StaySettings, tz: str) -> pa.RecordBatch:
    """:func:`detect` on an Arrow table of EVENTS_SCHEMA sorted by subscriber and time."""
    table = table.combine_chunks()
    subs = table.column("subscriber_id").combine_chunks()
    n = len(subs)
    first_of_sub = np.ones(n, dtype=bool)
    if n > 1:
        first_of_sub[1:] = pc.not_equal(subs.slice(1), subs.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    found = detect(
        table.column("ts").to_numpy(),
        table.column("cell_key").to_numpy(),
        table.column("event_type").to_numpy(),
        first_of_sub,
        cells,
        s,
        tz,
    )
    return to_arrow(subs, found, cells)


def _partition_stays(
    batches: Iterator[pa.RecordBatch], cells: CellIndex, s: StaySettings, tz: str
) -> Iterator[pa.RecordBatch]:
    """Stays of one hash partition: every event of its subscribers, in any order.

    Sorting here (numpy lexsort on dictionary codes of the subscriber) is several times cheaper
    than Spark's row sort of the shuffled rows; the partition count keeps each partition to about
    ``partition_rows`` rows, so holding one in memory is bounded.
    """
    pending = list(batches)
    if not pending or not sum(b.num_rows for b in pending):
        return
    table = pa.Table.from_batches(pending).combine_chunks()
    del pending
    codes = pc.dictionary_encode(table.column("subscriber_id")).combine_chunks().indices.to_numpy()
    cols = [table.column(c).to_numpy() for c in ("cell_key", "event_type", "ts")]
    order = np.lexsort((*cols, codes))
    table, codes = table.take(pa.array(order)), codes[order]
    # Chunks of about chunk_rows rows, cut where a subscriber begins.
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    cuts = np.unique(
        starts[np.searchsorted(starts, np.arange(0, len(codes), s.chunk_rows), side="right") - 1]
    )
    for lo, hi in zip(cuts, np.r_[cuts[1:], len(codes)], strict=True):
        yield detect_table(table.slice(lo, hi - lo), cells, s, tz)


def prepare_events(signaling: DataFrame) -> DataFrame:
    """The columns the stay code needs, compact for the shuffle (EVENTS_SCHEMA)."""
    return signaling.select(
        F.col("subscriber_id"),
        F.unix_seconds(F.col("event_ts")).alias("ts"),
        F.shiftleft(F.col("lac").cast("long"), 32).bitwiseOR(F.col("cell_id").cast("long")).alias("cell_key"),
        F.col("event_type").cast("byte").alias("event_type"),
    )


def build_stays(signaling: DataFrame, cells: CellIndex, settings: StaySettings, tz: str) -> DataFrame:
    """Stays (tables.STAYS.schema) of raw/signaling rows: one shuffle by subscriber, then numpy.

    ``visit_id`` is a hash of the subscriber and the start of the presence, so pieces of one
    multi-day stay share it; :func:`with_inherited_visit_ids` carries it over from days already
    written when the presence began before the events read.
    """

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _partition_stays(batches, cells, settings, tz)

    events = prepare_events(signaling)
    # Enough partitions that one fits in a Python worker's memory (Parquet counts from metadata).
    default = int(signaling.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    partitions = max(default, math.ceil(events.count() / settings.partition_rows))
    detected = events.repartition(partitions, F.col("subscriber_id")).mapInArrow(run, DETECTED_SCHEMA)
    return detected.withColumn("visit_id", visit_id_of(detected)).select(*tables.STAYS.column_names)


def visit_id_of(detected: DataFrame) -> Column:
    """visit_id of rows of DETECTED_SCHEMA: a hash of the subscriber and the visit's start."""
    return F.lower(F.hex(F.xxhash64(detected["subscriber_id"], detected["visit_start"])))


def with_inherited_visit_ids(stays: DataFrame, stored: DataFrame, day: dt.date) -> DataFrame:
    """``stays`` whose visits continue a piece already written for ``day`` take its visit_id.

    ``stays`` were detected from events starting on ``day``, so a presence that began earlier
    looks as if it began then; its piece of ``day`` is found again in ``stored`` (mobility/stays
    of ``day``, same subscriber and start) and every piece of that visit gets the stored id.
    """
    again = (
        stays.where(F.col("day") == F.lit(day))
        .select(F.col("subscriber_id"), F.col("start_ts"), F.col("visit_id"))
        .join(
            stored.where(F.col("day") == F.lit(day)).select(
                F.col("subscriber_id"), F.col("start_ts"), F.col("visit_id").alias("stored_visit_id")
            ),
            on=["subscriber_id", "start_ts"],
            how="inner",
        )
        .where(F.col("visit_id") != F.col("stored_visit_id"))
        .select(F.col("subscriber_id"), F.col("visit_id"), F.col("stored_visit_id"))
    )
    return (
        stays.join(again, on=["subscriber_id", "visit_id"], how="left")
        .withColumn("visit_id", F.coalesce(F.col("stored_visit_id"), F.col("visit_id")))
        .select(*tables.STAYS.column_names)
    )
