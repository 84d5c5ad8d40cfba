"""The location key of a subscriber's whereabouts: a place, or the cell itself where the cell
serves no known place. Anchors, profile features and tags all key dwell by it, so it lives once."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

CELL_PREFIX = "cell:"


def location(place_id: Column, lac: Column, cell_id: Column) -> Column:
    """The place, or ``cell:<lac>:<cell_id>`` for a cell serving no known place."""
    return F.coalesce(place_id, F.concat_ws(":", F.lit("cell"), lac.cast("string"), cell_id.cast("string")))


def with_location(df: DataFrame) -> DataFrame:
    """``df`` (place_id, lac, cell_id) with its location key ``loc``."""
    return df.withColumn("loc", location(F.col("place_id"), F.col("lac"), F.col("cell_id")))


def is_place(loc: Column) -> Column:
    """Whether a location key names a known place (not a bare cell)."""
    return ~loc.startswith(CELL_PREFIX)
