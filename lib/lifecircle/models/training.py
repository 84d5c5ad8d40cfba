"""One propensity model per product: the per-group training function and its metrics (pandas).

:func:`make_trainer` builds the function that ``applyInPandas`` runs once per product. It never
raises: a product with too few positives comes back ``skipped`` and an error comes back ``failed``,
each with its reason, so one bad product cannot fail the other models. Models return as pickled
bytes; only the driver talks to MLflow.

Reproducible: the rows are sorted by subscriber before anything is fitted, the splits follow a
seeded hash of the subscriber, and every random_state comes from the settings, so the same rows
give the same model however Spark delivered them. The model is a Pipeline whose one-hot encoder
learns the category vocabulary (brand, package, …) at training: scoring passes the raw values and
a value the encoder never saw is encoded as no known category (all zeros, or the packages'
infrequent column), and counted by the score job.

Negatives are subsampled upstream with a ``weight`` of 1 / kept share. The base estimator learns
from the (rebalanced) sample; the calibrator and every reported metric use the weights, so the
calibrated probabilities and metrics are those of the whole population and comparable across
products.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import types as T

from lifecircle import __version__
from lifecircle.models.dataset import CATEGORICAL, INDICATOR_PREFIXES
from lifecircle.models.settings import TrainingSettings

RESULT_SCHEMA = T.StructType(
    [
        T.StructField("product_code", T.StringType()),
        T.StructField("status", T.StringType()),  # trained | skipped | failed
        T.StructField("reason", T.StringType()),
        T.StructField("n_rows", T.LongType()),
        T.StructField("n_positives", T.LongType()),
        T.StructField("n_test", T.LongType()),
        T.StructField("n_test_positives", T.LongType()),
        T.StructField("n_features", T.LongType()),
        T.StructField("base_rate", T.DoubleType()),
        T.StructField("auc", T.DoubleType()),
        T.StructField("pr_auc", T.DoubleType()),
        T.StructField("lift_top10", T.DoubleType()),
        T.StructField("brier", T.DoubleType()),
        T.StructField("calibration", T.StringType()),  # JSON: bins of mean predicted vs observed rate
        T.StructField("importance", T.StringType()),  # JSON: top features by permutation importance
        T.StructField("params", T.StringType()),  # JSON
        T.StructField("seconds", T.DoubleType()),
        T.StructField("model", T.BinaryType()),  # pickled Pipeline: encoder + calibrated estimator
    ]
)
RESULT_COLUMNS = [f.name for f in RESULT_SCHEMA.fields]
METRICS = ("auc", "pr_auc", "lift_top10", "brier", "base_rate")
# A null category: a value of its own, so that "unknown brand" is learnt like any brand.
MISSING_CATEGORY = "(missing)"
# The columns that make a product's rows a deterministic order (unique per product).
ROW_ORDER = ("subscriber_id", "feature_month")


def model_params(settings: TrainingSettings) -> dict[str, Any]:
    common = {
        "algorithm": settings.algorithm,
        "calibration": settings.calibration,
        "calibration_folds": settings.calibration_folds,
        "test_fraction": settings.test_fraction,
        "seed": settings.seed,
    }
    if settings.algorithm == "logistic":
        return {**common, "logistic_c": settings.logistic_c}
    return {
        **common,
        "hgb_max_iter": settings.hgb_max_iter,
        "hgb_learning_rate": settings.hgb_learning_rate,
        "hgb_max_depth": settings.hgb_max_depth,
        "hgb_min_samples_leaf": settings.hgb_min_samples_leaf,
    }


def build_estimator(settings: TrainingSettings, categorical: Sequence[str] = (), folds=None):
    """The unfitted model: a Pipeline of the one-hot encoder of the ``categorical`` columns (the
    rest pass through) and the calibrated estimator, whose features with nulls are imputed
    (logistic) or handled natively (gradient boosting). ``folds``: the calibration splits
    (default: stratified K-fold)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if settings.algorithm == "logistic":
        base = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(C=settings.logistic_c, max_iter=1000),
        )
    else:
        base = HistGradientBoostingClassifier(
            max_iter=settings.hgb_max_iter,
            learning_rate=settings.hgb_learning_rate,
            max_depth=settings.hgb_max_depth,
            min_samples_leaf=settings.hgb_min_samples_leaf,
            l2_regularization=1.0,
            random_state=settings.seed,
        )
    if folds is None:
        folds = StratifiedKFold(settings.calibration_folds, shuffle=True, random_state=settings.seed)
    encoders = []
    plain = [c for c in categorical if c != "package_code"]
    if plain:
        encoders.append(("category", OneHotEncoder(handle_unknown="ignore", sparse_output=False), plain))
    if "package_code" in categorical:
        # The commonest packages get a column each, the rest (and unseen ones) share one.
        packages = OneHotEncoder(
            handle_unknown="infrequent_if_exist", max_categories=settings.top_packages + 1, sparse_output=False
        )
        encoders.append(("package", packages, ["package_code"]))
    encode = ColumnTransformer(encoders, remainder="passthrough", verbose_feature_names_out=False)
    return Pipeline([("encode", encode), ("model", CalibratedClassifierCV(base, method=settings.calibration, cv=folds))])


