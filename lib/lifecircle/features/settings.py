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
    # Travel distance (km) between consecutive stays that makes a commuting day.
    commute_km: float = 30.0

    def __post_init__(self) -> None:
        if not self.stay_minutes or any(m <= 0 for m in self.stay_minutes):
            raise ValueError("stay_minutes must be a non-empty list of positive minutes")
        if len(set(self.stay_minutes)) != len(self.stay_minutes):
            raise ValueError("stay_minutes must not repeat")
        if self.commute_km <= 0:
            raise ValueError("commute_km must be positive")
