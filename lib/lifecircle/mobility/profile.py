"""Dwell profile over a window: days present, dwell and the frequency class per subscriber ×
place (mobility/dwell_profile) and per subscriber × district (mobility/dwell_profile_district).

Frequency classes compare the days present with the days the window actually holds data for
("observed days"), so a partial month or a gap in the feed does not demote everybody:
经常到达 frequent ≥ frequent_min_share, 一般到达 general ≥ general_min_share, else 偶尔到达.
"""

from __future__ import annotations

import datetime as dt
import math

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lifecircle.mobility.settings import AnchorSettings, ProfileSettings

CLASS_ZH = {"frequent": "经常到达", "general": "一般到达", "occasional": "偶尔到达"}


def class_thresholds(observed_days: int, settings: ProfileSettings) -> tuple[int, int]:
    """(frequent, general) minimum days present for a window with ``observed_days`` of data."""
    general = max(1, math.ceil(settings.general_min_share * observed_days - 1e-9))
    frequent = max(general, math.ceil(settings.frequent_min_share * observed_days - 1e-9))
    return frequent, general


def frequency_class(days: Column, observed_days: int, settings: ProfileSettings) -> Column:
    frequent, general = class_thresholds(observed_days, settings)
    return (
        F.when(days >= frequent, F.lit("frequent"))
        .when(days >= general, F.lit("general"))
        .otherwise(F.lit("occasional"))
    )


def _profile(
    dwell: DataFrame,
    key: str,
    observed_days: int,
    settings: ProfileSettings,
    anchors: AnchorSettings,
) -> DataFrame:
    """Per subscriber × ``key``: days present, dwell split by night / weekday work / weekend."""
    night = F.col("slot").isin(list(anchors.night_slots))
    work = F.col("slot").isin(list(anchors.work_slots)) & ~F.col("is_weekend")
    per_day = (
        dwell.where(F.col(key).isNotNull())
        .groupBy(F.col("subscriber_id"), F.col(key), F.col("day"))
        .agg(
            F.sum(F.col("dwell_s")).alias("dwell_s"),
            F.sum(F.when(night, F.col("dwell_s")).otherwise(0)).alias("night_dwell_s"),
            F.sum(F.when(work, F.col("dwell_s")).otherwise(0)).alias("work_dwell_s"),
            F.sum(F.when(F.col("is_weekend"), F.col("dwell_s")).otherwise(0)).alias("weekend_dwell_s"),
        )
    )
    present = F.col("dwell_s") >= settings.min_day_dwell_s
    return per_day.groupBy(F.col("subscriber_id"), F.col(key)).agg(
        F.sum(present.cast("int")).cast("int").alias("days_present"),
        F.sum(F.col("dwell_s")).alias("dwell_s"),
        F.sum(F.col("night_dwell_s")).alias("night_dwell_s"),
        F.sum(F.col("work_dwell_s")).alias("work_dwell_s"),
        F.sum(F.col("weekend_dwell_s")).alias("weekend_dwell_s"),
        F.min(F.col("day")).alias("first_day"),
        F.max(F.col("day")).alias("last_day"),
    )


def _finish(
    profile: DataFrame,
    key_cols: list[Column],
    observed_days: int,
    settings: ProfileSettings,
    period: str,
    window: tuple[dt.date, dt.date],
) -> DataFrame:
    cls = frequency_class(F.col("days_present"), observed_days, settings)
    zh = F.create_map(*[F.lit(x) for kv in CLASS_ZH.items() for x in kv])
    return profile.withColumn("frequency_class", cls).select(
        F.col("subscriber_id"),
        *key_cols,
        F.lit(window[0]).alias("window_start"),
        F.lit(window[1]).alias("window_end"),
        F.lit(observed_days).alias("observed_days"),
        F.col("days_present"),
        F.col("dwell_s"),
        F.col("night_dwell_s"),
        F.col("work_dwell_s"),
        F.col("weekend_dwell_s"),
        F.col("first_day"),
        F.col("last_day"),
        F.col("frequency_class"),
        zh[F.col("frequency_class")].alias("frequency_class_zh"),
        F.lit(period).alias("period"),
    )


def place_profile(
    dwell_cell: DataFrame,
    places: DataFrame,
    observed_days: int,
    settings: ProfileSettings,
    anchors: AnchorSettings,
    period: str,
    window: tuple[dt.date, dt.date],
) -> DataFrame:
    """mobility/dwell_profile from dwell_daily_cell rows of the window (any grain with place_id)."""
    prof = _profile(dwell_cell, "place_id", observed_days, settings, anchors).join(
        F.broadcast(places.select(F.col("place_id"), F.col("district"))), on="place_id", how="left"
    )
    return _finish(prof, [F.col("place_id"), F.col("district")], observed_days, settings, period, window)


def district_profile(
    dwell_cell: DataFrame,
    observed_days: int,
    settings: ProfileSettings,
    anchors: AnchorSettings,
    period: str,
    window: tuple[dt.date, dt.date],
) -> DataFrame:
    """mobility/dwell_profile_district from dwell_daily_cell rows of the window."""
    prof = _profile(dwell_cell, "district", observed_days, settings, anchors)
    return _finish(prof, [F.col("district")], observed_days, settings, period, window)
