"""Stays → dwell seconds per subscriber × cell/place/district × local day × time slot.

Each stay is split exactly at local midnight and at every slot boundary: a stay is exploded over
the local days it touches and the day's slot parts, and each part keeps the overlap in seconds.
Part boundaries are computed in local wall time and converted back to UTC instants, so the
seconds are exact in any time zone (a DST day simply has 23 or 25 hours).
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle.localtime import DAY_S, is_weekend, local_midnight_utc, local_seconds, utc_seconds
from lifecircle.mobility.settings import DwellSettings


def clip_stays(stays: DataFrame, first_day: dt.date, last_day: dt.date, tz: str) -> DataFrame:
    """Stays cut to the local days first_day..last_day (stays outside are dropped)."""
    lo = F.lit(local_midnight_utc(first_day, tz))
    hi = F.lit(local_midnight_utc(last_day + dt.timedelta(days=1), tz))
    start, end = F.greatest(F.col("start_ts"), lo), F.least(F.col("end_ts"), hi)
    return (
        stays.withColumn("start_ts", start)
        .withColumn("end_ts", end)
        .where(F.col("end_ts") > F.col("start_ts"))
        .withColumn("duration_s", F.unix_seconds(F.col("end_ts")) - F.unix_seconds(F.col("start_ts")))
    )


def slot_parts(stays: DataFrame, settings: DwellSettings, tz: str) -> DataFrame:
    """One row per stay × local day × slot part it overlaps, with the overlap in ``dwell_s``.

    Keeps the stay's subscriber_id, visit_id, lac, cell_id, place_id and start_ts; adds
    ``day`` (local date of the part), ``slot``, ``is_weekend`` and ``dwell_s``.
    """
    parts = F.array(
        *[
            F.struct(F.lit(name).alias("slot"), F.lit(lo * 60).alias("lo"), F.lit(hi * 60).alias("hi"))
            for name, lo, hi in settings.parts()
        ]
    )
    wall_start, wall_end = local_seconds(F.col("start_ts"), tz), local_seconds(F.col("end_ts"), tz)
    start_s, end_s = F.unix_seconds(F.col("start_ts")), F.unix_seconds(F.col("end_ts"))
    day_base = F.col("wday") * DAY_S
    part_lo = utc_seconds(day_base + F.col("part.lo"), tz)
    part_hi = utc_seconds(day_base + F.col("part.hi"), tz)
    day = F.date_from_unix_date(F.col("wday").cast("int"))
    return (
        stays.where(F.col("end_ts") > F.col("start_ts"))
        .withColumn(
            "wday", F.explode(F.sequence(F.floor(wall_start / DAY_S), F.floor((wall_end - 1) / DAY_S)))
        )
        .withColumn("part", F.explode(parts))
        .withColumn("dwell_s", F.least(end_s, part_hi) - F.greatest(start_s, part_lo))
        .where(F.col("dwell_s") > 0)
        .select(
            F.col("subscriber_id"),
            F.col("visit_id"),
            F.col("lac"),
            F.col("cell_id"),
            F.col("place_id"),
            F.col("start_ts"),
            day.alias("day"),
            F.col("part.slot").alias("slot"),
            is_weekend(day, settings.weekend_days).alias("is_weekend"),
            F.col("dwell_s"),
        )
    )


def dwell_by_cell(stays: DataFrame, cells: DataFrame, settings: DwellSettings, tz: str) -> DataFrame:
    """mobility/dwell_daily_cell: subscriber × cell × day × slot (place and district as columns).

    ``cells`` needs lac, cell_id, district. A stay piece has one cell and one place, so this grain
    also holds the place and district grains: sum it by either. ``n_stays`` counts visits: the
    pieces of a multi-day stay are one.
    """
    districts = cells.select(F.col("lac"), F.col("cell_id"), F.col("district"))
    return (
        slot_parts(stays, settings, tz)
        .groupBy(
            F.col("subscriber_id"),
            F.col("lac"),
            F.col("cell_id"),
            F.col("place_id"),
            F.col("day"),
            F.col("slot"),
            F.col("is_weekend"),
        )
        .agg(
            F.sum(F.col("dwell_s")).alias("dwell_s"),
            F.count_distinct(F.col("visit_id")).cast("int").alias("n_stays"),
        )
        .join(F.broadcast(districts), on=["lac", "cell_id"], how="left")
        .select(
            F.col("subscriber_id"),
            F.col("lac"),
            F.col("cell_id"),
            F.col("place_id"),
            F.col("district"),
            F.col("slot"),
            F.col("is_weekend"),
            F.col("dwell_s"),
            F.col("n_stays"),
            F.col("day"),
        )
    )


def dwell_by_place(stays: DataFrame, places: DataFrame, settings: DwellSettings, tz: str) -> DataFrame:
    """mobility/dwell_daily: subscriber × place × day × slot (known places only).

    From the stays, not by summing mobility/dwell_daily_cell: the pieces of one visit can sit on
    two cells of the place within one slot (a visit cut at the day boundary), and a sum of the
    cells' visit counts would count that visit twice.
    """
    districts = places.select(F.col("place_id"), F.col("district"))
    return (
        slot_parts(stays.where(F.col("place_id").isNotNull()), settings, tz)
        .groupBy(F.col("subscriber_id"), F.col("place_id"), F.col("day"), F.col("slot"), F.col("is_weekend"))
        .agg(
            F.sum(F.col("dwell_s")).alias("dwell_s"),
            F.count_distinct(F.col("visit_id")).cast("int").alias("n_stays"),
        )
        .join(F.broadcast(districts), on="place_id", how="left")
        .select(
            F.col("subscriber_id"),
            F.col("place_id"),
            F.col("district"),
            F.col("slot"),
            F.col("is_weekend"),
            F.col("dwell_s"),
            F.col("n_stays"),
            F.col("day"),
        )
    )
