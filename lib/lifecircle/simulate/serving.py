"""Realistic radio geography: several cells serve a place, a cell serves several places.

- cell sites scale with `density`; in a sparse city places may share their main cell;
- every place has a main cell (the one it claimed) and, by district kind, 1-3 further serving
  cells among the nearest ones, often the main cell of a neighbouring place; each alternate gets
  a fixed share of the place's off-main records;
- some cinemas sit inside a mall: the cinema moves next to the mall and the two serve each other;
- `cell_place.csv` is written from where the simulated records of stays at each place landed
  (plus a small prior for places nobody visited), so its weights are honest.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from . import geo
from .city import City, build_cells, build_grid, build_neighbours, build_places, scale
from .realism import Realism
from .vocab import DISTRICTS

PRIOR_EVENTS = 20.0  # pseudo-records per place in the cell_place weights (places nobody visited)
MAIN_PRIOR_SHARE = 0.88


def build_city_realistic(rng: np.random.Generator, rrng: np.random.Generator, subscribers: int,
                         realism: Realism) -> City:
    n_sites, n_places = scale(subscribers)
    density = realism.draw(rrng, "density")
    cells = build_cells(rng, max(11 * 2, round(n_sites * density)))
    places = build_places(rng, cells, n_places, share_cells=True)
    places = _cinemas_in_malls(rrng, cells, places, realism)
    serving = _serving_cells(rrng, cells, places, realism)
    city = City(cells, places, pd.DataFrame(columns=["lac", "cell_id", "place_id", "weight"]),
                build_neighbours(cells), build_grid(cells), serving)
    return replace(city, cell_place=honest_cell_place(city, None))


def _cinemas_in_malls(rng, cells: pd.DataFrame, places: pd.DataFrame, realism: Realism) -> pd.DataFrame:
    """Move a share of the cinemas into their nearest mall, on a free sector of the mall's site."""
    places = places.copy()
    places["in_mall"] = -1
    cin = np.flatnonzero(places["cat"].to_numpy() == "cinema")
    malls = np.flatnonzero(places["cat"].to_numpy() == "mall")
    if not len(cin) or not len(malls):
        return places
    move = cin[rng.random(len(cin)) < realism.draw(rng, "cinema_in_mall_share")]
    px, py = places["x"].to_numpy(), places["y"].to_numpy()
    taken_mall = set()
    claimed = set(places["cell"].tolist())
    site = cells["site_id"].to_numpy()
    cx, cy = cells["x"].to_numpy(), cells["y"].to_numpy()
    for c in move:
        order = malls[np.argsort(np.hypot(px[malls] - px[c], py[malls] - py[c]), kind="stable")]
        order = [m for m in order if m not in taken_mall]
        if not order:
            break
        m = int(order[0])
        taken_mall.add(m)
        mall_cell = int(places.at[m, "cell"])
        # A free sector of the mall's site, else the free cell nearest to it, else the mall's cell.
        same_site = [k for k in np.flatnonzero(site == site[mall_cell]) if k not in claimed]
        if same_site:
            new_cell = int(same_site[0])
        else:
            free = np.array([k for k in range(len(cells)) if k not in claimed])
            d = np.hypot(cx[free] - cx[mall_cell], cy[free] - cy[mall_cell]) if len(free) else np.array([])
            new_cell = int(free[np.argmin(d)]) if len(free) and d.min() < 1.0 else mall_cell
        claimed.discard(int(places.at[c, "cell"]))
        claimed.add(new_cell)
        ang = rng.uniform(0, 2 * np.pi)
        off = rng.uniform(0.03, 0.08)
        x, y = px[m] + off * np.sin(ang), py[m] + off * np.cos(ang)
        lon, lat = geo.to_deg(x, y)
        places.loc[c, ["longitude", "latitude"]] = [round(float(lon), 6), round(float(lat), 6)]
        places.loc[c, "cell"] = new_cell
        places.loc[c, "district"] = places.at[m, "district"]
        places.loc[c, "in_mall"] = m
    places["x"], places["y"] = geo.to_km(places["longitude"].to_numpy(), places["latitude"].to_numpy())
    return places


