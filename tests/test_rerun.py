"""``lifecircle run`` twice on one landing gives the same lake: every table's content, sorted, is
equal between two fresh lakes (own MLflow stores, a different shuffle partition count), apart
from run timestamps, durations, MLflow run ids and the lake path in the job parameters.

Doubles are compared to 9 significant digits (below 1e-9 as 0): a different sample or split
(what this test guards against) moves metrics and probabilities far more. The per-subscriber float
sums of features/mobility.py (place_entropy, radius_gyration_km) are summed as exact decimals,
since a double sum's last bits follow the order the shuffle delivers rows in.

Two fresh lakes prove more than a rerun into one lake: a rerun skips already-ingested files and
keeps unchanged model versions, so it cannot tell "deterministic" from "not recomputed". Fresh
lakes recompute every table and train and register their own models, and the other partition
count changes which rows meet in which task and in what order. The registry side of a rerun (no
new version for unchanged training data) is tested in tests/models/test_models_job.py; here the
train and score steps are rerun once more into the first lake to see it at chain level.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from vault_scan import vault_leaks

from lifecircle import tables
from lifecircle.config import load_config
from lifecircle.models import registry

simulate = pytest.importorskip("lifecircle.simulate")

pytestmark = pytest.mark.slow

DAY = "2026-11-02"
# Per table, the columns that say when or how fast a run went, or which MLflow run it was.
VOLATILE = {
    str(tables.JOB_RUNS): {"run_id", "seconds", "started_at", "finished_at"},
    str(tables.INGEST_FILES): {"ingested_at"},
    str(tables.LAKE_KEY): {"written_at"},
    str(tables.TRAINING_STATUS): {"trained_at", "seconds", "mlflow_run_id"},
}
# A tiny city has a handful of adopters: lower the minimum so that models are trained, and cap
# negatives so that the subsampling (the part F.rand made partition-dependent) is exercised.
MODEL_SETTINGS = ["models.training.min_positives=3", "models.training.negatives_per_positive=4"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rerun")
    simulate.simulate_city(
        out=str(root / "landing"), truth=str(root / "truth"), subscribers=60, days=1,
        start=dt.date.fromisoformat(DAY), seed=5,
    )
    (root / "session.yaml").write_text("spark:\n  log_level: ERROR\n", encoding="utf-8")
    return root


def run_chain(run_cli, landing: Path, home: Path, partitions: int, steps: str | None = None) -> str:
    """``lifecircle run`` for one day into ``home``/lake with its own MLflow store; returns the
    progress lines (stderr)."""
    sets = [f"spark.shuffle_partitions={partitions}", f"mlflow.dir={home / 'mlruns'}", *MODEL_SETTINGS]
    args = ["--conf", str(landing / "session.yaml"), *[x for s in sets for x in ("--set", s)], "run"]
    args += ["--landing", str(landing / "landing"), "--lake", str(home / "lake"), "--start", DAY, "--end", DAY]
    code, out, err = run_cli(*args, *(["--steps", steps] if steps else []))
    assert code == 0, err[-3000:]
    return err


def _normal(value: Any) -> Any:
    """Doubles to 9 significant digits (noise around 0 as 0), also inside JSON text (calibration bins)."""
    if isinstance(value, float):
        return 0.0 if abs(value) < 1e-9 else float(f"{value:.9g}")
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_normal(v) for v in value)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(_normal(json.loads(value)), sort_keys=True)
        except ValueError:
            return value
    return value


def lake_content(root: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every Delta table under ``root``: its rows, sorted, without the volatile columns."""
    content = {}
    for log in sorted(root.rglob("_delta_log")):
        name = log.parent.relative_to(root).as_posix()
        frame = DeltaTable(str(log.parent)).to_pyarrow_table().to_pylist()
        rows = []
        for row in frame:
            if name == str(tables.JOB_RUNS):
                row["params"] = row["params"].replace(str(root.resolve()), "<lake>").replace(str(root), "<lake>")
            rows.append(tuple(f"{k}={_normal(v)!r}" for k, v in sorted(row.items()) if k not in VOLATILE.get(name, ())))
        content[name] = sorted(rows)
    return content


def registry_content(home: Path) -> list[tuple]:
    settings = load_config(overrides={"mlflow.dir": str(home / "mlruns")}).mlflow
    return [
        (v["model"], v["version"], v["aliases"], v["period"], _normal(v["auc"]), _normal(v["brier"]))
        for v in registry.list_versions(settings)
    ]


def test_two_runs_on_one_landing_give_equal_tables(spark, run_cli, landing, tmp_path):
    # ``spark``: the commands then run on the shared test session (get_spark returns it).
    first, second = tmp_path / "first", tmp_path / "second"
    log = run_chain(run_cli, landing, first, partitions=2)
    run_chain(run_cli, landing, second, partitions=3)
    a, b = lake_content(first / "lake"), lake_content(second / "lake")
    assert sorted(a) == sorted(b)
    assert {str(tables.TRAINING_STATUS), str(tables.MATCHING_MATRIX), str(tables.CUSTOMER_TAGS), str(tables.STAYS)} <= set(a)
    status = [dict(x.split("=", 1) for x in r) for r in a[str(tables.TRAINING_STATUS)]]
    assert any(s["status"] == "'trained'" for s in status), "the tiny city must train at least one model"
    differing = [name for name in a if a[name] != b[name]]
    assert differing == [], f"tables whose content differs between the runs: {differing}"
    assert registry_content(first) == registry_content(second)

    # Rerun of train and score into the first lake: nothing new is registered, the matrix stays.
    versions = registry_content(first)
    progress = run_chain(run_cli, landing, first, partitions=3, steps="train,score")
    assert registry_content(first) == versions
    assert "unchanged: propensity_" in progress and "registered: propensity_" not in progress
    again = lake_content(first / "lake")
    assert again[str(tables.MATCHING_MATRIX)] == a[str(tables.MATCHING_MATRIX)]
    assert again[str(tables.TRAINING_STATUS)] == a[str(tables.TRAINING_STATUS)]
    assert len(again[str(tables.JOB_RUNS)]) == len(a[str(tables.JOB_RUNS)]) + 2

    # After the whole chain, no raw number of the vault is anywhere else: lake tables and files,
    # the MLflow store, the progress and summary output (kept as a log file for the scan).
    (first / "run.log").write_text(log + progress, encoding="utf-8")
    leaks, scanned, numbers = vault_leaks(spark, first, first / "lake")
    assert numbers >= 50 and scanned > 20 and any(p.is_file() for p in (first / "mlruns").rglob("*"))
    assert leaks == {}
