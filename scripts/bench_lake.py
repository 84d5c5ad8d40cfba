"""Benchmark: write + read back a 10-million-row table partitioned by day through lake.py,
versus a plain ``df.write.parquet`` of the same DataFrame on the same machine.

    python scripts/bench_lake.py [--rows 10000000] [--days 30] [--out /tmp/bench_lake]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from pyspark.sql import functions as F

from lifecircle.config import load_config
from lifecircle.lake import Lake
from lifecircle.spark import get_spark


def frame(spark, rows: int, days: int):
    return spark.range(rows).select(
        F.sha2(F.col("id").cast("string"), 256).substr(1, 16).alias("subscriber_id"),
        (F.lit(1_793_491_200) + F.col("id") % (days * 86_400)).cast("timestamp").alias("event_ts"),
        (F.col("id") % 10 + 1).cast("int").alias("event_type"),
        (F.col("id") % 97 + 9000).cast("int").alias("lac"),
        (F.col("id") % 5003).cast("int").alias("cell_id"),
        F.date_add(F.lit("2026-11-01").cast("date"), (F.col("id") % days).cast("int")).alias("day"),
    )


def timed(label: str, fn):
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    print(f"{label:<42} {seconds:8.1f} s", flush=True)
    return seconds, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", default="/tmp/bench_lake")
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    conf = load_config(overrides={"spark.shuffle_partitions": 8, "spark.log_level": "ERROR"})
    spark = get_spark("bench-lake", conf)
    lake = Lake(spark, str(out / "lake"), conf.lake)
    df = frame(spark, args.rows, args.days)

    # Warm the JVM (codegen, class loading) for both paths before anything is timed.
    small = frame(spark, 200_000, args.days)
    small.write.partitionBy("day").parquet(str(out / "warm"))
    lake.write("bench/warm", small, partition_by=["day"])

    # Same DataFrame, same partitioning, same machine; best of two rounds, alternating the order.
    plain_runs, lake_runs = [], []
    for round_no in range(2):
        target = out / f"plain{round_no}"
        plain_runs.append(timed("plain df.write.parquet (partitioned by day)", lambda t=target: df.write.partitionBy("day").parquet(str(t)))[0])
        seconds, info = timed("lake.write (delta-rs commit)", lambda: lake.write("bench/events", df, partition_by=["day"]))
        lake_runs.append(seconds)
    plain_w, lake_w = min(plain_runs), min(lake_runs)
    plain_r, n_plain = timed("plain read + full aggregate", lambda: spark.read.parquet(str(out / "plain0")).groupBy("day").agg(F.sum("cell_id")).count())
    lake_r, n_lake = timed("lake.read + full aggregate", lambda: lake.read("bench/events").groupBy("day").agg(F.sum("cell_id")).count())
    replace_s, _ = timed(
        "lake.replace_partitions (1 day of 30)",
        lambda: lake.replace_partitions("bench/events", df.where(F.col("day") == F.lit("2026-11-05").cast("date")), {"day": ["2026-11-05"]}),
    )
    assert n_plain == n_lake == args.days and info.rows_added == args.rows
    print()
    print("| rows | days | plain write s | lake write s | ratio | plain read s | lake read s | ratio | replace 1 day s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.rows:,} | {args.days} | {plain_w:.1f} | {lake_w:.1f} | {lake_w / plain_w:.2f} | "
        f"{plain_r:.1f} | {lake_r:.1f} | {lake_r / plain_r:.2f} | {replace_s:.1f} |"
    )
    spark.stop()


if __name__ == "__main__":
    main()
