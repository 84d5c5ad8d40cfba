"""One interface kind from landing lines to its classified rows and its table commit.

Every kind goes the same way: check fields → pseudonym and masked raw line → outcome (accepted,
duplicate, quarantined, or kept from the lake) → the table's new content for the partitions the
run's files belong to. The classified rows are persisted: the table write, the ledger counts, the
quarantine and the identity vault all read them, and the line splitting must run only once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest import signaling
from lifecircle.ingest.csvkinds import CsvSpec, with_csv_checks
from lifecircle.ingest.records import stored_rows, with_ids_and_raw, with_outcome
from lifecircle.lake import ABSENT, CommitInfo, Lake

LINEAGE = ["source_file", "line_no"]


@dataclass(frozen=True)
class Source:
    kind: str
    table: str
    columns: list[str]  # stored columns, in order
    keys: list[str]  # records are the same when these are equal
    partition: str | None  # the column whose values a run replaces (None: the table is replaced whole)
    partition_by: list[str]
    cluster: list[str]  # columns hashing rows for the dedup window and the write
    delimiter: str
    msisdn_position: int | None
    check: Callable[[DataFrame], DataFrame]  # lines → typed columns, reason, detail, msisdn, partition


def signaling_source(cells: DataFrame, timezone: str, buckets: int) -> Source:
    def check(lines: DataFrame) -> DataFrame:
        return (
            signaling.with_signaling_checks(lines, cells, timezone)
            .withColumn("day", F.col("file_day"))
            .withColumn("cell_bucket", signaling.cell_bucket(buckets))
        )

    return Source(
        "signaling",
        tables.SIGNALING,
        signaling.COLUMNS,
        signaling.DEDUP_KEYS,
        "day",
        ["day", "cell_bucket"],
        ["day", "cell_bucket"],
        "|",
        0,
        check,
    )


def csv_source(spec: CsvSpec, timezone: str) -> Source:
    partition = [spec.partition] if spec.partition else []
    file_column = {"month": "file_month", "day": "file_day"}

    def check(lines: DataFrame) -> DataFrame:
        checked = with_csv_checks(lines, spec, timezone)
        if spec.partition:
            checked = checked.withColumn(spec.partition, F.col(file_column[spec.partition]))
        return checked

    lineage = LINEAGE if spec.partition else []
    return Source(
        spec.kind,
        spec.table,
        [*spec.columns, *partition, *lineage],
        [*spec.columns, *partition],
        spec.partition,
        partition,
        [],
        ",",
        spec.msisdn_position,
        check,
    )


def compute_classified(
    lines: DataFrame, source: Source, key: bytes, raw_max_chars: int, existing: DataFrame | None
) -> DataFrame:
    """Every line of the run with its ``outcome``, plus the lake's rows of the same partitions."""
    checked = with_ids_and_raw(source.check(lines), key, source.delimiter, source.msisdn_position, raw_max_chars)
    return with_outcome(checked, existing, source.keys, source.cluster)


def read_existing(lake: Lake, source: Source, values: list, reingested: list[str]) -> tuple[DataFrame | None, int | None]:
    """The table's rows in the partitions being rewritten, minus those of re-ingested files, and the
    version they were read at, which the table's commit is based on (ABSENT: no table yet; None:
    a table replaced whole from the files alone)."""
    if source.partition is None:
        return None, None
    if not lake.exists(source.table):
        return None, ABSENT
    version = lake.version(source.table)
    current = lake.read(source.table, version=version, partitions={source.partition: values})
    return current.where(~F.col("source_file").isin(reingested)), version


def persist(df: DataFrame) -> DataFrame:
    # Deserialized columnar batches (the DataFrame default): serializing them costs CPU for nothing.
    return df.persist(StorageLevel.MEMORY_AND_DISK_DESER)


def commit_table(
    lake: Lake, source: Source, classified: DataFrame, values: list, file_name: Column, based_on: int | None
) -> CommitInfo:
    """The table's new content in one commit; refused (ConcurrentChangeError, one line) when another
    job changed the rewritten partitions since ``based_on``, as the kept rows would be stale."""
    rows = stored_rows(classified, source.columns, file_name)
    if source.partition is None:
        return lake.write(source.table, rows)
    return lake.replace_partitions(
        source.table, rows, {source.partition: values}, partition_by=source.partition_by, based_on=based_on
    )
