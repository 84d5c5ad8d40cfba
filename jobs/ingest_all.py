"""spark-submit entry of the ingest job: every interface file of the landing folder into the lake.

    spark-submit jobs/ingest_all.py --landing hdfs:///landing --lake hdfs:///lake \
        [--start 2026-11-01 --end 2026-11-30] [--conf conf/cluster.yaml]

Progress goes to stderr, the summary to stdout; on failure one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from lifecircle.config import load_config
from lifecircle.errors import InputError, LifecircleError
from lifecircle.ingest.job import run
from lifecircle.spark import get_spark


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date like 2026-11-01") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ingest landing files into the lifecircle lake.")
    parser.add_argument("--landing", required=True, help="landing folder (local path or Hadoop URI)")
    parser.add_argument("--lake", required=True, help="lake root (local path or Hadoop URI)")
    parser.add_argument("--start", help="first signaling day / month to ingest (YYYY-MM-DD)")
    parser.add_argument("--end", help="last signaling day / month to ingest (YYYY-MM-DD)")
    parser.add_argument("--conf", action="append", default=[], help="YAML overlay on conf/base.yaml (repeatable)")
    args = parser.parse_args(argv)
    try:
        start, end = _date(args.start, "--start"), _date(args.end, "--end")
        conf = load_config(args.conf)
        spark = get_spark("lifecircle-ingest", conf)
        result = run(spark, conf, args.landing, args.lake, start, end)
    except LifecircleError as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # anything else still ends as one line, not a traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"ingest failed: {type(exc).__name__}: {first}", file=sys.stderr)
        return 1
    print(result.summary["text"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
