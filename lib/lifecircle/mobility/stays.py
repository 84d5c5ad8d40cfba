"""Signaling events → stays, vectorized with numpy after a single shuffle by subscriber.

Spark hash-partitions the events by subscriber (the only shuffle); ``mapInArrow`` hands each
partition to numpy, which sorts it by subscriber and time and runs :func:`detect` on chunks that
never split a subscriber. Everything in
:func:`detect` works on whole arrays (no loop over rows or subscribers):

1. *segments*: runs of events on one cell; a power-off (event 8) or a silence longer than
   ``max_gap_s`` closes a run;
2. *ping-pong*: A→B→A excursions to a neighbouring cell take the surrounding cell (pingpong.py),
   then runs on the same cell are joined into *visits*;
3. *time bounds*: a visit lasts until the phone is seen elsewhere (or half-way there), except
   after a power-off (it ends at the power-off) or a silence over ``max_gap_s`` (it ends
   ``silence_tail_s`` after the last event);
4. *merge*: consecutive visits at the same place, or at cells within ``merge_distance_m`` when
   one of them serves no known place, are one candidate stay; candidates shorter than ``min_stay_s``, and short ones crossed at speed on
   the way between their neighbours (transit), are passages and dropped; kept stays at the same
   place separated only by passages totalling at most ``merge_gap_s`` are joined;
5. *day cut*: a stay still running at ``cut_hour`` (local) on the day after it started is cut
   there, and its cell and place are taken per piece (the cell with most time at the place with
   most time).

Why the cut: a stay belongs to the local day of its start and is kept whole over midnight, so
building day D needs day D−1 (where D's first stay may have started) and day D+1 (where D's last
stay ends). Without a cut a stay could run for days and D's result would depend on unbounded
context. With it every stay of D ends by ``cut_hour`` on D+1 and every decision about D's stays
depends on events between D−1 00:00 and D+2 00:00 only: re-running D alone gives exactly what a
run over the whole range gives (``max_gap_s`` ≤ 24 h − ``cut_hour`` keeps silences from
reaching past that horizon).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

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
    -1 for none), ``day`` (local day number) and ``seq`` (1-based per subscriber and day).
    """
    n = len(ts)
    if n == 0:
        return _empty()
    off = etype == POWER_OFF

    # 1. Segments: runs of one cell, closed by a power-off or a long silence.
    brk = first_of_sub.copy()
    brk[1:] |= (key[1:] != key[:-1]) | off[:-1] | (np.diff(ts) > s.max_gap_s)
    seg_first, seg_last = _runs(brk)
    first_ts, last_ts, seg_key = ts[seg_first], ts[seg_last], key[seg_first]
    seg_fos, seg_off = first_of_sub[seg_first], off[seg_last]
    seg_rows = cells.lookup(seg_key)
    sx, sy = cells.coords(seg_rows)

    # 2. Ping-pong: blips take the cell of the segment before the oscillation; then runs on one
    # cell (not across a power-off or a long silence) become visits.
    take = pingpong.suppress(
        first_ts, seg_key, sx, sy, seg_fos, seg_off, s.pingpong_window_s, s.pingpong_max_distance_m
    )
    seg_key, seg_rows = seg_key[take], seg_rows[take]
    brk2 = seg_fos.copy()
    brk2[1:] |= (seg_key[1:] != seg_key[:-1]) | seg_off[:-1] | (first_ts[1:] - last_ts[:-1] > s.max_gap_s)
    v_a, v_b = _runs(brk2)
    v_first, v_last = first_ts[v_a], last_ts[v_b]
    v_key, v_rows, v_fos, v_off = seg_key[v_a], seg_rows[v_a], seg_fos[v_a], seg_off[v_b]
    v_event = seg_first[v_a]
    visit_of_event = (np.cumsum(brk2) - 1)[np.cumsum(brk) - 1]

    # 3. Time bounds of visits.
    prev_last = shift(v_last, 1, 0)
    conn = ~v_fos & ~shift(v_off, 1, True) & (v_first - prev_last <= s.max_gap_s)
    bound = v_first if s.boundary == "next_event" else (prev_last + v_first) // 2
    v_start = np.where(conn, bound, v_first)
    v_end = np.where(
        shift(conn, -1, False), shift(v_start, -1, 0), np.where(v_off, v_last, v_last + s.silence_tail_s)
    )

    # 4a. Candidate stays: connected visits at one place or at nearby cells.
    v_place = cells.places_of(v_rows)
    vx, vy = cells.coords(v_rows)
    prev_place = shift(v_place, 1, -1)
    # Proximity only joins a visit without a known place to its neighbour: two different known
    # places stay apart even on sectors of one site (a dormitory next to its factory).
    unplaced = (v_place < 0) | (prev_place < 0)
    close = ((v_place == prev_place) & (v_place >= 0)) | (unplaced & _near(vx, vy, s.merge_distance_m))
    c_brk = ~(conn & close)
    c_a, c_b = _runs(c_brk)
    c_start, c_end = v_start[c_a], v_end[c_b]
    kept = np.flatnonzero(c_end - c_start >= s.min_stay_s)
    # The chain id changes at every power-off, long silence and new subscriber, which no stay spans.
    chain = np.cumsum(~conn)
    kept = kept[~_transit(kept, c_a, c_b, c_start, c_end, chain, vx, vy, s)]
    if len(kept) == 0:
        return _empty()

    # 4b. Kept candidates at one place separated only by short passages are one stay.
    la, fb = c_b[kept[:-1]], c_a[kept[1:]]
    pair_close = (v_place[la] == v_place[fb]) & (v_place[la] >= 0)
    with np.errstate(invalid="ignore"):
        near = np.hypot(vx[la] - vx[fb], vy[la] - vy[fb]) <= s.merge_distance_m
    pair_close |= near & ((v_place[la] < 0) | (v_place[fb] < 0))
    join = (chain[la] == chain[fb]) & (c_start[kept[1:]] - c_end[kept[:-1]] <= s.merge_gap_s) & pair_close
    f_id_of_kept = np.cumsum(np.r_[True, ~join]) - 1
    f_first_kept = np.flatnonzero(np.r_[True, ~join])
    f_last_kept = np.r_[f_first_kept[1:], len(kept)] - 1
    f_start, f_end = c_start[kept[f_first_kept]], c_end[kept[f_last_kept]]
    f_event = v_event[c_a[kept[f_first_kept]]]
    n_f = len(f_start)

    c_of_visit = np.cumsum(c_brk) - 1
    f_of_c = np.full(len(c_a), -1)
    f_of_c[kept] = f_id_of_kept
    f_of_visit = f_of_c[c_of_visit]

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

    # Atoms: kept visits split at the cuts, to weigh cells and places per piece by time.
    kv = np.flatnonzero(f_of_visit >= 0)
    kf = f_of_visit[kv].astype(np.int64)
    lo = np.searchsorted(ck, kf * _F_SHIFT + v_start[kv], side="right")
    hi = np.searchsorted(ck, kf * _F_SHIFT + v_end[kv], side="left")
    inside = np.maximum(hi - lo, 0)
    a_i, a_k = _rank_within(inside + 1)
    a_v = kv[a_i]
    a_start = np.where(a_k == 0, v_start[a_v], cut_t[np.maximum(lo[a_i] + a_k - 1, 0)] if len(cut_t) else 0)
    a_end = np.where(
        a_k == inside[a_i], v_end[a_v], cut_t[np.minimum(lo[a_i] + a_k, len(cut_t) - 1)] if len(cut_t) else 0
    )
    a_piece = piece_base[kf[a_i]] + (lo[a_i] - cut_base[kf[a_i]]) + a_k
    a_dur = a_end - a_start

    n_p = len(p_f)
    place = np.full(n_p, -1, dtype=np.int64)
    placed = v_place[a_v] >= 0
    top_place = _top_per_piece(a_piece[placed], v_place[a_v][placed], a_dur[placed])
    place[top_place["piece"].to_numpy()] = top_place["item"].to_numpy()
    at_place = (v_place[a_v] == place[a_piece]) | (place[a_piece] < 0)
    top_cell = _top_per_piece(a_piece[at_place], v_key[a_v][at_place], a_dur[at_place])
    cell = np.full(n_p, -1, dtype=np.int64)
    cell[top_cell["piece"].to_numpy()] = top_cell["item"].to_numpy()

    # Events per piece (ping-pong flips count for the stay they were folded into).
    ev_f = f_of_visit[visit_of_event]
    ev = np.flatnonzero(ev_f >= 0)
    ev_f = ev_f[ev].astype(np.int64)
    ev_piece = piece_base[ev_f] + np.searchsorted(ck, ev_f * _F_SHIFT + ts[ev], side="right") - cut_base[ev_f]
    n_events = np.bincount(ev_piece, minlength=n_p)

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
        }
    )


