"""The subscriber population: personas, anchor places, favourite places, behaviour rates and
the BOSS background (brand, tier, gender, birth year, open date).

Workers choose their workplace first and live near it (long commuters far from it), which is
how real commuting patterns look and keeps unplanned long trips rare.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import geo
from .city import City
from .vocab import MSISDN_PREFIXES, PERSONAS, ROLE_SHARE, ROLES, TIERS, TRAIT_PROB, TRAITS

# Categories everybody has a favourite of (nearest-ish to home), used by schedules.
FAVOURITE_CATS = ["school", "training", "basketball", "football", "golf", "gym", "cinema", "ktv",
                  "bar", "concert", "mall", "market", "park", "talent", "hospital", "government"]
ROLE_VALUE = {"office": 95, "factory": 55, "student_uni": 45, "student_school": 30,
              "homebody": 50, "job_seeker": 35}
BIRTH_YEARS = {"office": (1972, 2000), "factory": (1970, 2004), "student_uni": (2002, 2007),
               "student_school": (2008, 2013), "homebody": (1950, 1996), "job_seeker": (1985, 2004)}


def draw_msisdns(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct 11-digit China Mobile numbers."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        k = n - len(out) + 16
        cand = rng.choice(MSISDN_PREFIXES, k).astype(np.int64) * 10**8 + rng.integers(0, 10**8, k)
        out = pd.unique(np.concatenate([out, cand]))[:n]
    return out.astype(np.int64)


def pick_near(rng, ax, ay, places: pd.DataFrame, cat, scale_km=3.0, min_km=0.0) -> np.ndarray:
    """Per subscriber, a place of category cat drawn with weight exp(-d/scale) (d >= min_km)."""
    cand = places.index[places["cat"].isin([cat] if isinstance(cat, str) else cat)].to_numpy()
    d = np.hypot(ax[:, None] - places["x"].to_numpy()[cand], ay[:, None] - places["y"].to_numpy()[cand])
    w = np.exp(-d / scale_km) * (d >= min_km)
    # Where nothing is far enough, take the farthest candidate instead.
    empty = w.sum(axis=1) == 0
    w[empty] = (d[empty] == d[empty].max(axis=1, keepdims=True)).astype(float)
    return cand[geo.weighted_choice_rows(rng, w)]


def _personas(rng: np.random.Generator, n: int) -> pd.DataFrame:
    role = rng.choice(len(ROLES), n, p=ROLE_SHARE)
    traits = rng.random((n, len(TRAITS))) < np.asarray(TRAIT_PROB)[role]
    # At most two traits (three personas in all): keep two of the drawn ones at random.
    key = np.where(traits, rng.random(traits.shape), -1.0)
    rank = (-key).argsort(axis=1).argsort(axis=1)
    traits &= rank < 2
    df = pd.DataFrame(np.column_stack([np.eye(len(ROLES), dtype=bool)[role], traits]), columns=PERSONAS)
    df.insert(0, "role", np.asarray(ROLES)[role])
    return df


def _anchors(rng: np.random.Generator, city: City, pop: pd.DataFrame) -> None:
    """home and work place indices (work = -1 when none), written into pop."""
    places = city.places
    n = len(pop)
    home = np.full(n, -1)
    work = np.full(n, -1)
    px, py = places["x"].to_numpy(), places["y"].to_numpy()
    village_p = pop["role"].map({"factory": 0.65, "job_seeker": 0.5}).fillna(0.2).to_numpy()
    home_cat = np.where(rng.random(n) < village_p, "village", "residential")
    long_c = pop["long_commuter"].to_numpy()
    for role, cat, scale in (("office", "office", 4.0), ("factory", "industrial", 3.0),
                             ("student_uni", "university", 2.0)):
        m = np.flatnonzero(pop["role"].to_numpy() == role)
        if len(m) == 0:
            continue
        cand = places.index[places["cat"] == cat].to_numpy()
        work[m] = cand[rng.integers(0, len(cand), len(m))]
        for hc in ("residential", "village"):
            for lc in (False, True):
                mm = m[(home_cat[m] == hc) & (long_c[m] == lc)]
                if len(mm):
                    home[mm] = pick_near(rng, px[work[mm]], py[work[mm]], places, hc,
                                         scale_km=scale if not lc else 1e3, min_km=12.0 if lc else 0.0)
    rest = np.flatnonzero(home < 0)
    for hc in ("residential", "village"):
        mm = rest[home_cat[rest] == hc]
        cand = places.index[places["cat"] == hc].to_numpy()
        home[mm] = cand[rng.integers(0, len(cand), len(mm))]
    pop["home"], pop["work"] = home, work


def _favourites(rng: np.random.Generator, city: City, pop: pd.DataFrame) -> None:
    places = city.places
    hx, hy = places["x"].to_numpy()[pop["home"]], places["y"].to_numpy()[pop["home"]]
    for cat in FAVOURITE_CATS:
        scale = {"school": 1.5, "golf": 20.0, "concert": 15.0, "talent": 15.0}.get(cat, 3.0)
        pop[f"fav_{cat}"] = pick_near(rng, hx, hy, places, cat, scale_km=scale)
    # Business trips: a station, an office in another district and a hotel near that office.
    pop["fav_station"] = pick_near(rng, hx, hy, places, ["railway", "coach", "port"], scale_km=15.0)
    wx = np.where(pop["work"] >= 0, places["x"].to_numpy()[pop["work"]], hx)
    wy = np.where(pop["work"] >= 0, places["y"].to_numpy()[pop["work"]], hy)
    pop["fav_client"] = pick_near(rng, wx, wy, places, "office", scale_km=1e3, min_km=8.0)
    cx, cy = places["x"].to_numpy()[pop["fav_client"]], places["y"].to_numpy()[pop["fav_client"]]
    pop["fav_hotel"] = pick_near(rng, cx, cy, places, "hotel", scale_km=2.0)
    # A pupil's regular place is the school near home.
    pop["work"] = np.where(pop["role"] == "student_school", pop["fav_school"], pop["work"])


def _behaviour(rng: np.random.Generator, pop: pd.DataFrame) -> None:
    """Signalling rates (events per awake hour) and the planted consumption traits."""
    n = len(pop)
    role = pop["role"].to_numpy()
    student = np.isin(role, ["student_uni", "student_school"])
    pop["night_shift"] = (role == "factory") & (rng.random(n) < 0.3)
    pop["long_shift"] = (role == "factory") & (rng.random(n) < 0.5)
    pop["regular_hours"] = rng.random(n) < 0.7
    pop["awake"] = np.where(pop["night_shift"], 1, np.where(pop["night_owl"], 2, 0))
    pop["sms_heavy"] = rng.random(n) < np.where(np.isin(role, ["homebody", "student_school"]), 0.2, 0.1)
    pop["data_heavy"] = rng.random(n) < np.where(student | pop["night_owl"], 0.45, 0.15)
    pop["power_off"] = ~pop["night_shift"] & (rng.random(n) < 0.12)
    pop["lu_period"] = rng.integers(1800, 3601, n)
    noise = rng.lognormal(0, 0.3, (n, 5))
    calls = np.where(pop["business_traveler"], 0.7, 0.35)
    sms = np.where(pop["sms_heavy"], 1.1, 0.28)
    data = np.where(pop["data_heavy"], 5.0, 2.0) * np.where(student, 1.3, 1.0)
    pop["rate_call_out"], pop["rate_call_in"] = calls * noise[:, 0], calls * noise[:, 1]
    pop["rate_sms_out"], pop["rate_sms_in"] = sms * noise[:, 2], sms * 1.2 * noise[:, 3]
    pop["rate_data"] = data * noise[:, 4]
    pop["trend"] = rng.choice(["growing", "stable", "declining"], n, p=[0.15, 0.7, 0.15])
    pop["package_use"] = rng.choice(["over", "normal", "under"], n, p=[0.15, 0.65, 0.2])
    pop["roaming"] = pop["business_traveler"] | (rng.random(n) < 0.04)


def _background(rng: np.random.Generator, pop: pd.DataFrame, first_month: date, day0: date) -> None:
    n = len(pop)
    role = pop["role"].to_numpy()
    value = pop["role"].map(ROLE_VALUE).to_numpy() * rng.lognormal(0, 0.45, n)
    value *= np.where(pop["business_traveler"], 1.6, 1.0) * np.where(pop["golf"], 1.6, 1.0)
    pop["value"] = value
    pct = pd.Series(value).rank(pct=True, method="first").to_numpy()
    tier = np.select([pct > 0.97, pct > 0.90, pct > 0.75, pct > 0.50], [0, 1, 2, 3], 4)
    pop["tier"] = np.asarray(TIERS)[tier]
    lo = np.array([BIRTH_YEARS[r][0] for r in role])
    hi = np.array([BIRTH_YEARS[r][1] for r in role])
    birth = rng.integers(lo, hi + 1)
    young = birth >= first_month.year - 28
    gotone = rng.random(n) < np.array([0.95, 0.85, 0.6, 0.3, 0.15])[tier]
    pop["brand"] = np.where(gotone, "gotone", np.where(young & (rng.random(n) < 0.8), "mzone", "easyown"))
    pop["gender"] = np.where(rng.random(n) < 0.02, "", rng.choice(["M", "F"], n))
    pop["birth_year"] = np.where(rng.random(n) < 0.03, -1, birth)
    # Most numbers are years old; a few opened during the observed months (before the first day).
    old_span = (first_month - date(2008, 1, 1)).days
    new_span = max((day0 - first_month).days, 1)
    is_new = rng.random(n) < 0.04
    offset = np.where(is_new, rng.integers(0, new_span, n), -rng.integers(1, old_span, n))
    # Nobody opens a line before turning ten.
    fm = np.datetime64(first_month, "D")
    first_ok = ((birth + 10 - 1970).astype("datetime64[Y]").astype("datetime64[D]") - fm).astype(np.int64)
    offset = np.where(is_new, offset, np.maximum(offset, np.minimum(first_ok, -1)))
    pop["open_date"] = fm + offset.astype("timedelta64[D]")


def build_population(rng: np.random.Generator, city: City, n: int, first_month: date, day0: date) -> pd.DataFrame:
    pop = _personas(rng, n)
    pop.insert(0, "msisdn", draw_msisdns(rng, n))
    pop["personas"] = [
        "|".join(p for p, flag in zip(PERSONAS, row, strict=True) if flag)
        for row in pop[PERSONAS].to_numpy()
    ]
    _anchors(rng, city, pop)
    _favourites(rng, city, pop)
    _behaviour(rng, pop)
    _background(rng, pop, first_month, day0)
    return pop
