"""Job results and the ``ops/job_runs`` ledger: every job run is recorded, failed ones too."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import lifecircle
from lifecircle import tables
from lifecircle.errors import BusyError, RunNotRecordedError, one_line
from lifecircle.lake import CommitInfo, Lake
from lifecircle.lease import job_lease
from lifecircle.progress import Progress


@dataclass
class JobResult:
    """What a job did: tables written (with versions), rows, seconds and anything worth printing."""

    job: str
    outputs: list[CommitInfo] = field(default_factory=list)
    inputs: dict[str, int] = field(default_factory=dict)  # table -> version read
    rows: int = 0
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)

    def wrote(self, commit: CommitInfo) -> CommitInfo:
        self.outputs.append(commit)
        self.rows += commit.rows_added
        return commit

    def read(self, lake: Lake, table: str) -> None:
        """Pin ``table``'s version now (before the job's first read of it), if it exists."""
        if lake.exists(table):
            self.inputs[table] = lake.pin(table)


@cache
def code_version() -> str:
    """Package version plus the git commit when running from a checkout."""
    here = Path(lifecircle.__file__).resolve().parent
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{lifecircle.__version__}+{sha}" if sha else lifecircle.__version__


def run_job(
    lake: Lake,
    job: str,
    params: Mapping[str, Any],
    body: Callable[[JobResult, Progress], None],
    progress: Progress | None = None,
) -> JobResult:
    """Run ``body`` holding the job's lease on the lake (BusyError when another run of the job
    holds it), with reads pinned, and record the run in ``ops/job_runs`` whether it succeeds or fails."""
    progress = progress or Progress(job)
    result = JobResult(job)
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    settings = lake.settings
    try:
        with job_lease(lake.spark, lake.root, job, settings.lease_ttl_s, settings.lease_heartbeat_s):
            lake.pin_reads()
            try:
                body(result, progress)
            finally:
                result.inputs = {**lake.inputs(), **result.inputs}
                lake.pin_reads(False)
    except BusyError:
        raise  # nothing ran: there is no run to record
    except BaseException as exc:
        result.seconds = time.monotonic() - t0
        try:
            _record(lake, result, params, "failed", one_line(exc), started)
        except Exception as recording:  # the job's own error is the one the user needs
            progress("ledger", f"the failed run was not recorded in {tables.JOB_RUNS}: {one_line(recording)}")
        raise
    result.seconds = time.monotonic() - t0
    try:
        _record(lake, result, params, "success", None, started)
    except Exception as recording:
        # The outputs are committed, but a run missing from the ledger has no lineage or pinned
        # inputs: exit non-zero so a scheduler notices; the job is idempotent, rerunning is the fix.
        written = ", ".join(f"{c.table}@v{c.version}" for c in result.outputs) or "no tables"
        raise RunNotRecordedError(
            f"{job} succeeded ({written} committed) but the run is not recorded in {tables.JOB_RUNS}: "
            f"{one_line(recording)}; rerun the job to record it"
        ) from recording
    progress("done", f"{len(result.outputs)} table commits in {result.seconds:.1f}s", rows=result.rows)
    return result


def _record(lake: Lake, result: JobResult, params: Mapping[str, Any], status: str, error: str | None, started) -> None:
    outputs = [{"table": c.table, "version": c.version, "rows": c.rows_added} for c in result.outputs]
    row = (
        f"{result.job}-{started.strftime('%Y%m%dT%H%M%S%f')}",
        result.job,
        json.dumps(dict(params), default=str, sort_keys=True),
        json.dumps(result.inputs, sort_keys=True),
        json.dumps(outputs),
        int(result.rows),
        float(result.seconds),
        status,
        error,
        code_version(),
        started,
        dt.datetime.now(dt.UTC),
    )
    lake.append(tables.JOB_RUNS, lake.spark.createDataFrame([row], tables.JOB_RUNS.schema))