def _empty() -> pd.DataFrame:
    cols = ["row", "start", "end", "n_events", "key", "place", "day", "seq"]
    return pd.DataFrame({c: np.empty(0, dtype=np.int64) for c in cols})


def to_arrow(subscribers: pa.Array, found: pd.DataFrame, cells: CellIndex) -> pa.RecordBatch:
    """The stays of :func:`detect` as a record batch of tables.STAYS.schema."""
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
            pa.array(np.where(key >= 0, key >> 32, 0), pa.int32(), mask=key < 0),
            pa.array(np.where(key >= 0, key & 0xFFFFFFFF, 0), pa.int32(), mask=key < 0),
            pa.array(place_ids, pa.string()),
            pa.array(start * 1_000_000, pa.timestamp("us", tz="UTC")),
            pa.array(end * 1_000_000, pa.timestamp("us", tz="UTC")),
            pa.array(end - start, pa.int64()),
            pa.array(found["n_events"].to_numpy(), pa.int32()),
            pa.array(found["day"].to_numpy().astype(np.int32), pa.date32()),
        ],
        names=tables.STAYS.schema.fieldNames(),
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
    """Stays (tables.STAYS.schema) of raw/signaling rows: one shuffle by subscriber, then numpy."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _partition_stays(batches, cells, settings, tz)

    events = prepare_events(signaling)
    # Enough partitions that one fits in a Python worker's memory (Parquet counts from metadata).
    default = int(signaling.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    partitions = max(default, math.ceil(events.count() / settings.partition_rows))
    return events.repartition(partitions, F.col("subscriber_id")).mapInArrow(run, tables.STAYS.schema)
