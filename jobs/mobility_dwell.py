"""spark-submit entry: dwell profile, home/work anchors and the city view per period.

    spark-submit jobs/mobility_dwell.py --lake hdfs:///lifecircle/lake \
        --start 2026-11-01 --end 2026-11-30 [--period 2026-11] [--conf conf/cluster.yaml]

Without --period every month touched by START..END is profiled; each window is the configured
number of days ending on the month's last day or on END. On failure one line on stderr, exit 1.
"""

from __future__ import annotations

import sys

from lifecircle.entry import iso_date, submit_main
from lifecircle.mobility.dwell_job import run as run_dwell


def add_arguments(parser) -> None:
    parser.add_argument("--lake", required=True, help="lake root (local path or Hadoop URI)")
    parser.add_argument("--start", required=True, type=iso_date, help="first local day (YYYY-MM-DD)")
    parser.add_argument("--end", required=True, type=iso_date, help="last local day (YYYY-MM-DD)")
    parser.add_argument("--period", help="one period yyyy-MM (default: every month of START..END)")


def run(spark, conf, args) -> None:
    result = run_dwell(spark, conf, args.lake, args.start, args.end, period=args.period)
    print(f"dwell: {result.rows:,} rows in {len(result.outputs)} commits, {result.seconds:.1f}s")
    for row in result.summary.get("anchor_agreement", []):
        print(
            f"  {row['period']} {row['anchor_type']:<4} {row['method_a']} vs {row['method_b']}: "
            f"{row['agreeing']}/{row['subscribers_both']} agree"
        )


if __name__ == "__main__":
    sys.exit(submit_main("mobility_dwell", add_arguments, run))
