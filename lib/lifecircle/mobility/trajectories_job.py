"""The ``trajectories`` job: mobility/stays and the daily dwell tables for a range of local days.

Reading and writing happen here only; everything between is a pure DataFrame function of the
modules next to this one.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.lake import Lake
from lifecircle.mobility.cells import CellIndex
from lifecircle.mobility.dwell import dwell_by_cell, dwell_by_place
from lifecircle.mobility.stays import build_stays, with_inherited_visit_ids
from lifecircle.periods import as_date, check_range, day_range
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job


def run(
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
    needs the stays of start−1 that run past midnight. A visit still running from before start−1
    takes the visit_id written for start−1. Each table gets one commit replacing the days
    start..end, so re-running any day or range gives the same rows.
    """
    start, end = as_date(start), as_date(end)
    check_range(start, end)
    settings, tz = conf.mobility, conf.time.local_timezone
    lake = Lake(spark, lake_root, conf.lake)
    one = dt.timedelta(days=1)
    out_days = day_range(start, end)

    def body(result: JobResult, progress: Progress) -> None:
        lake.require(
            tables.SIGNALING, tables.CELLS, optional=[tables.CELL_PLACE, tables.PLACES], hint=" (run ingest first)"
        )
        for table in (tables.SIGNALING, tables.CELLS, tables.CELL_PLACE, tables.PLACES):
            result.read(lake, table)
        cells = lake.read(tables.CELLS)
        places = lake.read_or_empty(tables.PLACES)
        index = CellIndex.from_spark(
            cells,
            lake.read_or_empty(tables.CELL_PLACE),
            places,
            (*settings.anchors.home_categories, *settings.anchors.work_categories),
        )
        progress("cells", f"{len(index.keys):,} cells serving {len(index.place_ids):,} places")

        signaling = lake.read(tables.SIGNALING, partitions={"day": day_range(start - 2 * one, end + one)})
        stays = build_stays(signaling, index, settings.stays, tz)
        stays = stays.where(F.col("day").between(F.lit(start - one), F.lit(end)))
        # A presence running since before the events read keeps the visit_id already written.
        stored = lake.read_or_empty(tables.STAYS, partitions={"day": [start - one]})
        stays = with_inherited_visit_ids(stays, stored, start - one).persist()
        try:
            commit = lake.replace_partitions(
                tables.STAYS, stays.where(F.col("day") >= F.lit(start)), {"day": out_days}
            )
            progress("stays", f"{start}..{end}", rows=result.wrote(commit).rows_added)
            in_range = F.col("day").between(F.lit(start), F.lit(end))
            dwell_cell = dwell_by_cell(stays, cells, settings.dwell, tz).where(in_range).persist()
            try:
                commit = lake.replace_partitions(
                    tables.DWELL_DAILY_CELL, dwell_cell, {"day": out_days}
                )
                progress("dwell_daily_cell", rows=result.wrote(commit).rows_added)
                dwell_place = dwell_by_place(stays, places, settings.dwell, tz).where(in_range)
                commit = lake.replace_partitions(tables.DWELL_DAILY, dwell_place, {"day": out_days})
                progress("dwell_daily", rows=result.wrote(commit).rows_added)
            finally:
                dwell_cell.unpersist()
        finally:
            stays.unpersist()
        result.summary.update({"days": len(out_days)})

    params = {"lake": lake.root, "start": start.isoformat(), "end": end.isoformat()}
    return run_job(lake, "trajectories", params, body, progress)