def _serving_cells(rng, cells: pd.DataFrame, places: pd.DataFrame, realism: Realism) -> pd.DataFrame:
    """Rows (place, cell, main, share, pingpong_per_h): the main cell plus k-1 nearby alternates."""
    kind = {d[0]: d[5] for d in DISTRICTS}
    pk = places["district"].map(kind).to_numpy()
    n = len(places)
    k = np.where(pk == "core", realism.draw(rng, "serving_cells_core", n),
                 np.where(pk == "urban", realism.draw(rng, "serving_cells_urban", n),
                          realism.draw(rng, "serving_cells_other", n)))
    claimed = np.zeros(len(cells), bool)
    claimed[places["cell"].to_numpy()] = True
    cx, cy = cells["x"].to_numpy(), cells["y"].to_numpy()
    px, py = places["x"].to_numpy(), places["y"].to_numpy()
    main = places["cell"].to_numpy()
    in_mall = places["in_mall"].to_numpy() if "in_mall" in places else np.full(n, -1)
    partner = {}  # place -> cell that must be an alternate (cinema <-> mall)
    for c in np.flatnonzero(in_mall >= 0):
        m = in_mall[c]
        partner[c] = main[m]
        partner[m] = main[c]
    rows = []
    for p in range(n):
        d = np.hypot(cx - px[p], cy - py[p])
        d[main[p]] = np.inf
        must = [partner[p]] if p in partner and partner[p] != main[p] else []
        want = max(int(k[p]) - 1, len(must))
        cand = np.argsort(d, kind="stable")[:10]
        cand = np.array([c for c in cand if c not in must and np.isfinite(d[c]) and d[c] < 3.0], dtype=np.int64)
        alts = list(must)
        if want > len(alts) and len(cand):
            w = np.exp(-d[cand] / 0.6) * np.where(claimed[cand], 2.0, 1.0)
            pick = rng.choice(cand, min(want - len(alts), len(cand)), replace=False, p=w / w.sum())
            alts += [int(c) for c in pick]
        share = rng.dirichlet(np.ones(len(alts)) * 2) if alts else np.zeros(0)
        if must and len(alts) > 1:  # a mall's cell carries most of an in-mall cinema's off-main records
            share = np.r_[0.6, 0.4 * share[1:] / share[1:].sum()]
        pp = realism.draw(rng, "pingpong_per_h") if alts else 0.0
        rows.append((p, int(main[p]), True, 0.0, pp))
        rows += [(p, int(c), False, float(s), pp) for c, s in zip(alts, share, strict=True)]
    return pd.DataFrame(rows, columns=["place", "cell", "main", "share", "pingpong_per_h"])


def honest_cell_place(city: City, stay_events: pd.DataFrame | None) -> pd.DataFrame:
    """cell_place rows from where the records of stays landed: weight(cell, place) = records of
    stays at the place on the cell / all records on the cell, with PRIOR_EVENTS pseudo-records per
    place spread over its serving cells; floored to 0.01, rows under 0.01 dropped."""
    sv = city.serving
    prior_share = np.where(sv["main"], MAIN_PRIOR_SHARE, (1 - MAIN_PRIOR_SHARE) * sv["share"])
    prior = pd.DataFrame({"cell": sv["cell"], "place": sv["place"], "n": PRIOR_EVENTS * prior_share})
    parts = [prior]
    if stay_events is not None and len(stay_events):
        parts.append(stay_events.groupby(["cell", "place"]).size().rename("n").reset_index())
        total_obs = stay_events.groupby("cell").size()
    else:
        total_obs = pd.Series(dtype=float)
    pair = pd.concat(parts).groupby(["cell", "place"], as_index=False)["n"].sum()
    pair = pair[pair["place"] >= 0]
    # Records with no place (on the move) count in the cell's traffic too.
    prior_total = prior.groupby("cell")["n"].sum()
    total = prior_total.add(total_obs, fill_value=0)
    pair["weight"] = np.floor(pair["n"].to_numpy() / total.reindex(pair["cell"]).to_numpy() * 100) / 100
    # Every place keeps a row on each of its serving cells (at least 0.01).
    serves = pd.MultiIndex.from_frame(pair[["cell", "place"]]).isin(
        pd.MultiIndex.from_arrays([sv["cell"].to_numpy(), sv["place"].to_numpy()]))
    keep = (pair["weight"] >= 0.01) | serves
    pair = pair[keep].copy()
    pair["weight"] = pair["weight"].clip(lower=0.01)
    # A cell's weights never sum above 1 (the floor to 0.01 of a tiny share may add up).
    over = pair.groupby("cell")["weight"].transform("sum")
    pair["weight"] = np.where(over > 1, np.floor(pair["weight"] / over * 100) / 100, pair["weight"]).clip(0.01)
    cp = pd.DataFrame({"cell": pair["cell"].to_numpy(), "place": pair["place"].to_numpy(),
                       "weight": pair["weight"].round(2).to_numpy()})
    cp["lac"] = city.cells["lac"].to_numpy()[cp["cell"]]
    cp["cell_id"] = city.cells["cell_id"].to_numpy()[cp["cell"]]
    cp["place_id"] = city.places["place_id"].to_numpy()[cp["place"]]
    return cp.sort_values(["lac", "cell_id", "place_id"], ignore_index=True)


def place_cells_truth(city: City, stay_events: pd.DataFrame) -> pd.DataFrame:
    """Per place and serving cell, the share of the place's stay records that landed there."""
    sv = city.serving
    got = stay_events[stay_events["place"] >= 0].groupby(["place", "cell"]).size().rename("records")
    out = sv[["place", "cell", "main"]].merge(got.reset_index(), on=["place", "cell"], how="left")
    out["records"] = out["records"].fillna(0).astype(np.int64)
    tot = out.groupby("place")["records"].transform("sum")
    out["share"] = np.where(tot > 0, out["records"] / tot.where(tot > 0, 1), np.nan)
    return pd.DataFrame({
        "place_id": city.places["place_id"].to_numpy()[out["place"]],
        "lac": city.cells["lac"].to_numpy()[out["cell"]], "cell_id": city.cells["cell_id"].to_numpy()[out["cell"]],
        "main": out["main"].to_numpy(), "records": out["records"].to_numpy(), "share": out["share"].to_numpy()})
