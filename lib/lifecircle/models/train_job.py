"""The ``train`` job of one period (module D).

Initial matching of M's circles → ``models/circle_products``; then one model per product, all in one
``applyInPandas`` (one task each), on features as of M−1 labelled with adoption in M; the driver logs
and registers them in MLflow and writes ``models/training_status``. A product whose training inputs
(rows, features, settings, code) have the fingerprint of its newest registered version keeps that
version: the summary lists it under ``unchanged`` and nothing is registered for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.lake import Lake
from lifecircle.models import registry
from lifecircle.models.dataset import (
    INDICATOR_PREFIXES,
    compute_adoption_labels,
    compute_training_digests,
    compute_training_sample,
    sampling_fractions,
    with_task_slots,
)
from lifecircle.models.inputs import (
    features_as_of,
    model_tag_codes,
    period_tag_codes,
    product_universe,
    require_months,
    require_period,
)
from lifecircle.models.matching import (
    compute_circle_acceptance,
    compute_focus_products,
    expert_notes,
    load_expert_choices,
    products_file,
)
from lifecircle.models.training import RESULT_COLUMNS, RESULT_SCHEMA, make_trainer, training_fingerprint
from lifecircle.periods import prev_period
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job


def write_initial_matching(lake: Lake, conf: Config, period: str, products: list[str], progress: Progress):
    settings = conf.models.matching
    expert = load_expert_choices(products_file(conf.models.products_file), settings.circle_prefixes)
    tags = lake.read(tables.CUSTOMER_TAGS, partitions={"period": [period]})
    cond = F.lit(False)
    for p in settings.circle_prefixes:
        cond = cond | F.col("tag_code").startswith(p)
    members = tags.where(cond).select("subscriber_id", F.col("tag_code").alias("circle_code"))
    acceptance = compute_circle_acceptance(
        members,
        lake.read(tables.PRODUCT_STATUS, partitions={"month": [period]}),
        lake.read(tables.SUBSCRIBERS, partitions={"month": [period]}),
        products,
    )
    focus = compute_focus_products(acceptance, expert, settings, period)
    circles = model_tag_codes(tags, settings.circle_prefixes)
    for note in expert_notes(expert, products, circles):
        progress("expert choice", note)
    return lake.replace_partitions(tables.CIRCLE_PRODUCTS, focus, {"period": [period]})


def training_transitions(lake: Lake, period: str, wanted: int) -> list[tuple[str, str]]:
    """(feature month, label month) pairs, latest first: M−1 → M always, then earlier ones while
    the extracts hold both months (up to ``wanted``)."""
    def months(table: str) -> set[str]:
        return set(lake.partition_values(table, "month"))

    status, subs, usage = months(tables.PRODUCT_STATUS), months(tables.SUBSCRIBERS), months(tables.USAGE)
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
            lake.read(tables.SUBSCRIBERS, partitions={"month": [label_month]}).select("subscriber_id"),
            on="subscriber_id",
            how="inner",
        )
        labels.append(
            compute_adoption_labels(
                stayed,
                lake.read(tables.PRODUCT_STATUS, partitions={"month": [feature_month]}),
                lake.read(tables.PRODUCT_STATUS, partitions={"month": [label_month]}),
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


def compute_fingerprints(training: DataFrame, feature_names: list[str], conf: Config) -> dict[str, str]:
    """Per product, the fingerprint of what its model is trained from (a small collect: one row
    per product)."""
    columns = ["subscriber_id", "feature_month", "product_code", "label", "weight", *feature_names]
    return {
        r["product_code"]: training_fingerprint(r["product_code"], r["rows"], r["digest"], feature_names, conf.models.training)
        for r in compute_training_digests(training, columns).collect()
    }


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


def run(
    spark: SparkSession, conf: Config, lake_root: str, period: str, progress: Progress | None = None
) -> JobResult:
    """Initial matching, then one calibrated propensity model per product, registered in MLflow."""
    feature_month = prev_period(period)
    lake = Lake(spark, lake_root, conf.lake)
    settings = conf.models.training

    def body(result: JobResult, progress: Progress) -> None:
        for table in (tables.FEATURES, tables.CUSTOMER_TAGS, tables.SUBSCRIBERS, tables.USAGE, tables.PRODUCT_STATUS, tables.PRODUCTS):
            result.read(lake, table)
        require_period(lake, tables.FEATURES, period)
        require_period(lake, tables.CUSTOMER_TAGS, period)
        why = f"training learns {feature_month} features → adoption in {period}"
        require_months(lake, tables.PRODUCT_STATUS, [feature_month, period], why)
        require_months(lake, tables.SUBSCRIBERS, [feature_month, period], why)
        require_months(lake, tables.USAGE, [feature_month], why)
        products = product_universe(lake, conf)
        progress("products", f"{len(products)}: {', '.join(products)}")

        commit = write_initial_matching(lake, conf, period, products, progress)
        progress("initial matching", tables.CIRCLE_PRODUCTS, rows=result.wrote(commit).rows_added)

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
        training = training.persist(StorageLevel.MEMORY_AND_DISK)
        trainable = [c for c in products if c in counts]
        fingerprints = compute_fingerprints(training, names, conf) if trainable else {}
        progress("train", f"{len(trainable)} products in parallel, {len(names)} features")
        results = train_models(spark, training, names, trainable, conf) if trainable else []
        seen = {r["product_code"] for r in results}
        for code in products:
            if code not in seen:
                row = dict.fromkeys(RESULT_COLUMNS)
                row.update(product_code=code, status="skipped", reason="no eligible subscribers", n_rows=0)
                results.append(row)
        results.sort(key=lambda r: r["product_code"])
        training.unpersist()
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
        parent_id, registered = registry.log_training(conf.mlflow, results, params, progress, fingerprints)
        by_code = {r.product_code: r for r in registered}
        now = dt.datetime.now(dt.UTC)
        status_rows = []
        for r in results:
            reg = by_code.get(r["product_code"])
            row = {
                **r,
                "model_name": registry.model_name(conf.mlflow, r["product_code"]),
                "model_version": reg.version if reg else None,
                "mlflow_run_id": reg.run_id if reg else parent_id,
                "feature_month": feature_month,
                "label_month": period,
                "trained_at": now,
                "period": period,
            }
            status_rows.append(tuple(row[c] for c in tables.TRAINING_STATUS.column_names))
        commit = lake.replace_partitions(
            tables.TRAINING_STATUS,
            spark.createDataFrame(status_rows, tables.TRAINING_STATUS.schema),
            {"period": [period]},
        )
        result.wrote(commit)
        trained = [r for r in results if r["status"] == "trained"]
        result.summary.update(
            {
                "period": period,
                "trained": len(trained),
                "skipped": sum(r["status"] == "skipped" for r in results),
                "failed": sum(r["status"] == "failed" for r in results),
                "registered": sorted(r.product_code for r in registered if not r.unchanged),
                "unchanged": sorted(r.product_code for r in registered if r.unchanged),
                "mean_auc": round(sum(r["auc"] for r in trained) / len(trained), 4) if trained else None,
                "mlflow": registry.tracking_uri(conf.mlflow),
                "mlflow_run": parent_id,
            }
        )

    return run_job(lake, "train", {"lake": lake.root, "period": period}, body, progress)


