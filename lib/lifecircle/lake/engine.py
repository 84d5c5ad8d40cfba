"""The contract between the lake API and an engine, and the choice of engine for a session.

The API validates names, arguments and schemas; an engine only reads and commits. Every method
takes the table's absolute ``uri``; writers also take the ``table`` name (``layer/table``) for
their messages and the returned :class:`CommitInfo`. Partition values arrive in their text form
(:func:`~lifecircle.lake.types.partition_value_text`), None meaning the null partition.
"""

from __future__ import annotations

from typing import Any, Protocol

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from lifecircle.config import LakeSettings
from lifecircle.lake.delta_rs import DeltaRsEngine
from lifecircle.lake.spark_delta import SparkDeltaEngine
from lifecircle.lake.types import Allowed, CommitInfo, Filters, TableInfo

DELTA_CONNECTOR_CLASS = "io.delta.tables.DeltaTable"


class Engine(Protocol):
    name: str  # the ``lake.engine`` setting that selects it

    # ---------------------------------------------------------------- metadata
    def exists(self, uri: str) -> bool:
        """Whether ``uri`` holds a Delta table (a committed log, not just a folder)."""
        ...

    def schema(self, uri: str) -> T.StructType:
        """The current schema, every top-level field nullable."""
        ...

    def partition_by(self, uri: str) -> list[str]:
        """The partition columns in table order; [] when unpartitioned."""
        ...

    def version(self, uri: str) -> int:
        """The latest committed version (0 after the first commit)."""
        ...

    def history(self, uri: str, limit: int | None) -> list[dict[str, Any]]:
        """One dict per commit, newest first, at most ``limit``; each has ``version``,
        ``timestamp`` and ``operation`` (other keys are engine-specific)."""
        ...

    def describe(self, table: str, uri: str) -> TableInfo:
        """Size of the current snapshot: rows, live files, bytes, partition columns and values."""
        ...

    def partition_row_counts(self, uri: str, column: str) -> dict[Any, int]:
        """Rows per value of partition ``column`` in the current snapshot, from the Delta log only
        (never a scan); values typed as the column, None for the null partition. The caller has
        checked that ``column`` is a partition column."""
        ...

    # ---------------------------------------------------------------- reading
    def read(self, uri: str, version: int | None, filters: Filters) -> DataFrame:
        """The snapshot at ``version`` (None: latest), only the files of that snapshot, columns in
        table order; ``filters`` prunes whole partitions. Raises LakeError for an unknown version."""
        ...

    # ---------------------------------------------------------------- writing (one commit each)
    def overwrite(
        self,
        uri: str,
        table: str,
        df: DataFrame,
        pcols: list[str],
        keep_schema: bool = False,
        based_on: int | None = None,
    ) -> CommitInfo:
        """Create the table or replace all its content. The new schema is ``df``'s unless
        ``keep_schema`` (then ``df`` already has the table's columns). ``based_on``: the version
        ``df`` was computed from (``ABSENT``: before the table existed; None: a blind write);
        ConcurrentChangeError, nothing committed, when a commit since then changed data."""
        ...

    def append(self, uri: str, table: str, df: DataFrame, pcols: list[str]) -> CommitInfo:
        """Add ``df``'s rows (creating the table partitioned by ``pcols``); the caller has checked
        the schema."""
        ...

    def replace_partitions(
        self, uri: str, table: str, df: DataFrame, pcols: list[str], allowed: Allowed, based_on: int | None = None
    ) -> CommitInfo:
        """Atomically remove every row whose partition values are all in ``allowed`` and add
        ``df``. A row of ``df`` outside ``allowed`` fails the write before anything is committed.
        Concurrent replacements of disjoint partitions must both land. ``based_on`` as for
        :meth:`overwrite`, for changes inside ``allowed`` only."""
        ...

    def optimize(self, uri: str, table: str, filters: Filters) -> CommitInfo:
        """Compact the small files of the selected partitions (``filters``; None: all) into
        fewer files, content unchanged; may commit nothing when there is nothing to compact.
        ConcurrentChangeError when a write landed while it compacted."""
        ...

    def vacuum(self, uri: str, hours: float) -> list[str]:
        """Delete files no version younger than ``hours`` needs, including orphans of writes that
        died before committing; returns the deleted paths where the engine reports them."""
        ...


def connector_available(spark: SparkSession) -> bool:
    """Whether the Delta Spark connector's classes are on this session's JVM classpath."""
    try:
        spark.sparkContext._jvm.java.lang.Class.forName(DELTA_CONNECTOR_CLASS)
        return True
    except Exception:  # py4j raises a generic error when the class is missing
        return False


def select_engine(spark: SparkSession, settings: LakeSettings) -> Engine:
    """The engine ``settings.engine`` names; ``auto`` prefers the connector when it is loadable."""
    name = settings.engine
    if name == "auto":
        name = "spark-delta" if connector_available(spark) else "delta-rs"
    if name == "spark-delta":
        return SparkDeltaEngine(spark, settings)
    return DeltaRsEngine(spark, settings)
