"""The per-product training function on small pandas frames: status rows, metrics, calibration."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

from lifecircle.models.dataset import sampling_fractions
from lifecircle.models.settings import TrainingSettings
from lifecircle.models.training import (
    RESULT_COLUMNS,
    calibration_bins,
    grouped_splits,
    lift_at,
    make_trainer,
    model_categories,
    model_frame,
    train_product,
    training_fingerprint,
)

FEATURES = ["t_circle_pref_movie", "log_data_mb", "noise", "constant"]


def product_frame(n: int = 3000, seed: int = 1, code: str = "1004", weight: float = 1.0) -> pd.DataFrame:
    """Adoption driven by a tag and by usage, like the simulator's logistic model."""
    rng = np.random.default_rng(seed)
    movie = (rng.random(n) < 0.2).astype(float)
    data = rng.normal(5, 1, n)
    data[rng.random(n) < 0.05] = np.nan  # unknown usage must not break training
    logit = -3.6 + 2.2 * movie + 0.6 * np.nan_to_num(data - 5)
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "product_code": code,
            "label": label,
            "weight": weight,
            "t_circle_pref_movie": movie,
            "log_data_mb": data,
            "noise": rng.normal(size=n),
            "constant": 1.0,
        }
    )


SETTINGS = TrainingSettings(min_positives=20, importance_top=3)


def test_trained_model_separates_and_is_calibrated():
    pdf = product_frame()
    row = train_product(pdf, FEATURES, SETTINGS)
    assert row["status"] == "trained", row["reason"]
    assert row["n_rows"] == len(pdf) and row["n_positives"] == int(pdf["label"].sum())
    assert row["auc"] > 0.75
    assert row["n_features"] == 3  # the constant column is dropped
    model = pickle.loads(row["model"])
    assert list(model.feature_names_in_) == ["t_circle_pref_movie", "log_data_mb", "noise"]
    p = model.predict_proba(pdf[list(model.feature_names_in_)])[:, 1]
    # Calibrated: the mean probability is the observed adoption rate (within sampling noise).
    assert p.mean() == pytest.approx(pdf["label"].mean(), rel=0.15)
    bins = json.loads(row["calibration"])
    assert len(bins) == 10 and bins[-1]["observed_rate"] > bins[0]["observed_rate"]
    top = json.loads(row["importance"])
    assert top[0]["feature"] == "t_circle_pref_movie" and top[0]["coefficient"] > 0


def test_subsampled_negatives_keep_population_probabilities():
    full = product_frame(n=6000, seed=3)
    pos, neg = full[full["label"] == 1], full[full["label"] == 0]
    share = 0.25
    sample = pd.concat([pos, neg.sample(frac=share, random_state=0).assign(weight=1 / share)])
    row = train_product(sample.reset_index(drop=True), FEATURES, SETTINGS)
    model = pickle.loads(row["model"])
    p = model.predict_proba(full[list(model.feature_names_in_)])[:, 1]
    assert p.mean() == pytest.approx(full["label"].mean(), rel=0.2)
    assert row["base_rate"] == pytest.approx(full["label"].mean(), rel=0.3)


def test_splits_keep_a_subscriber_on_one_side():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(500), 2)  # every subscriber in two pooled months
    y = (rng.random(1000) < 0.1).astype(int)
    for train, test in grouped_splits(y, groups, 4, seed=1):
        assert not set(groups[train]) & set(groups[test])
        assert 0.15 < len(test) / len(y) < 0.35 and y[test].sum() > 0


def test_pooled_months_train_with_grouped_splits():
    one = product_frame(n=2000, seed=5)
    pooled = pd.concat([one, one.assign(log_data_mb=one["log_data_mb"] + 0.1)], ignore_index=True)
    pooled["subscriber_id"] = [f"s{i % 2000}" for i in range(len(pooled))]
    row = train_product(pooled, FEATURES, SETTINGS)
    assert row["status"] == "trained" and row["n_test"] < len(pooled) * 0.35
    assert pickle.loads(row["model"]).get_params()["model__cv"] == SETTINGS.calibration_folds


