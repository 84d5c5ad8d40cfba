"""The ``score`` job of one period (module D).

Each product's champion (else newest) model applied to features as of M → ``models/matching_matrix``,
the calibrated probability of adopting in M+1. The summary names, per product, the model inputs the
month lacks (``filled_columns``) and the subscribers whose category value the model never saw
(``unknown_categories``: column → value → subscribers).
"""

from __future__ import annotations

from pyspark.sql import SparkSession

from lifecircle import tables
from lifecircle.config import Config
from lifecircle.errors import InputError
from lifecircle.lake import Lake
from lifecircle.models import registry
from lifecircle.models.inputs import (
    features_as_of,
    period_tag_codes,
    product_universe,
    require_months,
    require_period,
)
from lifecircle.models.scoring import (
    compute_category_counts,
    compute_matrix,
    compute_scores,
    missing_columns,
    unknown_categories,
)
from lifecircle.progress import Progress
from lifecircle.runs import JobResult, run_job


def run(
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
        for table in (tables.FEATURES, tables.CUSTOMER_TAGS, tables.SUBSCRIBERS, tables.USAGE, tables.PRODUCT_STATUS):
            result.read(lake, table)
        require_period(lake, tables.FEATURES, period)
        require_period(lake, tables.CUSTOMER_TAGS, period)
        why = f"scoring uses features as of {period}"
        require_months(lake, tables.SUBSCRIBERS, [period], why)
        require_months(lake, tables.USAGE, [period], why)
        require_months(lake, tables.PRODUCT_STATUS, [period], why)
        products = product_universe(lake, conf)
        loaded, notes = registry.load_models(conf.mlflow, products, conf.models.scoring.alias)
        for note in notes:
            progress("model", note)
        if not loaded and not require_models:
            progress("skipped", f"no registered propensity model for any product; {tables.MATCHING_MATRIX} not written")
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
        counts = {(r["column"], r["value"]): r["subscribers"] for r in compute_category_counts(features).collect()}
        filled = {m.product_code: missing_columns(m.model, features.columns) for m in loaded}
        unknown = {m.product_code: unknown_categories(m.model, counts) for m in loaded}
        for code in sorted(filled):
            if filled[code]:
                progress("filled", f"{code}: the month lacks {len(filled[code])} model column(s): {', '.join(filled[code][:5])}")
            for column, values in unknown[code].items():
                seen = ", ".join(f"{v} ({n})" for v, n in list(values.items())[:5])
                progress("unknown", f"{code}: {sum(values.values())} subscriber(s) with a {column} the model never saw: {seen}")
        scores = compute_scores(features, [(m.product_code, m.version, m.model) for m in loaded])
        matrix = compute_matrix(scores, period)
        commit = lake.replace_partitions(tables.MATCHING_MATRIX, matrix, {"period": [period]})
        progress("matrix", tables.MATCHING_MATRIX, rows=result.wrote(commit).rows_added)
        result.summary.update(
            {
                "period": period,
                "products_scored": len(loaded),
                "not_scored": [n.split(":")[0] for n in notes if "not scored" in n],
                "models": {m.product_code: f"v{m.version} ({m.source})" for m in loaded},
                "filled_columns": {c: v for c, v in filled.items() if v},
                "unknown_categories": {c: v for c, v in unknown.items() if v},
            }
        )

    return run_job(lake, "score", {"lake": lake.root, "period": period}, body, progress)
