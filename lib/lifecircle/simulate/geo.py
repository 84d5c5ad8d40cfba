"""Small planar geometry and vectorization helpers: the city is ~60 km wide, so an equirectangular projection
around its centre is accurate to well under a cell radius and keeps everything vectorized."""

from __future__ import annotations

import numpy as np

LON0, LAT0 = 113.85, 22.97  # projection centre (Dongguan)
KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON = 111.32 * np.cos(np.radians(LAT0))


def to_km(lon, lat):
    """Project degrees to km east/north of the projection centre."""
    return (np.asarray(lon) - LON0) * KM_PER_DEG_LON, (np.asarray(lat) - LAT0) * KM_PER_DEG_LAT


def to_deg(x_km, y_km):
    """Inverse of to_km."""
    return np.asarray(x_km) / KM_PER_DEG_LON + LON0, np.asarray(y_km) / KM_PER_DEG_LAT + LAT0


def dist_km(lon1, lat1, lon2, lat2):
    """Planar distance in km between two (arrays of) points."""
    x1, y1 = to_km(lon1, lat1)
    x2, y2 = to_km(lon2, lat2)
    return np.hypot(x1 - x2, y1 - y2)


def bearing_deg(x_from, y_from, x_to, y_to):
    """Compass bearing (0 = north, clockwise) from one km point to another."""
    return np.degrees(np.arctan2(np.asarray(x_to) - x_from, np.asarray(y_to) - y_from)) % 360.0


def angle_diff(a, b):
    """Absolute difference of two compass angles in degrees, in [0, 180]."""
    d = np.abs(np.asarray(a) - b) % 360.0
    return np.minimum(d, 360.0 - d)


def weighted_choice_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One weighted draw per row of a (n, k) weight matrix; rows of zeros pick column 0."""
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1:]
    u = rng.random((weights.shape[0], 1)) * np.where(total > 0, total, 1.0)
    return np.minimum((cum <= u).sum(axis=1), weights.shape[1] - 1)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, rank) for counts[i] items per owner i: rank runs 0..counts[i]-1 (a vectorized nested loop)."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, rank
