"""Signaling records (``signaling/YYYYMMDD/*.txt[.gz]``, ``msisdn|event_time|event_type|lac|cell_id``).

Reason codes, first failing check wins: ``encoding``, ``field_count``, ``bad_msisdn``,
``bad_timestamp``, ``ts_outside_day`` (the local date differs from the folder's day),
``bad_event_type`` (not an integer 1–10), ``bad_cell_key`` (empty or non-integer lac / cell_id),
``unknown_cell`` (no such (lac, cell_id) in dim/cells: quarantined, never dropped).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest import fields as P

N_FIELDS = 5
EVENT_TIME_PATTERN = "yyyyMMddHHmmss"
# The stored columns; records are the same when these key columns are equal.
COLUMNS = tables.SIGNALING.column_names
DEDUP_KEYS = ["subscriber_id", "event_ts", "event_type", "lac", "cell_id"]


def with_signaling_checks(lines: DataFrame, cells: DataFrame, timezone: str) -> DataFrame:
    """Lines of signaling files → typed fields, ``reason`` (null when valid), ``detail``, ``msisdn``.

    ``cells`` is dim/cells (lac, cell_id …): a record's cell must be a known cell.
    """
    values = F.split(F.col("text"), r"\|", -1)
    # msisdn and event_time are stripped of surrounding whitespace; the integer casts ignore it.
    field = [F.get(F.col("_fields"), i) for i in range(N_FIELDS)]
    field[1] = P.strip_ws(field[1])
    known = cells.select(F.col("lac"), F.col("cell_id")).distinct().withColumn("known_cell", F.lit(True))
    parsed = lines.withColumn("_fields", values).select(
        F.col("file_id"),
        F.col("line_no"),
        F.col("text"),
        F.col("bad_utf8"),
        F.col("truncated"),
        F.col("file_day"),
        F.col("file_month"),
        F.size(F.col("_fields")).alias("n_fields"),
        P.normalize_msisdn(field[0]).alias("msisdn"),
        field[1].alias("event_time"),
        P.parse_local_timestamp(field[1], EVENT_TIME_PATTERN, r"^[0-9]{14}$", timezone).alias("event_ts"),
        P.parse_int(field[2], 1, 10).alias("event_type"),
        P.parse_int(field[3]).alias("lac"),
        P.parse_int(field[4]).alias("cell_id"),
    )
    checked = parsed.join(F.broadcast(known), on=["lac", "cell_id"], how="left")
    # Compared as yyyyMMdd numbers: cheaper than formatting the folder's day for every line.
    folder_day = F.year("file_day") * 10000 + F.month("file_day") * 100 + F.dayofmonth("file_day")
    outside_day = F.substring(F.col("event_time"), 1, 8).try_cast("int") != folder_day
    reason = (
        F.when(F.col("bad_utf8"), F.lit("encoding"))
        .when(F.col("n_fields") != F.lit(N_FIELDS), F.lit("field_count"))
        .when(F.col("msisdn").isNull(), F.lit("bad_msisdn"))
        .when(F.col("event_ts").isNull(), F.lit("bad_timestamp"))
        .when(outside_day, F.lit("ts_outside_day"))
        .when(F.col("event_type").isNull(), F.lit("bad_event_type"))
        .when(F.col("lac").isNull() | F.col("cell_id").isNull(), F.lit("bad_cell_key"))
        .when(F.col("known_cell").isNull(), F.lit("unknown_cell"))
    )
    detail = F.when(F.col("bad_utf8"), F.lit("invalid UTF-8")).when(
        F.col("n_fields") != F.lit(N_FIELDS), F.format_string(f"%d fields, expected {N_FIELDS}", F.col("n_fields"))
    )
    return checked.select(
        F.col("file_id"),
        F.col("line_no"),
        F.col("text"),
        F.col("truncated"),
        F.col("file_day"),
        F.col("file_month"),
        reason.alias("reason"),
        detail.alias("detail"),
        F.col("msisdn"),
        F.col("event_ts"),
        F.col("event_type"),
        F.col("lac"),
        F.col("cell_id"),
    )


def cell_bucket(buckets: int):
    """The cell partition of a record: pmod(xxhash64(lac, cell_id), buckets)."""
    return F.pmod(F.xxhash64(F.col("lac"), F.col("cell_id")), F.lit(buckets)).cast("int")
