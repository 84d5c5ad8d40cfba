"""The ``mobility:`` section of the configuration: every threshold of stays, dwell, profile,
anchors and city view. Validated at start-up so a bad value fails before any Spark work."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


def minutes_of(hhmm: str) -> int:
    """Minutes after local midnight of ``"HH:MM"`` (``"24:00"`` allowed as the end of a day)."""
    try:
        hours, minutes = (int(p) for p in hhmm.split(":"))
    except ValueError:
        raise ValueError(f"time {hhmm!r} must look like HH:MM") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 1440:
        raise ValueError(f"time {hhmm!r} is outside 00:00–24:00")
    return hours * 60 + minutes


@dataclass(frozen=True)
class SlotSettings:
    """A named local-time slot; ``start`` > ``end`` wraps over midnight (night 22:00–07:00)."""

    name: str
    start: str
    end: str

    def __post_init__(self) -> None:
        if minutes_of(self.start) % 1440 == minutes_of(self.end):
            raise ValueError(f"slot {self.name}: start and end are equal")

    def parts(self) -> list[tuple[int, int]]:
        """The slot as [from, to) minute ranges inside one local day."""
        lo, hi = minutes_of(self.start) % 1440, minutes_of(self.end)
        hi = 1440 if hi == 1440 else hi % 1440
        return [(lo, hi)] if lo < hi else [(lo, 1440), (0, hi)] if hi > 0 else [(lo, 1440)]


DEFAULT_SLOTS = (
    SlotSettings("night", "22:00", "07:00"),
    SlotSettings("morning_commute", "07:00", "09:00"),
    SlotSettings("work_hours", "09:00", "17:00"),
    SlotSettings("evening_commute", "17:00", "19:00"),
    SlotSettings("evening", "19:00", "22:00"),
)


@dataclass(frozen=True)
class StaySettings:
    # A→B→A back on A within this many seconds (from first seen on B to seen on A again) is
    # ping-pong: real handover oscillation lasts seconds to a couple of minutes.
    pingpong_window_s: int = 180
    # ... and only between cells this close (neighbours); a far cell is a real movement.
    pingpong_max_distance_m: float = 5000.0
    # A phone standing still camps now and then on another cell serving its place (5–20 % of its
    # events in dense cores, single events minutes apart): a brief appearance elsewhere — at most
    # flicker_max_events events within flicker_span_s, on a cell at most flicker_max_distance_m
    # away — between two visits at one location is part of the stay, however long the silence
    # around it.
    flicker_max_events: int = 2
    flicker_span_s: int = 900
    flicker_max_distance_m: float = 2000.0
    # Consecutive stays at the same place are one stay; so are stays at cells this close when one
    # of the two cells serves no known place (two known places stay apart, however close).
    merge_distance_m: float = 300.0
    # Idle phones send a periodic location update every 1–3 h (some networks 6 h) and may be
    # switched off for the night. A silence or power-off with the phone at the same location
    # before and after it is the person staying put: bridged up to bridge_max_s.
    bridge_max_s: int = 12 * 3600
    # A move to another location across a silence up to max_gap_s ends the stay where the phone
    # is next seen (see boundary); after a longer silence we no longer know where the phone is:
    # the stay ends silence_tail_s after its last event.
    max_gap_s: int = 6 * 3600
    silence_tail_s: int = 1800
    # Where a stay ends when the phone is next seen elsewhere: at that next event ("last known
    # location"), or half-way between the two events.
    boundary: Literal["next_event", "midpoint"] = "next_event"
    min_stay_s: int = 600
    # A candidate shorter than transit_max_s that lies on the way (detour at most
    # transit_max_detour × the direct distance) between its neighbours, passed at an average
    # speed of at least transit_min_speed_kmh from leaving the one to reaching the other, is a
    # cell crossed during a trip, not a stay.
    transit_max_s: int = 2700
    transit_min_speed_kmh: float = 15.0
    transit_max_detour: float = 1.5
    # Kept stays at one place separated only by passages (candidates under min_stay_s) of at
    # most this long in all are one stay: a short detour does not split a stay.
    merge_gap_s: int = 1800
    # A stay's place is the one best supported by all its cells (cell_place weight × time) plus
    # this weight × the share of the subscriber's time there over the day before, the day and the
    # day after, among the places its cells serve that they return to (a night there, or two of
    # the three days: their regular places).
    regular_place_weight: float = 0.5
    # A home, workplace or school (mobility.anchors home_categories and work_categories) that is
    # not the subscriber's own around that day — no night there, and seen there on fewer than two
    # of the day before, the day and the day after — counts with this weight: its cells' traffic
    # is its residents', staff's or students', so a visitor on those cells is at the gym, cinema,
    # shop or concert hall they also serve, unless they serve none.
    visitor_weight: float = 0.02
    # A stay still running at this local hour on the day after it started is cut there, so each
    # day's stays depend only on the day before and the day after (see stays.py); the pieces
    # share one visit_id.
    cut_hour: int = 12
    # Rows handed to one vectorized call (a subscriber is never split across calls), and rows per
    # shuffle partition, which a Python worker holds in memory at once (~100 bytes a row).
    chunk_rows: int = 250000
    partition_rows: int = 3000000

    def __post_init__(self) -> None:
        if not 1 <= self.cut_hour <= 23:
            raise ValueError("cut_hour must be within 1..23")
        horizon = (24 - self.cut_hour) * 3600
        if not 0 < self.bridge_max_s <= horizon:
            raise ValueError(
                f"bridge_max_s must be in (0, {horizon}] (24 h minus cut_hour) for day-by-day reruns"
            )
        if not 0 < self.max_gap_s <= self.bridge_max_s:
            raise ValueError("max_gap_s must be in (0, bridge_max_s]")
        if not 0 <= self.silence_tail_s <= self.max_gap_s:
            raise ValueError("silence_tail_s must be within 0..max_gap_s")
        if self.min_stay_s < 0 or self.pingpong_window_s < 0 or self.merge_distance_m < 0:
            raise ValueError("min_stay_s, pingpong_window_s and merge_distance_m must not be negative")
        if self.flicker_max_events < 0 or self.flicker_span_s < 0 or self.flicker_max_distance_m < 0:
            raise ValueError("flicker_max_events, flicker_span_s and flicker_max_distance_m must not be negative")
        if self.regular_place_weight < 0:
            raise ValueError("regular_place_weight must not be negative")
        if not 0 <= self.visitor_weight <= 1:
            raise ValueError("visitor_weight must be within 0..1")
        if not 0 <= self.merge_gap_s <= self.max_gap_s:
            raise ValueError("merge_gap_s must be within 0..max_gap_s")
        if self.transit_min_speed_kmh <= 0 or self.transit_max_detour < 1:
            raise ValueError("transit_min_speed_kmh must be positive and transit_max_detour at least 1")
        if self.chunk_rows < 1 or self.partition_rows < 1:
            raise ValueError("chunk_rows and partition_rows must be positive")
        if self.min_stay_s > 6 * 3600:
            raise ValueError("min_stay_s must be at most 6 hours")


@dataclass(frozen=True)
class DwellSettings:
    slots: tuple[SlotSettings, ...] = DEFAULT_SLOTS
    weekend_days: tuple[int, ...] = (5, 6)  # Monday = 0

    def __post_init__(self) -> None:
        names = [s.name for s in self.slots]
        if len(set(names)) != len(names):
            raise ValueError("slot names must be unique")
        covered = sorted(p for s in self.slots for p in s.parts())
        edge = 0
        for lo, hi in covered:
            if lo != edge:
                raise ValueError(
                    f"slots must cover the day without gaps or overlaps (problem at minute {min(lo, edge)})"
                )
            edge = hi
        if edge != 1440:
            raise ValueError("slots must cover the day up to 24:00")
        if any(not 0 <= d <= 6 for d in self.weekend_days):
            raise ValueError("weekend_days are weekday numbers 0 (Monday) .. 6 (Sunday)")

    def parts(self) -> list[tuple[str, int, int]]:
        """(slot, from minute, to minute) covering one local day, in order."""
        return sorted(((s.name, lo, hi) for s in self.slots for lo, hi in s.parts()), key=lambda p: p[1])


@dataclass(frozen=True)
class ProfileSettings:
    window_days: int = 30
    # A day counts as present at a place with at least this much dwell there.
    min_day_dwell_s: int = 600
    # Shares of the observed days of the window: at least frequent_min_share → 经常到达,
    # at least general_min_share → 一般到达, else 偶尔到达.
    frequent_min_share: float = 0.3
    general_min_share: float = 0.1

    def __post_init__(self) -> None:
        if self.window_days < 1:
            raise ValueError("window_days must be at least 1")
        if not 0 < self.general_min_share <= self.frequent_min_share <= 1:
            raise ValueError("need 0 < general_min_share <= frequent_min_share <= 1")


@dataclass(frozen=True)
class AnchorSettings:
    method: Literal["night_dwell", "night_mode", "regular_block"] = "regular_block"
    night_slots: tuple[str, ...] = ("night",)
    work_slots: tuple[str, ...] = ("work_hours",)
    # night_dwell: weekday work-slot dwell needed for a work place, hours per observed week.
    work_min_hours_per_week: float = 10.0
    # night_mode: a night counts with this much night dwell; a workday with this much work dwell.
    night_min_s: int = 3600
    work_min_day_s: int = 3 * 3600
    # night_mode / regular_block: a work place is regular on at least this share of observed days.
    work_min_days_share: float = 0.2
    # regular_block: stays at one place separated only by silence (power off at night) up to
    # this long are one block; a work block lasts at least block_min_s.
    block_bridge_gap_s: int = 12 * 3600
    block_min_s: int = 4 * 3600
    # regular_block: a mild prior from the place category (category_l1) for home and for work.
    home_categories: tuple[str, ...] = ("住宅",)
    work_categories: tuple[str, ...] = ("商务", "教育")
    category_bonus: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.work_min_days_share <= 1:
            raise ValueError("work_min_days_share must be in (0, 1]")
        if self.category_bonus < 0:
            raise ValueError("category_bonus must not be negative")


@dataclass(frozen=True)
class PopulationSettings:
    # A subscriber is present in an hour at a place after at least this much time there.
    min_presence_s: int = 600
    peak_hours: int = 3
    valley_hours: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.min_presence_s <= 3600:
            raise ValueError("min_presence_s must be within 0..3600")
        if not (0 <= self.peak_hours <= 168 and 0 <= self.valley_hours <= 168):
            raise ValueError("peak_hours and valley_hours must be within 0..168")


@dataclass(frozen=True)
class MobilitySettings:
    stays: StaySettings = field(default_factory=StaySettings)
    dwell: DwellSettings = field(default_factory=DwellSettings)
    profile: ProfileSettings = field(default_factory=ProfileSettings)
    anchors: AnchorSettings = field(default_factory=AnchorSettings)
    population: PopulationSettings = field(default_factory=PopulationSettings)

    def __post_init__(self) -> None:
        names = {s.name for s in self.dwell.slots}
        unknown = [s for s in (*self.anchors.night_slots, *self.anchors.work_slots) if s not in names]
        if unknown:
            raise ValueError(f"anchors name slots {unknown} that dwell.slots does not define")
