"""The ``dwell`` job: dwell profile, home/work anchors and the city view per period.

Reading and writing happen here only; everything between is a pure DataFrame function of the
modules next to this one.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.lake import Lake
from lifecircle.mobility.anchors import AnchorInputs, agreement, detect_all
from lifecircle.mobility.dwell import clip_stays
from lifecircle.mobility.location import with_location
from lifecircle.mobility.population import area_population
from lifecircle.mobility.profile import district_profile, place_profile
from lifecircle.periods import as_date, check_range, day_range, period_window, periods_between
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job


def _union(frames: list[DataFrame]) -> DataFrame:
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def run(
    spark: SparkSession,
    conf: Config,
    lake_root: str,
    start: dt.date | str,
    end: dt.date | str,
    period: str | None = None,
    progress: Progress | None = None,
) -> JobResult:
    """mobility/dwell_profile(_district), anchors, anchor_candidates, anchor_agreement and
    area_population for ``period`` (default: every month touched by start..end)."""
    start, end = as_date(start), as_date(end)
    check_range(start, end)
    settings, tz = conf.mobility, conf.time.local_timezone
    lake = Lake(spark, lake_root, conf.lake)
    periods = [period] if period else periods_between(start, end)
    windows = {p: period_window(p, end, settings.profile.window_days) for p in periods}

    def body(result: JobResult, progress: Progress) -> None:
        lake.require(
            tables.STAYS, tables.DWELL_DAILY_CELL, optional=[tables.PLACES], hint=" (run trajectories first)"
        )
        for table in (tables.STAYS, tables.DWELL_DAILY_CELL, tables.PLACES):
            result.read(lake, table)
        places = lake.read_or_empty(tables.PLACES)
        outputs: dict[str, list[DataFrame]] = {}
        cached: list[DataFrame] = []
        for p, (first, last) in windows.items():
            dwell = with_location(lake.read(tables.DWELL_DAILY_CELL, partitions={"day": day_range(first, last)}))
            observed = [d for d in lake.partition_values(tables.DWELL_DAILY_CELL, "day") if first <= d <= last]
            progress("window", f"{p}: {first}..{last}, {len(observed)} days with data")
            stays = with_location(
                lake.read(tables.STAYS, partitions={"day": day_range(first - dt.timedelta(days=1), last)})
            )
            n_days = len(observed)
            outputs.setdefault(tables.DWELL_PROFILE, []).append(
                place_profile(dwell, places, n_days, settings.profile, settings.anchors, p, (first, last))
            )
            outputs.setdefault(tables.DWELL_PROFILE_DISTRICT, []).append(
                district_profile(dwell, n_days, settings.profile, settings.anchors, p, (first, last))
            )
            inputs = AnchorInputs(dwell, stays, places, (first, last), tz, n_days)
            candidates = detect_all(inputs, settings.anchors, p).persist()
            cached.append(candidates)
            chosen = candidates.where(F.col("method") == settings.anchors.method)
            outputs.setdefault(tables.ANCHORS, []).append(chosen.drop("loc"))
            outputs.setdefault(tables.ANCHOR_CANDIDATES, []).append(candidates.drop("loc"))
            outputs.setdefault(tables.ANCHOR_AGREEMENT, []).append(agreement(candidates, p))
            outputs.setdefault(tables.AREA_POPULATION, []).append(
                area_population(
                    clip_stays(stays, first, last, tz), places, observed, settings.population, tz, p
                )
            )
        try:
            for table, frames in outputs.items():
                commit = lake.replace_partitions(
                    table, _union(frames), {"period": periods}
                )
                progress(table.split("/")[1], ", ".join(periods), rows=result.wrote(commit).rows_added)
            agree = lake.read(tables.ANCHOR_AGREEMENT, partitions={"period": periods}).collect()
            result.summary["anchor_agreement"] = [r.asDict() for r in agree]
        finally:
            for frame in cached:
                frame.unpersist()
        result.summary.update({"periods": periods, "anchor_method": settings.anchors.method})

    params = {"lake": lake.root, "start": start.isoformat(), "end": end.isoformat(), "period": period}
    return run_job(lake, "dwell", params, body, progress)