def model_frame(pdf: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The model's input columns in its order: numbers as float64, CATEGORICAL as strings (null =
    MISSING_CATEGORY). A column the frame lacks is 0 for indicators (tag, product flags), unknown
    (NaN) for other numbers and MISSING_CATEGORY for categories."""
    cols = {}
    for name in names:
        if name in CATEGORICAL:
            raw = pdf[name] if name in pdf.columns else pd.Series(None, index=pdf.index, dtype=object)
            cols[name] = raw.astype(object).where(raw.notna(), MISSING_CATEGORY).to_numpy()
        elif name in pdf.columns:
            cols[name] = pdf[name].astype("float64").to_numpy()
        else:
            cols[name] = np.full(len(pdf), 0.0 if name.startswith(INDICATOR_PREFIXES) else np.nan)
    return pd.DataFrame(cols, index=pdf.index)


def model_categories(model) -> dict[str, set[str]]:
    """Per categorical input column, the values the model's encoder learnt (empty for a model
    without an encoder). A value outside them is unknown to the model."""
    encode = getattr(model, "named_steps", {}).get("encode")
    out: dict[str, set[str]] = {}
    for _, encoder, columns in getattr(encode, "transformers_", []):
        for column, values in zip(columns, getattr(encoder, "categories_", []), strict=False):
            out[str(column)] = {str(v) for v in values}
    return out


def _hash_key(seed: int) -> str:
    return hashlib.sha256(f"lifecircle-split-{seed}".encode()).hexdigest()[:16]


def grouped_splits(y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int):
    """Stratified (train, test) index pairs that keep each group (a subscriber seen in several
    pooled months) on one side, so no subscriber is scored by a model that saw them. Groups with
    an adopter and groups without are each ranked by a seeded hash of the group key and dealt
    round-robin to the folds: the folds depend on who is in the data, never on the row order, and
    the deal is linear time (scikit-learn's StratifiedGroupKFold takes ~10 s at the row budget).
    Without ``groups`` each row is its own group, keyed by its position."""
    keys = np.arange(len(y)) if groups is None else np.asarray(groups)
    uniq, codes = np.unique(keys.astype(str), return_inverse=True)
    rank = pd.util.hash_array(uniq.astype(object), hash_key=_hash_key(seed))
    positive = np.zeros(len(uniq), dtype=bool)
    positive[codes[y == 1]] = True
    fold = np.empty(len(uniq), dtype=np.int64)
    for members in (np.flatnonzero(positive), np.flatnonzero(~positive)):
        dealt = members[np.lexsort((uniq[members], rank[members]))]
        fold[dealt] = np.arange(len(dealt)) % n_splits
    row_fold = fold[codes]
    return [(np.flatnonzero(row_fold != k), np.flatnonzero(row_fold == k)) for k in range(n_splits)]


def weighted_auc(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p, sample_weight=w))


def lift_at(y: np.ndarray, p: np.ndarray, w: np.ndarray, share: float = 0.1) -> float:
    """Positive rate among the top ``share`` of the (weighted) population by score, over the base rate."""
    order = np.argsort(-p, kind="stable")
    ws, ys = w[order], y[order]
    top = np.cumsum(ws) <= share * ws.sum()
    top[0] = True
    base = np.average(y, weights=w)
    return float(np.average(ys[top], weights=ws[top]) / base) if base > 0 else float("nan")


def calibration_bins(y: np.ndarray, p: np.ndarray, w: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Equal-weight bins of predicted probability: mean prediction vs observed rate per bin."""
    order = np.argsort(p, kind="stable")
    ps, ys, ws = p[order], y[order], w[order]
    edges = np.searchsorted(np.cumsum(ws) / ws.sum(), np.linspace(0, 1, bins + 1)[1:-1], side="right")
    out = []
    for part in np.split(np.arange(len(ps)), edges):
        if len(part) == 0:
            continue
        out.append(
            {
                "mean_predicted": float(np.average(ps[part], weights=ws[part])),
                "observed_rate": float(np.average(ys[part], weights=ws[part])),
                "weight": float(ws[part].sum()),
            }
        )
    return out


def evaluate(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, brier_score_loss

    return {
        "auc": weighted_auc(y, p, w),
        "pr_auc": float(average_precision_score(y, p, sample_weight=w)),
        "lift_top10": lift_at(y, p, w, 0.1),
        "brier": float(brier_score_loss(y, p, sample_weight=w)),
        "base_rate": float(np.average(y, weights=w)),
    }


def permutation_importance_top(model, x: pd.DataFrame, y: np.ndarray, w: np.ndarray, top: int, seed: int):
    """Weighted AUC lost when a feature is shuffled (one repeat), best ``top`` features. Only the
    ``2 × top`` numeric features most correlated with the label are shuffled: each shuffle costs a full
    prediction, and hundreds of them would dominate the training time."""
    rng = np.random.default_rng(seed)
    base = weighted_auc(y, model.predict_proba(x)[:, 1], w)
    categorical = [c for c in x.columns if c in CATEGORICAL]
    numeric = [c for c in x.columns if c not in CATEGORICAL]
    filled = x[numeric].fillna(x[numeric].median()).fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.abs(np.nan_to_num([np.corrcoef(filled[c], y)[0, 1] for c in numeric]))
    # The few categorical columns are always shuffled: a correlation does not rank them.
    candidates = categorical + [numeric[i] for i in np.argsort(-corr, kind="stable")[: 2 * top]]
    drops = []
    for col in candidates:
        shuffled = x.copy()
        shuffled[col] = rng.permutation(shuffled[col].to_numpy())
        drops.append((col, round(float(base - weighted_auc(y, model.predict_proba(shuffled)[:, 1], w)), 6)))
    drops.sort(key=lambda kv: (-kv[1], kv[0]))
    return [{"feature": c, "auc_drop": d} for c, d in drops[:top]]


def coefficient_importance(model, top: int) -> list[dict[str, float]]:
    """Logistic models: the standardised coefficient per encoded feature (a category value is
    ``<column>_<value>``), averaged over the calibration folds; the sign says whether the feature
    raises or lowers the propensity."""
    calibrated = model.named_steps["model"]
    coefs = np.mean([c.estimator[-1].coef_[0] for c in calibrated.calibrated_classifiers_], axis=0)
    names = [str(n) for n in model.named_steps["encode"].get_feature_names_out()]
    # Ranked by the reported (rounded) value, ties by name: collinear features get coefficients
    # equal up to float noise, which must not decide their order.
    order = sorted(range(len(names)), key=lambda i: (-round(abs(float(coefs[i])), 6), names[i]))[:top]
    return [{"feature": names[i], "coefficient": round(float(coefs[i]), 6)} for i in order]


def _row(product_code: str, status: str, reason: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS)
    row.update(product_code=product_code, status=status, reason=reason, **values)
    return row


def train_product(
    pdf: pd.DataFrame, feature_names: Sequence[str], settings: TrainingSettings
) -> dict[str, Any]:
    """Train, calibrate and evaluate one product's model from its rows (label, weight, features),
    sorted first so that the order Spark delivered them in cannot change the model."""
    order = [c for c in ROW_ORDER if c in pdf.columns]
    if order:
        pdf = pdf.sort_values(order, kind="stable").reset_index(drop=True)
    code = str(pdf["product_code"].iloc[0])
    y = pdf["label"].to_numpy(dtype=np.int64)
    w = pdf["weight"].to_numpy(dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    counts = {"n_rows": len(y), "n_positives": n_pos}
    if n_pos < settings.min_positives or n_neg < settings.min_positives:
        reason = f"{n_pos} positives and {n_neg} negatives; min_positives is {settings.min_positives}"
        return _row(code, "skipped", reason, **counts)
    missing = [c for c in feature_names if c not in pdf.columns]
    if missing:
        raise KeyError(f"training rows lack feature(s) {', '.join(missing[:5])}")
    x = model_frame(pdf, feature_names)
    constant = x.nunique(dropna=False) <= 1
    x = x.loc[:, ~constant.to_numpy()]
    if x.shape[1] == 0:
        return _row(code, "skipped", "every feature is constant", **counts)
    groups = pdf["subscriber_id"].to_numpy() if "subscriber_id" in pdf.columns else None
    idx_train, idx_test = grouped_splits(y, groups, max(2, round(1 / settings.test_fraction)), settings.seed)[0]
    inner = grouped_splits(
        y[idx_train], None if groups is None else groups[idx_train], settings.calibration_folds, settings.seed
    )
    model = build_estimator(settings, [c for c in x.columns if c in CATEGORICAL], folds=inner)
    with warnings.catch_warnings():
        # Weights reach the calibrator even when the base pipeline takes none: that is the intent.
        warnings.filterwarnings("ignore", message=".*sample weights will only be used for the calibration.*")
        # A held-out row may carry a category the training part lacks: encoded as unknown, on purpose.
        warnings.filterwarnings("ignore", message=".*unknown categories.*")
        model.fit(x.iloc[idx_train], y[idx_train], model__sample_weight=w[idx_train])
        # The fitted model keeps its constructor parameters; the split indices are not worth shipping.
        model.set_params(model__cv=len(inner))
        p_test = model.predict_proba(x.iloc[idx_test])[:, 1]
    y_test, w_test = y[idx_test], w[idx_test]
    metrics = evaluate(y_test, p_test, w_test)
    sample = idx_test[: settings.importance_rows] if settings.importance_rows else idx_test[:0]
    importance = []
    if settings.algorithm == "logistic":
        importance = coefficient_importance(model, settings.importance_top)
    elif len(sample) and 0 < y[sample].sum() < len(sample):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*unknown categories.*")
            importance = permutation_importance_top(
                model, x.iloc[sample], y[sample], w[sample], settings.importance_top, settings.seed
            )
    return _row(
        code,
        "trained",
        "",
        **counts,
        n_test=len(idx_test),
        n_test_positives=int(y_test.sum()),
        n_features=x.shape[1],
        **metrics,
        calibration=json.dumps(calibration_bins(y_test, p_test, w_test)),
        importance=json.dumps(importance, ensure_ascii=False),
        params=json.dumps(model_params(settings)),
        model=pickle.dumps(model),
    )


def make_trainer(
    feature_names: Sequence[str], settings: TrainingSettings
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The ``applyInPandas`` function: one product's rows in, one status row (RESULT_SCHEMA) out."""
    names = list(feature_names)

    def train_group(pdf: pd.DataFrame) -> pd.DataFrame:
        from threadpoolctl import threadpool_limits

        started = time.perf_counter()
        code = str(pdf["product_code"].iloc[0]) if len(pdf) else ""
        try:
            # One core per task: Spark runs one product per core, so BLAS/OpenMP threads would fight.
            with threadpool_limits(1):
                row = train_product(pdf, names, settings)
        except Exception as exc:  # reported as the product's status row, never raised
            row = _row(code, "failed", f"{type(exc).__name__}: {exc}"[:1000], n_rows=len(pdf))
        row["seconds"] = time.perf_counter() - started
        if row["params"] is None:
            row["params"] = json.dumps(model_params(settings))
        return pd.DataFrame([row], columns=RESULT_COLUMNS)

    return train_group


def code_version() -> str:
    """What a fitted model depends on besides its rows and settings: this module's source and
    the scikit-learn and lifecircle versions."""
    import sklearn

    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return f"lifecircle {__version__}; scikit-learn {sklearn.__version__}; training.py {source}"


def training_fingerprint(
    product_code: str, rows: int, digest: str, feature_names: Sequence[str], settings: TrainingSettings
) -> str:
    """A product's training inputs in one hash: its rows' digest (dataset.compute_training_digests),
    the feature names, every training setting and the code version. Equal fingerprints train
    equal models, so the registry keeps the version it has."""
    payload = {
        "product_code": product_code,
        "rows": int(rows),
        "digest": str(digest),
        "features": list(feature_names),
        "settings": dataclasses.asdict(settings),
        "code": code_version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