def test_too_few_positives_is_skipped_with_reason():
    pdf = product_frame(n=300)
    pdf["label"] = 0
    pdf.loc[:4, "label"] = 1
    row = train_product(pdf, FEATURES, SETTINGS)
    assert row["status"] == "skipped"
    assert "5 positives" in row["reason"] and row["model"] is None


def test_trainer_returns_failed_row_instead_of_raising():
    trainer = make_trainer(["missing_feature"], SETTINGS)
    out = trainer(product_frame(n=500))
    assert list(out.columns) == RESULT_COLUMNS
    assert out.loc[0, "status"] == "failed"
    assert "missing_feature" in out.loc[0, "reason"]
    assert out.loc[0, "seconds"] >= 0 and json.loads(out.loc[0, "params"])["algorithm"] == "logistic"


def test_gradient_boosting_variant_trains():
    settings = TrainingSettings(algorithm="hgb", hgb_max_iter=30, min_positives=20, importance_rows=300)
    row = train_product(product_frame(), FEATURES, settings)
    assert row["status"] == "trained" and row["auc"] > 0.7
    assert json.loads(row["importance"])[0]["feature"] in {"t_circle_pref_movie", "log_data_mb"}


def test_lift_and_calibration_bins_on_known_values():
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    p = np.linspace(1, 0.1, 10)
    w = np.ones(10)
    assert lift_at(y, p, w, 0.2) == pytest.approx(1.0 / 0.2)
    bins = calibration_bins(y, p, w, bins=2)
    assert [b["observed_rate"] for b in bins] == [0.0, 0.4]
    assert sum(b["weight"] for b in bins) == 10


def test_sampling_fractions_respect_budget_and_ratio():
    settings = TrainingSettings(max_rows_per_product=1000, negatives_per_positive=5)
    fr = sampling_fractions({"a": (100, 100_000), "b": (2000, 10_000), "c": (10, 20)}, settings)
    assert fr["a"] == (1.0, pytest.approx(500 / 100_000))
    assert fr["b"][0] == pytest.approx(500 / 2000) and fr["b"][1] == pytest.approx(500 / 10_000)
    assert fr["c"] == (1.0, 1.0)


def pooled_frame(n: int = 1500) -> pd.DataFrame:
    one = product_frame(n=n, seed=5)
    months = [one.assign(feature_month="2026-10"), one.assign(feature_month="2026-09", noise=one["noise"] * 0.5)]
    pooled = pd.concat(months, ignore_index=True)
    pooled["subscriber_id"] = [f"s{i % n:05d}" for i in range(len(pooled))]
    return pooled


def test_row_order_never_changes_the_model():
    """Spark delivers a group's rows in any order: the model, its metrics and its scores are the same."""
    pooled = pooled_frame()
    shuffled = pooled.sample(frac=1.0, random_state=11).reset_index(drop=True)
    first, second = train_product(pooled, FEATURES, SETTINGS), train_product(shuffled, FEATURES, SETTINGS)
    for key in ("n_test", "n_test_positives", "auc", "pr_auc", "brier", "calibration", "importance"):
        assert first[key] == second[key], key
    probe = pooled.iloc[:200]
    p1 = pickle.loads(first["model"]).predict_proba(probe[FEATURES[:3]])[:, 1]
    p2 = pickle.loads(second["model"]).predict_proba(probe[FEATURES[:3]])[:, 1]
    assert np.array_equal(p1, p2)


