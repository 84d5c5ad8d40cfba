"""Model inputs on tiny typed frames: labels, product flags, features as of a month, sampling, slots."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from lifecircle.models.dataset import (
    compute_adoption_labels,
    compute_model_features,
    compute_product_flags,
    compute_training_digests,
    compute_training_sample,
    with_task_slots,
)
from lifecircle.models.settings import TrainingSettings

STATUS = "subscriber_id string, product_code string, status string, status_date date, month string"
D = dt.date(2026, 10, 1)
USAGE = (
    "subscriber_id string, arpu double, voice_out_min double, voice_in_min double, sms_out long, sms_in long, "
    "data_mb double, roaming_min double, package_fee double, extra_fee double, night_data_mb double, "
    "weekend_voice_min double, month string"
)


def test_adoption_labels_exclude_holders_and_mark_adopters(spark):
    population = spark.createDataFrame([("a",), ("b",), ("c",)], "subscriber_id string")
    before = spark.createDataFrame(
        [("a", "P1", "active", D, "2026-10"), ("b", "P1", "marketed", D, "2026-10"), ("c", "P2", "cancelled", D, "2026-10")],
        STATUS,
    )
    after = spark.createDataFrame(
        [("a", "P1", "active", D, "2026-11"), ("b", "P1", "opened", D, "2026-11"), ("c", "P2", "marketed", D, "2026-11")],
        STATUS,
    )
    labels = compute_adoption_labels(population, before, after, ["P1", "P2"], ("opened", "active"))
    expected = spark.createDataFrame(
        [("a", "P2", 0), ("b", "P1", 1), ("b", "P2", 0), ("c", "P1", 0), ("c", "P2", 0)],
        "subscriber_id string, product_code string, label int",
    )
    assertDataFrameEqual(labels, expected)


def test_product_flags_per_product(spark):
    status = spark.createDataFrame(
        [("a", "P1", "active", D, "2026-10"), ("a", "P2", "marketed", D, "2026-10"), ("b", "P2", "cancelled", D, "2026-10")],
        STATUS,
    )
    flags = compute_product_flags(status, ["P1", "P2"], ("opened", "active"))
    expected = spark.createDataFrame(
        [("a", 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0), ("b", 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0)],
        "subscriber_id string, p_P1_held double, p_P1_marketed double, p_P1_cancelled double, "
        "p_P2_held double, p_P2_marketed double, p_P2_cancelled double, p_n_held double",
    )
    assertDataFrameEqual(flags, expected)


def test_features_as_of_a_month(spark):
    features = spark.createDataFrame(
        [("a", 10, 3600, "frequent", 1.5), ("b", 4, None, None, 0.2)],
        "subscriber_id string, observed_days int, dwell_s_cinema long, freq_cinema string, arpu double",
    )
    tags = spark.createDataFrame(
        [("a", "circle.pref.movie"), ("a", "value.high"), ("b", "event.basketball")],
        "subscriber_id string, tag_code string",
    )
    subscribers = spark.createDataFrame(
        [("a", "gotone", "gold", "M", 1990, D, "PK1", "active"), ("c", "mzone", "silver", "F", 2001, D, "PK2", "active")],
        "subscriber_id string, brand string, tier string, gender string, birth_year int, open_date date, "
        "package_code string, status string",
    )
    usage = spark.createDataFrame(
        [
            ("a", 50.0, 10.0, 5.0, 3, 4, 1023.0, 0.0, 38.0, 12.0, 100.0, 2.0, "2026-10"),
            ("a", 40.0, 10.0, 5.0, 3, 4, 500.0, 0.0, 38.0, 2.0, 100.0, 2.0, "2026-09"),
        ],
        USAGE,
    )
    status = spark.createDataFrame([("a", "P1", "opened", D, "2026-10")], STATUS)
    frame, names = compute_model_features(
        features, tags, ["circle.pref.movie", "event.basketball"], subscribers, usage, status,
        ["P1"], "2026-10", "2026-09", TrainingSettings(),
    )
    rows = {r["subscriber_id"]: r for r in frame.collect()}
    assert set(rows) == {"a", "c"}  # the month's subscribers; b has left
    a, c = rows["a"], rows["c"]
    assert a["arpu"] == 50.0  # BOSS of the month, not the window's features
    assert a["arpu_mom"] == 50.0 / 40.0 - 1
    assert a["log_data_mb"] == math.log1p(1023.0)
    assert a["observed_days"] == 10.0 and a["dwell_s_cinema"] == 3600.0 and a["freq_cinema_rank"] == 3.0
    assert a["t_circle_pref_movie"] == 1.0 and "t_value_high" not in names
    # Categories stay raw: the model's encoder learns their vocabulary (no per-month one-hot).
    assert a["brand"] == "gotone" and c["package_code"] == "PK2" and not [n for n in names if n.startswith("cat_")]
    assert a["p_P1_held"] == 1.0 and c["p_P1_held"] == 0.0  # no relation: 0, not unknown
    assert c["t_circle_pref_movie"] == 0.0 and c["observed_days"] is None  # no mobility: unknown
    categorical = {"brand", "tier", "gender", "status", "package_code"}
    assert categorical <= set(names)
    assert all(frame.schema[n].dataType.typeName() == ("string" if n in categorical else "double") for n in names)
    _, fewer = compute_model_features(
        features, tags, ["circle.pref.movie"], subscribers, usage, status,
        ["P1"], "2026-10", "2026-09", TrainingSettings(exclude_features=("^dwell_s_", "^brand$"), top_packages=0),
    )
    assert set(names) - set(fewer) == {"dwell_s_cinema", "brand", "package_code", "t_event_basketball"}


def test_bad_exclude_pattern_is_refused():
    with pytest.raises(ValueError, match="is not a regular expression"):
        TrainingSettings(exclude_features=("dwell_s_(",))


def test_training_sample_weights_undo_subsampling(spark):
    labels = spark.range(20000).select(
        F.col("id").cast("string").alias("subscriber_id"),
        F.lit("P1").alias("product_code"),
        (F.col("id") % 100 == 0).cast("int").alias("label"),
    )
    sample = compute_training_sample(labels, {"P1": (1.0, 0.1)}, seed=3)
    stats = sample.groupBy("label").agg(F.count(F.lit(1)).alias("n"), F.sum("weight").alias("w")).collect()
    by = {r["label"]: r for r in stats}
    assert by[1]["n"] == 200 and by[1]["w"] == 200.0
    assert 1600 < by[0]["n"] < 2360
    assert by[0]["w"] == by[0]["n"] * 10.0


def test_each_product_gets_its_own_task(spark):
    products = [f"P{i}" for i in range(12)]
    rows = spark.createDataFrame([(p, i) for i in range(5) for p in products], "product_code string, x int")
    slotted, n = with_task_slots(rows, products)
    parts = (
        slotted.repartition(n, "slot")
        .select("product_code", F.spark_partition_id().alias("part"))
        .distinct()
        .collect()
    )
    part_of = {r["product_code"]: r["part"] for r in parts}
    assert len(parts) == 12 and sorted(part_of.values()) == list(range(12))


def _labels(spark, n: int = 6000):
    return spark.range(n).select(
        F.format_string("s%05d", F.col("id")).alias("subscriber_id"),
        F.when(F.col("id") % 2 == 0, "P1").otherwise("P2").alias("product_code"),
        (F.col("id") % 37 == 0).cast("int").alias("label"),
        F.when(F.col("id") % 3 == 0, "2026-09").otherwise("2026-10").alias("feature_month"),
    )


def test_training_sample_is_the_same_whatever_the_partitioning(spark):
    labels = _labels(spark)
    fractions = {"P1": (1.0, 0.3), "P2": (1.0, 0.5)}

    def kept(frame):
        return sorted(map(tuple, compute_training_sample(frame, fractions, seed=7).collect()))

    one = kept(labels.coalesce(1))
    assert one == kept(labels.repartition(7, "label").sortWithinPartitions(F.desc("subscriber_id")))
    other_seed = sorted(map(tuple, compute_training_sample(labels, fractions, seed=8).collect()))
    assert other_seed != one


def test_training_digest_is_order_free_and_sees_every_value(spark):
    rows = [("s1", "P1", 1.0, None), ("s2", "P1", None, 2.0), ("s3", "P2", 3.0, 4.0)]
    schema = "subscriber_id string, product_code string, a double, b double"

    def digests(data, partitions=1):
        frame = spark.createDataFrame(data, schema).repartition(partitions)
        return {r["product_code"]: (r["rows"], r["digest"]) for r in compute_training_digests(frame, ["subscriber_id", "a", "b"]).collect()}

    base = digests(rows)
    assert base == digests(list(reversed(rows)), partitions=3)
    assert base["P1"][0] == 2
    moved = digests([("s1", "P1", None, 1.0), *rows[1:]])  # a null on the other side
    assert moved["P1"] != base["P1"] and moved["P2"] == base["P2"]
    assert digests([("s1", "P1", 1.5, None), *rows[1:]])["P1"] != base["P1"]
