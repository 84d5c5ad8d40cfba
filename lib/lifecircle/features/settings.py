"""The feature layer's settings. Users write them under ``tags:`` in the YAML (their historical
home, kept so existing files stay valid): :class:`lifecircle.tags.settings.TagSettings` extends
this class with the tag engine's own keys, and ``conf.tags`` is passed wherever features are built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureSettings:
    # Features count the days with a stay of at least each of these minutes at each category.
    stay_minutes: tuple[int, ...] = (15, 30, 45, 60, 90, 120, 240)
    # Dwell slots (mobility.dwell.slots names) that make the day and the night of a district.
    day_slots: tuple[str, ...] = ("morning_commute", "work_hours", "evening_commute")
    night_slots: tuple[str, ...] = ("night",)
    # A day whose stays lie commute_km / 2 apart or more (there and back: commute_km) is a travel day.
    commute_km: float = 30.0
    # An office day: on a weekday, at least office_min_h hours at 商务 places inside the local
    # office_window hours, however the time splits into stays (lunch out, overtime, late start).
    office_window: tuple[int, int] = (9, 17)
    office_min_h: float = 5.0
    # A trip out of the city: no stay for at least away_min_h hours (the phone roams elsewhere or
    # is silent) next to a stay at a railway station, coach station or port — or for at least
    # away_long_h hours wherever it began and ended.
    away_min_h: float = 6.0
    away_long_h: float = 20.0

    def __post_init__(self) -> None:
        if not self.stay_minutes or any(m <= 0 for m in self.stay_minutes):
            raise ValueError("stay_minutes must be a non-empty list of positive minutes")
        if len(set(self.stay_minutes)) != len(self.stay_minutes):
            raise ValueError("stay_minutes must not repeat")
        if self.commute_km <= 0:
            raise ValueError("commute_km must be positive")
        lo, hi = self.office_window
        if not 0 <= lo < hi <= 24 or not 0 < self.office_min_h <= hi - lo:
            raise ValueError("office_window must be [from, to) hours within 0..24 and office_min_h fit inside it")
        if not 0 < self.away_min_h <= self.away_long_h:
            raise ValueError("need 0 < away_min_h <= away_long_h")
