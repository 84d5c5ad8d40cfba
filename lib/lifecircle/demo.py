"""``lifecircle demo``: a simulated city through every step that exists, outputs listed at the end."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import click
from pyspark.sql import SparkSession

from lifecircle.config import Config
from lifecircle.lake import Lake
from lifecircle.models import registry
from lifecircle.pipeline import RunRequest, run_pipeline
from lifecircle.progress import Progress

DEMO_MIN_POSITIVES = 8


def demo_conf(conf: Config, root: Path) -> Config:
    """The demo's models: its MLflow store inside the workdir, and a lower adopter minimum, because
    a demo city of a few hundred subscribers has only a handful of adopters per product and month."""
    models = dataclasses.replace(
        conf.models,
        training=dataclasses.replace(
            conf.models.training, min_positives=min(conf.models.training.min_positives, DEMO_MIN_POSITIVES)
        ),
    )
    mlflow = conf.mlflow if conf.mlflow.tracking_uri else dataclasses.replace(conf.mlflow, dir=str(root / "mlruns"))
    return dataclasses.replace(conf, models=models, mlflow=mlflow)


def run_demo(
    spark: SparkSession, conf: Config, workdir: str, subscribers: int, days: int, start: dt.date, seed: int
) -> None:
    from lifecircle.ingest.identity import ensure_demo_key
    from lifecircle.simulate import simulate_city

    root = Path(workdir).resolve()
    landing, truth, lake_root = root / "landing", root / "truth", root / "lake"
    progress = Progress("demo")
    ensure_demo_key(str(root))
    progress("simulate", f"{subscribers} subscribers x {days} days from {start} into {landing}")
    simulate_city(
        out=str(landing), truth=str(truth), subscribers=subscribers, days=days, start=start, seed=seed,
        gzip_signaling=True, progress=lambda stage, rows=None: progress(f"simulate {stage}", rows=rows),
        overwrite=True,
    )
    end = start + dt.timedelta(days=days - 1)
    conf = demo_conf(conf, root)
    results = run_pipeline(spark, conf, RunRequest(str(landing), str(lake_root), start, end))

    lake = Lake(spark, str(lake_root), conf.lake)
    click.echo("")
    click.echo(f"demo finished: {len(results)} jobs, {sum(r.seconds for r in results):.0f}s of Spark work")
    click.echo(f"  landing files : {landing}")
    click.echo(f"  ground truth  : {truth}")
    click.echo(f"  lake          : {lake_root}")
    for name in lake.tables():
        info = lake.describe(name)
        click.echo(f"    {name:<28} v{info.version:<3} {info.rows:>12,} rows")
    click.echo(f"  MLflow store  : {registry.tracking_uri(conf.mlflow)}")
    click.echo(f"  next: lifecircle tables --lake {lake_root}")
    click.echo(f"        lifecircle --set mlflow.dir={conf.mlflow.dir} models list")
    click.echo(f"        lifecircle matrix top --lake {lake_root} --per product -n 5")
