"""train → registry → score end to end on a hand-built lake, through the jobs and the CLI.

600 subscribers over three months; movie fans (every fourth) adopt product P1 far more often;
product P2 has only two adopters a month and must be skipped with its reason.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import functions as F
from table_frames import conform_to, table_frame

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.errors import InputError
from lifecircle.features.schema import feature_schema_of
from lifecircle.lake import Lake
from lifecircle.models import registry
from lifecircle.models.score_job import run as run_score
from lifecircle.models.train_job import run as run_train
from lifecircle.progress import quiet

N = 600
MONTHS = ["2026-09", "2026-10", "2026-11"]
PERIOD = "2026-11"


def _hash01(*parts) -> float:
    """A deterministic pseudo-random number in [0, 1) from the parts."""
    import hashlib

    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16) / 16**8


def _status_rows():
    rows, held = [], set()
    for m in MONTHS:
        day = dt.date(int(m[:4]), int(m[5:]), 28)
        adopters = [i for i in range(N) if i not in held and _hash01("P1", m, i) < (0.35 if i % 4 == 0 else 0.03)]
        if m != MONTHS[0]:
            held |= set(adopters)
        else:
            held |= set(adopters[: len(adopters) // 3])
        rows += [(f"s{i:04d}", "P1", "active", day, m) for i in sorted(held)]
        rows += [(f"s{i:04d}", "P2", "opened", day, m) for i in range(2 * MONTHS.index(m))]
        rows += [(f"s{i:04d}", "P1", "marketed", day, m) for i in range(N) if i not in held and i % 50 == 7]
    return rows


def conform(spark, frames, table):
    """The union of ``frames`` with the columns of the table's schema, by position."""
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionAll(frame)
    stored = [c for c in table.column_names if c not in ("source_file", "line_no")]
    return conform_to(table, union.toDF(*stored))


