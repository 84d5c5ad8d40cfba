"""Per-subscriber habits of the realistic profile, drawn from the ranges of `Realism` on top of
the clean population (personas, anchors and favourites stay as built there):

- phones: periodic-update timer (city timer with a per-phone jitter), activity scale, overnight
  activity, night power-off habit;
- living: dormitory students (home = campus), long commuters living >= 16 km from work, shift
  pattern of factory workers (day / night / weekly rotation);
- work: office arrival time, its day-to-day spread, hours, overtime, working from home;
- leisure: visits per week to each kind of leisure place, by persona (LEISURE), plus a
  `colorful` persona with 4-6 kinds and occasional visits for everybody.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .city import City
from .personas import pick_near
from .realism import Realism

WEEKS_PER_MONTH = 30 / 7
# Leisure place kinds scheduled from a weekly rate (favourite place of that category).
LEISURE = ["gym", "basketball", "football", "golf", "cinema", "ktv", "concert", "bar", "mall", "market", "park"]
COLORFUL_KINDS = ["gym", "basketball", "football", "cinema", "ktv", "concert", "bar", "mall", "park"]


def add_habits(rng: np.random.Generator, pop: pd.DataFrame, city: City, realism: Realism) -> dict:
    """Add the habit columns to pop (in place); return the city-level draws for the README."""
    n = len(pop)
    role = pop["role"].to_numpy()
    drawn: dict[str, float] = {}

    # Phones.
    lu_h = realism.draw(rng, "lu_interval_h")
    drawn["lu_interval_h"] = round(lu_h, 3)
    jitter = realism.draw(rng, "lu_jitter", n) * rng.choice([-1.0, 1.0], n)
    pop["lu_period"] = np.rint(lu_h * 3600 * (1 + jitter)).astype(np.int64)
    pop["activity_scale"] = realism.draw(rng, "activity_scale", n)
    pop["night_activity"] = realism.draw(rng, "night_activity", n)
    share = realism.draw(rng, "power_off_share")
    drawn["power_off_share"] = round(share, 3)

    # Living and shifts.
    places = city.places
    px, py = places["x"].to_numpy(), places["y"].to_numpy()
    dorm_p = realism.draw(rng, "dorm_share")
    pop["dorm"] = (role == "student_uni") & (rng.random(n) < dorm_p)
    pop["home"] = np.where(pop["dorm"], pop["work"], pop["home"])
    has_work = pop["work"].to_numpy() >= 0
    far = pop["long_commuter"].to_numpy() & has_work
    w = np.where(has_work, pop["work"].to_numpy(), 0)
    dist = np.hypot(px[pop["home"]] - px[w], py[pop["home"]] - py[w])
    redo = np.flatnonzero(far & (dist < 16.0))
    if len(redo):
        cat = np.where(places["cat"].to_numpy()[pop["home"].to_numpy()[redo]] == "village", "village", "residential")
        new = pop["home"].to_numpy().copy()
        for hc in ("residential", "village"):
            m = redo[cat == hc]
            if len(m):
                new[m] = pick_near(rng, px[w[m]], py[w[m]], places, hc, scale_km=1e3, min_km=16.0)
        pop["home"] = new
    rot_p = realism.draw(rng, "rotating_share")
    rotating = pop["night_shift"].to_numpy() & (rng.random(n) < rot_p)
    pop["shift"] = np.where(role != "factory", "", np.where(rotating, "rotating",
                                                             np.where(pop["night_shift"], "night", "day")))
    pop["night_shift"] = pop["shift"].to_numpy() == "night"
    pop["rot_phase"] = rng.integers(0, 2, n)
    pop["awake"] = np.where(pop["night_shift"], 1, np.where(pop["night_owl"], 2, 0))
    pop["power_off"] = ~pop["night_shift"].to_numpy() & ~rotating & (rng.random(n) < share)
    pop["power_off_p"] = realism.draw(rng, "power_off_nights", n)

    # Office hours.
    office = role == "office"
    irregular = office & (rng.random(n) < realism.draw(rng, "irregular_office_share"))
    pop["regular_hours"] = ~irregular
    pop["arrive_s"] = np.where(irregular, rng.uniform(10.0, 11.5, n), realism.draw(rng, "office_arrival_h", n)) * 3600
    pop["arrive_sd_s"] = np.where(irregular, 3600.0, realism.draw(rng, "arrival_sd_min", n) * 60)
    pop["hours_s"] = np.where(irregular, rng.uniform(9.5, 11.0, n), realism.draw(rng, "office_hours_h", n)) * 3600
    pop["overtime_p"] = realism.draw(rng, "overtime_days", n)
    pop["wfh_p"] = np.where(office, realism.draw(rng, "wfh_days", n), 0.0)
    pop["school_run_p"] = realism.draw(rng, "school_run_days", n)
    # Job seekers: talent market 1-3 mornings a week, training 0-2 afternoons.
    pop["talent_per_week"] = np.where(role == "job_seeker", rng.uniform(1, 3, n), 0.0)
    pop["training_per_week"] = np.where(role == "job_seeker", rng.uniform(0, 2, n), 0.0)
    # Homebodies: market mornings, park afternoons.
    home_role = role == "homebody"
    pop["errand_per_week"] = np.where(home_role, rng.uniform(2, 4, n), 0.0)

    # Business travel.
    trav = pop["business_traveler"].to_numpy()
    pop["trips_per_week"] = np.where(trav, realism.draw(rng, "trips_per_week", n), 0.0)
    pop["trip_out_p"] = realism.draw(rng, "trip_out_share", n)
    pop["via_station_p"] = realism.draw(rng, "return_via_station_share", n)

    # Leisure rates (visits per week) per kind of place.
    rate = {k: np.zeros(n) for k in LEISURE}
    has = lambda p: pop[p].to_numpy()  # noqa: E731
    rate["gym"] += has("fitness") * realism.draw(rng, "gym_per_week", n)
    rate["basketball"] += has("basketball") * realism.draw(rng, "basketball_per_week", n)
    rate["football"] += has("football") * realism.draw(rng, "football_per_week", n)
    rate["golf"] += has("golf") * realism.draw(rng, "golf_per_week", n)
    rate["cinema"] += has("movie") * realism.draw(rng, "movie_per_month", n) / WEEKS_PER_MONTH
    music = has("music") * realism.draw(rng, "music_per_month", n) / WEEKS_PER_MONTH
    ktv_share = rng.uniform(0.4, 0.8, n)
    rate["ktv"] += music * ktv_share
    rate["concert"] += music * (1 - ktv_share)
    rate["bar"] += has("night_owl") * realism.draw(rng, "bar_per_week", n)
    shop = has("shopper") * realism.draw(rng, "shop_per_week", n)
    mall_share = rng.uniform(0.5, 0.9, n)
    rate["mall"] += shop * mall_share
    rate["market"] += shop * (1 - mall_share)
    rate["park"] += has("parent") * rng.uniform(0.2, 0.5, n) + home_role * rng.uniform(0.5, 1.5, n)
    colorful = rng.random(n) < realism.draw(rng, "colorful_share")
    pop["colorful"] = colorful
    for s in np.flatnonzero(colorful):
        kinds = rng.choice(COLORFUL_KINDS, int(rng.integers(4, 7)), replace=False)
        for k in kinds:
            rate[k][s] = max(rate[k][s], rng.uniform(2, 4) / WEEKS_PER_MONTH)
    pop["personas"] = np.where(colorful, pop["personas"] + "|colorful", pop["personas"])
    casual = realism.draw(rng, "casual_leisure_per_month", n) / WEEKS_PER_MONTH
    mix = rng.dirichlet([1.0, 1.0, 0.5], n)
    pop["casual_park"], pop["casual_mall"], pop["casual_cinema"] = (casual * mix[:, i] for i in range(3))
    pop["shop_min"] = realism.draw(rng, "shop_duration_min", n)
    for k in LEISURE:
        pop[f"rate_{k}"] = rate[k]
    return drawn


def home_work_km(pop: pd.DataFrame, city: City) -> np.ndarray:
    """Straight-line home-work distance in km (0 without a work place)."""
    px, py = city.places["x"].to_numpy(), city.places["y"].to_numpy()
    w = pop["work"].to_numpy()
    d = np.hypot(px[pop["home"]] - px[np.maximum(w, 0)], py[pop["home"]] - py[np.maximum(w, 0)])
    return np.where(w >= 0, d, 0.0)
