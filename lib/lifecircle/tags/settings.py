"""The ``tags:`` section of the configuration (validated at start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TagSettings:
    # Folder of the tag catalogue YAML files; empty = the packaged conf/tags.
    catalog_dir: str = ""
    # Features count the days with a stay of at least each of these minutes at each category.
    stay_minutes: tuple[int, ...] = (15, 30, 45, 60, 90, 120, 240)
    # Dwell slots (mobility.dwell.slots names) that make the day and the night of a district.
    day_slots: tuple[str, ...] = ("morning_commute", "work_hours", "evening_commute")
    night_slots: tuple[str, ...] = ("night",)
    # Travel distance (km) between consecutive stays that makes a commuting day.
    commute_km: float = 30.0
    # Event attendance: overlap >= min(event_min_overlap_s, half the event's duration).
    event_min_overlap_s: int = 1800

    def __post_init__(self) -> None:
        if not self.stay_minutes or any(m <= 0 for m in self.stay_minutes):
            raise ValueError("stay_minutes must be a non-empty list of positive minutes")
        if len(set(self.stay_minutes)) != len(self.stay_minutes):
            raise ValueError("stay_minutes must not repeat")
        if self.commute_km <= 0 or self.event_min_overlap_s < 0:
            raise ValueError("commute_km must be positive and event_min_overlap_s not negative")
