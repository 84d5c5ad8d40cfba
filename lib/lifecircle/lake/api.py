"""The lake API: table names, argument and schema checks, merge; engines do the reading and commits.

Table names are ``<layer>/<table>`` relative to the lake root, e.g. ``raw/signaling``. A write to a
table of the registry (:mod:`lifecircle.tables`) must match its declared columns and partitioning;
:meth:`Lake.require` checks a job's input tables against the registry before any work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle import tables as registry
from lifecircle.config import LakeSettings
from lifecircle.errors import ConcurrentChangeError, InputError, LakeError, SchemaMismatchError
from lifecircle.lake.engine import Engine, select_engine
from lifecircle.lake.fs import HadoopFS
from lifecircle.lake.schema import check_schema, schema_problems
from lifecircle.lake.types import (
    ABSENT,
    CommitInfo,
    TableInfo,
    absolute_uri,
    partition_filters,
    partition_value_text,
)

_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$")

# New content of a read-modify-write, from the table's current rows (None: no table yet).
Build = Callable[[DataFrame | None], DataFrame]


class Lake:
    """Read and write the suite's Delta tables under one root.

    Inside a job (after :meth:`pin_reads`, which :func:`lifecircle.runs.run_job` calls) reads are
    pinned: the first read of a table fixes the version every later read of it sees (:meth:`inputs`
    lists them for ``ops/job_runs``), so a job computes from one snapshot even when another job
    commits meanwhile; the job's own commits move the pin to what it wrote. Outside a job (a
    notebook, a test) every read sees the latest version.
    """

    def __init__(self, spark: SparkSession, root: str, settings: LakeSettings | None = None) -> None:
        self.spark = spark
        self.settings = settings or LakeSettings()
        self.root = absolute_uri(root)
        self._impl: Engine = select_engine(spark, self.settings)
        self.engine = self._impl.name
        self._pinning = False
        self._pins: dict[str, int] = {}
        self._inputs: dict[str, int] = {}

    # ---------------------------------------------------------------- naming
    def uri(self, table: str) -> str:
        if not _TABLE_NAME.match(table):
            raise LakeError(f"table name {table!r} must look like 'layer/table' (lower case, e.g. raw/signaling)")
        return f"{self.root}/{table}"

    def exists(self, table: str) -> bool:
        return self._impl.exists(self.uri(table))

    def require(self, *tables: str, optional: Sequence[str] = (), hint: str = "") -> None:
        """Check a job's inputs before any work: every table of ``tables`` exists, and every existing
        one (``optional`` ones too) has the columns the registry declares, with their types.
        Fails with one line naming the table, the problem and what to run (``hint``)."""
        missing = [t for t in tables if not self.exists(t)]
        if missing:
            raise InputError(f"{', '.join(missing)} missing under {self.root}{hint}")
        for table in (*tables, *optional):
            spec = registry.lookup(table)
            if spec is None or not self.exists(table):
                continue
            problems = schema_problems(spec.schema, self.schema(table), allow_extra=True)
            if problems:
                raise InputError(
                    f"{table} under {self.root} does not have the columns of lifecircle/tables.py: "
                    f"{'; '.join(problems)} (written by another version? rerun {spec.producer})"
                )

    def tables(self) -> list[str]:
        """Every Delta table under the root, as ``layer/table`` names."""
        fs = HadoopFS(self.spark, self.root)
        found = []
        for layer in fs.list_dir(self.root):
            for table in fs.list_dir(layer.path):
                if fs.exists(f"{table.path}/_delta_log"):
                    found.append("/".join(table.path.rstrip("/").split("/")[-2:]))
        return sorted(found)

    # ---------------------------------------------------------------- reading
    def read(
        self,
        table: str,
        version: int | None = None,
        partitions: Mapping[str, Sequence[Any]] | None = None,
    ) -> DataFrame:
        """The table at its pinned version (or ``version``), optionally pruned to some partition values."""
        self._require(table)
        if version is None and self._pinning:
            version = self.pin(table)
        return self._impl.read(self.uri(table), version, partition_filters(partitions))

    def pin(self, table: str) -> int:
        """The version reads of ``table`` see: fixed by the first read (the latest then)."""
        if table not in self._pins:
            self._pins[table] = self._impl.version(self.uri(table))
            self._inputs.setdefault(table, self._pins[table])
        return self._pins[table]

    def inputs(self) -> dict[str, int]:
        """Each table read since :meth:`pin_reads` → the version read (its first pin)."""
        return dict(self._inputs)

    def pin_reads(self, on: bool = True) -> None:
        """Start (or stop) pinning reads, forgetting earlier pins."""
        self._pinning = on
        self._pins.clear()
        self._inputs.clear()

    def read_or_empty(
        self,
        table: str,
        partitions: Mapping[str, Sequence[Any]] | None = None,
        schema: T.StructType | None = None,
    ) -> DataFrame:
        """The table (pruned to ``partitions``) if it exists, else an empty DataFrame of ``schema``,
        by default the registered one (first runs without extracts, anchors or events)."""
        if self.exists(table):
            return self.read(table, partitions=partitions)
        if schema is not None:
            return self.spark.createDataFrame([], schema)
        spec = registry.lookup(table)
        if spec is None:
            raise LakeError(f"{table}: not in lifecircle/tables.py, so an empty frame needs a schema")
        return spec.empty(self.spark)

    def schema(self, table: str) -> T.StructType:
        self._require(table)
        return self._impl.schema(self.uri(table))

    def version(self, table: str) -> int:
        self._require(table)
        return self._impl.version(self.uri(table))

    def history(self, table: str, limit: int | None = None) -> list[dict[str, Any]]:
        self._require(table)
        return self._impl.history(self.uri(table), limit)

    def describe(self, table: str) -> TableInfo:
        self._require(table)
        return self._impl.describe(table, self.uri(table))

    def partition_values(self, table: str, column: str) -> list[Any]:
        """The values partition ``column`` holds now, sorted, typed as the column (null last)."""
        return sorted(self.partition_row_counts(table, column), key=lambda v: (v is None, v))

    def latest_partition_value(self, table: str, column: str) -> Any | None:
        """The greatest non-null value partition ``column`` holds (e.g. the latest period), or None."""
        values = [v for v in self.partition_values(table, column) if v is not None]
        return values[-1] if values else None

    def partition_row_counts(self, table: str, column: str) -> dict[Any, int]:
        """Rows per value of partition ``column``, from the Delta log (no data is read)."""
        self._require(table)
        pcols = self._impl.partition_by(self.uri(table))
        if column not in pcols:
            raise LakeError(f"{table}: {column!r} is not a partition column (table is partitioned by {pcols})")
        return self._impl.partition_row_counts(self.uri(table), column)

    # ---------------------------------------------------------------- writing
    def write(
        self, table: str, df: DataFrame, partition_by: Sequence[str] = (), based_on: int | None = None
    ) -> CommitInfo:
        """Create the table or replace all of its content (and schema) in one commit.

        ``based_on``: the version ``df`` was computed from (:data:`ABSENT` before the table
        existed); the commit is refused with ConcurrentChangeError if data changed since then."""
        df, pcols = _registered(table, df, partition_by)
        self._check_partition_columns(df, pcols)
        return self._timed(table, lambda: self._impl.overwrite(self.uri(table), table, df, pcols, based_on=based_on))

    def append(self, table: str, df: DataFrame, partition_by: Sequence[str] = ()) -> CommitInfo:
        """Add rows in one commit (creates the table on first use)."""
        df, pcols = self._conform(table, df, partition_by)
        return self._timed(table, lambda: self._impl.append(self.uri(table), table, df, pcols))

    def replace_partitions(
        self,
        table: str,
        df: DataFrame,
        partitions: Mapping[str, Sequence[Any]],
        partition_by: Sequence[str] | None = None,
        based_on: int | None = None,
    ) -> CommitInfo:
        """Atomically replace the given partition values with ``df`` (idempotent per partition).

        ``partitions`` names the replaced values, e.g. ``{"day": [date(2026, 11, 1)]}``: whatever
        those partitions held is removed and ``df`` added in one commit, even when ``df`` has no
        rows for some of them. Every row of ``df`` must fall inside ``partitions``. ``based_on``
        as for :meth:`write`, checked against those partitions only.
        """
        if not partitions or not all(partitions.values()):
            raise LakeError(f"{table}: replace_partitions needs at least one partition value to replace")
        if partition_by is None and registry.lookup(table) is not None:
            partition_by = registry.lookup(table).partition_by
        pcols = list(partition_by) if partition_by is not None else self._existing_partition_by(table)
        if not pcols:
            raise LakeError(f"{table}: replace_partitions needs partition_by for a new table")
        unknown = [c for c in partitions if c not in pcols]
        if unknown:
            raise LakeError(f"{table}: {unknown} are not partition columns (table is partitioned by {pcols})")
        df, pcols = self._conform(table, df, pcols)
        allowed = {c: {partition_value_text(v) for v in vs} for c, vs in partitions.items()}
        return self._timed(
            table,
            lambda: self._impl.replace_partitions(self.uri(table), table, df, pcols, allowed, based_on=based_on),
        )

    def rewrite(
        self,
        table: str,
        build: Build,
        partitions: Mapping[str, Sequence[Any]] | None = None,
        partition_by: Sequence[str] = (),
    ) -> CommitInfo:
        """Read-modify-write in one commit: ``build(rows)`` gives the new content of ``partitions``
        (None: the whole table) from the rows they hold now (None when the table does not exist).

        When another job changes those rows before the commit lands, ``build`` runs again on the
        new version, up to ``lake.commit_retries`` times; then LakeError, nothing committed.
        """
        last: ConcurrentChangeError | None = None
        for _ in range(self.settings.commit_retries + 1):
            exists = self.exists(table)
            based_on = self._impl.version(self.uri(table)) if exists else ABSENT
            current = self.read(table, version=based_on, partitions=partitions) if exists else None
            df = build(current)
            try:
                if partitions:
                    return self.replace_partitions(table, df, partitions, list(partition_by) or None, based_on)
                return self.write(table, df, partition_by, based_on=based_on)
            except ConcurrentChangeError as exc:
                last = exc
        raise LakeError(f"{table}: gave up after {self.settings.commit_retries + 1} conflicting commits ({last})")

    def merge(self, table: str, df: DataFrame, keys: Sequence[str], partition_by: Sequence[str] = ()) -> CommitInfo:
        """Upsert ``df`` by ``keys``: matching rows are replaced, new ones inserted, others kept.

        Rows of ``df`` are expected to be unique by ``keys``. Only the partitions ``df`` touches
        are rewritten (copy-on-write, one commit).
        """
        if not keys:
            raise LakeError(f"{table}: merge needs at least one key column")
        missing = [k for k in keys if k not in df.columns]
        if missing:
            raise LakeError(f"{table}: merge keys {missing} are not columns of the new data")
        if self.exists(table):
            df, pcols = self._conform(table, df, ())
        else:
            df, pcols = _registered(table, df, partition_by)
        replaced = None
        if pcols:
            touched = [r.asDict() for r in df.select(*pcols).distinct().collect()]  # one row per partition
            if not touched:
                return self._noop(table, "MERGE")
            replaced = {c: sorted({t[c] for t in touched}, key=lambda v: (v is None, v)) for c in pcols}

        def merged(current: DataFrame | None) -> DataFrame:
            if current is None:
                return df
            if replaced:
                current = current.where(_partition_predicate(touched, pcols))
            kept = current.join(df.select(*keys).distinct(), on=list(keys), how="left_anti")
            return kept.select(*df.columns).unionByName(df)

        return self.rewrite(table, merged, replaced, pcols)

    # ---------------------------------------------------------------- maintenance
    def optimize(self, table: str, partitions: Mapping[str, Sequence[Any]] | None = None) -> CommitInfo:
        """Rewrite small files into fewer, larger ones (data unchanged, one commit)."""
        self._require(table)
        for _ in range(self.settings.commit_retries + 1):
            try:
                return self._timed(
                    table, lambda: self._impl.optimize(self.uri(table), table, partition_filters(partitions))
                )
            except ConcurrentChangeError:  # a job wrote meanwhile: compact what is there now
                continue
        return self._noop(table, "OPTIMIZE")

    def vacuum(self, table: str, retention_hours: float | None = None) -> list[str]:
        """Delete files no version within the retention window needs, and orphans of failed jobs."""
        self._require(table)
        hours = self.settings.vacuum_retention_hours if retention_hours is None else retention_hours
        return self._impl.vacuum(self.uri(table), hours)

    # ---------------------------------------------------------------- helpers
    def _require(self, table: str) -> None:
        if not self.exists(table):
            raise LakeError(f"table {table} does not exist under {self.root}")

    def _existing_partition_by(self, table: str) -> list[str]:
        return self._impl.partition_by(self.uri(table)) if self.exists(table) else []

    def _check_partition_columns(self, df: DataFrame, partition_by: Sequence[str]) -> None:
        missing = [c for c in partition_by if c not in df.columns]
        if missing:
            raise LakeError(f"partition columns {missing} are not in the data (columns: {df.columns})")

    def _conform(self, table: str, df: DataFrame, partition_by: Sequence[str]) -> tuple[DataFrame, list[str]]:
        """Check ``df`` against the existing table and return it in the table's column order,
        with the table's partition columns (``partition_by`` applies to a new table)."""
        df, partition_by = _registered(table, df, partition_by)
        self._check_partition_columns(df, partition_by)
        if not self.exists(table):
            return df, list(partition_by)
        existing = self._impl.partition_by(self.uri(table))
        if list(partition_by) and list(partition_by) != existing:
            raise SchemaMismatchError(
                f"{table}: partitioned by {existing}, refusing a write partitioned by {list(partition_by)}"
            )
        target = self.schema(table)
        check_schema(table, target, df.schema)
        return df.select(*[F.col(f.name) for f in target.fields]), existing

    def _timed(self, table: str, action) -> CommitInfo:
        try:
            commit = action()
        except (LakeError, SchemaMismatchError):
            raise
        except Exception as exc:  # surface engine errors as one line naming the table
            raise LakeError(f"{table}: write failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc
        if self._pinning:
            self._pins[table] = commit.version  # the job sees what it wrote
        return commit

    def _noop(self, table: str, operation: str) -> CommitInfo:
        return CommitInfo(table, self.version(table), operation, 0, 0)


def _registered(table: str, df: DataFrame, partition_by: Sequence[str]) -> tuple[DataFrame, list[str]]:
    """A write to a registered table: ``df`` checked against the declared columns and put in their
    order, with the declared partitioning (unregistered tables pass through unchanged)."""
    spec = registry.lookup(table)
    if spec is None:
        return df, list(partition_by)
    if partition_by and tuple(partition_by) != spec.partition_by:
        raise SchemaMismatchError(
            f"{table}: lifecircle/tables.py partitions it by {list(spec.partition_by)}, "
            f"refusing a write partitioned by {list(partition_by)}"
        )
    check_schema(f"{table} (declared in lifecircle/tables.py)", spec.schema, df.schema, spec.open_columns)
    declared = spec.column_names
    ordered = [*declared, *[c for c in df.columns if c not in declared]]
    return df.select(*[F.col(c) for c in ordered]), list(spec.partition_by)


def _partition_predicate(touched: Iterable[Mapping[str, Any]], pcols: Sequence[str]):
    """A Column true for rows in any of the touched partition value combinations."""
    condition = F.lit(False)
    for combo in touched:
        clause = F.lit(True)
        for c in pcols:
            value = combo[c]
            clause = clause & (F.col(c).isNull() if value is None else (F.col(c) == F.lit(value)))
        condition = condition | clause
    return condition
