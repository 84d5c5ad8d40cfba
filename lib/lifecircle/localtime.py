"""Local time, once for every module: UTC instants ↔ local wall seconds, local days, weekdays.

"Wall seconds" are seconds since 1970-01-01 00:00 *local*, so ``wall // 86400`` is the local day
number and ``wall % 86400`` the local time of day, whatever the zone's offset or DST rules.
Timestamps are stored UTC-aware and the session time zone is UTC (DESIGN.md), so Spark's
``from_utc_timestamp`` gives the wall clock as a UTC-read instant.

Two flavours of the same arithmetic: numpy (``to_wall`` / ``to_utc``, inside the vectorised stay
code) and Spark columns (``local_seconds``, ``utc_seconds``, ``local_day``). Weekdays are numbered
Monday = 0 … Sunday = 6 like Python's ``date.weekday()`` and ``mobility.dwell.weekend_days``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pyspark.sql import Column
from pyspark.sql import functions as F

DAY_S = 86400
HOUR_S = 3600


# ------------------------------------------------------------------ numpy (epoch seconds)
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


# ------------------------------------------------------------------ Python (driver-side bounds)
def local_midnight_utc(day: dt.date, tz: str) -> dt.datetime:
    """The UTC instant at which local ``day`` begins."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


# ------------------------------------------------------------------ Spark columns
def local_seconds(ts: Column, tz: str) -> Column:
    """Local wall seconds of a UTC timestamp."""
    return F.unix_seconds(F.from_utc_timestamp(ts, tz))


def utc_seconds(wall: Column, tz: str) -> Column:
    """UTC epoch seconds of local wall seconds."""
    return F.unix_seconds(F.to_utc_timestamp(F.timestamp_seconds(wall), tz))


def local_day(ts: Column, tz: str) -> Column:
    """The local date of a UTC timestamp."""
    return F.to_date(F.from_utc_timestamp(ts, tz))


def weekday_of(day: Column) -> Column:
    """Monday = 0 … Sunday = 6 (Spark's dayofweek is Sunday = 1 … Saturday = 7)."""
    return (F.dayofweek(day) + 5) % 7


def is_weekend(day: Column, weekend_days: Sequence[int]) -> Column:
    """Whether the date falls on one of ``weekend_days`` (Monday = 0; conf mobility.dwell.weekend_days)."""
    return weekday_of(day).isin([int(d) for d in weekend_days])


def is_weekday(day: Column, weekend_days: Sequence[int]) -> Column:
    """The complement of :func:`is_weekend` (null for a null date)."""
    return ~is_weekend(day, weekend_days)
