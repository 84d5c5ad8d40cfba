"""The ``spark-delta`` engine, for clusters that have ``io.delta:delta-spark`` on the classpath.

Its contract tests skip here (the connector JAR cannot be downloaded on these machines); it maps
the lake API one to one onto the connector's own operations. Its SQL predicate builders are pure
and tested on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from deltalake import DeltaTable as LogReader
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.config import LakeSettings
from lifecircle.errors import LakeError
from lifecircle.lake.conflicts import require_unchanged
from lifecircle.lake.fs import HadoopFS
from lifecircle.lake.log import describe, partition_row_counts
from lifecircle.lake.types import Allowed, CommitInfo, Filters, TableInfo

_RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled"


def sql_literal(text: str | None) -> str:
    """A Spark SQL literal for a partition value's text form (None: ``NULL``).

    Spark unescapes backslashes inside string literals (the default, with
    ``spark.sql.parser.escapedStringLiterals`` off), so they are doubled along with quotes.
    """
    if text is None:
        return "NULL"
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def sql_column(name: str) -> str:
    """A column reference that survives any character in the name."""
    return "`" + name.replace("`", "``") + "`"


def value_predicate(column: str, texts: Iterable[str | None]) -> str:
    """True for rows whose ``column`` holds one of ``texts``; None selects the null partition.

    ``col IN (NULL)`` is never true in SQL, so the null value needs its own ``IS NULL`` test.
    """
    distinct = set(texts)
    col = sql_column(column)
    listed = ", ".join(sql_literal(v) for v in sorted(v for v in distinct if v is not None))
    clauses = ([f"{col} IN ({listed})"] if listed else []) + ([f"{col} IS NULL"] if None in distinct else [])
    if not clauses:
        return "FALSE"  # no value selected selects no row (and ``IN ()`` is not valid SQL)
    return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


def partition_predicate(values: Mapping[str, Iterable[str | None]]) -> str:
    """True for rows whose every listed column holds one of its values (columns ANDed in order)."""
    if not values:
        return "TRUE"
    return " AND ".join(value_predicate(col, texts) for col, texts in values.items())


def filters_predicate(filters: Filters) -> str:
    return partition_predicate({col: texts for col, _, texts in filters or []})


class SparkDeltaEngine:
    name = "spark-delta"

    def __init__(self, spark: SparkSession, settings: LakeSettings) -> None:
        from delta.tables import DeltaTable  # needs the connector's JVM classes at call time only

        self.spark = spark
        self.settings = settings
        self._delta = DeltaTable

    def exists(self, uri: str) -> bool:
        return bool(self._delta.isDeltaTable(self.spark, uri))

    def read(self, uri: str, version: int | None, filters: Filters) -> DataFrame:
        reader = self.spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        try:
            df = reader.load(uri)  # time travel resolves the version here, not at the first action
        except Exception as exc:  # py4j wraps the connector's error
            what = f"version {version} of {uri}" if version is not None else uri
            raise LakeError(f"cannot open {what}: {str(exc).splitlines()[0]}") from None
        if filters:
            df = df.where(filters_predicate(filters))
        return df

    def schema(self, uri: str) -> T.StructType:
        return self.spark.read.format("delta").load(uri).schema

    def partition_by(self, uri: str) -> list[str]:
        detail = self._delta.forPath(self.spark, uri).detail().select("partitionColumns").first()
        return list(detail["partitionColumns"])

    def version(self, uri: str) -> int:
        return int(self._delta.forPath(self.spark, uri).history(1).select("version").first()["version"])

    def history(self, uri: str, limit: int | None) -> list[dict[str, Any]]:
        table = self._delta.forPath(self.spark, uri)
        hist = table.history(limit) if limit else table.history()
        return [row.asDict(recursive=True) for row in hist.collect()]  # one row per version: small

    def describe(self, table: str, uri: str) -> TableInfo:
        # From the log, like partition_row_counts: counting rows through the connector scans the table.
        return describe(table, LogReader(uri))

    def partition_row_counts(self, uri: str, column: str) -> dict[Any, int]:
        # The connector's API has no per-file view of the log (detail() is table-level), and a
        # Delta log is the same protocol whichever engine wrote it: delta-rs reads it directly.
        return partition_row_counts(LogReader(uri), column)

    def _commit_info(self, uri: str, table: str, operation: str) -> CommitInfo:
        last = self._delta.forPath(self.spark, uri).history(1).first()
        metrics = last["operationMetrics"] or {}
        return CommitInfo(
            table, int(last["version"]), operation, int(metrics.get("numOutputRows", 0)), int(metrics.get("numFiles", 0))
        )

    def _check_unchanged(self, uri: str, table: str, based_on: int | None, scope: Allowed | None) -> None:
        # The connector's own conflict check starts at the write, not at the read ``based_on``
        # names; this closes that gap up to the write (a commit landing during the write itself
        # is caught by the connector only when it touches the same files).
        if based_on is None:
            return
        exists = self.exists(uri)
        current = LogReader(uri).version() if exists else None
        require_unchanged(HadoopFS(self.spark, uri), uri, table, exists, current, based_on, scope)

    def overwrite(
        self,
        uri: str,
        table: str,
        df: DataFrame,
        pcols: list[str],
        keep_schema: bool = False,
        based_on: int | None = None,
    ) -> CommitInfo:
        self._check_unchanged(uri, table, based_on, None)
        writer = df.write.format("delta").mode("overwrite").partitionBy(*pcols)
        if not keep_schema:
            writer = writer.option("overwriteSchema", "true")
        writer.save(uri)
        return self._commit_info(uri, table, "WRITE")

    def append(self, uri: str, table: str, df: DataFrame, pcols: list[str]) -> CommitInfo:
        df.write.format("delta").mode("append").partitionBy(*pcols).save(uri)
        return self._commit_info(uri, table, "APPEND")

    def replace_partitions(
        self, uri: str, table: str, df: DataFrame, pcols: list[str], allowed: Allowed, based_on: int | None = None
    ) -> CommitInfo:
        self._check_unchanged(uri, table, based_on, allowed)
        (
            df.write.format("delta")
            .mode("overwrite")
            .partitionBy(*pcols)
            .option("replaceWhere", partition_predicate(allowed))
            .save(uri)
        )
        return self._commit_info(uri, table, "REPLACE PARTITIONS")

    def optimize(self, uri: str, table: str, filters: Filters) -> CommitInfo:
        builder = self._delta.forPath(self.spark, uri).optimize()
        if filters:
            builder = builder.where(filters_predicate(filters))
        builder.executeCompaction()
        return self._commit_info(uri, table, "OPTIMIZE")

    def vacuum(self, uri: str, hours: float) -> list[str]:
        # The connector refuses retention under a week unless its check is off; turn it off for
        # this call only, so other jobs of the session keep the guard.
        previous = self.spark.conf.get(_RETENTION_CHECK, "true")
        if hours < 168:
            self.spark.conf.set(_RETENTION_CHECK, "false")
        try:
            result = self._delta.forPath(self.spark, uri).vacuum(hours)
        finally:
            self.spark.conf.set(_RETENTION_CHECK, previous)
        return [r["path"] for r in result.select(F.col("path")).collect()] if "path" in result.columns else []
