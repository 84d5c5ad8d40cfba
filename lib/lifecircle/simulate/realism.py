"""The `realistic` profile of the simulator: every hostile habit of real phones and cities as a
range, drawn per city, per subscriber, per place or per stay (never one value for everybody).

`Realism()` holds the defaults; `Realism.from_overrides({"lu_interval_h": 6})` fixes or narrows
single traits (a number fixes a range, `(lo, hi)`, `[lo, hi]` or `"lo:hi"` sets one; strings from
the command line are parsed). Unknown keys raise a `ValueError` naming the valid ones.

Units are in the field names: `_h` hours, `_min` minutes, `_share` a fraction of subscribers
(or of places), `_per_week` / `_per_month` visits. Ranges are inclusive `(lo, hi)`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

Range = tuple[float, float]
INT_TRAITS = {"serving_cells_core", "serving_cells_urban", "serving_cells_other", "alt_run_events", "stay_home_days"}
SHARE_TRAITS = {"lu_jitter", "power_off_share", "power_off_nights", "neighbour_share", "cinema_in_mall_share",
                "stay_home_share", "dorm_share", "trip_out_share", "return_via_station_share",
                "irregular_office_share", "overtime_days", "wfh_days", "rotating_share", "school_run_days",
                "colorful_share"}

# field -> one line of documentation (the truth README prints these next to the drawn values).
DOC = {
    # The network and the phones.
    "lu_interval_h": "periodic location update timer of the network, hours (drawn once per city; "
                     "the timer restarts at every record of the phone)",
    "lu_jitter": "per-subscriber relative deviation of the phone's periodic-update timer",
    "activity_scale": "per-subscriber multiplier of call / SMS / data-session rates (idle phones)",
    "night_activity": "per-subscriber activity 01:00-06:00 relative to the daytime peak",
    "power_off_share": "share of subscribers who switch the phone off at night at home (per city)",
    "power_off_nights": "per such subscriber, share of nights switched off (off 22:30-01:00, on 06:00-08:00)",
    # Cells and places.
    "density": "multiplier of cell sites per population (1 = the clean city's density)",
    "serving_cells_core": "cells serving a place in the dense core districts (int, per place)",
    "serving_cells_urban": "cells serving a place in urban districts (int, per place)",
    "serving_cells_other": "cells serving a place in towns and industrial districts (int, per place)",
    "neighbour_share": "per subscriber x stay share of the stay's records on the place's other serving cells",
    "alt_run_events": "consecutive records per excursion to another serving cell (int)",
    "pingpong_per_h": "per place rate of quick A-B-A handover bursts to another serving cell, per hour",
    "cinema_in_mall_share": "share of cinemas inside a mall (the mall's cells serve the cinema too)",
    # Long presences and absences.
    "stay_home_share": "share of subscribers who stay home for a long weekend / holiday (per city)",
    "stay_home_days": "length of that stay at home, days (int)",
    "dorm_share": "share of university students living on campus (home = the campus)",
    "trips_per_week": "business trips per week of a business traveller",
    "trip_out_share": "per traveller share of trips that leave the city (the rest: a client and a hotel night in the city)",
    "trip_away_h": "hours out of the city (no records: roaming elsewhere)",
    "station_stay_min": "minutes at the railway / coach station before leaving",
    "return_via_station_share": "per traveller share of returns that reappear at the station first",
    # Work.
    "office_arrival_h": "per office worker mean arrival time, hours after midnight",
    "arrival_sd_min": "per office worker day-to-day sd of the arrival, minutes (clipped to +-45 min)",
    "office_hours_h": "per office worker planned hours at the office",
    "irregular_office_share": "share of office workers with late, long, irregular hours (not nine-to-five)",
    "overtime_days": "per office worker share of weekdays with overtime",
    "overtime_h": "hours of overtime on such a day",
    "wfh_days": "per office worker share of weekdays worked from home",
    "rotating_share": "share of night-shift factory workers rotating weekly between day and night shifts",
    "school_run_days": "per parent share of school days with a school run",
    # Leisure (visits per subscriber of the persona).
    "movie_per_month": "cinema visits per month of a moviegoer",
    "gym_per_week": "gym visits per week of a fitness persona",
    "shop_per_week": "mall / market visits per week of a shopper",
    "shop_duration_min": "minutes of a shopping visit",
    "basketball_per_week": "basketball sessions per week of a basketball fan",
    "football_per_week": "football sessions per week of a football fan",
    "golf_per_week": "golf rounds per week of a golfer",
    "music_per_month": "KTV / concert evenings per month of a music lover",
    "bar_per_week": "late bar nights per week of a night owl",
    "colorful_share": "share of subscribers with a colourful life (4-6 kinds of leisure places, each 2-4 a month)",
    "casual_leisure_per_month": "per subscriber occasional visits per month to parks, malls, cinemas",
}


@dataclass(frozen=True)
class Realism:
    """Ranges of the realistic profile (see DOC for each field)."""

    lu_interval_h: Range = (1.0, 3.0)
    lu_jitter: Range = (0.0, 0.05)
    activity_scale: Range = (0.05, 0.8)
    night_activity: Range = (0.0, 0.08)
    power_off_share: Range = (0.05, 0.10)
    power_off_nights: Range = (0.6, 0.95)
    density: Range = (1.0, 1.0)
    serving_cells_core: Range = (2, 4)
    serving_cells_urban: Range = (2, 3)
    serving_cells_other: Range = (1, 2)
    neighbour_share: Range = (0.05, 0.20)
    alt_run_events: Range = (1, 4)
    pingpong_per_h: Range = (0.1, 0.6)
    cinema_in_mall_share: Range = (0.5, 0.8)
    stay_home_share: Range = (0.05, 0.10)
    stay_home_days: Range = (2, 4)
    dorm_share: Range = (0.4, 0.7)
    trips_per_week: Range = (0.5, 1.5)
    trip_out_share: Range = (0.5, 0.9)
    trip_away_h: Range = (10.0, 40.0)
    station_stay_min: Range = (15.0, 60.0)
    return_via_station_share: Range = (0.6, 0.9)
    office_arrival_h: Range = (8.0, 9.5)
    arrival_sd_min: Range = (8.0, 25.0)
    office_hours_h: Range = (8.0, 9.5)
    irregular_office_share: Range = (0.1, 0.2)
    overtime_days: Range = (0.05, 0.3)
    overtime_h: Range = (1.0, 3.0)
    wfh_days: Range = (0.0, 0.15)
    rotating_share: Range = (0.3, 0.5)
    school_run_days: Range = (0.6, 0.95)
    movie_per_month: Range = (2.0, 3.0)
    gym_per_week: Range = (1.0, 3.0)
    shop_per_week: Range = (0.7, 1.5)
    shop_duration_min: Range = (45.0, 180.0)
    basketball_per_week: Range = (1.0, 2.0)
    football_per_week: Range = (0.5, 1.5)
    golf_per_week: Range = (0.3, 1.0)
    music_per_month: Range = (2.0, 6.0)
    bar_per_week: Range = (1.0, 3.0)
    colorful_share: Range = (0.04, 0.08)
    casual_leisure_per_month: Range = (0.0, 1.5)

    def __post_init__(self) -> None:
        for f in fields(self):
            lo, hi = getattr(self, f.name)
            if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi or lo < 0:
                raise ValueError(f"trait {f.name}: need 0 <= lo <= hi, got ({lo}, {hi})")
            if f.name in SHARE_TRAITS and hi > 1:
                raise ValueError(f"trait {f.name}: a share must be at most 1, got {hi}")
        if self.lu_interval_h[0] < 0.25 or self.density[0] <= 0:
            raise ValueError("lu_interval_h must be >= 0.25 h and density > 0")

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_overrides(cls, overrides: dict | None) -> Realism:
        """Defaults with some traits replaced; a number fixes the trait, a pair sets its range."""
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(cls.names()))
        if unknown:
            raise ValueError(f"unknown simulator trait(s) {', '.join(unknown)}; valid: {', '.join(cls.names())}")
        return cls(**{k: _as_range(k, v) for k, v in overrides.items()})

    def draw(self, rng: np.random.Generator, name: str, n: int | None = None) -> np.ndarray | float:
        """Uniform draw(s) from a range (integers for the INT_TRAITS)."""
        lo, hi = getattr(self, name)
        if name in INT_TRAITS:
            out = rng.integers(int(round(lo)), int(round(hi)) + 1, n if n is not None else None)
        else:
            out = rng.uniform(lo, hi, n if n is not None else None)
        return out if n is not None else float(out)

    def lines(self) -> list[str]:
        """`name (lo-hi): meaning` per trait, for the truth README."""
        return [f"| `{f.name}` | {_fmt(getattr(self, f.name))} | {DOC[f.name]} |" for f in fields(self)]


def _fmt(r: Range) -> str:
    lo, hi = r
    return f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"


def _as_range(name: str, value) -> Range:
    if isinstance(value, str):
        parts = value.replace("–", ":").split(":")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"trait {name}: expected a number or lo:hi, got {value!r}") from None
    elif isinstance(value, (int, float, np.integer, np.floating)):
        nums = [float(value)]
    else:
        nums = [float(v) for v in value]
    if len(nums) == 1:
        nums = nums * 2
    if len(nums) != 2:
        raise ValueError(f"trait {name}: expected a number or a (lo, hi) pair, got {value!r}")
    return (nums[0], nums[1])


def parse_traits(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`key=value` strings (command line) → a dict for from_overrides."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--trait expects key=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out


PROFILES = ("realistic", "clean")
