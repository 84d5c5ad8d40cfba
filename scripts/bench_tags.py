"""Benchmark: all tags for N subscribers of one period, and time versus the number of tags.

    python scripts/bench_tags.py [--subscribers 200000] [--tags 100,300,600] [--repeat 1]

A synthetic ``models/features`` table (the real schema, random values) is cached in memory; for
each catalogue size the packaged catalogue (expanded on a synthetic city: 11 districts, 10
products, 12 events) is cut or repeated (extra copies get new codes and shifted thresholds) to the
size, compiled into one projection and the matches counted (the ``noop`` sink). Prints seconds,
Spark jobs per run (constant: one pass whatever the number of tags) and tag rows produced.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import time

from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.config import load_config
from lifecircle.features.schema import feature_schema, slot_names
from lifecircle.spark import get_spark
from lifecircle.tags.engine import compile_tags
from lifecircle.tags.job import catalog_dir
from lifecircle.tags.language import load_catalog, static_domains

DISTRICTS = ["莞城", "南城", "东城", "万江", "石龙", "松山湖", "虎门", "长安", "常平", "樟木头", "塘厦"]


def synthetic_features(spark, schema: T.StructType, n: int, products: list[str]):
    """Random values of the right type per column (districts, classes, product maps plausible)."""
    base = spark.range(n).withColumn("r", F.rand(7))
    cols = []
    for i, f in enumerate(schema.fields):
        h = F.abs(F.hash(F.col("id"), F.lit(i)))
        name, t = f.name, f.dataType
        if name == "subscriber_id":
            col = F.sha2(F.col("id").cast("string"), 256).substr(1, 16)
        elif name.endswith("_district"):
            col = F.element_at(F.array(*[F.lit(d) for d in DISTRICTS]), (h % len(DISTRICTS) + 1).cast("int"))
        elif name.startswith("freq_"):
            col = F.element_at(
                F.array(F.lit("frequent"), F.lit("general"), F.lit("occasional"), F.lit(None)),
                (h % 4 + 1).cast("int"),
            )
        elif name in ("product_status", "product_status_prev"):
            statuses = F.array(*[F.lit(s) for s in ("marketed", "opened", "active", "cancelled")])
            col = F.map_from_arrays(
                F.array(*[F.lit(p) for p in products[:3]]),
                F.array(*[F.element_at(statuses, ((h + k) % 4 + 1).cast("int")) for k in range(3)]),
            )
        elif isinstance(t, T.ArrayType):
            col = F.when(h % 10 == 0, F.array(F.lit("E1"), F.lit("basketball"))).otherwise(F.array())
        elif isinstance(t, T.StringType):
            col = F.concat(F.lit("v"), (h % 5).cast("string"))
        elif name.endswith(("_pct", "_share", "_mom", "confidence")):
            col = (h % 1000) / 1000.0 - (0.5 if name.endswith("_mom") else 0.0)
        elif name.startswith(("days_", "observed", "n_", "nights_", "wd_days")):
            col = h % 15
        else:
            col = h % 100000
        cols.append(col.cast(t).alias(name))
    return base.select(*cols)


def sized(tags, n: int):
    """The first n tags, or copies with new codes and shifted numbers to reach n."""
    out, k = list(tags[:n]), 1
    while len(out) < n:
        for t in tags:
            if len(out) >= n:
                break
            when = re.sub(
                r"(>=|<=|>|<) (\d+(?:\.\d+)?)", lambda m, k=k: f"{m.group(1)} {float(m.group(2)) + k}", t.when
            )
            out.append(dataclasses.replace(t, code=f"{t.code}.copy{k}", when=when))
        k += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=200_000)
    parser.add_argument("--tags", default="100,300,600")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    conf = load_config()
    spark = get_spark("lifecircle-bench-tags", conf)
    slots = slot_names(conf)
    schema = feature_schema(conf.tags, slots)
    domains = static_domains(slots)
    products = [str(1001 + i) for i in range(10)]
    domains["district"] = [{"district": d} for d in DISTRICTS]
    domains["product"] = [{"product": p, "product_name": p} for p in products]
    domains["event"] = [
        {"event_id": f"E{i}", "event_name": f"E{i}", "event_type": "basketball", "event_place": "P1"}
        for i in range(12)
    ]
    domains["event_type"] = [{"event_type": "basketball"}]
    t0 = time.perf_counter()
    catalog = load_catalog(catalog_dir(conf.tags), domains, spark, schema)
    print(f"catalogue: {len(catalog)} tags loaded and validated in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    features = synthetic_features(spark, schema, args.subscribers, products).cache()
    print(
        f"features: {features.count():,} subscribers x {len(schema.fields)} columns built in "
        f"{time.perf_counter() - t0:.1f} s on {os.cpu_count()} cores"
    )
    print("| tags | seconds | Spark jobs | tag rows | rows/s |")
    print("|---:|---:|---:|---:|---:|")
    sc = spark.sparkContext
    for n in [int(x) for x in args.tags.split(",")]:
        tags = sized(catalog.tags, n)
        for r in range(args.repeat):
            group = f"bench-{n}-{r}"
            sc.setJobGroup(group, group)
            t0 = time.perf_counter()
            rows = compile_tags(features, tags).count()
            seconds = time.perf_counter() - t0
            jobs = len(sc.statusTracker().getJobIdsForGroup(group))
            print(f"| {n} | {seconds:.1f} | {jobs} | {rows:,} | {rows / seconds:,.0f} |", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
