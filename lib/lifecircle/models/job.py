"""The ``train`` and ``score`` jobs of one period (module D).

``train`` (period M): initial matching of M's circles → ``models/circle_products``; then one model per
product, all in one ``applyInPandas`` (one task each), on features as of M−1 labelled with adoption
in M; the driver logs and registers them in MLflow and writes ``models/training_status``.

``score`` (period M): each product's champion (else newest) model applied to features as of M →
``models/matching_matrix``, the calibrated probability of adopting in M+1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lifecircle.config import Config
from lifecircle.errors import InputError
from lifecircle.lake import Lake
from lifecircle.models import registry
from lifecircle.models.dataset import (
    INDICATOR_PREFIXES,
    compute_adoption_labels,
    compute_model_features,
    compute_training_sample,
    sampling_fractions,
    with_task_slots,
)
from lifecircle.models.matching import (
    compute_circle_acceptance,
    compute_focus_products,
    expert_notes,
    load_expert_choices,
    products_file,
)
from lifecircle.models.scoring import compute_matrix, compute_scores
from lifecircle.models.training import RESULT_COLUMNS, RESULT_SCHEMA, make_trainer
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job
from lifecircle.tags.job import (
    CUSTOMER_TAGS,
    FEATURES,
    PRODUCT_STATUS,
    PRODUCTS,
    SUBSCRIBERS,
    USAGE,
    prev_period,
)

CIRCLE_PRODUCTS = "models/circle_products"
TRAINING_STATUS = "models/training_status"
MATCHING_MATRIX = "models/matching_matrix"

TRAINING_STATUS_SCHEMA = T.StructType(
    [
        *[f for f in RESULT_SCHEMA.fields if f.name != "model"],
        T.StructField("model_name", T.StringType()),
        T.StructField("model_version", T.StringType()),
        T.StructField("mlflow_run_id", T.StringType()),
        T.StructField("feature_month", T.StringType()),
        T.StructField("label_month", T.StringType()),
        T.StructField("trained_at", T.TimestampType()),
        T.StructField("period", T.StringType()),
    ]
)


def _require_months(lake: Lake, table: str, months: list[str], why: str) -> None:
    if not lake.exists(table):
        raise InputError(f"{table} missing under {lake.root} ({why})")
    have = {
        r["month"]
        for r in lake.read(table, partitions={"month": months}).select("month").distinct().collect()
    }
    missing = [m for m in months if m not in have]
    if missing:
        raise InputError(f"{table} has no month {', '.join(missing)} under {lake.root} ({why})")


def _require_period(lake: Lake, table: str, period: str) -> DataFrame:
    if not lake.exists(table):
        raise InputError(f"{table} missing under {lake.root} (run tags --period {period} first)")
    frame = lake.read(table, partitions={"period": [period]})
    if frame.limit(1).count() == 0:
        raise InputError(f"{table} has no period {period} under {lake.root} (run tags --period {period} first)")
    return frame


def product_universe(lake: Lake, conf: Config) -> list[str]:
    """The configured products, else every code of dim/products and raw/product_status."""
    if conf.models.products:
        return sorted(conf.models.products)
    codes: set[str] = set()
    for table in (PRODUCTS, PRODUCT_STATUS):
        if lake.exists(table):
            codes |= {r[0] for r in lake.read(table).select("product_code").distinct().collect()}
    if not codes:
        raise InputError(f"no products under {lake.root} (dim/products and raw/product_status are empty)")
    return sorted(codes)


def model_tag_codes(tags: DataFrame, prefixes: tuple[str, ...]) -> list[str]:
    """The period's tag codes of the configured families (bounded by the catalogue, not subscribers)."""
    cond = F.lit(False)
    for p in prefixes:
        cond = cond | F.col("tag_code").startswith(p)
    return sorted(r[0] for r in tags.where(cond).select("tag_code").distinct().collect())


def period_tag_codes(lake: Lake, conf: Config, period: str) -> list[str]:
    """The period's tag codes of the families used as model features (read once per job)."""
    tags = lake.read(CUSTOMER_TAGS, partitions={"period": [period]})
    return model_tag_codes(tags, conf.models.training.tag_prefixes)


