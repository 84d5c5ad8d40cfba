"""The embedded ``delta-rs`` engine: Spark writes Parquet, the driver commits with ``deltalake``."""

from __future__ import annotations

import itertools
import json
import math
import time
from typing import Any
from urllib.parse import unquote

from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError
from deltalake.transaction import AddAction, CommitProperties, create_table_with_add_actions
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from lifecircle.config import LakeSettings
from lifecircle.errors import ConcurrentChangeError, LakeError
from lifecircle.lake import faults
from lifecircle.lake.conflicts import require_unchanged
from lifecircle.lake.fs import HadoopFS
from lifecircle.lake.log import add_actions, describe, partition_row_counts
from lifecircle.lake.schema import spark_schema_of, to_delta_schema
from lifecircle.lake.types import (
    NULL_PARTITION,
    STAGING_DIR,
    Allowed,
    CommitInfo,
    Filters,
    TableInfo,
    new_staging_name,
    partition_value_text,
    validate_partition_text,
)


class DeltaRsEngine:
    name = "delta-rs"

    def __init__(self, spark: SparkSession, settings: LakeSettings) -> None:
        self.spark = spark
        self.settings = settings

    # ---------------------------------------------------------------- metadata
    def exists(self, uri: str) -> bool:
        return DeltaTable.is_deltatable(uri)

    def _table(self, uri: str, version: int | None = None) -> DeltaTable:
        try:
            return DeltaTable(uri, version=version)
        except TableNotFoundError:
            raise LakeError(f"no Delta table at {uri}") from None
        except DeltaError as exc:
            what = f"version {version} of {uri}" if version is not None else uri
            raise LakeError(f"cannot open {what}: {str(exc).splitlines()[0]}") from None

    def schema(self, uri: str) -> T.StructType:
        return spark_schema_of(self._table(uri).schema())

    def partition_by(self, uri: str) -> list[str]:
        return list(self._table(uri).metadata().partition_columns)

    def version(self, uri: str) -> int:
        return self._table(uri).version()

    def history(self, uri: str, limit: int | None) -> list[dict[str, Any]]:
        return self._table(uri).history(limit)

    def describe(self, table: str, uri: str) -> TableInfo:
        return describe(table, self._table(uri))

    def partition_row_counts(self, uri: str, column: str) -> dict[Any, int]:
        return partition_row_counts(self._table(uri), column)

    # ---------------------------------------------------------------- reading
    def read(self, uri: str, version: int | None, filters: Filters) -> DataFrame:
        dt = self._table(uri, version)
        schema = spark_schema_of(dt.schema())
        files = dt.file_uris(file_pruning_predicate=pruning_terms(filters)) if filters else dt.file_uris()
        if not files:
            return self.spark.createDataFrame([], schema)
        # basePath + an explicit schema: partition values come from the folder names, typed as in
        # the log; only the files of this snapshot are read, never a folder listing.
        return (
            self.spark.read.schema(schema)
            .option("basePath", uri)
            .parquet(*files)
            .select(*schema.fieldNames())
        )

    # ---------------------------------------------------------------- writing
    def overwrite(
        self,
        uri: str,
        table: str,
        df: DataFrame,
        pcols: list[str],
        keep_schema: bool = False,
        based_on: int | None = None,
    ) -> CommitInfo:
        schema = self.schema(uri) if keep_schema and self.exists(uri) else df.schema
        return self._write(uri, table, df, pcols, "overwrite", None, "WRITE", schema, based_on=based_on)

    def append(self, uri: str, table: str, df: DataFrame, pcols: list[str]) -> CommitInfo:
        return self._write(uri, table, df, pcols, "append", None, "APPEND", df.schema)

    def replace_partitions(
        self, uri: str, table: str, df: DataFrame, pcols: list[str], allowed: Allowed, based_on: int | None = None
    ) -> CommitInfo:
        terms = pruning_terms([(c, "in", list(values)) for c, values in allowed.items()])
        if len(terms) > 1:  # delta-rs overwrites take one conjunction, not an OR of them
            raise LakeError(
                f"{table}: delta-rs cannot replace a null partition together with other values of the same "
                f"column in one commit ({dict(allowed)}); write the null partition in a separate call"
            )
        filters = terms[0]
        return self._write(
            uri, table, df, pcols, "overwrite", allowed, "REPLACE PARTITIONS", df.schema, filters, based_on=based_on
        )

    def optimize(self, uri: str, table: str, filters: Filters) -> CommitInfo:
        dt = self._table(uri)
        based_on = dt.version()  # a write landing meanwhile makes this compaction stale: not committed
        pcols = list(dt.metadata().partition_columns)
        actions = add_actions(dt)
        columns = [[partition_value_text(v) for v in actions.column(f"partition.{c}").to_pylist()] for c in pcols]
        keys = list(zip(*columns, strict=True)) if pcols else []
        sizes = actions.column("size_bytes").to_pylist() if actions.num_rows else []
        if filters:
            wanted = {c: set(vs) for c, _, vs in filters}
            chosen = [i for i, k in enumerate(keys) if all(k[pcols.index(c)] in vs for c, vs in wanted.items())]
        else:
            chosen = list(range(actions.num_rows))
        # Only partitions holding more than one file are worth rewriting. Null partitions stay as
        # they are: one delta-rs overwrite cannot select them next to other values.
        per_key: dict[tuple, int] = {}
        for i in chosen:
            key = keys[i] if pcols else ()
            per_key[key] = per_key.get(key, 0) + 1
        crowded = {k for k, n in per_key.items() if n > 1 and None not in k}
        if not crowded:
            return CommitInfo(table, dt.version(), "OPTIMIZE", 0, 0)
        total = sum(sizes[i] for i in chosen if (keys[i] if pcols else ()) in crowded)
        target = max(1, math.ceil(total / (self.settings.target_file_mb * 1024 * 1024)))
        if not pcols:
            compacted = self.read(uri, None, None).coalesce(target)
            return self._write(
                uri, table, compacted, [], "overwrite", None, "OPTIMIZE", self.schema(uri),
                data_change=False, based_on=based_on,
            )
        allowed = {c: {k[j] for k in crowded} for j, c in enumerate(pcols)}
        narrowed = [(c, "in", sorted(vs)) for c, vs in allowed.items()]
        compacted = self.read(uri, None, narrowed).repartition(target, *pcols)
        return self._write(
            uri, table, compacted, pcols, "overwrite", allowed, "OPTIMIZE", self.schema(uri), narrowed,
            data_change=False, based_on=based_on,
        )

    def vacuum(self, uri: str, hours: float) -> list[str]:
        dt = self._table(uri)
        removed = dt.vacuum(
            retention_hours=math.ceil(hours), dry_run=False, enforce_retention_duration=False, full=True
        )
        fs = HadoopFS(self.spark, uri)
        cutoff_ms = (time.time() - hours * 3600) * 1000
        for leftover in fs.list_dir(f"{uri}/{STAGING_DIR}"):
            if leftover.modification_time <= cutoff_ms:
                fs.delete(leftover.path)
                removed.append(leftover.path)
        return removed

    # ---------------------------------------------------------------- the two phases
    def _write(
        self,
        uri: str,
        table: str,
        df: DataFrame,
        pcols: list[str],
        mode: str,
        allowed: Allowed | None,
        operation: str,
        schema: T.StructType,
        filters: Any = None,
        data_change: bool = True,
        based_on: int | None = None,
    ) -> CommitInfo:
        """Stage and commit; ``based_on`` is the version the content was computed from (None: a
        blind write, whose content does not depend on the table)."""
        txn = new_staging_name()
        if based_on is not None:  # fail before the Parquet is written when the answer is known
            self.check_unchanged(uri, table, based_on, allowed)
        adds, rows = self.stage(uri, table, df, pcols, txn, allowed, data_change)
        try:
            version = self.commit(uri, table, adds, mode, schema, pcols, filters, operation, txn, based_on, allowed)
        except ConcurrentChangeError:
            self._discard(uri, adds)
            raise
        return CommitInfo(table, version, operation, rows, len(adds))

    def check_unchanged(
        self, uri: str, table: str, based_on: int, scope: Allowed | None, snapshot: DeltaTable | None = None
    ) -> None:
        """Raise ConcurrentChangeError when a commit after ``based_on`` (up to ``snapshot``, by
        default the latest) changed data in ``scope``."""
        if snapshot is None and self.exists(uri):
            snapshot = DeltaTable(uri)
        current = snapshot.version() if snapshot is not None else None
        require_unchanged(HadoopFS(self.spark, uri), uri, table, snapshot is not None, current, based_on, scope)

    def _discard(self, uri: str, adds: list[AddAction]) -> None:
        """Delete a refused commit's files (no version names them; vacuum would remove them later)."""
        fs = HadoopFS(self.spark, uri)
        for add in adds:
            fs.delete(f"{uri}/{add.path}", recursive=False)

    def stage(
        self,
        uri: str,
        table: str,
        df: DataFrame,
        pcols: list[str],
        txn: str,
        allowed: Allowed | None,
        data_change: bool = True,
    ) -> tuple[list[AddAction], int]:
        """Write ``df`` as Parquet and move the files into the table folder, uncommitted."""
        staging = f"{uri}/{STAGING_DIR}/{txn}"
        faults.checkpoint("disk_full", table)
        df.write.mode("error").partitionBy(*pcols).parquet(staging)
        faults.checkpoint("staged", table)
        fs = HadoopFS(self.spark, staging)
        prefix = fs.qualify(staging).rstrip("/") + "/"
        adds, total = [], 0
        try:
            for status in fs.list_files(staging):
                if not status.path.endswith(".parquet"):
                    continue
                relative = status.path[len(prefix) :]
                rows = fs.parquet_row_count(status.path)
                if rows == 0:
                    continue
                values = _partition_values(table, relative, pcols, allowed)
                fs.rename(status.path, f"{uri}/{relative}")
                faults.checkpoint("moving", table)
                stats = json.dumps({"numRecords": rows})
                adds.append(AddAction(relative, status.size, values, status.modification_time, data_change, stats))
                total += rows
        finally:
            fs.delete(staging)
        return adds, total

    def commit(
        self,
        uri: str,
        table: str,
        adds: list[AddAction],
        mode: str,
        schema: T.StructType,
        pcols: list[str],
        filters: Any,
        operation: str,
        txn: str,
        based_on: int | None = None,
        scope: Allowed | None = None,
    ) -> int:
        """One Delta transaction for all ``adds``, retried when another writer committed first.

        A blind write is retried as it is (a partition overwrite replaces whatever the other writer
        put there, which is what it means). A write ``based_on`` a version is retried only while no
        commit since that version changed data in ``scope``; otherwise ConcurrentChangeError. delta-rs
        itself never retries (``max_commit_retries=0``): its retry would keep the removals of the
        older snapshot and leave the other writer's files next to ours.
        """
        delta_schema = to_delta_schema(schema)
        props = CommitProperties(
            custom_metadata={"lifecircle.txn": txn, "lifecircle.operation": operation}, max_commit_retries=0
        )
        last_error: Exception | None = None
        for attempt in range(self.settings.commit_retries + 1):
            # The snapshot is loaded before the check and the commit goes on top of it, so a commit
            # landing in between makes ours collide (and be checked again) instead of slipping past.
            snapshot = DeltaTable(uri) if DeltaTable.is_deltatable(uri) else None
            if based_on is not None:
                self.check_unchanged(uri, table, based_on, scope, snapshot)
            try:
                if snapshot is None:
                    create_table_with_add_actions(
                        uri, delta_schema, adds, mode="error", partition_by=pcols or None, commit_properties=props
                    )
                else:
                    snapshot.create_write_transaction(
                        adds,
                        mode=mode,
                        schema=delta_schema,
                        partition_by=pcols or None,
                        partition_filters=filters,
                        commit_properties=props,
                    )
                faults.checkpoint("committed", table)
                return _version_of_txn(uri, txn)
            except (CommitFailedError, DeltaError) as exc:
                if isinstance(exc, CommitFailedError) or "already exists" in str(exc):
                    last_error = exc
                    time.sleep(min(2.0, 0.05 * 2**attempt))
                    continue
                raise
        raise LakeError(f"{table}: commit conflicted {self.settings.commit_retries + 1} times: {last_error}")


