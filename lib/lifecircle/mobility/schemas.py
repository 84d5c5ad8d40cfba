"""Schemas of the stay code's own frames (tables are in :mod:`lifecircle.tables`)."""

from __future__ import annotations

from pyspark.sql import types as T

# What the stay code reads from raw/signaling after the one shuffle.
EVENTS_SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("ts", T.LongType()),
        T.StructField("cell_key", T.LongType()),
        T.StructField("event_type", T.ByteType()),
    ]
)
