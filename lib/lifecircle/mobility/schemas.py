"""Table names and Spark schemas of the mobility outputs (DESIGN.md "Lake layout")."""

from __future__ import annotations

from pyspark.sql import types as T

STAYS = "mobility/stays"
DWELL_DAILY = "mobility/dwell_daily"
DWELL_DAILY_CELL = "mobility/dwell_daily_cell"
DWELL_PROFILE = "mobility/dwell_profile"
DWELL_PROFILE_DISTRICT = "mobility/dwell_profile_district"
ANCHORS = "mobility/anchors"
ANCHOR_CANDIDATES = "mobility/anchor_candidates"
ANCHOR_AGREEMENT = "mobility/anchor_agreement"
AREA_POPULATION = "mobility/area_population"

SIGNALING = "raw/signaling"
CELLS = "dim/cells"
PLACES = "dim/places"
CELL_PLACE = "dim/cell_place"

STAYS_SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("seq", T.IntegerType()),
        T.StructField("lac", T.IntegerType()),
        T.StructField("cell_id", T.IntegerType()),
        T.StructField("place_id", T.StringType()),
        T.StructField("start_ts", T.TimestampType()),
        T.StructField("end_ts", T.TimestampType()),
        T.StructField("duration_s", T.LongType()),
        T.StructField("n_events", T.IntegerType()),
        T.StructField("day", T.DateType()),
    ]
)

# What the stay code reads from raw/signaling after the one shuffle.
EVENTS_SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("ts", T.LongType()),
        T.StructField("cell_key", T.LongType()),
        T.StructField("event_type", T.ByteType()),
    ]
)
