"""Shared by the eval scripts: a simulated city run through the chain's own steps.

``build_city`` simulates the landing files and truth (unless ``reuse`` finds them), then runs the
requested steps of :mod:`lifecircle.pipeline` one at a time, timing each. With ``reuse`` a step
whose output table already exists is skipped, except the steps named in ``always``.
``add_city_arguments`` gives every eval script the same options: the simulator profile
(default ``realistic``), ``--trait key=value`` overrides, and the seed. Seeds: tuning runs use
seeds 1-3, reported numbers seeds 11 and up (default 11), so nothing is tuned on a report city.
Callers stop ``city.spark`` when done: left running at interpreter exit after the chain's jobs,
the process aborted in native teardown ("terminate called without an active exception").
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from deltalake import DeltaTable

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.pipeline import RunRequest, run_pipeline

# The table whose presence means a step has run on this lake.
STEP_OUTPUT = {
    "ingest": tables.SIGNALING,
    "trajectories": tables.STAYS,
    "dwell": tables.ANCHORS,
    "tags": tables.CUSTOMER_TAGS,
    "train": tables.TRAINING_STATUS,
    "score": tables.MATCHING_MATRIX,
}


@dataclass
class City:
    spark: object
    landing: Path
    truth: Path
    lake: Path
    start: dt.date
    end: dt.date
    timings: dict[str, float] = field(default_factory=dict)
    conf: Config | None = None

    @property
    def period(self) -> str:
        return f"{self.end:%Y-%m}"


REPORT_SEED = 11
TUNING_SEEDS = (1, 2, 3)


def add_city_arguments(parser: argparse.ArgumentParser, subscribers: int, days: int) -> None:
    """--workdir, --subscribers, --days, --start, --seed, --profile, --trait, --reuse, --conf, --out."""
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--subscribers", type=int, default=subscribers)
    parser.add_argument("--days", type=int, default=days)
    parser.add_argument("--start", default="2026-11-02")
    parser.add_argument("--seed", type=int, default=REPORT_SEED,
                        help="simulation seed: tuning seeds 1-3, report seeds 11+ (default %(default)s)")
    parser.add_argument("--profile", choices=["realistic", "clean"], default="realistic",
                        help="simulator profile (default %(default)s)")
    parser.add_argument("--trait", dest="traits", action="append", default=[], metavar="KEY=VALUE",
                        help="realistic simulator trait override, e.g. lu_interval_h=6 (repeatable)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing simulation and lake")
    parser.add_argument("--conf", action="append", default=[], help="YAML overlay (repeatable)")
    parser.add_argument("--out", help="also write the markdown here")


def city_traits(args: argparse.Namespace) -> dict | None:
    from lifecircle.simulate.realism import parse_traits

    return parse_traits(args.traits) or None


def describe(args: argparse.Namespace) -> str:
    """The command line that reproduces a report's city."""
    traits = "".join(f" --trait {t}" for t in args.traits)
    return (f"--profile {args.profile}{traits} --subscribers {args.subscribers} --days {args.days} "
            f"--start {args.start} --seed {args.seed}")


def lake_table(lake: Path, table: str) -> pd.DataFrame:
    return DeltaTable(str(lake / table)).to_pyarrow_table().to_pandas()


def identity_table(city: City) -> pd.DataFrame:
    """subscriber_id ↔ msisdn (as text) of a simulated city: from its vault, beside the lake, read the
    one way the suite allows (lifecircle.vault)."""
    from lifecircle.config import load_config
    from lifecircle.vault import read_identity

    identity = read_identity(city.spark, city.conf or load_config(), str(city.lake)).toPandas()
    return identity[["subscriber_id", "msisdn"]].astype(str)


def build_city(
    spark,
    conf: Config,
    workdir: str,
    subscribers: int,
    days: int,
    start: str,
    seed: int,
    steps: Sequence[str],
    reuse: bool,
    always: Sequence[str] = (),
    profile: str = "realistic",
    traits: dict | None = None,
) -> City:
    from lifecircle.simulate import simulate_city

    work = Path(workdir).resolve()
    first = dt.date.fromisoformat(start)
    city = City(spark, work / "landing", work / "truth", work / "lake", first, first + dt.timedelta(days=days - 1),
                conf=conf)
    if not (reuse and (city.truth / "files.parquet").exists()):
        t0 = time.monotonic()
        simulate_city(
            out=str(city.landing), truth=str(city.truth), subscribers=subscribers, days=days,
            start=first, seed=seed, overwrite=True, profile=profile, traits=traits,
        )
        city.timings["simulate"] = time.monotonic() - t0
    request = RunRequest(str(city.landing), str(city.lake), city.start, city.end)
    for step in steps:
        if reuse and step not in always and (city.lake / STEP_OUTPUT[step]).exists():
            continue
        t0 = time.monotonic()
        run_pipeline(spark, conf, request, [step])
        city.timings[step] = time.monotonic() - t0
    return city
