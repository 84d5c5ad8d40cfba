"""Benchmark of module D on synthetic data, as a markdown section.

    python scripts/bench_models.py [--products 12] [--train-rows 20000] [--features 300]
        [--subscribers 100000] [--workdir /tmp/bench_models] [--out report.md]

1. Training: ``--products`` products × ``--train-rows`` rows × ``--features`` features (adoption a
   logistic function of a few features, ~3 % positives). The same rows are trained (a) by the job's
   path: one ``applyInPandas`` with one task per product, and (b) one product after another in a
   driver loop calling the same training function on pandas frames collected beforehand (collect
   time excluded), once with one BLAS thread and once with the library default.
2. Scoring: ``--subscribers`` subscribers × every product through ``compute_scores`` +
   ``compute_matrix`` into a Delta table (the score job's path), as subscriber × product scores per
   second, with and without the ranking and the commit.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
from pathlib import Path

from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import SparkSettings
from lifecircle.lake import Lake
from lifecircle.models.dataset import with_task_slots
from lifecircle.models.scoring import compute_matrix, compute_scores
from lifecircle.models.settings import TrainingSettings
from lifecircle.models.training import RESULT_SCHEMA, make_trainer, train_product
from lifecircle.spark import get_spark


def feature_columns(n: int) -> list[str]:
    return [f"f{i:03d}" for i in range(n)]


def logit(product: int, names: list[str]):
    """Each product depends on 4 features of its own plus a shared one."""
    base = F.lit(-4.0)
    for k in range(4):
        base = base + F.col(names[(product * 4 + k) % len(names)]) * F.lit(0.8 - 0.15 * k)
    return base + F.col(names[-1]) * F.lit(0.3)


def training_frame(spark, products: int, rows: int, names: list[str]):
    frame = spark.range(products * rows).select(
        F.col("id").cast("string").alias("subscriber_id"),
        (F.col("id") % products).cast("int").alias("p"),
        *[F.randn(11 + i).alias(n) for i, n in enumerate(names)],
    )
    z = F.lit(0.0)
    for p in range(products):
        z = F.when(F.col("p") == p, logit(p, names)).otherwise(z)
    return frame.select(
        "subscriber_id",
        F.format_string("B%02d", F.col("p")).alias("product_code"),
        (F.rand(5) < 1 / (1 + F.exp(-z))).cast("int").alias("label"),
        F.lit(1.0).alias("weight"),
        *names,
    )


def bench_training(spark, args, names: list[str]) -> dict:
    settings = TrainingSettings(min_positives=30, importance_top=10, algorithm=args.algorithm)
    codes = [f"B{p:02d}" for p in range(args.products)]
    frame = training_frame(spark, args.products, args.train_rows, names).cache()
    frame.count()
    slotted, n = with_task_slots(frame, codes)
    t0 = time.perf_counter()
    rows = slotted.repartition(n, "slot").groupBy("slot").applyInPandas(make_trainer(names, settings), RESULT_SCHEMA).collect()
    parallel = time.perf_counter() - t0
    task_seconds = sum(r["seconds"] for r in rows)
    t0 = time.perf_counter()
    frames = {c: frame.where(F.col("product_code") == c).toPandas() for c in codes}
    collect = time.perf_counter() - t0
    from threadpoolctl import threadpool_limits

    loops = {}
    for label, limit in (("loop, 1 thread", 1), ("loop, default threads", None)):
        t0 = time.perf_counter()
        with threadpool_limits(limit):
            for c in codes:
                row = train_product(frames[c], names, settings)
                assert row["status"] == "trained", row["reason"]
        loops[label] = time.perf_counter() - t0
    frame.unpersist()
    return {
        "parallel": parallel,
        "task_seconds": task_seconds,
        "collect": collect,
        "loops": loops,
        "auc": sum(r["auc"] for r in rows) / len(rows),
        "positives": sum(r["n_positives"] for r in rows) / len(rows),
        "models": {r["product_code"]: r.asDict() for r in rows},
    }


def bench_scoring(spark, args, names: list[str], models: dict, workdir: Path) -> dict:
    codes = sorted(models)
    import pickle

    fitted = [(c, "1", pickle.loads(models[c]["model"])) for c in codes]
    features = spark.range(args.subscribers).select(
        F.format_string("%064d", F.col("id")).alias("subscriber_id"),
        *[F.randn(101 + i).alias(n) for i, n in enumerate(names)],
        *[(F.rand(300 + i) < 0.1).cast("double").alias(f"p_{c}_held") for i, c in enumerate(codes)],
    ).cache()
    features.count()
    scores = compute_scores(features, fitted)
    t0 = time.perf_counter()
    n_scores = scores.count()
    only_scores = time.perf_counter() - t0
    lake = Lake(spark, str(workdir / "lake"))
    t0 = time.perf_counter()
    commit = lake.replace_partitions(
        tables.MATCHING_MATRIX, compute_matrix(scores, "2026-11"), {"period": ["2026-11"]}, partition_by=["period"]
    )
    full = time.perf_counter() - t0
    features.unpersist()
    return {"rows": n_scores, "only_scores": only_scores, "full": full, "committed": commit.rows_added}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=12)
    parser.add_argument("--train-rows", type=int, default=20000)
    parser.add_argument("--features", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=100000)
    parser.add_argument("--algorithm", choices=["logistic", "hgb"], default="logistic")
    parser.add_argument("--workdir", default="/tmp/bench_models")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    spark = get_spark(
        "lifecircle-bench-models",
        SparkSettings(master="local[2]", shuffle_partitions=8, driver_memory="8g", extra={"spark.ui.enabled": "false"}),
    )
    names = feature_columns(args.features)
    tr = bench_training(spark, args, names)
    sc = bench_scoring(spark, args, names, tr["models"], workdir)
    loop1, loopd = tr["loops"]["loop, 1 thread"], tr["loops"]["loop, default threads"]
    lines = [
        f"`python scripts/bench_models.py --products {args.products} --train-rows {args.train_rows} "
        f"--features {args.features} --subscribers {args.subscribers} --algorithm {args.algorithm}` "
        f"({platform.machine()}, {os.cpu_count()} cores, Spark local[2]):",
        "",
        f"Training ({args.algorithm}): {args.products} products × {args.train_rows:,} rows × {args.features} features, "
        f"{tr['positives']:.0f} positives per product on average, mean held-out AUC {tr['auc']:.3f}.",
        "",
        "| run | wall-clock | parallel is faster by |",
        "|---|---:|---:|",
        f"| one applyInPandas, one task per product | {tr['parallel']:.1f} s | |",
        f"| driver loop, one BLAS thread | {loop1:.1f} s | {loop1 / tr['parallel']:.2f}× |",
        f"| driver loop, default BLAS threads | {loopd:.1f} s | {loopd / tr['parallel']:.2f}× |",
        f"| driver loop, default threads, plus collecting its frames | {loopd + tr['collect']:.1f} s | "
        f"{(loopd + tr['collect']) / tr['parallel']:.2f}× |",
        "",
        f"The parallel run's tasks add up to {tr['task_seconds']:.1f} s of training; collecting the "
        f"loop's pandas frames to the driver took {tr['collect']:.1f} s.",
        "",
        f"Scoring: {args.subscribers:,} subscribers × {args.products} products, "
        f"{sc['rows']:,} scores (held products skipped):",
        "",
        "| stage | wall-clock | scores per second |",
        "|---|---:|---:|",
        f"| compute_scores (Arrow batches, models broadcast once) | {sc['only_scores']:.1f} s | "
        f"{sc['rows'] / sc['only_scores']:,.0f} |",
        f"| + ranks, percentiles and the Delta commit of models/matching_matrix | {sc['full']:.1f} s | "
        f"{sc['rows'] / sc['full']:,.0f} |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
