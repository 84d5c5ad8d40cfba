"""Ping-pong handover suppression on runs of events at one cell ("segments").

A phone standing still near a cell border flips A→B→A (and A→B→A→B… during a call) between
neighbouring cells. Left alone, every flip would cut the stay at A in pieces. A segment is a
*blip* when it sits between two segments on the same cell, the excursion away from that cell
(first seen on B → seen on A again) is shorter than the ping-pong window, and its cell is a
neighbour (within the distance limit). The excursion is timed from B, not from the last event on
A: an idle phone may have been silent on A for an hour before the flip. Alternations make the middle segments of both cells blips,
so a whole run of consecutive blips takes the cell of the segment just before the run: the cell
the phone was on when the oscillation started. Vectorized: no loop over segments.
"""

from __future__ import annotations

import numpy as np


def shift(a: np.ndarray, k: int, fill) -> np.ndarray:
    """``a`` moved by k places (k > 0: previous element, k < 0: next element), padded with fill."""
    out = np.empty_like(a)
    if k > 0:
        out[:k], out[k:] = fill, a[:-k]
    else:
        out[k:], out[:k] = fill, a[-k:]
    return out


def blips(
    first_ts: np.ndarray,
    cell: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    first_of_sub: np.ndarray,
    ends_off: np.ndarray,
    window_s: int,
    max_distance_m: float,
) -> np.ndarray:
    """Boolean per segment: a ping-pong excursion away from the cell of its neighbours."""
    n = len(cell)
    if n < 3:
        return np.zeros(n, dtype=bool)
    has_prev = ~first_of_sub
    has_next = shift(~first_of_sub, -1, False)
    prev_cell, next_cell = shift(cell, 1, -1), shift(cell, -1, -2)
    excursion = shift(first_ts, -1, 0) - first_ts
    dist = np.hypot(x - shift(x, 1, np.nan), y - shift(y, 1, np.nan))
    with np.errstate(invalid="ignore"):
        near = dist <= max_distance_m
    return (
        has_prev
        & has_next
        & (prev_cell == next_cell)
        & (cell != prev_cell)
        # A power-off closes the phone's timeline: nothing on either side of it is ping-pong.
        & ~shift(ends_off, 1, True)
        & ~ends_off
        & (excursion <= window_s)
        & near
    )


def suppress(
    first_ts: np.ndarray,
    cell: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    first_of_sub: np.ndarray,
    ends_off: np.ndarray,
    window_s: int,
    max_distance_m: float,
) -> np.ndarray:
    """Index of the segment whose cell each segment takes (itself unless it is a blip)."""
    blip = blips(first_ts, cell, x, y, first_of_sub, ends_off, window_s, max_distance_m)
    # The first segment of a subscriber is never a blip, so the run's anchor is the same subscriber's.
    idx = np.arange(len(cell))
    return np.maximum.accumulate(np.where(blip, 0, idx)) if len(idx) else idx
