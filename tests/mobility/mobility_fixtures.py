"""Tiny hand-built cells, places and event/stay rows shared by the mobility tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
from pyspark.sql import types as T

from lifecircle import tables
from lifecircle.mobility.cells import CellIndex
from lifecircle.mobility.stays import DETECTED_SCHEMA, visit_id_of

TZ = "Asia/Shanghai"
LOCAL = ZoneInfo(TZ)
FRI = dt.date(2026, 11, 6)  # a Friday; 2026-11-02 is a Monday

# lac 1. Cells 10/11 are ~1 km apart (ping-pong neighbours), 12 is 50 m from 10 and serves no
# place, 13 is another sector of 10's site serving a cafe, 20/21 are two cells of the same
# workplace 15 km away, 30 is a transit cell, 40 a factory.
CELL_ROWS = [
    (1, 10, "s1", 113.7500, 23.0, 0, "莞城"),
    (1, 11, "s2", 113.7600, 23.0, 120, "莞城"),
    (1, 12, "s1", 113.7505, 23.0, None, "莞城"),
    (1, 20, "s3", 113.9000, 23.0, 0, "松山湖"),
    (1, 21, "s3", 113.9010, 23.0, 120, "松山湖"),
    (1, 30, "s4", 113.8300, 23.0, None, "东城"),
    (1, 40, "s5", 114.0000, 23.0, None, "常平"),
    (1, 13, "s1", 113.7500, 23.0, 240, "莞城"),
]
CELLS = pd.DataFrame(
    CELL_ROWS, columns=["lac", "cell_id", "site_id", "longitude", "latitude", "azimuth", "district"]
)
PLACE_ROWS = [
    ("P_HOME", "家园小区", "住宅", "住宅小区", None, 113.7500, 23.0, 250.0, "莞城", False),
    ("P_SHOP", "商场", "购物", "商场", "购物中心", 113.7600, 23.0, 200.0, "莞城", False),
    ("P_WORK", "写字楼", "商务", "办公", "写字楼", 113.9000, 23.0, 100.0, "松山湖", True),
    ("P_FACTORY", "工业园", "商务", "工业", "工业园区", 114.0000, 23.0, 800.0, "常平", False),
    ("P_CAFE", "咖啡馆", "购物", "商场", None, 113.7501, 23.0, 50.0, "莞城", False),
]
# P_HOME also spills onto cell 11 with a small weight: cell 11's primary place stays P_SHOP.
CELL_PLACE_ROWS = [
    (1, 10, "P_HOME", 0.8),
    (1, 11, "P_SHOP", 0.6),
    (1, 11, "P_HOME", 0.1),
    (1, 20, "P_WORK", 0.9),
    (1, 21, "P_WORK", 0.7),
    (1, 40, "P_FACTORY", 0.9),
    (1, 13, "P_CAFE", 0.9),
]
CELL_PLACE = pd.DataFrame(CELL_PLACE_ROWS, columns=["lac", "cell_id", "place_id", "weight"])

SIGNALING_SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("event_ts", T.TimestampType()),
        T.StructField("event_type", T.IntegerType()),
        T.StructField("lac", T.IntegerType()),
        T.StructField("cell_id", T.IntegerType()),
        T.StructField("day", T.DateType()),
        T.StructField("cell_bucket", T.IntegerType()),
        T.StructField("source_file", T.StringType()),
        T.StructField("line_no", T.LongType()),
    ]
)
CELLS_SCHEMA = T.StructType(
    [
        T.StructField("lac", T.IntegerType()),
        T.StructField("cell_id", T.IntegerType()),
        T.StructField("site_id", T.StringType()),
        T.StructField("longitude", T.DoubleType()),
        T.StructField("latitude", T.DoubleType()),
        T.StructField("azimuth", T.IntegerType()),
        T.StructField("district", T.StringType()),
    ]
)
PLACES_SCHEMA = T.StructType(
    [
        T.StructField("place_id", T.StringType()),
        T.StructField("name", T.StringType()),
        T.StructField("category_l1", T.StringType()),
        T.StructField("category_l2", T.StringType()),
        T.StructField("category_l3", T.StringType()),
        T.StructField("longitude", T.DoubleType()),
        T.StructField("latitude", T.DoubleType()),
        T.StructField("radius_m", T.DoubleType()),
        T.StructField("district", T.StringType()),
        T.StructField("is_landmark", T.BooleanType()),
    ]
)
CELL_PLACE_SCHEMA = T.StructType(
    [
        T.StructField("lac", T.IntegerType()),
        T.StructField("cell_id", T.IntegerType()),
        T.StructField("place_id", T.StringType()),
        T.StructField("weight", T.DoubleType()),
    ]
)

PLACE_OF_CELL = {10: "P_HOME", 11: "P_SHOP", 13: "P_CAFE", 20: "P_WORK", 21: "P_WORK", 40: "P_FACTORY"}


def at(day: dt.date, hhmm: str, days: int = 0) -> dt.datetime:
    """Local ``HH:MM[:SS]`` on ``day`` (+ ``days``) as an aware datetime."""
    parts = [int(p) for p in hhmm.split(":")] + [0]
    d = day + dt.timedelta(days=days)
    return dt.datetime(d.year, d.month, d.day, parts[0], parts[1], parts[2], tzinfo=LOCAL)


def cell_index(cell_place: pd.DataFrame = CELL_PLACE, members_only: set[str] = frozenset()) -> CellIndex:
    primary = cell_place.sort_values(["weight", "place_id"], ascending=[False, True]).drop_duplicates(
        ["lac", "cell_id"]
    )
    merged = CELLS.merge(primary[["lac", "cell_id", "place_id"]], on=["lac", "cell_id"], how="left")
    return CellIndex.from_pandas(merged, cell_place, members_only)


def signaling(spark, events: list[tuple]):
    """raw/signaling rows from (subscriber, aware datetime, event_type, cell_id) tuples (lac 1)."""
    rows = [
        (sub, ts, et, 1, cell, ts.astimezone(LOCAL).date(), cell % 4, "signaling/test.txt", i + 1)
        for i, (sub, ts, et, cell) in enumerate(events)
    ]
    return spark.createDataFrame(rows, SIGNALING_SCHEMA)


def stay_rows(items: list[tuple]) -> list[tuple]:
    """Rows of tables.STAYS with ``visit_start`` (epoch seconds) in place of ``visit_id``, from
    (subscriber, cell_id, start, end[, n_events[, visit start[, place_id]]]) with seq per day.

    The visit starts with the stay unless given; the place is the cell's primary place unless given.
    """
    out, seq = [], {}
    for item in sorted(items, key=lambda i: (i[0], i[2])):
        sub, cell, start, end = item[:4]
        n_events = item[4] if len(item) > 4 else 1
        visit = item[5] if len(item) > 5 and item[5] is not None else start
        place = item[6] if len(item) > 6 else PLACE_OF_CELL.get(cell)
        day = start.astimezone(LOCAL).date()
        seq[(sub, day)] = seq.get((sub, day), 0) + 1
        duration = int((end - start).total_seconds())
        out.append(
            (sub, seq[(sub, day)], int(visit.timestamp()), 1, cell, place, start, end, duration, n_events, day)
        )
    return out


def stays_df(spark, items: list[tuple]):
    """mobility/stays rows, visit_id made from the visit start as the stay code makes it."""
    detected = spark.createDataFrame(stay_rows(items), DETECTED_SCHEMA)
    return detected.withColumn("visit_id", visit_id_of(detected)).select(*tables.STAYS.column_names)


def dims(spark):
    """(cells, places, cell_place) Spark DataFrames."""
    cells = spark.createDataFrame(CELL_ROWS, CELLS_SCHEMA)
    places = spark.createDataFrame(PLACE_ROWS, PLACES_SCHEMA)
    cell_place = spark.createDataFrame(CELL_PLACE_ROWS, CELL_PLACE_SCHEMA)
    return cells, places, cell_place