def features_as_of(
    lake: Lake, conf: Config, period: str, month: str, products: list[str], tag_codes: list[str]
) -> tuple[DataFrame, list[str]]:
    """Model features as of ``month`` with the mobility window and tags of ``period``."""
    prev = prev_period(month)
    return compute_model_features(
        features=lake.read(FEATURES, partitions={"period": [period]}),
        tags=lake.read(CUSTOMER_TAGS, partitions={"period": [period]}),
        tag_codes=tag_codes,
        subscribers=lake.read(SUBSCRIBERS, partitions={"month": [month]}),
        usage=lake.read(USAGE, partitions={"month": [month, prev]}),
        status=lake.read(PRODUCT_STATUS, partitions={"month": [month]}),
        products=products,
        month=month,
        prev_month=prev,
        settings=conf.models.training,
    )


def write_initial_matching(lake: Lake, conf: Config, period: str, products: list[str], progress: Progress):
    settings = conf.models.matching
    expert = load_expert_choices(products_file(conf.models.products_file), settings.circle_prefixes)
    tags = lake.read(CUSTOMER_TAGS, partitions={"period": [period]})
    cond = F.lit(False)
    for p in settings.circle_prefixes:
        cond = cond | F.col("tag_code").startswith(p)
    members = tags.where(cond).select("subscriber_id", F.col("tag_code").alias("circle_code"))
    acceptance = compute_circle_acceptance(
        members,
        lake.read(PRODUCT_STATUS, partitions={"month": [period]}),
        lake.read(SUBSCRIBERS, partitions={"month": [period]}),
        products,
    )
    focus = compute_focus_products(acceptance, expert, settings, period)
    circles = model_tag_codes(tags, settings.circle_prefixes)
    for note in expert_notes(expert, products, circles):
        progress("expert choice", note)
    return lake.replace_partitions(CIRCLE_PRODUCTS, focus, {"period": [period]}, partition_by=["period"])


def training_transitions(lake: Lake, period: str, wanted: int) -> list[tuple[str, str]]:
    """(feature month, label month) pairs, latest first: M−1 → M always, then earlier ones while
    the extracts hold both months (up to ``wanted``)."""
    def months(table: str) -> set[str]:
        return {r[0] for r in lake.read(table).select("month").distinct().collect()}

    status, subs, usage = months(PRODUCT_STATUS), months(SUBSCRIBERS), months(USAGE)
    out, label = [], period
    while len(out) < wanted:
        feature = prev_period(label)
        if not ({feature, label} <= status and {feature, label} <= subs and feature in usage):
            break
        out.append((feature, label))
        label = feature
    return out


def pooled_training_rows(
    lake: Lake,
    conf: Config,
    period: str,
    transitions: list[tuple[str, str]],
    products: list[str],
    tag_codes: list[str],
) -> tuple[DataFrame, list[str], DataFrame]:
    """Features (subscriber_id, feature_month, …) and labels (subscriber_id, feature_month,
    product_code, label) of every transition, pooled; a feature one month lacks (a category value)
    is 0 for indicators and null otherwise."""
    frames, labels, names = [], [], []
    for feature_month, label_month in transitions:
        feats, cols = features_as_of(lake, conf, period, feature_month, products, tag_codes)
        frames.append(feats.withColumn("feature_month", F.lit(feature_month)))
        names += [c for c in cols if c not in names]
        stayed = feats.select("subscriber_id").join(
            lake.read(SUBSCRIBERS, partitions={"month": [label_month]}).select("subscriber_id"),
            on="subscriber_id",
            how="inner",
        )
        labels.append(
            compute_adoption_labels(
                stayed,
                lake.read(PRODUCT_STATUS, partitions={"month": [feature_month]}),
                lake.read(PRODUCT_STATUS, partitions={"month": [label_month]}),
                products,
                conf.models.training.hold_statuses,
            ).withColumn("feature_month", F.lit(feature_month))
        )
    features = frames[0]
    for frame in frames[1:]:
        features = features.unionByName(frame, allowMissingColumns=True)
    filled = [
        F.coalesce(F.col(c), F.lit(0.0)).alias(c) if c.startswith(INDICATOR_PREFIXES) else F.col(c) for c in names
    ]
    label_rows = labels[0]
    for frame in labels[1:]:
        label_rows = label_rows.unionByName(frame)
    return features.select("subscriber_id", "feature_month", *filled), names, label_rows


