"""Scoring and ranking the matrix on tiny frames with tiny fitted models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual
from sklearn.linear_model import LogisticRegression

from lifecircle import tables
from lifecircle.models.scoring import (
    SCORE_SCHEMA,
    align_features,
    compute_category_counts,
    compute_matrix,
    compute_scores,
    missing_columns,
    score_batch,
    top_customers_per_product,
    top_products_per_customer,
    unknown_categories,
)
from lifecircle.models.settings import TrainingSettings
from lifecircle.models.training import build_estimator


def shape(schema):
    return [(f.name, f.dataType) for f in schema.fields]


def fitted(feature: str, sign: float) -> LogisticRegression:
    x = pd.DataFrame({feature: np.linspace(-3, 3, 200), "t_other": 0.0})
    y = (sign * x[feature] > 0).astype(int)
    return LogisticRegression().fit(x, y)


def test_align_features_fills_indicators_with_zero_and_others_unknown():
    pdf = pd.DataFrame({"a": [1, 2]})
    out = align_features(pdf, ["t_circle", "a", "arpu"])
    assert list(out.columns) == ["t_circle", "a", "arpu"]
    assert out["t_circle"].tolist() == [0.0, 0.0] and out["arpu"].isna().all()


def test_score_batch_skips_held_products():
    models = [("P1", "3", ["x", "t_other"], fitted("x", 1)), ("P2", "1", ["x", "t_other"], fitted("x", -1))]
    pdf = pd.DataFrame({"subscriber_id": ["a", "b"], "x": [2.0, -2.0], "p_P1_held": [1.0, 0.0]})
    out = score_batch(pdf, models)
    assert sorted(zip(out["subscriber_id"], out["product_code"], strict=True)) == [("a", "P2"), ("b", "P1"), ("b", "P2")]
    by = {(r.subscriber_id, r.product_code): r for r in out.itertuples()}
    assert by[("b", "P2")].probability > 0.5 > by[("b", "P1")].probability
    assert by[("b", "P1")].model_version == "3"


def test_scores_and_matrix_ranks(spark):
    features = spark.createDataFrame(
        [(f"s{i}", float(x), 1.0 if i == 0 else 0.0) for i, x in enumerate([2.0, 1.0, -1.0, -2.0])],
        "subscriber_id string, x double, p_P1_held double",
    )
    models = [("P1", "3", fitted("x", 1)), ("P2", "1", fitted("x", -1))]
    scores = compute_scores(features, models)
    assert shape(scores.schema) == shape(SCORE_SCHEMA)
    matrix = compute_matrix(scores, "2026-11")
    assert shape(matrix.schema) == shape(tables.MATCHING_MATRIX.schema)
    rows = {(r["subscriber_id"], r["product_code"]): r for r in matrix.collect()}
    assert ("s0", "P1") not in rows and len(rows) == 7  # s0 holds P1
    assert rows[("s1", "P1")]["customer_rank"] == 1 and rows[("s1", "P2")]["customer_rank"] == 2
    assert rows[("s3", "P2")]["customer_rank"] == 1
    assert rows[("s1", "P1")]["score"] == round(100 * rows[("s1", "P1")]["probability"])
    # Percentile: share of the product's other scored customers with a lower probability.
    assert [rows[(s, "P1")]["product_percentile"] for s in ("s3", "s2", "s1")] == [0.0, 50.0, 100.0]
    assert rows[("s1", "P2")]["product_percentile"] == pytest.approx(100 / 3, abs=0.1)
    assert rows[("s3", "P2")]["product_percentile"] == 100.0
    assert {r["model_version"] for r in rows.values() if r["product_code"] == "P1"} == {"3"}

    best = top_products_per_customer(matrix, 1).select("subscriber_id", "product_code")
    assertDataFrameEqual(
        best,
        spark.createDataFrame(
            [("s0", "P2"), ("s1", "P1"), ("s2", "P2"), ("s3", "P2")], "subscriber_id string, product_code string"
        ),
    )
    fans = top_customers_per_product(matrix, 2).where(F.col("product_code") == "P2")
    assert [r["subscriber_id"] for r in fans.collect()] == ["s3", "s2"]


def test_unknown_categories_and_missing_columns_are_counted(spark):
    x = pd.DataFrame({"brand": ["gotone", "mzone"] * 50, "package_code": ["PK1"] * 60 + ["PK2"] * 40, "x": np.linspace(-1, 1, 100)})
    y = (x["x"] > 0).astype(int)
    model = build_estimator(TrainingSettings(), ["brand", "package_code"]).fit(x, y)
    month = spark.createDataFrame(
        [("a", "gotone", "PK1", 1.0), ("b", "easyown", "PK1", 0.0), ("c", None, "PK7", 0.0), ("d", None, "PK7", -1.0)],
        "subscriber_id string, brand string, package_code string, x double",
    )
    counts = {(r["column"], r["value"]): r["subscribers"] for r in compute_category_counts(month).collect()}
    assert counts[("brand", "(missing)")] == 2 and counts[("package_code", "PK7")] == 2
    assert unknown_categories(model, counts) == {"brand": {"(missing)": 2, "easyown": 1}, "package_code": {"PK7": 2}}
    assert missing_columns(model, ["subscriber_id", "brand", "x"]) == ["package_code"]
    assert missing_columns(model, month.columns) == []
    # Unknown values score (as no known category) instead of failing or being silently re-coded.
    scores = {r["subscriber_id"]: r["probability"] for r in compute_scores(month, [("P1", "1", model)]).collect()}
    assert set(scores) == {"a", "b", "c", "d"} and scores["a"] > scores["d"]
