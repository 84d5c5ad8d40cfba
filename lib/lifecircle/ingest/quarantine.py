"""``raw/quarantine``: one row per rejected line, partitioned by source and day, one commit per run.

``raw`` is the rejected line with its msisdn field masked (first 3 and last 2 characters kept,
``138******00``) and any other full number in it masked too: raw numbers live only in vault/identity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import reduce

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle.lake import CommitInfo, Lake

TABLE = "raw/quarantine"
PARTITION_BY = ["source", "day"]


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
    rows = new
    if lake.exists(TABLE):
        kept = lake.read(TABLE, partitions=replaced).where(~F.col("file").isin(reingested))
        rows = kept.unionByName(new)
    return lake.replace_partitions(TABLE, rows, replaced, partition_by=PARTITION_BY)