@pytest.fixture(scope="module")
def model_lake(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("models") / "lake"
    lake = Lake(spark, str(root))
    conf = load_config()
    ids = spark.range(N).select(F.format_string("s%04d", F.col("id")).alias("subscriber_id"), "id")
    schema = feature_schema_of(conf)
    features = ids.select(
        *[
            F.col("subscriber_id") if f.name == "subscriber_id"
            else (F.col("id") % 7).cast(f.dataType).alias(f.name) if f.name == "observed_days"
            else F.lit(None).cast(f.dataType).alias(f.name)
            for f in schema.fields
        ],
        F.lit(PERIOD).alias("period"),
    )
    lake.write(tables.FEATURES, features, partition_by=["period"])
    tags = ids.where(F.col("id") % 4 == 0).select(
        "subscriber_id",
        F.lit("circle.pref.movie").alias("tag_code"),
        *[F.lit(None).cast("string").alias(c) for c in ("value", "landmark_place_id", "landmark_name")],
        F.lit(PERIOD).alias("period"),
    )
    lake.write(tables.CUSTOMER_TAGS, tags, partition_by=["period"])
    subs = [
        ids.select("subscriber_id", F.lit("gotone"), F.lit("gold"), F.lit("M"), F.lit(1990),
                   F.lit(dt.date(2020, 1, 1)), F.lit("PK1"), F.lit("active"), F.lit(m))
        for m in MONTHS
    ]
    usage = [
        ids.select("subscriber_id", F.lit(10.0), F.col("id") % 13, F.col("id") % 13, F.lit(5), F.lit(5),
                   F.col("id") * 3.0, F.lit(0.0), F.lit(10.0), F.lit(0.0), F.lit(1.0), F.lit(1.0), F.lit(m))
        for m in MONTHS
    ]
    lake.write(tables.SUBSCRIBERS, conform(spark, subs, tables.SUBSCRIBERS), partition_by=["month"])
    lake.write(tables.USAGE, conform(spark, usage, tables.USAGE), partition_by=["month"])
    lake.write(
        tables.PRODUCT_STATUS, table_frame(spark, tables.PRODUCT_STATUS, _status_rows(), tables.PRODUCT_STATUS.column_names[:5]), partition_by=["month"]
    )
    lake.write(tables.PRODUCTS, table_frame(spark, tables.PRODUCTS, [("P1", "电影票"), ("P2", "天气")], ["product_code", "name"]))
    return root


@pytest.fixture(scope="module")
def conf(tmp_path_factory):
    store = tmp_path_factory.mktemp("mlruns")
    return load_config(overrides={"mlflow.dir": str(store), "models.training.min_positives": 10})


@pytest.fixture(scope="module")
def trained(spark, model_lake, conf):
    return run_train(spark, conf, str(model_lake), PERIOD, progress=quiet())


def test_train_registers_a_challenger_and_skips_with_reason(spark, model_lake, conf, trained):
    assert trained.summary["trained"] == 1 and trained.summary["skipped"] == 1
    assert trained.summary["registered"] == ["P1"] and trained.summary["unchanged"] == []
    lake = Lake(spark, str(model_lake))
    status = {r["product_code"]: r for r in lake.read(tables.TRAINING_STATUS).collect()}
    assert status["P1"]["status"] == "trained" and status["P1"]["auc"] > 0.7
    assert status["P1"]["model_version"] == "1" and status["P1"]["feature_month"] == "2026-10"
    assert status["P2"]["status"] == "skipped" and "min_positives is 10" in status["P2"]["reason"]
    versions = registry.list_versions(conf.mlflow)
    assert [(v["model"], v["version"], v["aliases"]) for v in versions] == [("propensity_P1", 1, "challenger")]
    assert versions[0]["auc"] == pytest.approx(status["P1"]["auc"])
    focus = {r["product_code"]: r for r in lake.read(tables.CIRCLE_PRODUCTS).collect()}
    assert focus["P1"]["circle_code"] == "circle.pref.movie" and focus["P1"]["objective"]
    assert focus["P1"]["lift_active"] > 2


def test_score_falls_back_to_newest_then_uses_champion(spark, model_lake, conf, trained):
    first = run_score(spark, conf, str(model_lake), PERIOD, progress=quiet())
    assert first.summary["models"] == {"P1": "v1 (newest)"} and first.summary["not_scored"] == ["P2"]
    assert first.summary["unknown_categories"] == {} and first.summary["filled_columns"] == {}
    lake = Lake(spark, str(model_lake))
    matrix = lake.read(tables.MATCHING_MATRIX).where(F.col("period") == PERIOD)
    holders = {r["subscriber_id"] for r in lake.read(tables.PRODUCT_STATUS).where(
        (F.col("month") == PERIOD) & (F.col("product_code") == "P1") & (F.col("status") == "active")).collect()}
    rows = matrix.collect()
    assert len(rows) == N - len(holders) and not holders & {r["subscriber_id"] for r in rows}
    fans = [r["probability"] for r in rows if int(r["subscriber_id"][1:]) % 4 == 0]
    others = [r["probability"] for r in rows if int(r["subscriber_id"][1:]) % 4 != 0]
    # Fans rank above the others (pairwise, like an AUC): the usage columns are ids modulo 13,
    # noise the regularised model still gives a little weight, so a strict min > max is luck.
    assert sum(f > o for f in fans for o in others) / (len(fans) * len(others)) > 0.97
    assert all(r["customer_rank"] == 1 and r["score"] == round(100 * r["probability"]) for r in rows)

    assert registry.promote(conf.mlflow, "P1") == ("propensity_P1", "1", None)
    again = run_score(spark, conf, str(model_lake), PERIOD, progress=quiet())
    assert again.summary["models"] == {"P1": "v1 (champion)"}
    rerun = lake.read(tables.MATCHING_MATRIX).where(F.col("period") == PERIOD)
    assert sorted(map(tuple, rerun.collect())) == sorted(map(tuple, rows))  # idempotent


def test_registry_errors_are_one_line(conf, trained):
    with pytest.raises(InputError, match="propensity_P1 has no version 9"):
        registry.promote(conf.mlflow, "P1", "9")
    with pytest.raises(InputError, match="no registered model propensity_P7"):
        registry.promote(conf.mlflow, "P7")


def test_train_needs_the_months_it_learns_from(spark, tmp_path, conf):
    with pytest.raises(InputError, match="models/features missing"):
        run_train(spark, conf, str(tmp_path / "empty"), PERIOD, progress=quiet())


def test_cli_models_and_matrix_top(model_lake, conf, trained, run_cli, tmp_path):
    store = ["--set", f"mlflow.dir={conf.mlflow.dir}"]
    code, out, _ = run_cli(*store, "models", "list")
    assert code == 0 and "propensity_P1" in out and "challenger" in out
    code, out, err = run_cli(*store, "models", "promote", "P1", "1")
    assert code == 0 and "champion -> version 1" in out
    code, _, err = run_cli(*store, "models", "promote", "P1", "5")
    assert code == 1 and err.startswith("lifecircle: error: propensity_P1 has no version 5")
    code, out, _ = run_cli(*store, "score", "--lake", str(model_lake), "--period", PERIOD)
    assert code == 0 and "models/matching_matrix@v" in out
    target = tmp_path / "top.csv"
    code, out, _ = run_cli(
        "matrix", "top", "--lake", str(model_lake), "--per", "product", "-n", "5", "--out", str(target)
    )
    assert code == 0 and "5 rows written" in out
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("subscriber_id,product_code,score") and len(lines) == 6
    assert all(int(line.split(",")[0][1:]) % 4 == 0 for line in lines[1:])  # best customers are fans


def _status_content(lake):
    skip = {"trained_at", "seconds", "mlflow_run_id"}
    return sorted(
        tuple(v for k, v in r.asDict().items() if k not in skip) for r in lake.read(tables.TRAINING_STATUS).collect()
    )


def test_retraining_unchanged_inputs_registers_nothing(spark, model_lake, conf, trained):
    """Runs last: it adds a version. Same lake, same settings → same models, no new version, and
    challenger stays; another setting → a new version that becomes challenger."""
    import dataclasses

    lake = Lake(spark, str(model_lake))
    before = _status_content(lake)
    again = run_train(spark, conf, str(model_lake), PERIOD, progress=quiet())
    assert again.summary["unchanged"] == ["P1"] and again.summary["registered"] == []
    assert _status_content(lake) == before  # the retrained model is the same model
    versions = registry.list_versions(conf.mlflow)
    assert [(v["model"], v["version"]) for v in versions] == [("propensity_P1", 1)]
    assert "challenger" in versions[0]["aliases"]

    other = dataclasses.replace(
        conf, models=dataclasses.replace(conf.models, training=dataclasses.replace(conf.models.training, logistic_c=0.01))
    )
    changed = run_train(spark, other, str(model_lake), PERIOD, progress=quiet())
    assert changed.summary["registered"] == ["P1"] and changed.summary["unchanged"] == []
    versions = registry.list_versions(conf.mlflow)
    assert [(v["version"], "challenger" in v["aliases"]) for v in versions] == [(2, True), (1, False)]
