"""The ``tags:`` section of the configuration (validated at start-up).

The section also holds the feature layer's keys (``stay_minutes``, ``day_slots``, ``night_slots``,
``commute_km``): they are :class:`lifecircle.features.settings.FeatureSettings`, inherited here so
the YAML users write keeps its shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifecircle.features.settings import FeatureSettings


@dataclass(frozen=True)
class TagSettings(FeatureSettings):
    # Folder of the tag catalogue YAML files; empty = the packaged conf/tags.
    catalog_dir: str = ""
    # Event attendance: overlap >= min(event_min_overlap_s, half the event's duration).
    event_min_overlap_s: int = 1800

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.event_min_overlap_s < 0:
            raise ValueError("event_min_overlap_s must not be negative")