def pruning_terms(filters: Filters) -> list[list[tuple[str, str, Any]]]:
    """Partition filters as delta-rs takes them: an OR of ANDed ``(column, op, value)`` terms.

    A conjunction of IN lists is exactly "every combination of the listed values". delta-rs cannot
    encode None, but reads ``= ""`` as "the null partition" (the log stores null as empty), so a
    column listing None needs a second term: the result has one conjunction per such split.
    """
    per_column = []
    for col, _, texts in filters or []:
        listed = sorted({t for t in texts if t is not None})
        options = [(col, "in", listed)] if listed else []
        if None in texts:
            options.append((col, "=", ""))
        per_column.append(options or [(col, "in", [])])  # no value listed: no file selected
    return [list(terms) for terms in itertools.product(*per_column)]


def _partition_values(
    table: str, relative: str, pcols: list[str], allowed: Allowed | None
) -> dict[str, str | None]:
    folders = relative.split("/")[:-1]
    values: dict[str, str | None] = {}
    for folder in folders:
        key, _, raw = folder.partition("=")
        text = None if raw == NULL_PARTITION else unquote(raw)
        validate_partition_text(table, key, text)
        values[key] = text
    if sorted(values) != sorted(pcols):
        raise LakeError(f"{table}: file {relative} does not sit in partition folders {pcols}")
    if allowed is not None:
        for col, permitted in allowed.items():
            if values[col] not in permitted:
                raise LakeError(
                    f"{table}: data has {col}={values[col]}, outside the partitions being replaced "
                    f"({sorted(str(v) for v in permitted)}); nothing committed"
                )
    return values


def _version_of_txn(uri: str, txn: str) -> int:
    for entry in DeltaTable(uri).history(20):
        if entry.get("lifecircle.txn") == txn:
            return int(entry["version"])
    return DeltaTable(uri).version()
