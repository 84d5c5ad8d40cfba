"""spark-submit entry: compact small files and vacuum every table (or the named ones).

    spark-submit jobs/lake_maintain.py --lake hdfs:///lifecircle/lake [--table raw/signaling] [--retention-hours 168]
"""

from __future__ import annotations

import sys

from lifecircle.entry import submit_main
from lifecircle.lake import Lake
from lifecircle.progress import Progress


def add_arguments(parser) -> None:
    parser.add_argument("--lake", required=True, help="lake root (local path or Hadoop URI)")
    parser.add_argument("--table", action="append", default=[], help="limit to these tables")
    parser.add_argument("--retention-hours", type=float, default=None)


def run(spark, conf, args) -> None:
    lake = Lake(spark, args.lake, conf.lake)
    progress = Progress("lake_maintain")
    for table in args.table or lake.tables():
        lake.optimize(table)
        removed = lake.vacuum(table, args.retention_hours)
        progress(table, f"optimized, {len(removed)} files vacuumed")


if __name__ == "__main__":
    sys.exit(submit_main("lake_maintain", add_arguments, run))
