"""Accuracy of the matching matrix on a simulated city, as a markdown section.

    python scripts/eval_matrix.py --workdir /tmp/evalmatrix [--subscribers 6000] [--days 14]
        [--start 2026-11-02] [--seed 11] [--profile realistic|clean] [--trait KEY=VALUE]...
        [--reuse] [--conf FILE] [--set KEY=VALUE] [--out report.md]

Default: the realistic simulator profile and report seed 11 (tuning seeds are 1-3).

Simulates a city and runs the whole chain (``lifecircle run``) unless ``--reuse`` finds the lake,
then trains the period's models (features of M−1 → adoption in M), promotes every new challenger
to champion, scores period M and compares the matrix with the simulator's truth for M+1: per
product the AUC of the matrix probability on the true adoption outcome, next to the oracle AUC of
the true adoption probabilities on the same subscriber × product rows (target: model AUC ≥ 0.9 ×
oracle AUC on average), and the calibration (mean predicted against the true mean probability).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd
from simcity import add_city_arguments, build_city, city_traits, describe, identity_table, lake_table
from sklearn.metrics import roc_auc_score

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.periods import next_period, prev_period
from lifecircle.spark import get_spark


def product_metrics(truth: Path, lake: Path, period: str, identity: pd.DataFrame) -> pd.DataFrame:
    nxt = next_period(period).replace("-", "")
    adoption = pd.read_parquet(truth / "adoption.parquet")
    adoption = adoption[adoption["month"] == nxt].astype({"msisdn": str})
    matrix = lake_table(lake, tables.MATCHING_MATRIX)
    matrix = matrix[matrix["period"] == period].merge(identity, on="subscriber_id", how="inner")
    both = adoption.merge(
        matrix[["msisdn", "product_code", "probability", "score"]].rename(columns={"probability": "predicted"}),
        on=["msisdn", "product_code"], how="inner",
    )
    rows = []
    for code, g in both.groupby("product_code"):
        y = g["adopted"].astype(int)
        if y.nunique() < 2:
            continue
        rows.append({
            "product": code,
            "rows": len(g),
            "adopters": int(y.sum()),
            "model_auc": roc_auc_score(y, g["predicted"]),
            "oracle_auc": roc_auc_score(y, g["probability"]),
            "mean_predicted": g["predicted"].mean(),
            "mean_true_p": g["probability"].mean(),
            "observed": y.mean(),
        })
    out = pd.DataFrame(rows)
    out["ratio"] = out["model_auc"] / out["oracle_auc"]
    coverage = {
        "truth_rows": len(adoption),
        "matrix_rows": len(matrix),
        "matched": len(both),
    }
    return out, coverage


def report(args, period, timings, metrics: pd.DataFrame, coverage: dict, status: pd.DataFrame, conf) -> str:
    t = conf.models.training
    lines = [
        f"## Matching matrix on a simulated city ({args.subscribers} subscribers × {args.days} days, seed {args.seed})",
        "",
        f"`python scripts/eval_matrix.py {describe(args)}`",
        "",
        f"Period {period}: models learn features of {prev_period(period)} → adoption in {period}; "
        f"the matrix of {period} is scored against the truth's adoption in {next_period(period)}.",
        f"Model: {t.algorithm} (C={t.logistic_c}) with {t.calibration} calibration, "
        f"{t.calibration_folds} folds, test share {t.test_fraction}.",
        "Timings: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()),
        f"Rows: truth {coverage['truth_rows']:,} eligible subscriber × product pairs, matrix "
        f"{coverage['matrix_rows']:,}, matched {coverage['matched']:,}.",
        "",
        f"- mean model AUC **{metrics['model_auc'].mean():.3f}**, mean oracle AUC **{metrics['oracle_auc'].mean():.3f}**, "
        f"ratio of means **{metrics['model_auc'].mean() / metrics['oracle_auc'].mean():.3f}**, mean of ratios "
        f"{metrics['ratio'].mean():.3f} (target ≥ 0.9)",
        f"- calibration: mean predicted {metrics['mean_predicted'].mean():.4f} vs mean true probability "
        f"{metrics['mean_true_p'].mean():.4f} vs observed {metrics['observed'].mean():.4f}",
        "",
        "| product | rows | adopters | model AUC | oracle AUC | ratio | mean predicted | mean true p | held-out AUC |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    held = dict(zip(status["product_code"], status["auc"], strict=False))
    for r in metrics.itertuples():
        h = held.get(r.product)
        lines.append(
            f"| {r.product} | {r.rows:,} | {r.adopters} | {r.model_auc:.3f} | {r.oracle_auc:.3f} | {r.ratio:.3f} | "
            f"{r.mean_predicted:.4f} | {r.mean_true_p:.4f} | {'' if h is None or pd.isna(h) else f'{h:.3f}'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_city_arguments(parser, subscribers=6000, days=14)
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="KEY=VALUE override")
    args = parser.parse_args(argv)

    from lifecircle.models import registry
    from lifecircle.models.score_job import run as run_score
    from lifecircle.models.train_job import run as run_train

    # Simulated data only: any key will do when none is set.
    os.environ.setdefault("LIFECIRCLE_PSEUDONYM_KEY", "eval-matrix-simulated-city")
    work = Path(args.workdir).resolve()
    conf = load_config(args.conf, [f"mlflow.dir={work / 'mlruns'}", *args.overrides])
    spark = get_spark("lifecircle-eval-matrix", conf.spark)
    city = build_city(
        spark, conf, args.workdir, args.subscribers, args.days, args.start, args.seed,
        steps=("ingest", "trajectories", "dwell", "tags"), reuse=args.reuse, profile=args.profile,
        traits=city_traits(args),
    )
    truth, lake, period, timings = city.truth, city.lake, city.period, city.timings
    t0 = time.monotonic()
    trained = run_train(spark, conf, str(lake), period)
    timings["train"] = time.monotonic() - t0
    status = lake_table(lake, tables.TRAINING_STATUS)
    status = status[status["period"] == period]
    for code in status.loc[status["status"] == "trained", "product_code"]:
        registry.promote(conf.mlflow, code)
    t0 = time.monotonic()
    run_score(spark, conf, str(lake), period)
    timings["score"] = time.monotonic() - t0
    metrics, coverage = product_metrics(truth, lake, period, identity_table(city))
    text = report(args, period, timings, metrics, coverage, status, conf)
    print(text)
    print(f"(training summary: {trained.summary})", file=sys.stderr)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    city.spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
