"""spark-submit entry: features, event participants, customer tags and the tag catalogue of one period.

    spark-submit jobs/tags_compute.py --lake hdfs:///lifecircle/lake --period 2026-11 \
        [--conf conf/cluster.yaml]

Needs the period's mobility tables (trajectories and dwell jobs) and the month's BOSS/VGOP
extracts. Idempotent per period. On failure one line on stderr, exit 1.
"""

from __future__ import annotations

import sys

from lifecircle.entry import submit_main
from lifecircle.tags.job import run as run_tags


def add_arguments(parser) -> None:
    parser.add_argument("--lake", required=True, help="lake root (local path or Hadoop URI)")
    parser.add_argument("--period", required=True, help="period yyyy-MM")


def run(spark, conf, args) -> None:
    result = run_tags(spark, conf, args.lake, args.period)
    s = result.summary
    print(
        f"tags: {s.get('tags', 0)} tags ({s.get('tags_held', 0)} held) for {s.get('subscribers', 0):,} subscribers "
        f"of {s.get('period')}, {result.rows:,} rows in {len(result.outputs)} commits, {result.seconds:.1f}s"
    )


if __name__ == "__main__":
    sys.exit(submit_main("tags_compute", add_arguments, run))
