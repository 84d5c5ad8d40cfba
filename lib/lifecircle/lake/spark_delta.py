"""The ``spark-delta`` engine, for clusters that have ``io.delta:delta-spark`` on the classpath.

Its contract tests skip here (the connector JAR cannot be downloaded on these machines); it maps
the lake API one to one onto the connector's own operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltalake import DeltaTable as LogReader
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.config import LakeSettings
from lifecircle.lake.log import partition_row_counts
from lifecircle.lake.types import Allowed, CommitInfo, Filters, TableInfo


def _sql_literal(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


def _predicate(filters: Mapping[str, Any]) -> str:
    clauses = []
    for col, values in filters.items():
        listed = ", ".join(_sql_literal(v) for v in sorted(values, key=lambda x: (x is None, x)))
        clauses.append(f"`{col}` IN ({listed})")
    return " AND ".join(clauses)


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
        df = reader.load(uri)
        if filters:
            df = df.where(_predicate({c: vs for c, _, vs in filters}))
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
        detail = self._delta.forPath(self.spark, uri).detail().first()
        pcols = tuple(detail["partitionColumns"])
        df = self.spark.read.format("delta").load(uri)
        rows = df.count()
        partitions = df.select(*pcols).distinct().count() if pcols else 0
        return TableInfo(
            table, self.version(uri), rows, int(detail["numFiles"]), int(detail["sizeInBytes"]), pcols, partitions
        )

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

    def overwrite(self, uri: str, table: str, df: DataFrame, pcols: list[str], keep_schema: bool = False) -> CommitInfo:
        writer = df.write.format("delta").mode("overwrite").partitionBy(*pcols)
        if not keep_schema:
            writer = writer.option("overwriteSchema", "true")
        writer.save(uri)
        return self._commit_info(uri, table, "WRITE")

    def append(self, uri: str, table: str, df: DataFrame, pcols: list[str]) -> CommitInfo:
        df.write.format("delta").mode("append").partitionBy(*pcols).save(uri)
        return self._commit_info(uri, table, "APPEND")

    def replace_partitions(self, uri: str, table: str, df: DataFrame, pcols: list[str], allowed: Allowed) -> CommitInfo:
        (
            df.write.format("delta")
            .mode("overwrite")
            .partitionBy(*pcols)
            .option("replaceWhere", _predicate(allowed))
            .save(uri)
        )
        return self._commit_info(uri, table, "REPLACE PARTITIONS")

    def optimize(self, uri: str, table: str, filters: Filters) -> CommitInfo:
        builder = self._delta.forPath(self.spark, uri).optimize()
        if filters:
            builder = builder.where(_predicate({c: vs for c, _, vs in filters}))
        builder.executeCompaction()
        return self._commit_info(uri, table, "OPTIMIZE")

    def vacuum(self, uri: str, hours: float) -> list[str]:
        if hours < 168:
            self.spark.conf.set("spark.databricks.delta.retentionDurationCheck.enabled", "false")
        result = self._delta.forPath(self.spark, uri).vacuum(hours)
        return [r["path"] for r in result.select(F.col("path")).collect()] if "path" in result.columns else []
