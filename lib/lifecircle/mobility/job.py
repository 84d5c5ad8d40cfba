"""The two mobility jobs: ``trajectories`` (stays + daily dwell per day) and ``dwell`` (profile,
anchors and city view per period). Reading and writing happen here only; everything between is
a pure DataFrame function of the modules next to this one.
"""

from __future__ import annotations

import calendar
import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.config import Config
from lifecircle.errors import InputError
from lifecircle.lake import Lake
from lifecircle.mobility import schemas as S
from lifecircle.mobility.anchors import AnchorInputs, agreement, detect_all, with_location
from lifecircle.mobility.cells import CellIndex
from lifecircle.mobility.dwell import clip_stays, dwell_by_cell, dwell_by_place
from lifecircle.mobility.population import area_population
from lifecircle.mobility.profile import district_profile, place_profile
from lifecircle.mobility.stays import build_stays
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job

CELL_PLACE_SCHEMA = T.StructType(
    [
        T.StructField("lac", T.IntegerType()),
        T.StructField("cell_id", T.IntegerType()),
        T.StructField("place_id", T.StringType()),
        T.StructField("weight", T.DoubleType()),
    ]
)
PLACES_SCHEMA = T.StructType(
    [
        T.StructField("place_id", T.StringType()),
        T.StructField("category_l1", T.StringType()),
        T.StructField("district", T.StringType()),
    ]
)


def as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"date {value!r} must look like YYYY-MM-DD") from None


def day_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InputError(f"end {end} is before start {start}")


def _require(lake: Lake, *tables: str, hint: str = "") -> None:
    missing = [t for t in tables if not lake.exists(t)]
    if missing:
        raise InputError(f"{', '.join(missing)} missing under {lake.root}{hint}")


def run_trajectories(
    spark: SparkSession,
    conf: Config,
    lake_root: str,
    start: dt.date | str,
    end: dt.date | str,
    progress: Progress | None = None,
) -> JobResult:
    """mobility/stays and mobility/dwell_daily(_cell) for local days start..end.

    Reads signaling of start−2 … end+1: a day's stays need the day before (where its first stay
    may have begun) and the day after (where its last stay ends), and the dwell of ``start`` also
    needs the stays of start−1 that run past midnight. Each table gets one commit replacing the
    days start..end, so re-running any day or range gives the same rows.
    """
    start, end = as_date(start), as_date(end)
    _check_range(start, end)
    settings, tz = conf.mobility, conf.time.local_timezone
    lake = Lake(spark, lake_root, conf.lake)
    one = dt.timedelta(days=1)
    out_days = day_range(start, end)

    def body(result: JobResult, progress: Progress) -> None:
        _require(lake, S.SIGNALING, S.CELLS, hint=" (run ingest first)")
        for table in (S.SIGNALING, S.CELLS, S.CELL_PLACE, S.PLACES):
            result.read(lake, table)
        cells = lake.read(S.CELLS)
        places = lake.read_or_empty(S.PLACES, PLACES_SCHEMA)
        index = CellIndex.from_spark(cells, lake.read_or_empty(S.CELL_PLACE, CELL_PLACE_SCHEMA))
        progress("cells", f"{len(index.keys):,} cells, {len(index.place_ids):,} places with a primary cell")

        signaling = lake.read(S.SIGNALING, partitions={"day": day_range(start - 2 * one, end + one)})
        stays = build_stays(signaling, index, settings.stays, tz)
        stays = stays.where(F.col("day").between(F.lit(start - one), F.lit(end))).persist()
        try:
            commit = lake.replace_partitions(
                S.STAYS, stays.where(F.col("day") >= F.lit(start)), {"day": out_days}, partition_by=["day"]
            )
            progress("stays", f"{start}..{end}", rows=result.wrote(commit).rows_added)
            dwell_cell = dwell_by_cell(stays, cells, settings.dwell, tz)
            dwell_cell = dwell_cell.where(F.col("day").between(F.lit(start), F.lit(end))).persist()
            try:
                commit = lake.replace_partitions(
                    S.DWELL_DAILY_CELL, dwell_cell, {"day": out_days}, partition_by=["day"]
                )
                progress("dwell_daily_cell", rows=result.wrote(commit).rows_added)
                commit = lake.replace_partitions(
                    S.DWELL_DAILY, dwell_by_place(dwell_cell, places), {"day": out_days}, partition_by=["day"]
                )
                progress("dwell_daily", rows=result.wrote(commit).rows_added)
            finally:
                dwell_cell.unpersist()
        finally:
            stays.unpersist()
        result.summary.update({"days": len(out_days)})

    params = {"lake": lake.root, "start": start.isoformat(), "end": end.isoformat()}
    return run_job(lake, "trajectories", params, body, progress)


