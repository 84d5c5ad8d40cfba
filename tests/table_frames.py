"""Typed test frames of registered tables: give the columns a test cares about, the rest are null."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle.tables import Table


def conform_to(table: Table, df: DataFrame) -> DataFrame:
    """``df`` with exactly the table's columns, in its order: present ones cast, missing ones null."""
    return df.select(
        *[
            (F.col(f.name) if f.name in df.columns else F.lit(None)).cast(f.dataType).alias(f.name)
            for f in table.schema.fields
        ]
    )


def table_frame(spark: SparkSession, table: Table, rows: Sequence[tuple], columns: Sequence[str] | None = None) -> DataFrame:
    """Rows of ``columns`` (default: all of the table's, by position) as a frame of the table's schema."""
    names = list(columns) if columns is not None else table.column_names
    unknown = [c for c in names if c not in table.column_names]
    if unknown:
        raise ValueError(f"{table} has no columns {unknown}")
    fields = {f.name: f for f in table.schema.fields}
    from pyspark.sql import types as T

    schema = T.StructType([fields[c] for c in names])
    return conform_to(table, spark.createDataFrame(list(rows), schema))
