"""Event attendance (INTERFACES.md §5): a subscriber attended an event when their stays at the
event's place overlap the event's time by at least min(30 minutes, half its duration) in total."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.localtime import local_day


def event_participants(stays: DataFrame, events: DataFrame, tz: str, min_overlap_s: int = 1800) -> DataFrame:
    """subscriber_id, event_id, event_type, place_id, overlap_s, event_day (local day of the start).

    ``stays``: subscriber_id, place_id, start_ts, end_ts; ``events``: event_id, event_type,
    place_id, start_ts, end_ts (UTC-aware timestamps).
    """
    ev = events.select(
        "event_id",
        "event_type",
        "place_id",
        F.unix_seconds(F.col("start_ts")).alias("ev_s"),
        F.unix_seconds(F.col("end_ts")).alias("ev_e"),
        local_day(F.col("start_ts"), tz).alias("event_day"),
    )
    st = stays.where(F.col("place_id").isNotNull()).select(
        "subscriber_id",
        "place_id",
        F.unix_seconds("start_ts").alias("s"),
        F.unix_seconds("end_ts").alias("e"),
    )
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
