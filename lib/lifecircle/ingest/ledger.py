"""The ``ops/ingest_files`` ledger: one row per ingested file version, so counts reconcile.

For every row ``rows_read = rows_accepted + rows_quarantined + rows_duplicate``. ``status``:
``current`` (the version whose rows are in the lake), ``replaced`` (an earlier version of a path
delivered again with new content), ``skipped_same_hash`` (the same content delivered again: noted
once per version with zero counts, its rows are counted nowhere twice), ``corrupt`` (current, but
the bytes are damaged: a cut gzip or a ``.gz`` that is not gzip; the readable lines are in the lake),
``unreadable`` (the file could not be read at all; no hash, zero counts, tried again next run).
A current file read again because a file it shares records with was replaced keeps its row's
status, hash and ``ingested_at`` (that rank decides which copy a record keeps); only its counts change.
Damage and unreadable files also get a quarantine row with ``line_no`` 0. ``day`` is the partition of
the file's lines in raw/quarantine (its day, the first of its month, or the run's day for params).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest.files import LandingFile
from lifecircle.lake import CommitInfo, Lake
from lifecircle.periods import parse_period

# The statuses of the version whose rows are in the lake: ``corrupt`` is current too (its readable
# lines were ingested and a quarantine row names the damage), so a re-sent copy with the same hash
# is skipped and a repaired one replaces it.
CURRENT = ("current", "corrupt")


@dataclass(frozen=True)
class Version:
    sha256: str
    day: dt.date | None


@dataclass
class FileCounts:
    accepted: int = 0
    quarantined: int = 0
    duplicate: int = 0

    @property
    def read(self) -> int:
        return self.accepted + self.quarantined + self.duplicate


def current_versions(lake: Lake, files: Iterable[LandingFile]) -> dict[str, Version]:
    """The current ledger row of each of ``files`` that has one (only those paths are read)."""
    names = [f.file for f in files]
    if not names or not lake.exists(tables.INGEST_FILES):
        return {}
    rows = (
        lake.read(tables.INGEST_FILES)
        .where(F.col("status").isin(*CURRENT) & F.col("file").isin(names))
        .select(F.col("file"), F.col("sha256"), F.col("day"))
        .collect()
    )
    return {r.file: Version(r.sha256, r.day) for r in rows}


def partners(lake: Lake, rewrites: list[LandingFile]) -> dict[str, dt.datetime]:
    """Current files that may hold copies of the rows the ``rewrites`` take out of their table, with
    the time their version was ingested: of a replaced file's kind and partition, those that counted
    duplicates (a file without any stored all its records itself, and they stay); of a params kind,
    every other current file (the table is rewritten whole from the files read)."""
    if not rewrites or not lake.exists(tables.INGEST_FILES):
        return {}
    scopes = []
    for f in rewrites:
        if f.day is not None:
            scopes.append((F.col("source") == f.kind) & (F.col("day") == F.lit(f.day)) & (F.col("rows_duplicate") > 0))
        elif f.month is not None:
            scopes.append((F.col("source") == f.kind) & (F.col("month") == f.month) & (F.col("rows_duplicate") > 0))
        else:
            scopes.append(F.col("source") == f.kind)
    rows = (
        lake.read(tables.INGEST_FILES)
        .where(F.col("status").isin(*CURRENT) & ~F.col("file").isin([f.file for f in rewrites]))
        .where(reduce(lambda a, b: a | b, scopes))
        .select(F.col("file"), F.col("ingested_at"))
        .collect()
    )
    return {r.file: r.ingested_at for r in rows}


def file_day(f: LandingFile, run_day: dt.date) -> dt.date:
    """Same rule as records.quarantine_day, for the driver."""
    if f.day is not None:
        return f.day
    if f.month is not None:
        return parse_period(f.month)
    return run_day


def count_by_file(counts: Iterable[tuple[str, str, str | None, int]]) -> dict[str, FileCounts]:
    by_file: dict[str, FileCounts] = defaultdict(FileCounts)
    for file, outcome, _, rows in counts:
        current = by_file[file]
        setattr(current, outcome, getattr(current, outcome) + rows)
    return by_file


def ledger_row(f: LandingFile, status: str, counts: FileCounts, at: dt.datetime, run_day: dt.date) -> tuple:
    return (
        f.file,
        f.kind,
        f.sha256,
        f.size,
        counts.read,
        counts.accepted,
        counts.quarantined,
        counts.duplicate,
        status,
        at,
        file_day(f, run_day),
        f.month,
    )


def commit_ledger(lake: Lake, rows: list[tuple], replaced: list[str], reread: list[str] = ()) -> CommitInfo | None:
    """Mark replaced versions and add this run's rows, in one commit (the run's last); the current
    rows of files read again (``reread``, same version) give way to their new counts. Recomputed
    if another ingest committed the ledger meanwhile."""
    if not rows:
        return None
    new = lake.spark.createDataFrame(rows, tables.INGEST_FILES.schema)

    def updated_ledger(current: DataFrame | None) -> DataFrame:
        if current is None:
            return new
        status = (
            F.when(F.col("file").isin(replaced) & F.col("status").isin(*CURRENT), F.lit("replaced"))
            .otherwise(F.col("status"))
            .alias("status")
        )
        recounted = F.col("file").isin(list(reread)) & F.col("status").isin(*CURRENT)
        columns = [status if c == "status" else F.col(c) for c in tables.INGEST_FILES.schema.fieldNames()]
        updated = current.where(~recounted).select(*columns)
        # A re-delivery with the same content is noted once per version, so re-running changes nothing.
        seen = updated.select(F.col("file"), F.col("sha256"), F.col("status"))
        return updated.unionByName(new.join(seen, on=["file", "sha256", "status"], how="left_anti"))

    return lake.rewrite(tables.INGEST_FILES, updated_ledger)
