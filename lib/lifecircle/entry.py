"""Shared plumbing for the thin ``jobs/*.py`` spark-submit entries.

A job file only declares its own arguments and which ``run`` to call; option parsing, layered
config, the SparkSession and one-line failures are the same for every job.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from lifecircle.config import Config, load_config
from lifecircle.errors import LifecircleError


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from None


def submit_main(
    job: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    run: Callable[[Any, Config, argparse.Namespace], Any],
    argv: Sequence[str] | None = None,
) -> int:
    """Parse ``--conf/--set`` plus the job's arguments, build the session and call ``run``."""
    parser = argparse.ArgumentParser(prog=f"spark-submit jobs/{job}.py", description=f"lifecircle job {job}")
    parser.add_argument("--conf", action="append", default=[], metavar="FILE", help="YAML overlay (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one key")
    parser.add_argument("--debug", action="store_true", help="print tracebacks")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        conf = load_config(args.conf, args.set)
        from lifecircle.spark import get_spark

        spark = get_spark(f"lifecircle-{job}", conf)
        run(spark, conf, args)
        return 0
    except LifecircleError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"{job}: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"{job}: failed: {type(exc).__name__}: {first} (rerun with --debug)", file=sys.stderr)
        return 1
