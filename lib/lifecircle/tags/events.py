"""Event attendance (INTERFACES.md §5): a subscriber attended an event when their stays at the
event's place overlap the event's time by at least min(30 minutes, half its duration) in total.

A stay is at the event's place when its place_id is that place, or when its cell carries a fair
share of the place's traffic (dim/cell_place weight ≥ ``EVENT_CELL_MIN_WEIGHT``): a crowd at a
stadium camps on every cell around it, and a stay resolved to the mall next door on a stadium
cell during the match was, most likely, at the match. Cells that only graze the place (homes
around it) do not count."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.localtime import local_day

EVENT_CELL_MIN_WEIGHT = 0.1


def event_participants(
    stays: DataFrame, events: DataFrame, tz: str, min_overlap_s: int = 1800, cell_place: DataFrame | None = None
) -> DataFrame:
    """subscriber_id, event_id, event_type, place_id, overlap_s, event_day (local day of the start).

    ``stays``: subscriber_id, lac, cell_id, place_id, start_ts, end_ts; ``events``: event_id,
    event_type, place_id, start_ts, end_ts (UTC-aware timestamps); ``cell_place``: lac, cell_id,
    place_id of dim/cell_place (without it only the stay's place_id counts).
    """
    ev = events.select(
        "event_id",
        "event_type",
        "place_id",
        F.unix_seconds(F.col("start_ts")).alias("ev_s"),
        F.unix_seconds(F.col("end_ts")).alias("ev_e"),
        local_day(F.col("start_ts"), tz).alias("event_day"),
    )
    st = stays.select(
        "subscriber_id",
        "place_id",
        F.unix_seconds("start_ts").alias("s"),
        F.unix_seconds("end_ts").alias("e"),
        *(["lac", "cell_id"] if cell_place is not None else []),
    )
    if cell_place is not None:
        # Only the cells of event places matter: each stay adds at most a row per such place.
        served = (
            cell_place.where(F.col("weight") >= EVENT_CELL_MIN_WEIGHT)
            .join(F.broadcast(ev.select("place_id").distinct()), "place_id", "left_semi")
            .select("lac", "cell_id", F.col("place_id").alias("served"))
        )
        by_cell = (
            st.join(F.broadcast(served), ["lac", "cell_id"], "inner")
            .where(F.col("place_id").isNull() | (F.col("place_id") != F.col("served")))
            .select("subscriber_id", F.col("served").alias("place_id"), "s", "e")
        )
        st = st.select("subscriber_id", "place_id", "s", "e").unionByName(by_cell)
    st = st.where(F.col("place_id").isNotNull())
    overlap = F.greatest(F.least(F.col("e"), F.col("ev_e")) - F.greatest(F.col("s"), F.col("ev_s")), F.lit(0))
    need = F.least(F.lit(min_overlap_s).cast("double"), (F.col("ev_e") - F.col("ev_s")) / 2)
    return (
        st.join(F.broadcast(ev), "place_id")
        .where((F.col("s") < F.col("ev_e")) & (F.col("e") > F.col("ev_s")))
        .groupBy("subscriber_id", "event_id", "event_type", "place_id", "ev_s", "ev_e", "event_day")
        .agg(F.sum(overlap).cast("long").alias("overlap_s"))
        .where(F.col("overlap_s") >= need)
        .select(*[F.col(f.name).cast(f.dataType) for f in tables.EVENT_PARTICIPANTS.schema.fields])
    )
