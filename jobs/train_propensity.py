"""spark-submit entry: initial matching and one calibrated propensity model per product.

    spark-submit jobs/train_propensity.py --lake hdfs:///lifecircle/lake --period 2026-11 \
        [--conf conf/cluster.yaml]

Learns features of the month before the period → adoption in the period, every product in one
applyInPandas (one task per product). The driver logs to MLflow (mlflow.tracking_uri in conf) and
registers propensity_<product> with alias challenger. Writes models/circle_products and
models/training_status. On failure one line on stderr, exit 1.
"""

from __future__ import annotations

import sys

from lifecircle.entry import submit_main
from lifecircle.models.train_job import run as run_train


def add_arguments(parser) -> None:
    parser.add_argument("--lake", required=True, help="lake root (local path or Hadoop URI)")
    parser.add_argument("--period", required=True, help="period yyyy-MM (the label month)")


def run(spark, conf, args) -> None:
    result = run_train(spark, conf, args.lake, args.period)
    s = result.summary
    print(
        f"train: {s.get('trained', 0)} trained, {s.get('skipped', 0)} skipped, {s.get('failed', 0)} failed "
        f"for {s.get('period')} (mean AUC {s.get('mean_auc')}), {result.seconds:.1f}s; MLflow {s.get('mlflow')}"
    )


if __name__ == "__main__":
    sys.exit(submit_main("train_propensity", add_arguments, run))
