"""What happens to each checked line, the same for every interface kind.

A line is ``quarantined`` (it failed a check), ``accepted`` (the first copy of its record) or a
``duplicate`` (a later copy). Rows already in the lake for the partitions being rewritten take
part as ``kept``: they always win, so a record that arrives again later is counted as a duplicate
of its file and the rows an earlier run accepted never move while their file holds them.

When a file's rows leave (a new version replaces it), the other current files that counted
duplicates are read again in the same run and take part as new lines (see ``ingest.job``): a copy
of a leaving record that such a file still holds is accepted there, with that file's lineage.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from lifecircle.ingest import fields as P
from lifecircle.ingest.identity import subscriber_id

BOOKKEEPING = ("file_id", "line_no", "text", "truncated", "file_day", "file_month", "reason", "detail", "msisdn")


def with_ids_and_raw(
    checked: DataFrame, key: bytes, delimiter: str, msisdn_position: int | None, raw_max_chars: int
) -> DataFrame:
    """Valid rows get their pseudonym; rejected rows keep their line as ``raw``, number masked;
    ``detail`` notes a last line without line end (the usual sign of a truncated file).

    Only rejected lines keep their file's day and month (the quarantine partition) and only
    valid ones their msisdn (the vault): fewer bytes per row through the dedup shuffle.
    """
    valid = F.col("reason").isNull()
    position = msisdn_position if msisdn_position is not None else -1
    detail = F.concat_ws("; ", F.col("detail"), F.when(F.col("truncated"), F.lit("last line has no line end")))
    typed = [c for c in checked.columns if c not in BOOKKEEPING]
    return checked.select(
        F.col("file_id"),
        F.col("line_no"),
        F.col("reason"),
        F.when(~valid & (detail != F.lit("")), detail).alias("detail"),
        F.when(~valid, P.mask_msisdn_in_line(F.col("text"), delimiter, position, raw_max_chars)).alias("raw"),
        F.when(~valid, F.col("file_day")).alias("file_day"),
        F.when(~valid, F.col("file_month")).alias("file_month"),
        F.when(valid, F.col("msisdn")).alias("msisdn"),
        F.when(valid, subscriber_id(F.col("msisdn"), key)).alias("subscriber_id"),
        *[F.col(c) for c in typed],
    )


def with_outcome(
    new: DataFrame, existing: DataFrame | None, keys: list[str], cluster: list[str]
) -> DataFrame:
    """Add ``outcome``; the first copy by (already in the lake, file, line_no) is kept (file ids
    follow the job's ranking: files read again in the order they were ingested, then by path).

    ``cluster`` columns (the table's partition columns when they make a good spread) hash the rows
    once so that the window and the partitioned write that follows need no further shuffle.
    """
    rows = new.withColumn("_priority", F.lit(1))
    if existing is not None:
        rows = rows.unionByName(existing.withColumn("_priority", F.lit(0)), allowMissingColumns=True)
    if cluster:
        rows = rows.repartition(*[F.col(c) for c in cluster])
    rejected = F.col("reason").isNotNull()
    # Rejected lines are no records: each forms its own group instead of one giant null-key group.
    rows = rows.withColumn("_qfile", F.when(rejected, F.col("file_id"))).withColumn(
        "_qline", F.when(rejected, F.col("line_no"))
    )
    group = [*keys, "_qfile", "_qline"]
    # Sort order: the cluster columns first, so the partitioned write finds its rows already in
    # order (no second sort); then a hash of the group, so rows are told apart by a cheap long
    # compare instead of by whole keys whose first columns (a subscriber's id) often repeat.
    rows = rows.withColumn("_group_hash", F.xxhash64(*[F.col(c) for c in group]))
    copies = Window.partitionBy(*[F.col(c) for c in [*cluster, "_group_hash", *group]]).orderBy(
        F.col("_priority"), F.col("file_id"), F.col("line_no")
    )
    outcome = (
        F.when(F.col("_priority") == F.lit(0), F.lit("kept"))
        .when(rejected, F.lit("quarantined"))
        .when(F.row_number().over(copies) == F.lit(1), F.lit("accepted"))
        .otherwise(F.lit("duplicate"))
    )
    return rows.withColumn("outcome", outcome).drop("_priority", "_qfile", "_qline", "_group_hash")


def stored_rows(classified: DataFrame, columns: list[str], file_name: Column) -> DataFrame:
    """The table's rows after this run: kept ones (which have their source_file) and accepted ones
    (whose source_file is ``file_name`` of their file id)."""
    source_file = F.coalesce(F.col("source_file"), file_name) if "source_file" in classified.columns else file_name
    output = [source_file.alias(c) if c == "source_file" else F.col(c) for c in columns]
    return classified.where(F.col("outcome").isin("kept", "accepted")).select(*output)


def quarantine_day(file_day: Column, file_month: Column, run_day: dt.date) -> Column:
    """Quarantine partition of a file's lines: its day, the first of its month, else the run's day."""
    first_of_month = F.to_date(F.concat(file_month, F.lit("-01")))
    return F.coalesce(file_day, first_of_month, F.lit(run_day))


def quarantine_rows(classified: DataFrame, source: str, run_day: dt.date, file_name: Column) -> DataFrame:
    return classified.where(F.col("outcome") == F.lit("quarantined")).select(
        F.lit(source).alias("source"),
        file_name.alias("file"),
        F.col("line_no"),
        F.col("raw"),
        F.col("reason"),
        F.col("detail"),
        quarantine_day(F.col("file_day"), F.col("file_month"), run_day).alias("day"),
        F.col("file_month").alias("month"),
    )


def outcome_counts(classified: DataFrame, names: list[str]) -> list[tuple[str, str, str | None, int]]:
    """(file, outcome, reason, rows) for this run's lines: one small row per combination;
    ``names`` are the files' paths by file id."""
    counted = (
        classified.where(F.col("outcome") != F.lit("kept"))
        .groupBy(F.col("file_id"), F.col("outcome"), F.col("reason"))
        .agg(F.count(F.lit(1)).alias("rows"))
        .select(F.col("file_id"), F.col("outcome"), F.col("reason"), F.col("rows"))
    )
    return [(names[r.file_id], r.outcome, r.reason, int(r.rows)) for r in counted.collect()]
