"""The synthetic city: sites and cells, places, the cell–place mapping and a serving-cell grid.

Layout choices that matter downstream:
- sites cluster around district centres with district-specific spread, so the core (莞城, 南城,
  东城) is dense and towns are sparse; most sites have three sectors, some are omni cells;
- every place *claims* one cell where it is the highest-weight place (its primary place), and
  stays at the place use that cell, so cell → primary place recovers the intended place;
- some places also spill onto a neighbouring cell with a smaller weight (shared cells), and
  many cells serve no place at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import geo
from .vocab import CAT_INDEX, CATEGORIES, DISTRICT_KINDS, DISTRICTS, LANDMARKS, NAME_PARTS

RADIUS_M = {"university": 600, "industrial": 800, "golf": 700, "residential": 250, "village": 300,
            "park": 500, "port": 800, "stadium": 250, "railway": 300, "mall": 200, "school": 150}


@dataclass(frozen=True)
class City:
    cells: pd.DataFrame       # lac, cell_id, site_id, longitude, latitude, azimuth, district, x, y
    places: pd.DataFrame      # places.csv columns + cat, x, y, cell (index into cells)
    cell_place: pd.DataFrame  # lac, cell_id, place_id, weight
    neighbour: np.ndarray     # cell index -> ping-pong partner cell index
    grid: ServingGrid
    # Realistic profile only: every cell serving a place (place, cell, main, share of the place's
    # off-main records, pingpong_per_h); None in the clean profile (one cell per place).
    serving: pd.DataFrame | None = None


@dataclass(frozen=True)
class ServingGrid:
    """Serving cell on a regular raster: trips look up their intermediate cells here."""

    x0: float
    y0: float
    step_km: float
    cell: np.ndarray  # (ny, nx) cell indices

    def lookup(self, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        ny, nx = self.cell.shape
        ix = np.clip(np.rint((x_km - self.x0) / self.step_km).astype(np.int64), 0, nx - 1)
        iy = np.clip(np.rint((y_km - self.y0) / self.step_km).astype(np.int64), 0, ny - 1)
        return self.cell[iy, ix]


def scale(subscribers: int) -> tuple[int, int]:
    """Number of sites and places for a population: grows with its square root."""
    root = np.sqrt(max(subscribers, 1))
    return max(30, round(2.0 * root)), max(60, round(3.2 * root))


def _split(total: int, shares: np.ndarray, minimum: int) -> np.ndarray:
    """Largest-remainder split of total by shares, each part at least minimum."""
    base = np.full(len(shares), minimum)
    rest = total - base.sum()
    raw = shares / shares.sum() * max(rest, 0)
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out), kind="stable")[: int(max(rest, 0) - out.sum())]] += 1
    return base + out


def build_cells(rng: np.random.Generator, n_sites: int) -> pd.DataFrame:
    per_district = _split(n_sites, np.array([d[4] for d in DISTRICTS]), 2)
    rows = []
    site_id = 1000
    for d_idx, ((name, lon, lat, spread, _, _), n) in enumerate(zip(DISTRICTS, per_district, strict=True)):
        cx, cy = geo.to_km(lon, lat)
        sx = cx + np.clip(rng.normal(0, spread, n), -2.5 * spread, 2.5 * spread)
        sy = cy + np.clip(rng.normal(0, spread, n), -2.5 * spread, 2.5 * spread)
        # Busy districts get a second location area, split east/west.
        lac = 9501 + 10 * d_idx + ((sx > np.median(sx)) & (n >= 14)).astype(int)
        omni = rng.random(n) < 0.15
        base_az = rng.integers(0, 120, n)
        for i in range(n):
            site_id += 1
            sectors = [None] if omni[i] else [int(base_az[i] + 120 * k) for k in range(3)]
            for k, az in enumerate(sectors):
                rows.append((int(lac[i]), site_id * 10 + k + 1, site_id, sx[i], sy[i], az, name))
    cells = pd.DataFrame(rows, columns=["lac", "cell_id", "site_id", "x", "y", "azimuth", "district"])
    cells["azimuth"] = cells["azimuth"].astype("Int64")
    lon, lat = geo.to_deg(cells["x"].to_numpy(), cells["y"].to_numpy())
    cells["longitude"], cells["latitude"] = np.round(lon, 6), np.round(lat, 6)
    # Recompute km from the rounded degrees so every consumer sees the same coordinates.
    cells["x"], cells["y"] = geo.to_km(cells["longitude"].to_numpy(), cells["latitude"].to_numpy())
    return cells


def _place_names(rng: np.random.Generator, cats: list[str], districts: list[str], taken: list) -> list[str]:
    """District + stem + suffix; a numeric suffix keeps names unique (also against `taken`)."""
    seen: dict[str, int] = {name: 1 for name in taken if name}
    names = []
    for cat, district in zip(cats, districts, strict=True):
        stems, suffixes = NAME_PARTS[cat]
        stem = stems.split(",")[rng.integers(len(stems.split(",")))]
        suffix = suffixes.split(",")[rng.integers(len(suffixes.split(",")))]
        name = f"{district}{stem}{suffix}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}{seen[name]}号")
    return names


def build_places(rng: np.random.Generator, cells: pd.DataFrame, n_places: int, share_cells: bool = False) -> pd.DataFrame:
    """Allocate places per category, then let each claim a free cell in a fitting district.

    With share_cells (realistic sparse cities) there may be more places than cells: once every
    cell is claimed, places claim already claimed cells again.
    """
    if not share_cells:
        n_places = min(n_places, int(0.8 * len(cells)))
    landmark_counts = np.bincount([CAT_INDEX[c] for _, c, _ in LANDMARKS], minlength=len(CATEGORIES))
    generic = _split(max(n_places - len(LANDMARKS), 0), np.array([c[4] for c in CATEGORIES]), 0)
    specs = [(name, cat, district) for name, cat, district in LANDMARKS]
    for c_idx, n in enumerate(generic):
        specs += [(None, CATEGORIES[c_idx][0], None)] * int(n)
    assert all(landmark_counts > 0)

    kind_of = {d[0]: DISTRICT_KINDS.index(d[5]) for d in DISTRICTS}
    cell_kind = cells["district"].map(kind_of).to_numpy()
    free = np.ones(len(cells), bool)
    claimed, districts = [], []
    for _, cat, district in specs:
        if share_cells and not free.any():
            free[:] = True
        w = np.asarray(CATEGORIES[CAT_INDEX[cat]][5], float)[cell_kind] * free
        if district is not None:
            w = w * (cells["district"].to_numpy() == district)
        if w.sum() == 0:  # the district is full: fall back to any free cell
            w = free.astype(float)
        c = int(rng.choice(len(cells), p=w / w.sum()))
        free[c] = False
        claimed.append(c)
        districts.append(cells["district"].iat[c])
    cats = [s[1] for s in specs]
    generic_names = _place_names(rng, cats, districts, [s[0] for s in specs])
    names = [s[0] or g for s, g in zip(specs, generic_names, strict=True)]

    claimed = np.array(claimed)
    az = cells["azimuth"].to_numpy(dtype=float, na_value=np.nan)[claimed]
    direction = np.where(np.isnan(az), rng.uniform(0, 360, len(claimed)), az + rng.normal(0, 15, len(claimed)))
    dist = rng.uniform(0.15, 0.6, len(claimed))
    x = cells["x"].to_numpy()[claimed] + dist * np.sin(np.radians(direction))
    y = cells["y"].to_numpy()[claimed] + dist * np.cos(np.radians(direction))
    lon, lat = geo.to_deg(x, y)
    cat_rows = [CATEGORIES[CAT_INDEX[c]] for c in cats]
    places = pd.DataFrame({
        "place_id": np.arange(1, len(specs) + 1) + 100000,
        "name": names,
        "category_l1": [r[1] for r in cat_rows],
        "category_l2": [r[2] for r in cat_rows],
        "category_l3": [r[3] for r in cat_rows],
        "longitude": np.round(lon, 6),
        "latitude": np.round(lat, 6),
        "radius_m": [RADIUS_M.get(c, 100) for c in cats],
        "district": districts,
        "is_landmark": [int(s[0] is not None) for s in specs],
        "cat": cats,
        "cell": claimed,
    })
    places["x"], places["y"] = geo.to_km(places["longitude"].to_numpy(), places["latitude"].to_numpy())
    return places


def build_cell_place(rng: np.random.Generator, cells: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Primary weights on claimed cells, plus smaller spill-over weights on a neighbouring cell."""
    n = len(places)
    rows = {"cell": list(places["cell"]), "place": list(range(n)),
            "weight": list(np.round(rng.uniform(0.55, 0.9, n), 2))}
    total = np.zeros(len(cells))
    np.add.at(total, rows["cell"], rows["weight"])
    spill = np.flatnonzero(rng.random(n) < 0.35)
    sx, sy = cells["x"].to_numpy(), cells["y"].to_numpy()
    for p in spill:
        d = np.hypot(sx - places["x"].iat[p], sy - places["y"].iat[p])
        d[places["cell"].iat[p]] = np.inf
        target = int(np.argmin(d))
        # Keep the cell's sum <= 1 and the claimed place strictly the heaviest.
        w = np.floor(min(rng.uniform(0.05, 0.2), (1.0 - total[target]) / 2) * 100) / 100
        if w < 0.01:
            continue
        total[target] += w
        rows["cell"].append(target)
        rows["place"].append(p)
        rows["weight"].append(w)
    cp = pd.DataFrame(rows)
    cp["lac"] = cells["lac"].to_numpy()[cp["cell"]]
    cp["cell_id"] = cells["cell_id"].to_numpy()[cp["cell"]]
    cp["place_id"] = places["place_id"].to_numpy()[cp["place"]]
    return cp.sort_values(["lac", "cell_id", "place_id"], ignore_index=True)