def train_models(
    spark: SparkSession, training: DataFrame, feature_names: list[str], products: list[str], conf: Config
) -> list[dict[str, Any]]:
    """All products in one applyInPandas, one task per product; returns one status row per product."""
    slotted, n = with_task_slots(training, products)
    trainer = make_trainer(feature_names, conf.models.training)
    rows = (
        slotted.repartition(n, "slot")
        .groupBy("slot")
        .applyInPandas(trainer, RESULT_SCHEMA)
        .collect()
    )
    return [r.asDict() for r in rows]


def run_train(
    spark: SparkSession, conf: Config, lake_root: str, period: str, progress: Progress | None = None
) -> JobResult:
    """Initial matching, then one calibrated propensity model per product, registered in MLflow."""
    feature_month = prev_period(period)
    lake = Lake(spark, lake_root, conf.lake)
    settings = conf.models.training

    def body(result: JobResult, progress: Progress) -> None:
        for table in (FEATURES, CUSTOMER_TAGS, SUBSCRIBERS, USAGE, PRODUCT_STATUS, PRODUCTS):
            result.read(lake, table)
        _require_period(lake, FEATURES, period)
        _require_period(lake, CUSTOMER_TAGS, period)
        why = f"training learns {feature_month} features → adoption in {period}"
        _require_months(lake, PRODUCT_STATUS, [feature_month, period], why)
        _require_months(lake, SUBSCRIBERS, [feature_month, period], why)
        _require_months(lake, USAGE, [feature_month], why)
        products = product_universe(lake, conf)
        progress("products", f"{len(products)}: {', '.join(products)}")

        commit = write_initial_matching(lake, conf, period, products, progress)
        progress("initial matching", CIRCLE_PRODUCTS, rows=result.wrote(commit).rows_added)

        transitions = training_transitions(lake, period, settings.transitions)
        tag_codes = period_tag_codes(lake, conf, period)
        features, names, labels = pooled_training_rows(lake, conf, period, transitions, products, tag_codes)
        features = features.persist(StorageLevel.MEMORY_AND_DISK)
        labels = labels.persist(StorageLevel.MEMORY_AND_DISK)
        counts = {
            r["product_code"]: (int(r["pos"]), int(r["n"] - r["pos"]))
            for r in labels.groupBy("product_code")
            .agg(F.sum("label").alias("pos"), F.count(F.lit(1)).alias("n"))
            .collect()
        }
        progress(
            "labels",
            "; ".join(f"features {f} → adoption {m}" for f, m in transitions)
            + "; positives "
            + ", ".join(f"{c} {counts.get(c, (0, 0))[0]}" for c in products),
            rows=sum(p + q for p, q in counts.values()),
        )
        fractions = sampling_fractions(counts, settings)
        sample = compute_training_sample(labels, fractions, settings.seed)
        training = sample.join(features, on=["subscriber_id", "feature_month"], how="inner")
        trainable = [c for c in products if c in counts]
        progress("train", f"{len(trainable)} products in parallel, {len(names)} features")
        results = train_models(spark, training, names, trainable, conf) if trainable else []
        seen = {r["product_code"] for r in results}
        for code in products:
            if code not in seen:
                row = dict.fromkeys(RESULT_COLUMNS)
                row.update(product_code=code, status="skipped", reason="no eligible subscribers", n_rows=0)
                results.append(row)
        results.sort(key=lambda r: r["product_code"])
        features.unpersist()
        labels.unpersist()
        for r in results:
            detail = f"auc {r['auc']:.3f}, {r['n_positives']} positives" if r["status"] == "trained" else r["reason"]
            progress(f"{r['status']} {r['product_code']}", f"{detail} ({r['seconds'] or 0:.1f}s)")

        params = {
            "period": period,
            "feature_month": feature_month,
            "transitions": ",".join(f"{f}>{m}" for f, m in transitions),
            "label_month": period,
            "lake": lake.root,
            "products": len(products),
            "features": len(names),
        }
        parent_id, registered = registry.log_training(conf.mlflow, results, params, progress)
        by_code = {r.product_code: r for r in registered}
        now = dt.datetime.now(dt.UTC)
        status_rows = []
        for r in results:
            reg = by_code.get(r["product_code"])
            status_rows.append(
                (
                    *[r[c] for c in RESULT_COLUMNS if c != "model"],
                    registry.model_name(conf.mlflow, r["product_code"]),
                    reg.version if reg else None,
                    reg.run_id if reg else parent_id,
                    feature_month,
                    period,
                    now,
                    period,
                )
            )
        commit = lake.replace_partitions(
            TRAINING_STATUS,
            spark.createDataFrame(status_rows, TRAINING_STATUS_SCHEMA),
            {"period": [period]},
            partition_by=["period"],
        )
        result.wrote(commit)
        trained = [r for r in results if r["status"] == "trained"]
        result.summary.update(
            {
                "period": period,
                "trained": len(trained),
                "skipped": sum(r["status"] == "skipped" for r in results),
                "failed": sum(r["status"] == "failed" for r in results),
                "mean_auc": round(sum(r["auc"] for r in trained) / len(trained), 4) if trained else None,
                "mlflow": registry.tracking_uri(conf.mlflow),
                "mlflow_run": parent_id,
            }
        )

    return run_job(lake, "train", {"lake": lake.root, "period": period}, body, progress)


