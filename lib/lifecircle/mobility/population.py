"""City view: per place × hour of week, distinct subscribers present, with peaks and valleys.

A subscriber is *present* at a place in a local clock hour (a given date and hour) when their
stays there cover at least ``min_presence_s`` of it. ``subscribers_avg`` is the number present
averaged over the occurrences of that hour of week among the observed days of the window (a
30-day window holds each hour of week four or five times; days without data are not counted);
``subscribers_max`` is the busiest occurrence. Per place the ``peak_hours`` hours with the highest
average are peaks (波峰) and the ``valley_hours`` lowest are valleys (波谷); ties go to the earlier
hour of week. Hour of week 0 is Monday 00:00–01:00 local.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.localtime import local_seconds, weekday_of
from lifecircle.mobility.settings import PopulationSettings

HOURS_OF_WEEK = 168


def occurrences(spark: SparkSession, observed: list[dt.date]) -> DataFrame:
    """hour_of_week → how many times the observed days hold it."""
    per_weekday = Counter(d.weekday() for d in observed)
    rows = [(w * 24 + h, per_weekday.get(w, 0)) for w in range(7) for h in range(24)]
    schema = T.StructType(
        [T.StructField("hour_of_week", T.IntegerType()), T.StructField("occurrences", T.IntegerType())]
    )
    return spark.createDataFrame(rows, schema)


def presence(stays: DataFrame, settings: PopulationSettings, tz: str) -> DataFrame:
    """Distinct (place_id, local hour number, subscriber_id) with enough time there."""
    wall_start, wall_end = local_seconds(F.col("start_ts"), tz), local_seconds(F.col("end_ts"), tz)
    hour_start = F.col("hour") * 3600
    overlap = F.least(F.col("wall_end"), hour_start + 3600) - F.greatest(F.col("wall_start"), hour_start)
    return (
        stays.where(F.col("place_id").isNotNull() & (F.col("end_ts") > F.col("start_ts")))
        .withColumn("wall_start", wall_start)
        .withColumn("wall_end", wall_end)
        .withColumn(
            "hour",
            F.explode(
                F.sequence(F.floor(F.col("wall_start") / 3600), F.floor((F.col("wall_end") - 1) / 3600))
            ),
        )
        .where((overlap > 0) & (overlap >= settings.min_presence_s))
        .select(F.col("place_id"), F.col("hour"), F.col("subscriber_id"))
        .distinct()
    )


def area_population(
    stays: DataFrame,
    places: DataFrame,
    observed: list[dt.date],
    settings: PopulationSettings,
    tz: str,
    period: str,
) -> DataFrame:
    """mobility/area_population of stays clipped to the window whose observed days are given."""
    spark = stays.sparkSession
    day = F.date_from_unix_date(F.floor(F.col("hour") / 24).cast("int"))
    counts = (
        presence(stays, settings, tz)
        .groupBy(F.col("place_id"), F.col("hour"))
        .agg(F.count(F.lit(1)).alias("present"))
        .withColumn("day", day)
        .where(F.col("day").isin(list(observed)))
        .withColumn("hour_of_week", (weekday_of(F.col("day")) * 24 + F.col("hour") % 24).cast("int"))
        .groupBy(F.col("place_id"), F.col("hour_of_week"))
        .agg(F.sum(F.col("present")).alias("total"), F.max(F.col("present")).alias("subscribers_max"))
    )
    grid = counts.select(F.col("place_id")).distinct().crossJoin(F.broadcast(occurrences(spark, observed)))
    filled = (
        grid.join(counts, on=["place_id", "hour_of_week"], how="left")
        .withColumn("subscribers_max", F.coalesce(F.col("subscribers_max"), F.lit(0)).cast("int"))
        .withColumn(
            "subscribers_avg",
            F.when(
                F.col("occurrences") > 0, F.coalesce(F.col("total"), F.lit(0)) / F.col("occurrences")
            ).otherwise(F.lit(0.0)),
        )
    )
    by_place = Window.partitionBy(F.col("place_id"))
    peak_rank = F.row_number().over(by_place.orderBy(F.col("subscribers_avg").desc(), F.col("hour_of_week")))
    # Hours the window never holds are neither peaks nor valleys: rank them last.
    valley_rank = F.row_number().over(
        by_place.orderBy(
            (F.col("occurrences") == 0).asc(), F.col("subscribers_avg").asc(), F.col("hour_of_week")
        )
    )
    return (
        filled.withColumn("is_peak", (peak_rank <= settings.peak_hours) & (F.col("subscribers_avg") > 0))
        .withColumn("is_valley", (valley_rank <= settings.valley_hours) & (F.col("occurrences") > 0))
        .join(F.broadcast(places.select(F.col("place_id"), F.col("district"))), on="place_id", how="left")
        .select(
            F.col("place_id"),
            F.col("district"),
            F.col("hour_of_week"),
            (F.col("hour_of_week") / 24).cast("int").alias("weekday"),
            (F.col("hour_of_week") % 24).alias("hour"),
            F.col("subscribers_avg"),
            F.col("subscribers_max"),
            F.col("occurrences"),
            F.col("is_peak"),
            F.col("is_valley"),
            F.lit(period).alias("period"),
        )
    )