def build_neighbours(cells: pd.DataFrame) -> np.ndarray:
    """Ping-pong partner of each cell: the facing sector of the nearest other site."""
    sites = cells.drop_duplicates("site_id")
    sx, sy, sid = sites["x"].to_numpy(), sites["y"].to_numpy(), sites["site_id"].to_numpy()
    cx, cy = cells["x"].to_numpy(), cells["y"].to_numpy()
    d = np.hypot(cx[:, None] - sx[None, :], cy[:, None] - sy[None, :])
    d[cells["site_id"].to_numpy()[:, None] == sid[None, :]] = np.inf
    other_site = sid[np.argmin(d, axis=1)]
    return _facing_cell(cells, other_site, cx, cy)


def _facing_cell(cells: pd.DataFrame, site: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """For points served by the given sites, the sector whose azimuth points at the point."""
    first = cells.reset_index(drop=True).groupby("site_id").head(1)
    site_x = pd.Series(first["x"].to_numpy(), index=first["site_id"]).reindex(site).to_numpy()
    site_y = pd.Series(first["y"].to_numpy(), index=first["site_id"]).reindex(site).to_numpy()
    brg = geo.bearing_deg(site_x, site_y, px, py)
    start = pd.Series(first.index.to_numpy(), index=first["site_id"]).reindex(site).to_numpy()
    count = cells.groupby("site_id").size().reindex(site).to_numpy()
    az = cells["azimuth"].to_numpy(dtype=float, na_value=0.0)
    best = start.copy()
    best_diff = geo.angle_diff(az[start], brg)
    for k in (1, 2):
        cand = np.minimum(start + k, len(cells) - 1)
        diff = np.where(count > k, geo.angle_diff(az[cand], brg), np.inf)
        better = diff < best_diff
        best[better], best_diff[better] = cand[better], diff[better]
    return best


def build_grid(cells: pd.DataFrame, step_km: float = 0.4) -> ServingGrid:
    """Nearest site per raster point, then the sector facing the point."""
    sites = cells.drop_duplicates("site_id")
    sx, sy, sid = sites["x"].to_numpy(), sites["y"].to_numpy(), sites["site_id"].to_numpy()
    x0, y0 = sx.min() - 3, sy.min() - 3
    nx, ny = int((sx.max() + 3 - x0) / step_km) + 1, int((sy.max() + 3 - y0) / step_km) + 1
    gx, gy = np.meshgrid(x0 + step_km * np.arange(nx), y0 + step_km * np.arange(ny))
    gx, gy = gx.ravel(), gy.ravel()
    nearest = np.empty(len(gx), dtype=np.int64)
    for a in range(0, len(gx), 4096):
        d = np.hypot(gx[a:a + 4096, None] - sx[None, :], gy[a:a + 4096, None] - sy[None, :])
        nearest[a:a + 4096] = np.argmin(d, axis=1)
    cell = _facing_cell(cells, sid[nearest], gx, gy)
    return ServingGrid(x0, y0, step_km, cell.reshape(ny, nx))


def build_city(rng: np.random.Generator, subscribers: int) -> City:
    n_sites, n_places = scale(subscribers)
    cells = build_cells(rng, n_sites)
    places = build_places(rng, cells, n_places)
    cell_place = build_cell_place(rng, cells, places)
    return City(cells, places, cell_place, build_neighbours(cells), build_grid(cells))
