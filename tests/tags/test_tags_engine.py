from __future__ import annotations

import pytest
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from lifecircle.features.places import place_categories
from lifecircle.tags.engine import attach_landmarks, compile_tags, landmark_candidates
from lifecircle.tags.language import TagDef

FEATURES = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("days_gym_ge45m", T.IntegerType()),
        T.StructField("arpu", T.DoubleType()),
        T.StructField("home_district", T.StringType()),
    ]
)
ROWS = [("a", 5, 120.0, "莞城"), ("b", 0, 30.0, "南城"), ("c", 2, None, None)]


def tag(code, when, value=None, landmark=()):
    return TagDef(code, code, ("L1",), "rule", "features", "f", when, value, tuple(landmark))


def test_compile_tags_one_row_per_hit_with_values(spark):
    features = spark.createDataFrame(ROWS, FEATURES)
    tags = [
        tag("fit", "days_gym_ge45m >= 2"),
        tag("rich", "arpu >= 100"),
        tag("arpu", "arpu IS NOT NULL", value="format_number(arpu, 1)"),
        tag("home.gc", "home_district = '莞城'"),
    ]
    expected = spark.createDataFrame(
        [
            ("a", "fit", None),
            ("a", "rich", None),
            ("a", "arpu", "120.0"),
            ("a", "home.gc", None),
            ("b", "arpu", "30.0"),
            ("c", "fit", None),
        ],
        "subscriber_id string, tag_code string, value string",
    )
    assertDataFrameEqual(compile_tags(features, tags), expected)


def _jobs_for(spark, features, tags, group):
    sc = spark.sparkContext
    sc.setJobGroup(group, group)
    try:
        compile_tags(features, tags).write.format("noop").mode("overwrite").save()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    return len(sc.statusTracker().getJobIdsForGroup(group))


def test_number_of_spark_jobs_does_not_grow_with_the_number_of_tags(spark):
    features = spark.createDataFrame(ROWS * 20, FEATURES).repartition(2)
    many = [tag(f"t{i}", f"days_gym_ge45m >= {i % 7} AND arpu > {i}") for i in range(100)]
    jobs_10 = _jobs_for(spark, features, many[:10], "tags-10")
    jobs_100 = _jobs_for(spark, features, many, "tags-100")
    assert jobs_10 >= 1
    assert jobs_100 <= jobs_10


PLACES = T.StructType(
    [
        T.StructField("place_id", T.StringType()),
        T.StructField("name", T.StringType()),
        T.StructField("category_l1", T.StringType()),
        T.StructField("category_l2", T.StringType()),
        T.StructField("category_l3", T.StringType()),
        T.StructField("district", T.StringType()),
        T.StructField("is_landmark", T.BooleanType()),
    ]
)
PLACE_ROWS = [
    ("O1", "普通写字楼", "商务", "办公", "写字楼", "南城", False),
    ("O2", "国贸中心", "商务", "办公", "写字楼", "南城", True),
    ("O3", "小写字楼", "商务", "办公", "写字楼", "莞城", False),
    ("G1", "健身房", "体育", "健身", "健身房", "莞城", False),
    ("K1", "KTV", "娱乐", "KTV", None, "莞城", False),
]


@pytest.fixture
def candidates(spark):
    places = spark.createDataFrame(PLACE_ROWS, PLACES)
    dwell = spark.createDataFrame(
        [
            ("a", "O1", 9000),
            ("a", "O2", 100),
            ("a", "G1", 500),
            ("b", "O1", 50),
            ("b", "O3", 7000),
            ("b", "K1", 3000),
            ("b", None, 99999),
        ],
        "subscriber_id string, place_id string, dwell_s long",
    )
    return landmark_candidates(dwell, place_categories(spark, places))


def test_landmark_prefers_landmark_places_then_dwell(spark, candidates):
    tags = [
        tag("office", "true", landmark=["cat:office"]),
        tag("region.gc", "true", landmark=["dist:莞城"]),
        tag("music", "true", landmark=["grp:music"]),
        tag("plain", "true"),
    ]
    hits = spark.createDataFrame(
        [
            ("a", "office", None),
            ("b", "office", None),
            ("a", "region.gc", None),
            ("b", "region.gc", None),
            ("b", "music", None),
            ("a", "music", None),
            ("a", "plain", None),
        ],
        "subscriber_id string, tag_code string, value string",
    )
    expected = spark.createDataFrame(
        [
            ("a", "office", None, "O2", "国贸中心"),  # a landmark beats more dwell elsewhere
            ("b", "office", None, "O3", "小写字楼"),  # no landmark dwelled: the most-dwelled office
            ("a", "region.gc", None, "G1", "健身房"),
            ("b", "region.gc", None, "O3", "小写字楼"),
            ("b", "music", None, "K1", "KTV"),
            ("a", "music", None, None, None),  # never at a music place
            ("a", "plain", None, None, None),
        ],
        "subscriber_id string, tag_code string, value string, landmark_place_id string, landmark_name string",
    )
    assertDataFrameEqual(attach_landmarks(spark, hits, tags, candidates), expected)
