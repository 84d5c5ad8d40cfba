"""dim/places in the vocabulary of the feature columns: each place's category key and groups."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle.features import vocab


def place_categories(spark: SparkSession, places: DataFrame) -> DataFrame:
    """dim/places with the vocabulary key ``cat`` (null outside the vocabulary): place_id, name,
    cat, l1, place_district, is_landmark."""
    cats = spark.createDataFrame(vocab.category_rows(), "cat string, v1 string, v2 string, v3 string")
    joined = places.join(
        F.broadcast(cats),
        (places["category_l1"] == cats["v1"])
        & (places["category_l2"] == cats["v2"])
        & (F.coalesce(places["category_l3"], F.lit("")) == F.coalesce(cats["v3"], F.lit(""))),
        "left",
    )
    return joined.select(
        F.col("place_id"),
        F.col("name"),
        F.col("cat"),
        F.col("category_l1").alias("l1"),
        F.col("district").alias("place_district"),
        F.coalesce(F.col("is_landmark").cast("boolean"), F.lit(False)).alias("is_landmark"),
    )


def keys_of_category(spark: SparkSession) -> DataFrame:
    """cat → every stay key it counts for (itself and its groups)."""
    rows = [(c, c) for c in vocab.CATEGORIES] + vocab.category_groups()
    return spark.createDataFrame(rows, "cat string, key string")
