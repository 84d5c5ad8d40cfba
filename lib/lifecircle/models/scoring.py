"""The matching matrix: every subscriber × every modelled product they do not hold, scored by the
product's calibrated model in Arrow batches, then ranked both ways.

The models travel to the executors once, in one broadcast, and are unpickled once per Python
worker (cached by broadcast id), not once per batch. Each model is a Pipeline that encodes the
raw categorical columns with the vocabulary it learnt at training; what the month's data holds
that a model never saw (a column, a category value) is counted on the driver and reported by the
score job, not filled in silence.
"""

from __future__ import annotations

import pickle
import uuid
import warnings
from collections.abc import Iterator, Sequence

import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.models.dataset import CATEGORICAL, held_column
from lifecircle.models.training import MISSING_CATEGORY, model_categories, model_frame

SCORE_SCHEMA = T.StructType(
    [
        T.StructField("subscriber_id", T.StringType()),
        T.StructField("product_code", T.StringType()),
        T.StructField("probability", T.DoubleType()),
        T.StructField("model_version", T.StringType()),
    ]
)

_LOADED: dict[str, list[tuple[str, str, list[str], object]]] = {}


def _models(token: str, broadcast) -> list[tuple[str, str, list[str], object]]:
    """The broadcast models, unpickled once per Python worker (workers are reused across tasks)."""
    if token not in _LOADED:
        _LOADED.clear()
        _LOADED[token] = pickle.loads(broadcast.value)
    return _LOADED[token]


def align_features(pdf: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The model's columns in its order, as at training (training.model_frame)."""
    return model_frame(pdf, names)


def score_batch(pdf: pd.DataFrame, models: Sequence[tuple[str, str, list[str], object]]) -> pd.DataFrame:
    """Long rows (subscriber_id, product_code, probability, model_version) for the products each
    subscriber of the batch does not hold."""
    parts = []
    for code, version, names, model in models:
        held = pdf.get(held_column(code))
        rows = pdf if held is None else pdf[held.fillna(0.0).to_numpy() < 0.5]
        if rows.empty:
            continue
        with warnings.catch_warnings():
            # Unknown categories are expected and counted by the score job (compute_category_counts).
            warnings.filterwarnings("ignore", message=".*unknown categories.*")
            p = model.predict_proba(align_features(rows, names))[:, 1]
        parts.append(
            pd.DataFrame(
                {
                    "subscriber_id": rows["subscriber_id"].to_numpy(),
                    "product_code": code,
                    "probability": p.astype("float64"),
                    "model_version": version,
                }
            )
        )
    if not parts:
        return pd.DataFrame({f.name: pd.Series(dtype="object") for f in SCORE_SCHEMA.fields})
    return pd.concat(parts, ignore_index=True)


def compute_scores(model_features: DataFrame, models: Sequence[tuple[str, str, object]]) -> DataFrame:
    """``models``: (product_code, model_version, fitted estimator with ``feature_names_in_``)."""
    spark = model_features.sparkSession
    payload = [(code, version, [str(n) for n in m.feature_names_in_], m) for code, version, m in models]
    needed = sorted({n for _, _, names, _ in payload for n in names} | {held_column(c) for c, *_ in payload})
    present = [c for c in needed if c in model_features.columns]
    bc = spark.sparkContext.broadcast(pickle.dumps(payload))
    token = uuid.uuid4().hex
    schema = pa.schema([pa.field(f.name, pa.float64() if f.name == "probability" else pa.string()) for f in SCORE_SCHEMA])

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from threadpoolctl import threadpool_limits

        loaded = _models(token, bc)
        with threadpool_limits(1):
            for batch in batches:
                out = score_batch(batch.to_pandas(), loaded)
                yield pa.RecordBatch.from_pandas(out, schema=schema, preserve_index=False)

    return model_features.select("subscriber_id", *present).mapInArrow(score, SCORE_SCHEMA)


def compute_matrix(scores: DataFrame, period: str) -> DataFrame:
    """Scores → the matrix: score 0–100, the product's rank for the customer (1 = best) and the
    customer's percentile among the product's scored customers (share with a lower probability).

    The percentile is exact (a sort per product); an approximate quantile grid would need a
    per-row search over the grid, which costs more than the sort at any size tried."""
    by_customer = Window.partitionBy("subscriber_id").orderBy(F.desc("probability"), F.asc("product_code"))
    by_product = Window.partitionBy("product_code").orderBy(F.asc("probability"))
    return scores.select(
        "subscriber_id",
        "product_code",
        F.round(F.col("probability") * 100).cast("int").alias("score"),
        "probability",
        F.row_number().over(by_customer).cast("int").alias("customer_rank"),
        F.round(F.percent_rank().over(by_product) * 100, 1).alias("product_percentile"),
        "model_version",
        F.lit(period).alias("period"),
    )


def top_products_per_customer(matrix: DataFrame, n: int) -> DataFrame:
    return matrix.where(F.col("customer_rank") <= n).orderBy("subscriber_id", "customer_rank")


def top_customers_per_product(matrix: DataFrame, n: int) -> DataFrame:
    by_product = Window.partitionBy("product_code").orderBy(F.desc("probability"), F.asc("subscriber_id"))
    return (
        matrix.withColumn("product_rank", F.row_number().over(by_product))
        .where(F.col("product_rank") <= n)
        .orderBy("product_code", "product_rank")
    )


def compute_category_counts(model_features: DataFrame) -> DataFrame:
    """column, value, subscribers: how many of the month's subscribers carry each value of each
    categorical column (null as MISSING_CATEGORY). Bounded by the vocabulary, not by subscribers."""
    columns = [c for c in CATEGORICAL if c in model_features.columns]
    if not columns:
        return model_features.sparkSession.createDataFrame([], "column string, value string, subscribers long")
    pairs = F.explode(
        F.array(
            *[
                F.struct(
                    F.lit(c).alias("column"),
                    F.coalesce(F.col(c).cast("string"), F.lit(MISSING_CATEGORY)).alias("value"),
                )
                for c in columns
            ]
        )
    )
    return (
        model_features.select(pairs.alias("p"))
        .groupBy(F.col("p.column").alias("column"), F.col("p.value").alias("value"))
        .agg(F.count(F.lit(1)).alias("subscribers"))
    )


def unknown_categories(model, counts: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """Per categorical column of ``model``: {value: subscribers} of the month's values its encoder
    never learnt (they score as no known category). ``counts``: compute_category_counts, collected."""
    out: dict[str, dict[str, int]] = {}
    for column, known in model_categories(model).items():
        unseen = {v: n for (c, v), n in sorted(counts.items()) if c == column and v not in known}
        if unseen:
            out[column] = unseen
    return out


def missing_columns(model, columns: Sequence[str]) -> list[str]:
    """The model's input columns the month's frame lacks (scored as 0 for indicators, else unknown)."""
    have = set(columns)
    return [str(n) for n in model.feature_names_in_ if str(n) not in have]