def test_split_folds_follow_the_subscriber_not_the_row_order():
    rng = np.random.default_rng(0)
    groups = np.repeat([f"s{i:04d}" for i in range(400)], 2)
    y = (rng.random(800) < 0.1).astype(int)
    perm = rng.permutation(800)

    def folds(g, labels):
        return {
            (grp, k) for k, (_, test) in enumerate(grouped_splits(labels, g, 4, seed=1)) for grp in g[test]
        }

    assert folds(groups, y) == folds(groups[perm], y[perm])
    other_seed = {(g, k) for k, (_, t) in enumerate(grouped_splits(y, groups, 4, seed=2)) for g in groups[t]}
    assert other_seed != folds(groups, y)


def categorical_frame(n: int = 3000) -> pd.DataFrame:
    """Adoption driven by the package: PK1 subscribers adopt often; PK5/PK6 are rare."""
    rng = np.random.default_rng(4)
    package = rng.choice(["PK1", "PK2", "PK3", "PK5", "PK6"], size=n, p=[0.3, 0.35, 0.33, 0.01, 0.01])
    brand = rng.choice(["gotone", "mzone", None], size=n, p=[0.5, 0.45, 0.05])
    logit = -3.0 + 2.5 * (package == "PK1")
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "subscriber_id": [f"s{i:05d}" for i in range(n)],
            "product_code": "P1",
            "label": label,
            "weight": 1.0,
            "package_code": package,
            "brand": brand,
            "noise": rng.normal(size=n),
        }
    )


def test_category_vocabulary_travels_with_the_model():
    settings = TrainingSettings(min_positives=20, top_packages=3)
    pdf = categorical_frame()
    row = train_product(pdf, ["package_code", "brand", "noise"], settings)
    assert row["status"] == "trained", row["reason"]
    model = pickle.loads(row["model"])
    assert list(model.feature_names_in_) == ["package_code", "brand", "noise"]  # raw values in
    vocab = model_categories(model)
    assert vocab["package_code"] == {"PK1", "PK2", "PK3", "PK5", "PK6"}
    assert vocab["brand"] == {"gotone", "mzone", "(missing)"}  # null is a category of its own
    encoded = list(model.named_steps["encode"].get_feature_names_out())
    assert "package_code_infrequent_sklearn" in encoded and "package_code_PK1" in encoded
    top = json.loads(row["importance"])
    assert top[0]["feature"] == "package_code_PK1" and top[0]["coefficient"] > 0
    # Scoring a month with a package the model never saw: encoded like the rare packages, explicitly.
    probe = pd.DataFrame({"package_code": ["PK9", "PK5", "PK1"], "brand": ["gotone"] * 3, "noise": 0.0})
    p = model.predict_proba(model_frame(probe, model.feature_names_in_))[:, 1]
    assert p[0] == pytest.approx(p[1]) and p[2] > 2 * p[0]


def test_model_frame_types_and_fills():
    pdf = pd.DataFrame({"brand": ["gotone", None], "a": [1, 2]})
    out = model_frame(pdf, ["t_circle", "a", "arpu", "brand", "package_code"])
    assert out["t_circle"].tolist() == [0.0, 0.0] and out["arpu"].isna().all()
    assert out["brand"].tolist() == ["gotone", "(missing)"] and out["package_code"].tolist() == ["(missing)"] * 2
    assert out["a"].dtype == "float64"


def test_fingerprint_changes_with_rows_features_or_settings():
    base = training_fingerprint("P1", 100, "123", ["a", "b"], SETTINGS)
    assert base == training_fingerprint("P1", 100, "123", ["a", "b"], SETTINGS)
    others = {
        training_fingerprint("P1", 100, "124", ["a", "b"], SETTINGS),
        training_fingerprint("P1", 101, "123", ["a", "b"], SETTINGS),
        training_fingerprint("P1", 100, "123", ["b", "a"], SETTINGS),
        training_fingerprint("P2", 100, "123", ["a", "b"], SETTINGS),
        training_fingerprint("P1", 100, "123", ["a", "b"], TrainingSettings(min_positives=20, importance_top=3, logistic_c=0.01)),
    }
    assert base not in others and len(others) == 5
