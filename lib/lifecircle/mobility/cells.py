"""Cells with their coordinates, primary place and every place they serve, as small arrays
shipped to the stay code.

The cell table is small (tens of thousands of rows even for a large city), so it travels with the
vectorized stay function instead of being joined onto billions of events before the shuffle.
A place is served by several cells and a cell by several places (dim/cell_place with weights):
the primary place decides which visits are candidates for one stay, the full weights decide
which place a stay was at.
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
    """Sorted cell keys with planar coordinates (m), a primary-place code (-1: none) and the
    places each cell serves (``sup_*``: CSR rows by cell). A cell_place weight is the share of the
    cell's traffic attributable to the place (INTERFACES.md §4); ``sup_weight`` divides it by
    the cell's total, so it reads "of the time a phone is seen on this cell at a known place, the
    share at this one".

    Place codes index ``place_ids``, which is sorted, so the lowest code is the lowest place_id.
    """

    keys: np.ndarray
    x: np.ndarray
    y: np.ndarray
    place: np.ndarray
    place_ids: np.ndarray
    sup_offset: np.ndarray  # len(keys) + 1: cell row r serves sup_place[sup_offset[r]:sup_offset[r + 1]]
    sup_place: np.ndarray
    sup_weight: np.ndarray
    members_only: np.ndarray  # per place code: traffic is its members' (residents, staff, students)

    @classmethod
    def from_pandas(
        cls, pdf: pd.DataFrame, serving: pd.DataFrame | None = None, members_only: set[str] = frozenset()
    ) -> CellIndex:
        """``pdf``: lac, cell_id, longitude, latitude, place_id (primary); ``serving``: lac,
        cell_id, place_id, weight of dim/cell_place (default: each cell serves its primary place);
        ``members_only``: place_ids of homes, workplaces and schools (see :meth:`from_spark`)."""
        pdf = pdf.assign(key=cell_key(pdf["lac"], pdf["cell_id"])).sort_values("key", ignore_index=True)
        lat0 = float(pdf["latitude"].mean()) if len(pdf) else 0.0
        x = pdf["longitude"].to_numpy(dtype=float) * M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0))
        y = pdf["latitude"].to_numpy(dtype=float) * M_PER_DEG_LAT
        if serving is None:
            serving = pdf.loc[pdf["place_id"].notna(), ["lac", "cell_id", "place_id"]].assign(weight=1.0)
        serving = serving[serving["place_id"].notna() & (serving["weight"] > 0)]
        ids = set(pdf["place_id"].dropna()) | set(serving["place_id"])
        place_ids = np.array(sorted(ids), dtype=object)
        codes = np.searchsorted(place_ids, pdf["place_id"].fillna("").to_numpy(dtype=object))
        known = pdf["place_id"].notna().to_numpy()
        place = np.where(known, codes, -1).astype(np.int64)
        keys = pdf["key"].to_numpy(np.int64)
        sup_offset, sup_place, sup_weight = _serving_arrays(keys, place_ids, serving)
        members = np.array([p in members_only for p in place_ids], dtype=bool)
        return cls(keys, x, y, place, place_ids, sup_offset, sup_place, sup_weight, members)

    @classmethod
    def from_spark(
        cls,
        cells: DataFrame,
        cell_place: DataFrame,
        places: DataFrame | None = None,
        members_categories: tuple[str, ...] = (),
    ) -> CellIndex:
        """The index of dim/cells and dim/cell_place; places whose category_l1 (dim/places) is
        one of ``members_categories`` — homes, workplaces, schools — are marked members-only."""
        pdf = (
            cells_with_places(cells, cell_place)
            .select(F.col("lac"), F.col("cell_id"), F.col("longitude"), F.col("latitude"), F.col("place_id"))
            .toPandas()
        )
        serving = cell_place.select(F.col("lac"), F.col("cell_id"), F.col("place_id"), F.col("weight")).toPandas()
        members: set[str] = set()
        if places is not None and members_categories:
            rows = places.where(F.col("category_l1").isin(list(members_categories))).select("place_id")
            members = {r.place_id for r in rows.collect()}
        return cls.from_pandas(pdf, serving, members)

    def serves(self, rows: np.ndarray, places: np.ndarray) -> np.ndarray:
        """Whether each cell row serves the place code next to it (False for -1 on either side)."""
        if len(self.sup_place) == 0:
            return np.zeros(len(rows), dtype=bool)
        width = np.int64(len(self.place_ids) + 1)
        owner = np.repeat(np.arange(len(self.keys), dtype=np.int64), np.diff(self.sup_offset))
        pairs = owner * width + self.sup_place  # sorted: CSR rows in order, places sorted per row
        want = rows.astype(np.int64) * width + places
        pos = np.minimum(np.searchsorted(pairs, want), len(pairs) - 1)
        return (rows >= 0) & (places >= 0) & (pairs[pos] == want)

    def serving(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(index into ``rows``, place code, weight) for every place each cell row serves."""
        ok = rows >= 0
        safe = np.where(ok, rows, 0)
        lo = np.where(ok, self.sup_offset[safe], 0)
        count = np.where(ok, self.sup_offset[safe + 1] - lo, 0) if len(self.keys) else np.zeros(len(rows), int)
        owner = np.repeat(np.arange(len(rows)), count)
        at = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
        return owner, self.sup_place[at], self.sup_weight[at]

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


def _serving_arrays(
    keys: np.ndarray, place_ids: np.ndarray, serving: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of the places each cell (row of ``keys``) serves, weights summing to 1 per cell."""
    skey = cell_key(serving["lac"], serving["cell_id"])
    pos = np.minimum(np.searchsorted(keys, skey), max(len(keys) - 1, 0))
    found = (keys[pos] == skey) if len(keys) else np.zeros(len(skey), dtype=bool)
    frame = pd.DataFrame(
        {
            "row": pos[found],
            "place": np.searchsorted(place_ids, serving["place_id"].to_numpy(dtype=object)[found]),
            "weight": serving["weight"].to_numpy(dtype=float)[found],
        }
    )
    frame = frame.groupby(["row", "place"], as_index=False)["weight"].sum().sort_values(["row", "place"])
    frame["weight"] = frame["weight"] / frame.groupby("row")["weight"].transform("sum")
    counts = np.bincount(frame["row"].to_numpy(), minlength=len(keys))
    offset = np.r_[0, np.cumsum(counts)].astype(np.int64)
    return offset, frame["place"].to_numpy(np.int64), frame["weight"].to_numpy(float)
