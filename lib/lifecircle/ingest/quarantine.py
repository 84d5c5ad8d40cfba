"""``raw/quarantine``: one row per rejected line, partitioned by source and day, one commit per run.

``raw`` is the rejected line with its msisdn field masked (first 3 and last 2 characters kept,
``138******00``) and any other run of 10 or more digits in it masked too: raw numbers live only in
the vault's vault/identity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest.files import FileProblem
from lifecircle.ingest.ledger import file_day
from lifecircle.lake import CommitInfo, Lake


def commit_quarantine(
    lake: Lake, frames: Iterable[DataFrame], reingested: list[str], touched: set[tuple[str, dt.date]]
) -> CommitInfo | None:
    """Replace the partitions ``touched`` (source, day) — those of this run's rejected lines and of
    the re-ingested files' earlier versions — with their kept rows plus the new ones."""
    frames = list(frames)
    if not frames or not touched:
        return None
    new = reduce(DataFrame.unionByName, frames)
    replaced = {"source": sorted({s for s, _ in touched}), "day": sorted({d for _, d in touched})}

    def with_kept(current: DataFrame | None) -> DataFrame:
        if current is None:
            return new
        return current.where(~F.col("file").isin(reingested)).unionByName(new)

    return lake.rewrite(tables.QUARANTINE, with_kept, replaced)


def problem_rows(spark: SparkSession, problems: Iterable[FileProblem], run_day: dt.date) -> DataFrame:
    """One quarantine row per damaged or unreadable file: ``line_no`` 0 stands for the file as a
    whole (it is no line, so the ledger's line counts leave it out)."""
    rows = [
        (p.file.kind, p.file.file, 0, "", p.reason, p.detail, file_day(p.file, run_day), p.file.month)
        for p in problems
    ]
    return spark.createDataFrame(rows, tables.QUARANTINE.schema)
