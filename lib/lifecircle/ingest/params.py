"""Parameter data (``params/*.csv``) → the dimension tables, each replaced whole on a new delivery."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.ingest.csvkinds import CsvSpec, Field

_LON = Field("longitude", "double", check=lambda v: v.between(-180, 180))
_LAT = Field("latitude", "double", check=lambda v: v.between(-90, 90))

CELLS = CsvSpec(
    "cells",
    tables.CELLS,
    (
        Field("lac", "int", check=lambda v: v >= 0),
        Field("cell_id", "int", check=lambda v: v >= 0),
        Field("site_id"),
        _LON,
        _LAT,
        Field("azimuth", "int", required=False, check=lambda v: v.between(0, 360)),
        Field("district"),
    ),
    partition=None,
)
PLACES = CsvSpec(
    "places",
    tables.PLACES,
    (
        Field("place_id"),
        Field("name"),
        Field("category_l1"),
        Field("category_l2"),
        Field("category_l3", required=False),
        _LON,
        _LAT,
        Field("radius_m", "double", check=lambda v: v >= 0),
        Field("district"),
        Field("is_landmark", "flag"),
    ),
    partition=None,
)
CELL_PLACE = CsvSpec(
    "cell_place",
    tables.CELL_PLACE,
    (
        Field("lac", "int", check=lambda v: v >= 0),
        Field("cell_id", "int", check=lambda v: v >= 0),
        Field("place_id"),
        Field("weight", "double", check=lambda v: (v > 0) & (v <= 1)),
    ),
    partition=None,
)
EVENTS = CsvSpec(
    "events",
    tables.EVENTS,
    (
        Field("event_id"),
        Field("name"),
        Field("event_type"),
        Field("place_id"),
        Field("start_time", "timestamp", out="start_ts"),
        Field("end_time", "timestamp", out="end_ts"),
    ),
    partition=None,
    date_check=lambda p: p["end_time"] >= p["start_time"],
)
PRODUCTS = CsvSpec(
    "products",
    tables.PRODUCTS,
    (
        Field("product_code"),
        Field("name"),
        Field("category"),
        Field("monthly_fee", "decimal", check=lambda v: v >= 0),
        Field("launch_date", "date", required=False),
    ),
    partition=None,
)
SPECS = {s.kind: s for s in (CELLS, PLACES, CELL_PLACE, EVENTS, PRODUCTS)}

# INTERFACES.md §3: the operator's place classification. Others are kept and reported.
CATEGORY_VOCABULARY = [
    ("教育", "学校", "高等院校"),
    ("教育", "学校", "中小学"),
    ("教育", "培训", "培训机构"),
    ("商务", "办公", "写字楼"),
    ("商务", "工业", "工业园区"),
    ("住宅", "住宅小区", None),
    ("住宅", "城中村", None),
    ("体育", "篮球", "篮球场馆"),
    ("体育", "足球", "足球场"),
    ("体育", "高尔夫", "高尔夫球场"),
    ("体育", "健身", "健身房"),
    ("体育", "体育场馆", "综合体育馆"),
    ("娱乐", "影院", "电影院"),
    ("娱乐", "KTV", None),
    ("娱乐", "酒吧", None),
    ("娱乐", "演出", "演出场馆"),
    ("购物", "商场", "购物中心"),
    ("购物", "市场", None),
    ("交通", "枢纽", "火车站"),
    ("交通", "枢纽", "汽车站"),
    ("交通", "枢纽", "港口"),
    ("酒店", "酒店", "商务酒店"),
    ("医疗", "医院", "综合医院"),
    ("政务", "政府", "行政中心"),
    ("招聘", "人才市场", None),
    ("旅游", "景区", "公园"),
]


def compute_unknown_categories(spark: SparkSession, places: DataFrame) -> DataFrame:
    """Category paths of dim/places outside the vocabulary, with their number of places."""
    path = ["category_l1", "category_l2", "category_l3"]
    vocabulary = spark.createDataFrame(
        CATEGORY_VOCABULARY, "category_l1 string, category_l2 string, category_l3 string"
    )
    return (
        places.join(vocabulary, on=[places[c].eqNullSafe(vocabulary[c]) for c in path], how="left_anti")
        .groupBy(*[F.col(c) for c in path])
        .agg(F.count(F.lit(1)).alias("places"))
        .select(*[F.col(c) for c in path], F.col("places"))
    )
