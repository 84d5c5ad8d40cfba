"""spark-submit entry: the customer × product matching matrix of one period.

    spark-submit jobs/score_matrix.py --lake hdfs:///lifecircle/lake --period 2026-11 \
        [--conf conf/cluster.yaml]

Loads each product's champion model (else its newest version, saying so) from MLflow, scores
every subscriber for every product they do not hold and replaces the period of
models/matching_matrix. On failure one line on stderr, exit 1.
"""

from __future__ import annotations

import sys

from lifecircle.entry import submit_main
from lifecircle.models.score_job import run as run_score


def add_arguments(parser) -> None:
    parser.add_argument("--lake", required=True, help="lake root (local path or Hadoop URI)")
    parser.add_argument("--period", required=True, help="period yyyy-MM (features as of this month)")


def run(spark, conf, args) -> None:
    result = run_score(spark, conf, args.lake, args.period)
    s = result.summary
    print(
        f"score: {s.get('products_scored', 0)} products for {s.get('period')}, {result.rows:,} matrix rows, "
        f"{result.seconds:.1f}s; not scored: {', '.join(s.get('not_scored') or []) or 'none'}"
    )


if __name__ == "__main__":
    sys.exit(submit_main("score_matrix", add_arguments, run))
