"""Model inputs: one numeric row per subscriber as of a month, adoption labels, training samples.

Time alignment (DESIGN.md): for period M the models learn from the latest transition the data
holds, features as of M−1 → adopted in M, and scoring applies them to features as of M. "As of a
month" means the BOSS background and usage and the VGOP relations of that month; mobility columns
and mobility-based tags come from the latest profile window (period M) in both cases, because
signaling is kept for a window only and a subscriber's life form changes slowly. BOSS- and
VGOP-based tags are never used as features: computed for M they would leak the label month.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.features.consumption import compute_boss_features
from lifecircle.features.schema import BOSS_COLUMNS, FREQ_RANK
from lifecircle.models.settings import TrainingSettings

# Feature name prefixes whose missing value means "no" (0), not "unknown" (NaN).
INDICATOR_PREFIXES = ("t_", "cat_", "p_")
_NUMERIC = (T.IntegerType, T.LongType, T.DoubleType, T.FloatType, T.ShortType, T.DecimalType)
_BOSS_NAMES = {name for name, _ in BOSS_COLUMNS}
# Passed raw (strings) to the model, whose one-hot encoder learns the vocabulary at training and
# carries it into scoring (training.build_estimator); null is the category MISSING_CATEGORY.
CATEGORICAL = ("brand", "tier", "gender", "status", "package_code")
_LOG_VOLUMES = ("data_mb", "sms_out", "sms_in", "voice_out_min", "voice_in_min", "night_data_mb", "roaming_min")


def feature_token(text: str) -> str:
    """A column-name-safe rendering of a code or category value (dots and spaces → ``_``)."""
    return re.sub(r"[^0-9A-Za-z_\u4e00-\u9fff]", "_", text)


def held_column(product_code: str) -> str:
    return f"p_{feature_token(product_code)}_held"


def mobility_columns(features: DataFrame) -> list[str]:
    """The numeric mobility columns of ``models/features`` (its BOSS columns are month-specific)."""
    return [
        f.name
        for f in features.schema.fields
        if isinstance(f.dataType, _NUMERIC) and f.name not in _BOSS_NAMES
    ]


def compute_tag_indicators(tags: DataFrame, tag_codes: Sequence[str]) -> DataFrame:
    """subscriber_id + one 0/1 column ``t_<code>`` per tag code."""
    names = {code: f"t_{feature_token(code)}" for code in tag_codes}
    return (
        tags.where(F.col("tag_code").isin(list(tag_codes)))
        .groupBy("subscriber_id")
        .agg(*[F.max((F.col("tag_code") == F.lit(c)).cast("double")).alias(n) for c, n in names.items()])
    )


def compute_product_flags(status: DataFrame, products: Sequence[str], hold_statuses: Sequence[str]) -> DataFrame:
    """subscriber_id + per product ``p_<code>_held`` / ``_marketed`` / ``_cancelled`` (0/1) and the
    number of products held, from one month of raw/product_status."""
    held = F.col("status").isin(list(hold_statuses))
    aggs: list[Column] = []
    for code in products:
        this = F.col("product_code") == F.lit(code)
        token = feature_token(code)
        aggs += [
            F.max((this & held).cast("double")).alias(f"p_{token}_held"),
            F.max((this & (F.col("status") == "marketed")).cast("double")).alias(f"p_{token}_marketed"),
            F.max((this & (F.col("status") == "cancelled")).cast("double")).alias(f"p_{token}_cancelled"),
        ]
    aggs.append(F.count(F.when(held, F.lit(1))).cast("double").alias("p_n_held"))
    return status.where(F.col("product_code").isin(list(products))).groupBy("subscriber_id").agg(*aggs)


def compute_model_features(
    features: DataFrame,
    tags: DataFrame,
    tag_codes: Sequence[str],
    subscribers: DataFrame,
    usage: DataFrame,
    status: DataFrame,
    products: Sequence[str],
    month: str,
    prev_month: str,
    settings: TrainingSettings,
) -> tuple[DataFrame, list[str]]:
    """One row per subscriber of ``subscribers`` (the month's snapshot): ``subscriber_id``, numeric
    feature columns (double; null = unknown) and the raw CATEGORICAL columns (string). Returns the
    frame and its feature names.

    ``features`` and ``tags`` are the latest window's models/features and tags/customer_tags;
    ``usage`` holds raw/usage of ``month`` and ``prev_month``; ``status`` raw/product_status of ``month``.
    """
    boss = compute_boss_features(subscribers, usage, month, prev_month)
    boss_cols: list[Column] = [
        F.col(name).cast("double").alias(name)
        for name, dtype in BOSS_COLUMNS
        if isinstance(dtype, _NUMERIC)
    ]
    boss_cols += [F.log1p(F.greatest(F.col(c).cast("double"), F.lit(0.0))).alias(f"log_{c}") for c in _LOG_VOLUMES]
    boss_cols += [
        F.col(c).cast("string").alias(c) for c in CATEGORICAL if c != "package_code" or settings.top_packages
    ]
    boss_frame = boss.select("subscriber_id", *boss_cols)

    mob_names = mobility_columns(features)
    freq = [
        F.coalesce(
            F.create_map(*[x for k, v in FREQ_RANK.items() for x in (F.lit(k), F.lit(float(v)))])[F.col(f.name)],
            F.lit(0.0),
        ).alias(f"{f.name}_rank")
        for f in features.schema.fields
        if f.name.startswith("freq_") and isinstance(f.dataType, T.StringType)
    ]
    mob_frame = features.select(
        "subscriber_id", *[F.col(c).cast("double").alias(c) for c in mob_names], *freq
    )
    tag_frame = compute_tag_indicators(tags, tag_codes)
    flag_frame = compute_product_flags(status, products, settings.hold_statuses)

    population = subscribers.select("subscriber_id").distinct()
    joined = (
        population.join(boss_frame, on="subscriber_id", how="left")
        .join(mob_frame, on="subscriber_id", how="left")
        .join(tag_frame, on="subscriber_id", how="left")
        .join(flag_frame, on="subscriber_id", how="left")
    )
    excluded = [re.compile(p) for p in settings.exclude_features]
    names = [c for c in joined.columns if c != "subscriber_id" and not any(p.search(c) for p in excluded)]
    filled = [
        F.coalesce(F.col(c), F.lit(0.0)).alias(c) if c.startswith(INDICATOR_PREFIXES) else F.col(c)
        for c in names
    ]
    return joined.select("subscriber_id", *filled), names


def compute_adoption_labels(
    population: DataFrame,
    status_before: DataFrame,
    status_after: DataFrame,
    products: Sequence[str],
    hold_statuses: Sequence[str],
) -> DataFrame:
    """subscriber_id, product_code, label: for every subscriber of ``population`` and product they
    did not hold at the end of the earlier month, 1 when they hold it at the end of the later one."""
    spark = population.sparkSession
    product_frame = spark.createDataFrame([(p,) for p in products], "product_code string")

    def holders(status: DataFrame) -> DataFrame:
        return (
            status.where(F.col("status").isin(list(hold_statuses)))
            .select("subscriber_id", "product_code")
            .distinct()
        )

    return (
        population.select("subscriber_id")
        .distinct()
        .crossJoin(F.broadcast(product_frame))
        .join(holders(status_before), on=["subscriber_id", "product_code"], how="left_anti")
        .join(
            holders(status_after).withColumn("label", F.lit(1)), on=["subscriber_id", "product_code"], how="left"
        )
        .select("subscriber_id", "product_code", F.coalesce(F.col("label"), F.lit(0)).alias("label"))
    )


def sampling_fractions(counts: dict[str, tuple[int, int]], settings: TrainingSettings) -> dict[str, tuple[float, float]]:
    """Per product (positive fraction, negative fraction) to keep: all positives while they fit in
    half the row budget, negatives up to ``negatives_per_positive`` each and the rest of the budget."""
    out = {}
    budget = settings.max_rows_per_product
    for code, (pos, neg) in counts.items():
        pos_f = 1.0 if pos <= budget // 2 else (budget // 2) / pos
        kept_pos = pos * pos_f
        cap = budget - kept_pos
        if settings.negatives_per_positive:
            cap = min(cap, settings.negatives_per_positive * max(kept_pos, 1.0))
        neg_f = 1.0 if neg <= cap else cap / neg
        out[code] = (pos_f, neg_f)
    return out


def hash_unit(keys: Sequence[Column], seed: int) -> Column:
    """A number in [0, 1) from an xxhash64 of ``keys`` and ``seed``: a row draws the same number
    whatever the partitioning or row order (``F.rand`` draws per partition, so it does not)."""
    return F.pmod(F.xxhash64(*keys, F.lit(seed)), F.lit(1 << 53)).cast("double") / float(1 << 53)


def compute_training_sample(
    labels: DataFrame, fractions: dict[str, tuple[float, float]], seed: int
) -> DataFrame:
    """labels + ``weight`` (1 / kept fraction), keeping a seeded share per product and class, so
    weighted statistics of the sample are those of the whole population. A row is kept when the
    hash of its keys (subscriber, product, feature month) falls under its fraction: the same
    labels give the same sample on any cluster."""
    frac = F.create_map(
        *[x for code, (p, n) in fractions.items() for x in (F.lit(code), F.array(F.lit(p), F.lit(n)))]
    )[F.col("product_code")]
    kept = F.when(F.col("label") == 1, frac[0]).otherwise(frac[1])
    keys = [F.col(c) for c in ("subscriber_id", "product_code", "feature_month") if c in labels.columns]
    return (
        labels.where(F.col("product_code").isin(list(fractions)))
        .withColumn("_keep", kept)
        .where(hash_unit(keys, seed) < F.col("_keep"))
        .select(
            *[c for c in labels.columns if c not in ("_keep",)],
            (F.lit(1.0) / F.col("_keep")).alias("weight"),
        )
    )


def compute_training_digests(training: DataFrame, columns: Sequence[str]) -> DataFrame:
    """product_code, rows, digest: per product an order-free digest of its training rows (the sum
    of each row's xxhash64 over ``columns``), equal for equal content however it is partitioned.
    Each value is hashed with its null flag, so a null never shifts into the next column."""
    row_hash = F.xxhash64(*[x for c in columns for x in (F.col(c).isNull(), F.col(c))])
    return training.groupBy("product_code").agg(
        F.count(F.lit(1)).alias("rows"),
        # Decimal: a sum of 64-bit hashes overflows a long (an error under ANSI mode).
        F.sum(row_hash.cast("decimal(38,0)")).cast("string").alias("digest"),
    )


def with_task_slots(df: DataFrame, products: Sequence[str]) -> tuple[DataFrame, int]:
    """Adds ``slot`` so that ``repartition(n, "slot")`` puts each product in its own partition:
    each product gets a key whose Spark hash lands in a distinct partition, so one task trains
    exactly one product whatever the hash of the product codes would have done."""
    n = len(products)
    spark = df.sparkSession
    rows = (
        spark.range(0, 64 * max(n, 1))
        .select("id", F.pmod(F.hash(F.col("id")), F.lit(n)).alias("part"))
        .collect()
    )
    key_of_part: dict[int, int] = {}
    for r in sorted(rows, key=lambda r: r["id"]):
        key_of_part.setdefault(r["part"], r["id"])
    if len(key_of_part) < n:
        raise RuntimeError(f"no distinct task keys for {n} products")
    slot = F.create_map(*[x for i, code in enumerate(products) for x in (F.lit(code), F.lit(key_of_part[i]))])
    return df.withColumn("slot", slot[F.col("product_code")].cast("long")), n
