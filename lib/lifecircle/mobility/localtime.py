"""Local wall-clock arithmetic on epoch seconds (numpy) for the stay code.

"Wall seconds" are seconds since 1970-01-01 00:00 *local*, so ``wall // 86400`` is the local day
number and ``wall % 86400`` the local time of day, whatever the zone's offset or DST rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY_S = 86400


def to_wall(utc_s: np.ndarray, tz: str) -> np.ndarray:
    """Local wall seconds of UTC epoch seconds."""
    if len(utc_s) == 0:
        return np.asarray(utc_s, dtype=np.int64)
    idx = (
        pd.DatetimeIndex(np.asarray(utc_s, dtype="datetime64[s]"), tz="UTC").tz_convert(tz).tz_localize(None)
    )
    return _to_seconds(idx)


def to_utc(wall_s: np.ndarray, tz: str) -> np.ndarray:
    """UTC epoch seconds of local wall seconds (a wall time skipped by DST moves forward)."""
    if len(wall_s) == 0:
        return np.asarray(wall_s, dtype=np.int64)
    idx = pd.DatetimeIndex(np.asarray(wall_s, dtype="datetime64[s]")).tz_localize(
        tz, ambiguous="NaT", nonexistent="shift_forward"
    )
    utc = _to_seconds(idx.tz_convert("UTC").tz_localize(None))
    # An ambiguous wall time (the repeated DST hour) takes the first of its two instants.
    bad = idx.isna()
    if bad.any():
        first = pd.DatetimeIndex(np.asarray(wall_s, dtype="datetime64[s]")[bad]).tz_localize(
            tz, ambiguous=np.ones(int(bad.sum()), dtype=bool)
        )
        utc[bad] = _to_seconds(first.tz_convert("UTC").tz_localize(None))
    return utc


def _to_seconds(idx: pd.DatetimeIndex) -> np.ndarray:
    return idx.to_numpy().astype("datetime64[s]").astype(np.int64)
