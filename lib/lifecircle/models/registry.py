"""MLflow on the driver: one parent run per training job, a child run per product, registered
models ``<prefix><product_code>`` with aliases ``challenger`` (newest training) and ``champion``
(promoted by a reviewer), and the model loading for scoring.

Each version carries the fingerprint of its training inputs (training.training_fingerprint) as a
tag. A product whose newest version has the fingerprint of this training is ``unchanged``: no
new version, no model artifact, ``challenger`` stays where it is, so rerunning a job on an
unchanged lake leaves the registry as it was.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifecircle.errors import InputError
from lifecircle.models.dataset import CATEGORICAL
from lifecircle.models.settings import MlflowSettings
from lifecircle.models.training import METRICS, MISSING_CATEGORY

CHALLENGER, CHAMPION = "challenger", "champion"
FINGERPRINT_TAG = "training_fingerprint"


def tracking_uri(settings: MlflowSettings) -> str:
    if settings.tracking_uri:
        return settings.tracking_uri
    return f"sqlite:///{Path(settings.dir).resolve() / 'mlflow.db'}"


def artifact_root(settings: MlflowSettings) -> str | None:
    """Artifacts of the default local store live under ``<dir>/artifacts`` (not the cwd)."""
    return None if settings.tracking_uri else (Path(settings.dir).resolve() / "artifacts").as_uri()


def _quiet_mlflow() -> None:
    import logging

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


def open_client(settings: MlflowSettings):
    """Point MLflow at the configured store (creating the local folder) and return a client."""
    import mlflow

    _quiet_mlflow()
    if not settings.tracking_uri:
        Path(settings.dir).mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(tracking_uri(settings))
    return mlflow.MlflowClient()


def ensure_experiment(client, settings: MlflowSettings) -> str:
    found = client.get_experiment_by_name(settings.experiment)
    if found is not None:
        return found.experiment_id
    return client.create_experiment(settings.experiment, artifact_location=artifact_root(settings))


def model_name(settings: MlflowSettings, product_code: str) -> str:
    return f"{settings.model_prefix}{product_code}"


def _calibration_figure(bins: list[dict[str, float]], title: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    top = max([b["mean_predicted"] for b in bins] + [b["observed_rate"] for b in bins] + [1e-3])
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1, label="perfect")
    ax.plot([b["mean_predicted"] for b in bins], [b["observed_rate"] for b in bins], marker="o", label="model")
    ax.set_xlabel("mean calibrated probability")
    ax.set_ylabel("observed adoption rate")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def _own_types(model) -> list[str]:
    """The types skops must trust to load this model: only the ones it is made of (our own)."""
    import skops.io

    return skops.io.get_untrusted_types(data=skops.io.dumps(model))


@dataclass(frozen=True)
class Registered:
    product_code: str
    name: str
    version: str
    run_id: str
    unchanged: bool = False  # the newest version already had this training's fingerprint


def newest_version(client, name: str):
    """The highest version of registered model ``name``, or None."""
    from mlflow.exceptions import MlflowException

    try:
        versions = client.search_model_versions(f"name = '{name}'")
    except MlflowException:
        return None
    return max(versions, key=lambda v: int(v.version), default=None)


def log_training(
    settings: MlflowSettings,
    results: Sequence[dict[str, Any]],
    params: dict[str, Any],
    progress=None,
    fingerprints: dict[str, str] | None = None,
) -> tuple[str, list[Registered]]:
    """Log the job's parent run and one child run per product; register every trained model whose
    fingerprint (``fingerprints``: product → training_fingerprint) differs from its newest
    version's and point ``challenger`` at it. Returns the parent run id and, per trained product,
    the new or unchanged version."""
    import matplotlib.pyplot as plt
    import mlflow
    import numpy as np
    import pandas as pd
    import sklearn
    from mlflow.models import infer_signature

    client = open_client(settings)
    experiment_id = ensure_experiment(client, settings)
    registered: list[Registered] = []
    trained = [r for r in results if r["status"] == "trained"]
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"train {params['period']}") as parent:
        mlflow.log_params(params)
        mlflow.log_metrics(
            {
                "products_trained": len(trained),
                "products_skipped": sum(r["status"] == "skipped" for r in results),
                "products_failed": sum(r["status"] == "failed" for r in results),
            }
        )
        if trained:
            mlflow.log_metric("mean_auc", float(np.mean([r["auc"] for r in trained])))
        table = pd.DataFrame([{k: v for k, v in r.items() if k != "model"} for r in results])
        mlflow.log_text(table.to_csv(index=False), "products.csv")
        for r in results:
            code = r["product_code"]
            with mlflow.start_run(
                experiment_id=experiment_id, run_name=f"{code} {params['period']}", nested=True
            ) as child:
                mlflow.set_tags({"product_code": code, "status": r["status"], "reason": r["reason"] or ""})
                mlflow.log_params({**params, **json.loads(r["params"] or "{}"), "product_code": code})
                counts = {k: r[k] for k in ("n_rows", "n_positives", "n_test", "n_test_positives", "n_features")}
                mlflow.log_metrics({k: float(v) for k, v in counts.items() if v is not None})
                mlflow.log_metric("train_seconds", float(r["seconds"] or 0.0))
                if r["status"] != "trained":
                    continue
                mlflow.log_metrics({m: float(r[m]) for m in METRICS})
                bins = json.loads(r["calibration"])
                mlflow.log_dict({"bins": bins}, "calibration.json")
                fig = _calibration_figure(bins, f"{model_name(settings, code)} ({params['period']})")
                mlflow.log_figure(fig, "calibration.png")
                plt.close(fig)
                mlflow.log_dict({"top": json.loads(r["importance"] or "[]")}, "feature_importance.json")
                name = model_name(settings, code)
                fingerprint = (fingerprints or {}).get(code)
                if fingerprint:
                    mlflow.set_tag(FINGERPRINT_TAG, fingerprint)
                newest = newest_version(client, name) if fingerprint else None
                if newest is not None and (newest.tags or {}).get(FINGERPRINT_TAG) == fingerprint:
                    mlflow.set_tag("unchanged_version", str(newest.version))
                    run_id = (newest.tags or {}).get("run_id") or newest.run_id
                    registered.append(Registered(code, name, str(newest.version), run_id, unchanged=True))
                    if progress:
                        progress("unchanged", f"{name} version {newest.version}: same training data, settings and code")
                    continue
                model = pickle.loads(r["model"])
                names = [str(n) for n in model.feature_names_in_]
                example = pd.DataFrame(
                    {n: [MISSING_CATEGORY] if n in CATEGORICAL else [0.0] for n in names}, columns=names
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    info = mlflow.sklearn.log_model(
                        model,
                        name="model",
                        serialization_format="skops",
                        skops_trusted_types=_own_types(model),
                        signature=infer_signature(example, np.zeros(1)),
                        pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
                    )
                # register_model prints its own chatter on stdout; the job reports on stderr instead.
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                    warnings.simplefilter("ignore")
                    tags = {"period": params["period"], **({FINGERPRINT_TAG: fingerprint} if fingerprint else {})}
                    version = mlflow.register_model(info.model_uri, name, tags=tags)
                client.set_registered_model_alias(name, CHALLENGER, version.version)
                for k in ("auc", "brier"):
                    client.set_model_version_tag(name, version.version, k, f"{r[k]:.4f}")
                client.set_model_version_tag(name, version.version, "run_id", child.info.run_id)
                registered.append(Registered(code, name, str(version.version), child.info.run_id))
                if progress:
                    progress("registered", f"{name} version {version.version} (auc {r['auc']:.3f})")
    return parent.info.run_id, registered


def list_versions(settings: MlflowSettings, product_code: str | None = None) -> list[dict[str, Any]]:
    """Every version of every propensity model (or one product's), newest first, with metrics."""
    client = open_client(settings)
    where = f"name = '{model_name(settings, product_code)}'" if product_code else f"name LIKE '{settings.model_prefix}%'"
    rows = []
    aliases: dict[str, dict[str, str]] = {}  # search results carry no aliases; the model does
    for v in client.search_model_versions(where):
        if v.name not in aliases:
            aliases[v.name] = {a: str(n) for a, n in client.get_registered_model(v.name).aliases.items()}
        metrics: dict[str, float] = {}
        if v.run_id:
            try:
                metrics = client.get_run(v.run_id).data.metrics
            except Exception:  # a deleted run keeps its model version
                metrics = {}
        rows.append(
            {
                "model": v.name,
                "version": int(v.version),
                "aliases": ",".join(sorted(a for a, n in aliases[v.name].items() if n == str(v.version))),
                "period": (v.tags or {}).get("period", ""),
                "auc": metrics.get("auc"),
                "pr_auc": metrics.get("pr_auc"),
                "lift_top10": metrics.get("lift_top10"),
                "brier": metrics.get("brier"),
                "run_id": v.run_id,
            }
        )
    rows.sort(key=lambda r: (r["model"], -r["version"]))
    return rows


def promote(settings: MlflowSettings, product_code: str, version: str | None = None) -> tuple[str, str, str | None]:
    """Point ``champion`` at ``version`` (default: the current challenger). Returns (name, new, old)."""
    from mlflow.exceptions import MlflowException

    client = open_client(settings)
    name = model_name(settings, product_code)
    try:
        versions = {str(v.version) for v in client.search_model_versions(f"name = '{name}'")}
    except MlflowException:
        versions = set()
    if not versions:
        raise InputError(f"no registered model {name} in {tracking_uri(settings)}")
    if version is None:
        try:
            version = str(client.get_model_version_by_alias(name, CHALLENGER).version)
        except MlflowException:
            raise InputError(f"{name} has no {CHALLENGER}; name the version to promote") from None
    if str(version) not in versions:
        raise InputError(f"{name} has no version {version} (versions: {', '.join(sorted(versions, key=int))})")
    try:
        old = str(client.get_model_version_by_alias(name, CHAMPION).version)
    except MlflowException:
        old = None
    client.set_registered_model_alias(name, CHAMPION, str(version))
    return name, str(version), old


@dataclass(frozen=True)
class LoadedModel:
    product_code: str
    version: str
    source: str  # the alias used, or "newest"
    model: Any


def load_models(
    settings: MlflowSettings, products: Iterable[str], alias: str
) -> tuple[list[LoadedModel], list[str]]:
    """Each product's model under ``alias``, else its newest version (with a note saying so).
    Returns the models and human-readable notes (fallbacks and products without a model)."""
    import mlflow
    from mlflow.exceptions import MlflowException

    client = open_client(settings)
    loaded, notes = [], []
    for code in products:
        name = model_name(settings, code)
        try:
            version, source = str(client.get_model_version_by_alias(name, alias).version), alias
        except MlflowException:
            try:
                versions = client.search_model_versions(f"name = '{name}'")
            except MlflowException:
                versions = []
            if not versions:
                notes.append(f"{code}: no registered model {name}, not scored")
                continue
            version, source = str(max(int(v.version) for v in versions)), "newest"
            notes.append(f"{code}: {name} has no {alias}, using the newest version {version}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = mlflow.sklearn.load_model(f"models:/{name}/{version}")
        loaded.append(LoadedModel(code, version, source, model))
    return loaded, notes