def periods_between(start: dt.date, end: dt.date) -> list[str]:
    """The yyyy-MM months touched by start..end."""
    out, cursor = [], start.replace(day=1)
    while cursor <= end:
        out.append(f"{cursor:%Y-%m}")
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return out


def period_window(period: str, end: dt.date, window_days: int) -> tuple[dt.date, dt.date]:
    """The profile window of ``period``: ``window_days`` ending on the month's last day, or on the
    run's end date when that comes first (a partial month)."""
    try:
        year, month = (int(p) for p in period.split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        raise InputError(f"period {period!r} must look like yyyy-MM") from None
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    if end < first:
        raise InputError(f"period {period} starts after the end date {end}")
    window_end = min(last, end)
    return window_end - dt.timedelta(days=window_days - 1), window_end


def _union(frames: list[DataFrame]) -> DataFrame:
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def run_dwell(
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
    _check_range(start, end)
    settings, tz = conf.mobility, conf.time.local_timezone
    lake = Lake(spark, lake_root, conf.lake)
    periods = [period] if period else periods_between(start, end)
    windows = {p: period_window(p, end, settings.profile.window_days) for p in periods}

    def body(result: JobResult, progress: Progress) -> None:
        _require(lake, S.STAYS, S.DWELL_DAILY_CELL, hint=" (run trajectories first)")
        for table in (S.STAYS, S.DWELL_DAILY_CELL, S.PLACES):
            result.read(lake, table)
        places = lake.read_or_empty(S.PLACES, PLACES_SCHEMA)
        outputs: dict[str, list[DataFrame]] = {}
        cached: list[DataFrame] = []
        for p, (first, last) in windows.items():
            dwell = with_location(lake.read(S.DWELL_DAILY_CELL, partitions={"day": day_range(first, last)}))
            observed = sorted(r["day"] for r in dwell.select(F.col("day")).distinct().collect())
            progress("window", f"{p}: {first}..{last}, {len(observed)} days with data")
            stays = with_location(
                lake.read(S.STAYS, partitions={"day": day_range(first - dt.timedelta(days=1), last)})
            )
            n_days = len(observed)
            outputs.setdefault(S.DWELL_PROFILE, []).append(
                place_profile(dwell, places, n_days, settings.profile, settings.anchors, p, (first, last))
            )
            outputs.setdefault(S.DWELL_PROFILE_DISTRICT, []).append(
                district_profile(dwell, n_days, settings.profile, settings.anchors, p, (first, last))
            )
            inputs = AnchorInputs(dwell, stays, places, (first, last), tz, n_days)
            candidates = detect_all(inputs, settings.anchors, p).persist()
            cached.append(candidates)
            chosen = candidates.where(F.col("method") == settings.anchors.method)
            outputs.setdefault(S.ANCHORS, []).append(chosen.drop("loc"))
            outputs.setdefault(S.ANCHOR_CANDIDATES, []).append(candidates.drop("loc"))
            outputs.setdefault(S.ANCHOR_AGREEMENT, []).append(agreement(candidates, p))
            outputs.setdefault(S.AREA_POPULATION, []).append(
                area_population(
                    clip_stays(stays, first, last, tz), places, observed, settings.population, tz, p
                )
            )
        try:
            for table, frames in outputs.items():
                commit = lake.replace_partitions(
                    table, _union(frames), {"period": periods}, partition_by=["period"]
                )
                progress(table.split("/")[1], ", ".join(periods), rows=result.wrote(commit).rows_added)
            agree = lake.read(S.ANCHOR_AGREEMENT, partitions={"period": periods}).collect()
            result.summary["anchor_agreement"] = [r.asDict() for r in agree]
        finally:
            for frame in cached:
                frame.unpersist()
        result.summary.update({"periods": periods, "anchor_method": settings.anchors.method})

    params = {"lake": lake.root, "start": start.isoformat(), "end": end.isoformat(), "period": period}
    return run_job(lake, "dwell", params, body, progress)
