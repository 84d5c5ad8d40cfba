"""The whole chain for a date range: each step is a job that records itself in ops/job_runs.

Steps run in a fixed order; ``steps`` picks a subset (e.g. a backfill of trajectories only).
Every step is idempotent for its days or period, so rerunning the chain leaves the same content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import SparkSession

from lifecircle.config import Config
from lifecircle.errors import InputError
from lifecircle.progress import Progress
from lifecircle.runs import JobResult


@dataclass(frozen=True)
class RunRequest:
    landing: str
    lake: str
    start: dt.date
    end: dt.date


def _ingest(spark: SparkSession, conf: Config, req: RunRequest) -> list[JobResult]:
    from lifecircle.ingest.job import run

    return [run(spark, conf, req.landing, req.lake, req.start, req.end, progress=Progress("ingest"))]


def _trajectories(spark: SparkSession, conf: Config, req: RunRequest) -> list[JobResult]:
    from lifecircle.mobility.trajectories_job import run as run_trajectories

    return [run_trajectories(spark, conf, req.lake, req.start, req.end, progress=Progress("trajectories"))]


def _dwell(spark: SparkSession, conf: Config, req: RunRequest) -> list[JobResult]:
    from lifecircle.mobility.dwell_job import run as run_dwell

    return [run_dwell(spark, conf, req.lake, req.start, req.end, progress=Progress("dwell"))]


def _tags(spark: SparkSession, conf: Config, req: RunRequest) -> list[JobResult]:
    from lifecircle.periods import periods_between
    from lifecircle.tags.job import run

    return [run(spark, conf, req.lake, period, progress=Progress("tags")) for period in periods_between(req.start, req.end)]


def _train(spark: SparkSession, conf: Config, req: RunRequest) -> list[JobResult]:
    from lifecircle.models.train_job import run as run_train
    from lifecircle.periods import periods_between

    return [
        run_train(spark, conf, req.lake, period, progress=Progress("train"))
        for period in periods_between(req.start, req.end)
    ]


def _score(spark: SparkSession, conf: Config, req: RunRequest) -> list[JobResult]:
    from lifecircle.models.score_job import run as run_score
    from lifecircle.periods import periods_between

    # In the chain a period without any trained model is reported, not fatal: a young lake or a
    # small city may not have enough adopters yet, and the other steps' outputs still stand.
    return [
        run_score(spark, conf, req.lake, period, progress=Progress("score"), require_models=False)
        for period in periods_between(req.start, req.end)
    ]


STEPS: dict[str, Callable[[SparkSession, Config, RunRequest], list[JobResult]]] = {
    "ingest": _ingest,
    "trajectories": _trajectories,
    "dwell": _dwell,
    "tags": _tags,
    "train": _train,
    "score": _score,
}


def parse_steps(text: str | None) -> list[str]:
    if not text:
        return list(STEPS)
    chosen = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in STEPS]
    if unknown:
        raise InputError(f"unknown step(s) {', '.join(unknown)}; steps are {', '.join(STEPS)}")
    return [s for s in STEPS if s in chosen]


def run_pipeline(
    spark: SparkSession, conf: Config, req: RunRequest, steps: Sequence[str] | None = None
) -> list[JobResult]:
    if req.end < req.start:
        raise InputError(f"--end {req.end} is before --start {req.start}")
    progress = Progress("run")
    results = []
    for name in steps or list(STEPS):
        progress("step", name)
        results.extend(STEPS[name](spark, conf, req))
    return results
