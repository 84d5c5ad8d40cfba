"""spark-submit entry: stays (客户轨迹表) and daily dwell for local days START..END.

    spark-submit jobs/mobility_trajectories.py --lake hdfs:///lifecircle/lake \
        --start 2026-11-01 --end 2026-11-30 [--conf conf/cluster.yaml]

Writes mobility/stays, mobility/dwell_daily and mobility/dwell_daily_cell (one commit each,
replacing those days); on failure one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys

from lifecircle.entry import iso_date, submit_main
from lifecircle.mobility.trajectories_job import run as run_trajectories


def add_arguments(parser) -> None:
    parser.add_argument("--lake", required=True, help="lake root (local path or Hadoop URI)")
    parser.add_argument("--start", required=True, type=iso_date, help="first local day (YYYY-MM-DD)")
    parser.add_argument("--end", required=True, type=iso_date, help="last local day (YYYY-MM-DD)")


def run(spark, conf, args) -> None:
    result = run_trajectories(spark, conf, args.lake, args.start, args.end)
    print(f"trajectories: {result.rows:,} rows in {len(result.outputs)} commits, {result.seconds:.1f}s")


if __name__ == "__main__":
    sys.exit(submit_main("mobility_trajectories", add_arguments, run))
