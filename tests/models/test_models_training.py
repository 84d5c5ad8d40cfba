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
    train_product,
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
    assert pickle.loads(row["model"]).get_params()["cv"] == SETTINGS.calibration_folds


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
