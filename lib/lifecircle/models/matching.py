"""Initial matching (初始化匹配): per life circle, which products it accepts most.

Objective: among a circle's members, the share at each acceptance level (cumulative: marketed ⊂
opened ⊂ active, so "opened" counts opened and active relations) at the end of the period, and the
lift over the whole population's share. Subjective: the expert choices of ``conf/products.yaml``.
A circle's focus list holds its expert choices and its best objective products (lift at the
ranking level ≥ ``min_lift``, among the ``top_n``), each marked with where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import base_conf_dir, read_yaml
from lifecircle.errors import ConfigError
from lifecircle.models.settings import MatchingSettings

LEVELS = {"marketed": ("marketed", "opened", "active"), "opened": ("opened", "active"), "active": ("active",)}



def products_file(path: str) -> Path:
    return Path(path) if path else base_conf_dir() / "products.yaml"


def load_expert_choices(path: Path, circle_prefixes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """``circles: {circle_code: [product_code, …]}`` from the products file, validated."""
    data = read_yaml(path)
    if set(data) - {"circles"}:
        raise ConfigError(f"{path}: top level must be a mapping with the single key 'circles'")
    circles = data.get("circles") or {}
    if not isinstance(circles, Mapping):
        raise ConfigError(f"{path}: key 'circles' must map circle codes to product code lists")
    out: dict[str, tuple[str, ...]] = {}
    for circle, products in circles.items():
        if not str(circle).startswith(tuple(circle_prefixes)):
            raise ConfigError(
                f"{path}: key 'circles.{circle}' is not a circle code (prefixes: {', '.join(circle_prefixes)})"
            )
        if not isinstance(products, list) or not all(isinstance(p, str | int) for p in products):
            raise ConfigError(f"{path}: key 'circles.{circle}' must be a list of product codes (quote them)")
        if any(isinstance(p, int) for p in products):
            raise ConfigError(
                f"{path}: key 'circles.{circle}' has an unquoted product code; codes are strings, write \"1001\""
            )
        out[str(circle)] = tuple(products)
    return out


def compute_circle_acceptance(
    members: DataFrame, status: DataFrame, population: DataFrame, products: Sequence[str]
) -> DataFrame:
    """circle_code × product_code: members, rate_<level> and lift_<level> for the three levels.

    ``members``: subscriber_id, circle_code; ``status``: raw/product_status of the month;
    ``population``: the month's subscribers (the base of the lift)."""
    spark = members.sparkSession
    product_frame = spark.createDataFrame([(p,) for p in products], "product_code string")
    level_flags = (
        status.where(F.col("product_code").isin(list(products)))
        .groupBy("subscriber_id", "product_code")
        .agg(*[F.max(F.col("status").isin(list(s)).cast("int")).alias(f"at_{lv}") for lv, s in LEVELS.items()])
    )
    pop = population.select("subscriber_id").distinct()
    base = (
        pop.crossJoin(F.broadcast(product_frame))
        .join(level_flags, on=["subscriber_id", "product_code"], how="left")
        .groupBy("product_code")
        .agg(*[F.avg(F.coalesce(F.col(f"at_{lv}"), F.lit(0))).alias(f"base_{lv}") for lv in LEVELS])
    )
    circle_sizes = members.groupBy("circle_code").agg(F.countDistinct("subscriber_id").alias("members"))
    counts = (
        members.select("subscriber_id", "circle_code")
        .distinct()
        .join(level_flags, on="subscriber_id", how="inner")
        .groupBy("circle_code", "product_code")
        .agg(*[F.sum(F.col(f"at_{lv}")).alias(f"n_{lv}") for lv in LEVELS])
    )
    rates = (
        circle_sizes.crossJoin(F.broadcast(product_frame))
        .join(counts, on=["circle_code", "product_code"], how="left")
        .join(F.broadcast(base), on="product_code", how="left")
    )
    return _with_rates(rates)


def _with_rates(rates: DataFrame) -> DataFrame:
    out = rates.select(
        "circle_code",
        "product_code",
        F.col("members").cast("long").alias("members"),
        *[(F.coalesce(F.col(f"n_{lv}"), F.lit(0)) / F.col("members")).cast("double").alias(f"rate_{lv}") for lv in LEVELS],
        *[F.col(f"base_{lv}") for lv in LEVELS],
    )
    return out.select(
        "circle_code",
        "product_code",
        "members",
        *[f"rate_{lv}" for lv in LEVELS],
        *[
            F.when(F.col(f"base_{lv}") > 0, F.col(f"rate_{lv}") / F.col(f"base_{lv}")).cast("double").alias(f"lift_{lv}")
            for lv in LEVELS
        ],
    )


def compute_focus_products(
    acceptance: DataFrame, expert: Mapping[str, Sequence[str]], settings: MatchingSettings, period: str
) -> DataFrame:
    """Adds the objective rank, the expert / objective / focus flags and the source."""
    spark = acceptance.sparkSession
    pairs = [(c, p) for c, ps in expert.items() for p in ps]
    expert_frame = spark.createDataFrame(pairs, "circle_code string, product_code string").withColumn(
        "expert", F.lit(True)
    )
    lift = F.col(f"lift_{settings.rank_level}")
    by_circle = Window.partitionBy("circle_code").orderBy(F.desc_nulls_last(lift), F.asc("product_code"))
    ranked = acceptance.withColumn("objective_rank", F.row_number().over(by_circle).cast("int"))
    objective = (
        (F.col("members") >= settings.min_members)
        & (lift >= settings.min_lift)
        & (F.col("objective_rank") <= settings.top_n)
    )
    flagged = (
        ranked.join(F.broadcast(expert_frame), on=["circle_code", "product_code"], how="left")
        .withColumn("expert", F.coalesce(F.col("expert"), F.lit(False)))
        .withColumn("objective", F.coalesce(objective, F.lit(False)))
    )
    source = (
        F.when(F.col("expert") & F.col("objective"), "both")
        .when(F.col("expert"), "expert")
        .when(F.col("objective"), "objective")
    )
    return flagged.select(
        *[f.name for f in tables.CIRCLE_PRODUCTS.schema.fields if f.name not in ("focus", "source", "period", "expert", "objective")],
        "expert",
        "objective",
        (F.col("expert") | F.col("objective")).alias("focus"),
        source.alias("source"),
        F.lit(period).alias("period"),
    ).select(*[F.col(f.name).cast(f.dataType) for f in tables.CIRCLE_PRODUCTS.schema.fields])


def expert_notes(expert: Mapping[str, Sequence[str]], products: Sequence[str], circles: Sequence[str]) -> list[str]:
    """Expert choices naming products or circles the data does not hold (worth telling, not fatal)."""
    known = set(products)
    notes = [f"{c}: product {p} is not in the data" for c, ps in expert.items() for p in ps if p not in known]
    notes += [f"{c}: no subscriber holds this circle" for c in expert if c not in set(circles)]
    return notes
