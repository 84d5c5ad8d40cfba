"""Tags in one pass: every definition of the catalogue becomes one ``when`` inside a single select
over ``models/features``, the matches are exploded into long rows, and life-circle tags get their
landmark from one join with the subscriber's dwelled places. The number of Spark jobs does not
depend on the number of tags.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.features import vocab
from lifecircle.tags.language import TagDef

CHUNK = 64  # tags per array literal (keeps each generated expression small)



def _entry(tag: TagDef) -> Column:
    value = F.expr(tag.value).cast("string") if tag.value else F.lit(None).cast("string")
    return F.when(F.expr(tag.when), F.struct(F.lit(tag.code).alias("tag_code"), value.alias("value")))


def compile_tags(features: DataFrame, tags: Sequence[TagDef]) -> DataFrame:
    """subscriber_id, tag_code, value for every tag that holds: one projection, one explode."""
    if not tags:
        return features.sparkSession.createDataFrame(
            [], "subscriber_id string, tag_code string, value string"
        )
    chunks = [F.array(*[_entry(t) for t in tags[i : i + CHUNK]]) for i in range(0, len(tags), CHUNK)]
    hits = F.filter(chunks[0] if len(chunks) == 1 else F.concat(*chunks), lambda x: x.isNotNull())
    return features.select(F.col("subscriber_id"), F.explode(hits).alias("t")).select(
        F.col("subscriber_id"), F.col("t.tag_code").alias("tag_code"), F.col("t.value").alias("value")
    )


def landmark_candidates(dwell_place: DataFrame, pcat: DataFrame) -> DataFrame:
    """subscriber_id, key, place_id, name, is_landmark, dwell_s: every dwelled place under each key
    it answers to (cat:<c>, grp:<g>, dist:<district>, place:<id>)."""
    spark = dwell_place.sparkSession
    groups = spark.createDataFrame(
        [(c, f"grp:{g}") for c, g in vocab.category_groups()], "cat string, gkey string"
    )
    per_place = (
        dwell_place.where(F.col("place_id").isNotNull())
        .groupBy("subscriber_id", "place_id")
        .agg(F.sum("dwell_s").alias("dwell_s"))
    )
    placed = per_place.join(F.broadcast(pcat), "place_id")
    grouped = (
        placed.join(F.broadcast(groups), "cat", "left")
        .groupBy("subscriber_id", "place_id", "name", "is_landmark", "dwell_s", "cat", "place_district")
        .agg(F.collect_set("gkey").alias("gkeys"))
    )
    keys = F.concat(
        F.array(
            F.concat(F.lit("place:"), F.col("place_id")),
            F.concat(F.lit("cat:"), F.col("cat")),
            F.concat(F.lit("dist:"), F.col("place_district")),
        ),
        F.col("gkeys"),
    )
    return grouped.select(
        "subscriber_id",
        F.explode(F.filter(keys, lambda k: k.isNotNull())).alias("key"),
        "place_id",
        "name",
        "is_landmark",
        "dwell_s",
    )


def attach_landmarks(
    spark: SparkSession, hits: DataFrame, tags: Sequence[TagDef], candidates: DataFrame
) -> DataFrame:
    """Each hit of a tag with a landmark rule gets the most-dwelled landmark place among the rule's
    places, else the most-dwelled place among them (ties: lowest place_id); others get nulls."""
    rules = [(t.code, key) for t in tags for key in t.landmark]
    if not rules:
        return hits.withColumn("landmark_place_id", F.lit(None).cast("string")).withColumn(
            "landmark_name", F.lit(None).cast("string")
        )
    mapping = spark.createDataFrame(rules, "tag_code string, key string")
    ranked = Window.partitionBy("subscriber_id", "tag_code").orderBy(
        F.col("is_landmark").desc(), F.col("dwell_s").desc(), F.col("place_id")
    )
    best = (
        hits.select("subscriber_id", "tag_code")
        .join(F.broadcast(mapping), "tag_code")
        .join(candidates, ["subscriber_id", "key"])
        .withColumn("_r", F.row_number().over(ranked))
        .where(F.col("_r") == 1)
        .select(
            "subscriber_id",
            "tag_code",
            F.col("place_id").alias("landmark_place_id"),
            F.col("name").alias("landmark_name"),
        )
    )
    return hits.join(best, ["subscriber_id", "tag_code"], "left")


def catalog_frame(
    spark: SparkSession, tags: Sequence[TagDef], coverage: dict[str, int], population: int, period: str
) -> DataFrame:
    rows = []
    for t in tags:
        levels = [*t.level, None, None][:3]
        n = int(coverage.get(t.code, 0))
        rows.append(
            (
                t.code,
                t.name,
                *levels,
                t.level_path,
                t.kind,
                t.source,
                t.family,
                t.when,
                t.value,
                ",".join(t.landmark) or None,
                t.file,
                n,
                (n / population) if population else 0.0,
                period,
            )
        )
    return spark.createDataFrame(rows, tables.CATALOG.schema)