def run_score(
    spark: SparkSession,
    conf: Config,
    lake_root: str,
    period: str,
    progress: Progress | None = None,
    require_models: bool = True,
) -> JobResult:
    """Every subscriber × every modelled product they do not hold → models/matching_matrix."""
    lake = Lake(spark, lake_root, conf.lake)

    def body(result: JobResult, progress: Progress) -> None:
        for table in (FEATURES, CUSTOMER_TAGS, SUBSCRIBERS, USAGE, PRODUCT_STATUS):
            result.read(lake, table)
        _require_period(lake, FEATURES, period)
        _require_period(lake, CUSTOMER_TAGS, period)
        why = f"scoring uses features as of {period}"
        _require_months(lake, SUBSCRIBERS, [period], why)
        _require_months(lake, USAGE, [period], why)
        _require_months(lake, PRODUCT_STATUS, [period], why)
        products = product_universe(lake, conf)
        loaded, notes = registry.load_models(conf.mlflow, products, conf.models.scoring.alias)
        for note in notes:
            progress("model", note)
        if not loaded and not require_models:
            progress("skipped", f"no registered propensity model for any product; {MATCHING_MATRIX} not written")
            result.summary.update({"period": period, "products_scored": 0, "not_scored": products})
            return
        if not loaded:
            raise InputError(
                f"no registered propensity model in {registry.tracking_uri(conf.mlflow)} "
                f"(run `lifecircle train --lake {lake.root} --period {period}` first)"
            )
        progress("models", ", ".join(f"{m.product_code} v{m.version} ({m.source})" for m in loaded))
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(conf.models.scoring.batch_rows))
        features, _ = features_as_of(lake, conf, period, period, products, period_tag_codes(lake, conf, period))
        scores = compute_scores(features, [(m.product_code, m.version, m.model) for m in loaded])
        matrix = compute_matrix(scores, period)
        commit = lake.replace_partitions(MATCHING_MATRIX, matrix, {"period": [period]}, partition_by=["period"])
        progress("matrix", MATCHING_MATRIX, rows=result.wrote(commit).rows_added)
        result.summary.update(
            {
                "period": period,
                "products_scored": len(loaded),
                "not_scored": [n.split(":")[0] for n in notes if "not scored" in n],
                "models": {m.product_code: f"v{m.version} ({m.source})" for m in loaded},
            }
        )

    return run_job(lake, "score", {"lake": lake.root, "period": period}, body, progress)
