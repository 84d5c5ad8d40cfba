from __future__ import annotations

from lifecircle import tables
from lifecircle.features.io import read_features, write_features


def test_features_carry_other_periods_over_to_a_new_schema(spark, lake):
    old = spark.createDataFrame(
        [("a", 1, "2026-10"), ("a", 2, "2026-11")], "subscriber_id string, x int, period string"
    )
    lake.write(tables.FEATURES, old, partition_by=["period"])
    new = spark.createDataFrame(
        [("b", 3, 0.5, "2026-11")], "subscriber_id string, x int, y double, period string"
    )
    write_features(lake, new, "2026-11")
    rows = sorted(
        tuple(r) for r in lake.read(tables.FEATURES).select("subscriber_id", "x", "y", "period").collect()
    )
    assert rows == [("a", 1, None, "2026-10"), ("b", 3, 0.5, "2026-11")]
    again = spark.createDataFrame(
        [("c", 4, 1.5, "2026-10")], "subscriber_id string, x int, y double, period string"
    )
    write_features(lake, again, "2026-10")  # same schema: only the period is replaced
    rows = sorted(
        tuple(r) for r in lake.read(tables.FEATURES).select("subscriber_id", "x", "y", "period").collect()
    )
    assert rows == [("b", 3, 0.5, "2026-11"), ("c", 4, 1.5, "2026-10")]
    assert [(r.subscriber_id, r.x) for r in read_features(lake, "2026-10").collect()] == [("c", 4)]
