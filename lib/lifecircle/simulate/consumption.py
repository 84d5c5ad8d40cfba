"""Monthly usage and billing volumes with planted patterns.

- value: voice minutes scale with the subscriber's latent value (role, business travel, golf);
- trend: growing / declining subscribers change their volumes and their spending (package plus
  add-ons) by ±12 % a month (stable ones only by noise), so month-over-month arpu shows the trend;
- package use: the package is picked as ~0.5× (over use), ~1.2× (normal) or ~3× (under use)
  of the subscriber's typical usage;
- SMS-heavy, data-heavy, night data and roaming follow the same flags that drive signalling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocab import PACKAGES

TREND_STEP = {"growing": 0.12, "stable": 0.0, "declining": -0.12}
ALLOWANCE_RATIO = {"over": 0.5, "normal": 1.2, "under": 3.0}


def choose_packages(pop: pd.DataFrame, voice: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Index into PACKAGES: the smallest package whose allowance covers ratio × usage."""
    ratio = pop["package_use"].map(ALLOWANCE_RATIO).to_numpy()
    v_allow = np.array([p[2] for p in PACKAGES])
    d_allow = np.array([p[3] for p in PACKAGES])
    need_v = np.searchsorted(v_allow, ratio * voice)
    need_d = np.searchsorted(d_allow, ratio * data)
    idx = np.maximum(need_v, need_d)
    # Over users take a package smaller than their use, but no smaller than the cheapest.
    return np.clip(np.where(ratio < 1, np.minimum(need_v, need_d), idx), 0, len(PACKAGES) - 1)


def monthly_usage(rng: np.random.Generator, pop: pd.DataFrame, n_months: int) -> pd.DataFrame:
    """Usage volumes and fees per subscriber × month index (0 = first observed month).

    Product fees are added to arpu later, once product holdings are known.
    """
    n = len(pop)
    role = pop["role"].to_numpy()
    voice = 2.2 * pop["value"].to_numpy() * np.where(pop["business_traveler"], 1.8, 1.0)
    voice *= np.where(np.isin(role, ["student_school"]), 0.4, 1.0)
    awake_hours = 16 * 30
    sms_out = pop["rate_sms_out"].to_numpy() * awake_hours * 0.5
    sms_in = pop["rate_sms_in"].to_numpy() * awake_hours * 0.5
    data = pop["rate_data"].to_numpy() * awake_hours * np.where(pop["data_heavy"], 3.0, 1.2)
    night_share = np.where(pop["awake"].to_numpy() > 0, rng.uniform(0.35, 0.5, n), rng.uniform(0.05, 0.15, n))
    roam = np.where(pop["business_traveler"], rng.uniform(30, 200, n),
                    np.where(pop["roaming"], rng.uniform(1, 20, n), 0.0))
    pkg = choose_packages(pop, voice, data)
    step = pop["trend"].map(TREND_STEP).to_numpy()
    frames = []
    for k in range(n_months):
        # Level relative to the last observed month, so the trend is there whatever the window.
        f = np.exp(step * (k - (n_months - 1)) + rng.normal(0, 0.03, n))
        noise = rng.lognormal(0, 0.05, (n, 6))
        v = voice * f * noise[:, 0]
        out_share = rng.uniform(0.4, 0.6, n)
        d = data * f * noise[:, 1]
        usage = pd.DataFrame({
            "sub": np.arange(n), "k": k,
            "voice_out_min": np.rint(v * out_share), "voice_in_min": np.rint(v * (1 - out_share)),
            "sms_out": np.rint(sms_out * f * noise[:, 2]), "sms_in": np.rint(sms_in * f * noise[:, 3]),
            "data_mb": np.rint(d), "night_data_mb": np.rint(d * night_share),
            "roaming_min": np.rint(roam * noise[:, 4]), "weekend_voice_min": np.rint(v * rng.uniform(0.25, 0.35, n)),
            "package": pkg,
        })
        fee = np.array([p[1] for p in PACKAGES])[pkg]
        over = (np.maximum(usage["voice_out_min"] - np.array([p[2] for p in PACKAGES])[pkg], 0) * 0.15
                + np.maximum(usage["data_mb"] - np.array([p[3] for p in PACKAGES])[pkg], 0) * 0.03
                + np.maximum(usage["sms_out"] - np.array([p[4] for p in PACKAGES])[pkg], 0) * 0.1
                + usage["roaming_min"] * 0.6)
        # The month's spending (package plus add-ons, which carry the value) follows the trend
        # factor; whatever exceeds the package fee is billed as extra, on top of any overage.
        usage["package_fee"] = fee
        spend = f * (fee + 0.3 * pop["value"].to_numpy() * noise[:, 5])
        usage["extra_fee"] = np.round(np.maximum(spend - fee, 0) + over, 2)
        frames.append(usage)
    return pd.concat(frames, ignore_index=True)


def usage_z(usage_k: pd.DataFrame) -> dict[str, np.ndarray]:
    """Standardised log volumes of one month: the usage features of the adoption model."""
    out = {}
    for name, col in (("z_data", "data_mb"), ("z_sms", "sms_out"), ("z_voice", "voice_out_min")):
        x = np.log1p(usage_k[col].to_numpy(float))
        out[name] = (x - x.mean()) / (x.std() or 1.0)
    return out


def trip_roaming(rng: np.random.Generator, usage: pd.DataFrame, pop: pd.DataFrame, trips: pd.DataFrame,
                 months: list, day0) -> pd.DataFrame:
    """Realistic profile: a business traveller's roaming minutes follow their hours out of the city.

    Months inside the simulated window use the simulated trips (1.5-4 roaming minutes per hour
    away); earlier months a Poisson number of trips at the traveller's rate (25 h each on average),
    so a month without trips has no roaming. The roaming charge in extra_fee follows.
    """
    usage = usage.copy()
    n = len(pop)
    trav = pop["business_traveler"].to_numpy()
    per_hour = rng.uniform(1.5, 4.0, n)
    t0 = np.datetime64(day0, "s")
    depart = t0 + trips["depart"].to_numpy().astype("timedelta64[s]")
    month_of = depart.astype("datetime64[M]")
    hours = (trips["back"] - trips["depart"]).to_numpy() / 3600.0
    first_in_window = np.datetime64(day0, "M")
    for k, m in enumerate(months):
        m64 = np.datetime64(m, "M")
        if m64 >= first_in_window:
            away = np.bincount(trips["sub"].to_numpy()[month_of == m64], weights=hours[month_of == m64], minlength=n)
        else:
            n_trips = rng.poisson(pop["trips_per_week"].to_numpy() * pop["trip_out_p"].to_numpy() * WEEKS_MONTH)
            away = n_trips * rng.uniform(10, 40, n)
        rows = (usage["k"] == k).to_numpy()
        old = usage.loc[rows, "roaming_min"].to_numpy()
        new = np.where(trav, np.rint(away * per_hour), old)
        usage.loc[rows, "roaming_min"] = new
        usage.loc[rows, "extra_fee"] = np.round(np.maximum(usage.loc[rows, "extra_fee"].to_numpy() + 0.6 * (new - old),
                                                           0), 2)
    return usage


WEEKS_MONTH = 30 / 7
