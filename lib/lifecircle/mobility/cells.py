"""Cells with their coordinates and primary place, as small arrays shipped to the stay code.

The cell table is small (tens of thousands of rows even for a large city), so it travels with the
vectorized stay function instead of being joined onto billions of events before the shuffle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

# Equirectangular metres per degree: a city spans tens of km, where this is accurate to metres.
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


def cell_key(lac, cell_id):
    """One int64 per cell: the pair (lac, cell_id) packed as lac << 32 | cell_id."""
    return (np.asarray(lac, dtype=np.int64) << 32) | np.asarray(cell_id, dtype=np.int64)


def primary_places(cell_place: DataFrame) -> DataFrame:
    """lac, cell_id, place_id of each cell's highest-weight place (ties: lowest place_id)."""
    ranked = Window.partitionBy(F.col("lac"), F.col("cell_id")).orderBy(
        F.col("weight").desc(), F.col("place_id").asc()
    )
    return (
        cell_place.withColumn("rank", F.row_number().over(ranked))
        .where(F.col("rank") == 1)
        .select(F.col("lac"), F.col("cell_id"), F.col("place_id"))
    )


def cells_with_places(cells: DataFrame, cell_place: DataFrame) -> DataFrame:
    """dim/cells plus the primary place_id (null for cells that serve no known place)."""
    return cells.join(F.broadcast(primary_places(cell_place)), on=["lac", "cell_id"], how="left").select(
        F.col("lac"),
        F.col("cell_id"),
        F.col("longitude"),
        F.col("latitude"),
        F.col("district"),
        F.col("place_id"),
    )


@dataclass(frozen=True)
class CellIndex:
    """Sorted cell keys with planar coordinates (m) and a primary-place code (-1: none).

    Place codes index ``place_ids``, which is sorted, so the lowest code is the lowest place_id.
    """

    keys: np.ndarray
    x: np.ndarray
    y: np.ndarray
    place: np.ndarray
    place_ids: np.ndarray

    @classmethod
    def from_pandas(cls, pdf: pd.DataFrame) -> CellIndex:
        pdf = pdf.assign(key=cell_key(pdf["lac"], pdf["cell_id"])).sort_values("key", ignore_index=True)
        lat0 = float(pdf["latitude"].mean()) if len(pdf) else 0.0
        x = pdf["longitude"].to_numpy(dtype=float) * M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0))
        y = pdf["latitude"].to_numpy(dtype=float) * M_PER_DEG_LAT
        place_ids = np.array(sorted(pdf["place_id"].dropna().unique()), dtype=object)
        codes = np.searchsorted(place_ids, pdf["place_id"].fillna("").to_numpy(dtype=object))
        known = pdf["place_id"].notna().to_numpy()
        place = np.where(known, codes, -1).astype(np.int64)
        return cls(pdf["key"].to_numpy(np.int64), x, y, place, place_ids)

    @classmethod
    def from_spark(cls, cells: DataFrame, cell_place: DataFrame) -> CellIndex:
        pdf = (
            cells_with_places(cells, cell_place)
            .select(F.col("lac"), F.col("cell_id"), F.col("longitude"), F.col("latitude"), F.col("place_id"))
            .toPandas()
        )
        return cls.from_pandas(pdf)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Row of each key in this index, -1 for cells not in dim/cells."""
        if len(self.keys) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[pos] == keys, pos, -1)

    def coords(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x, y of index rows; NaN for unknown cells, so every distance test with them fails."""
        ok = rows >= 0
        safe = np.where(ok, rows, 0)
        x = np.where(ok, self.x[safe] if len(self.x) else np.nan, np.nan)
        y = np.where(ok, self.y[safe] if len(self.y) else np.nan, np.nan)
        return x, y

    def places_of(self, rows: np.ndarray) -> np.ndarray:
        ok = rows >= 0
        return np.where(ok, self.place[np.where(ok, rows, 0)] if len(self.place) else -1, -1)
