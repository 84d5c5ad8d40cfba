"""Consumption feature families: BOSS background and usage (with population percentiles), VGOP
product status maps and event attendance. The models reuse :func:`compute_boss_features` to build
the same columns as of another month."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

PCT_STEPS = 1000


def _below(value: Column):
    return lambda cut: cut < value


def with_percentiles(df: DataFrame, values: dict[str, Column]) -> DataFrame:
    """Adds each ``name`` = share of the population below the row's value (0 … 0.999), from one
    ``percentile_approx`` aggregation over a 1/1000 grid: scales to any population, unlike a
    window over the whole table, which would gather every row into one task."""
    grid = [i / PCT_STEPS for i in range(1, PCT_STEPS)]
    staged = df.select("*", *[v.cast("double").alias(f"_pv_{n}") for n, v in values.items()])
    cuts = staged.agg(*[F.percentile_approx(f"_pv_{n}", grid, 10000).alias(f"_pc_{n}") for n in values])
    out = staged.crossJoin(F.broadcast(cuts))
    for n in values:
        v = F.col(f"_pv_{n}")
        out = out.withColumn(
            n, F.when(v.isNotNull(), F.size(F.filter(F.col(f"_pc_{n}"), _below(v))) / PCT_STEPS)
        )
    return out.drop(*[f"_pv_{n}" for n in values], *[f"_pc_{n}" for n in values])


def compute_boss_features(subscribers: DataFrame, usage: DataFrame, month: str, prev_month: str) -> DataFrame:
    """Background and usage columns of ``month`` (yyyy-MM) from raw/subscribers of that month and
    raw/usage of it and ``prev_month`` (for the month-over-month ratios)."""
    year = int(month[:4])
    month_end = F.last_day(F.to_date(F.lit(f"{month}-01")))
    subs = subscribers.select(
        "subscriber_id",
        "brand",
        "tier",
        "gender",
        "status",
        "package_code",
        (F.lit(year) - F.col("birth_year")).cast("int").alias("age"),
        F.floor(F.months_between(month_end, F.col("open_date"))).cast("int").alias("tenure_months"),
    )
    cur = usage.where(F.col("month") == month).select(
        "subscriber_id",
        F.col("arpu").cast("double").alias("arpu"),
        *[
            F.col(c).cast("double").alias(c)
            for c in (
                "voice_out_min",
                "voice_in_min",
                "data_mb",
                "night_data_mb",
                "roaming_min",
                "weekend_voice_min",
                "package_fee",
                "extra_fee",
            )
        ],
        F.col("sms_out").cast("long").alias("sms_out"),
        F.col("sms_in").cast("long").alias("sms_in"),
    )
    prev = usage.where(F.col("month") == prev_month).select(
        "subscriber_id",
        F.col("arpu").cast("double").alias("arpu_prev"),
        F.col("data_mb").cast("double").alias("data_mb_prev"),
    )

    measures = (
        cur.join(prev, "subscriber_id", "left")
        .withColumn("arpu_mom", F.when(F.col("arpu_prev") > 0, F.col("arpu") / F.col("arpu_prev") - 1))
        .withColumn(
            "data_mom", F.when(F.col("data_mb_prev") > 0, F.col("data_mb") / F.col("data_mb_prev") - 1)
        )
        .withColumn(
            "night_data_share", F.when(F.col("data_mb") > 0, F.col("night_data_mb") / F.col("data_mb"))
        )
        .withColumn("extra_fee_share", F.when(F.col("arpu") > 0, F.col("extra_fee") / F.col("arpu")))
        # Usage valued at indicative unit prices per CNY of package fee (no allowances in BOSS).
        .withColumn(
            "usage_per_fee",
            (F.col("voice_out_min") * 0.15 + F.col("data_mb") * 0.03)
            / F.greatest(F.col("package_fee"), F.lit(1.0)),
        )
    )
    measures = with_percentiles(
        measures,
        {
            "arpu_pct": F.col("arpu"),
            "data_pct": F.col("data_mb"),
            "sms_pct": F.col("sms_out"),
            "voice_pct": F.col("voice_out_min"),
            "usage_per_fee_pct": F.col("usage_per_fee"),
        },
    )
    return subs.join(measures, "subscriber_id", "full")


def compute_product_features(product_status: DataFrame, month: str, prev_month: str) -> DataFrame:
    """``product_status`` and ``product_status_prev``: product_code → status of each month."""

    def as_map(m: str, name: str) -> DataFrame:
        return (
            product_status.where(F.col("month") == m)
            .groupBy("subscriber_id")
            .agg(F.map_from_entries(F.array_sort(F.collect_list(F.struct("product_code", "status")))).alias(name))
        )

    return as_map(month, "product_status").join(as_map(prev_month, "product_status_prev"), "subscriber_id", "full")


def compute_event_features(participants: DataFrame) -> DataFrame:
    """``events_attended`` and ``event_types_attended`` (sorted) from the window's participants."""
    return participants.groupBy("subscriber_id").agg(
        F.array_sort(F.collect_set("event_id")).alias("events_attended"),
        F.array_sort(F.collect_set("event_type")).alias("event_types_attended"),
    )
