"""Helpers for the fault-injection tests: the CLI in a subprocess with a fault set, the lake's
content without run timestamps, and the check that a table reads exactly its committed files."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from deltalake import DeltaTable

from lifecircle import tables
from lifecircle.cli import invoke
from lifecircle.lake import Lake
from lifecircle.lake.faults import ENV as FAULT_ENV
from lifecircle.lake.types import STAGING_DIR

START, PERIOD = dt.date(2026, 11, 2), "2026-11"
CONSOLE = Path(sys.executable).with_name("lifecircle")
# What a run changes by itself: when it ran and how long it took, and for the ledger of runs the
# lake's path, the versions read and written and the rows added (a crashed run's commits, e.g. the
# lake's key written before the kill, are not repeated by the rerun). Everything else must be equal.
JOB_RUN_COLUMNS = ["job", "status", "error"]


def session_conf(folder: Path) -> Path:
    """A ``--conf`` overlay for small, quiet sessions (the subprocess's and the test session's)."""
    path = folder / "faults-session.yaml"
    path.write_text("spark:\n  master: local[2]\n  shuffle_partitions: 2\n  log_level: ERROR\n", encoding="utf-8")
    return path


def lifecircle(conf: Path, *args: str, fault: str | None = None, log_dir: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``lifecircle --conf CONF ARGS…`` in its own process, with ``LIFECIRCLE_FAULT=fault``."""
    env = {k: v for k, v in os.environ.items() if k not in (FAULT_ENV, "LIFECIRCLE_DEBUG")}
    if fault:
        env[FAULT_ENV] = fault
    if log_dir is not None:
        env["LIFECIRCLE_LOG_DIR"] = str(log_dir)
    line = [str(CONSOLE), "--conf", str(conf), *args]
    return subprocess.run(line, capture_output=True, text=True, env=env, timeout=600, check=False)


def run_here(city, *args: str) -> None:
    """One clean command line on the test session (a rerun, or a reference run)."""
    assert invoke(["--conf", str(city.conf), *args]) == 0, args


def ingest_args(city, lake: Path) -> list[str]:
    return ["ingest", "--landing", str(city.landing), "--lake", str(lake)]


def tags_args(lake: Path) -> list[str]:
    return ["tags", "--lake", str(lake), "--period", PERIOD]


def content(lake: Lake) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without run timestamps (``*_at``) and, for ``ops/job_runs``,
    only what a rerun must reproduce."""
    out = {}
    for table in lake.tables():
        df = lake.read(table)
        columns = JOB_RUN_COLUMNS if table == str(tables.JOB_RUNS) else [c for c in df.columns if not c.endswith("_at")]
        out[table] = sorted((tuple(r) for r in df.select(*columns).collect()), key=repr)
    return out


def snapshot_files(lake: Lake, table: str) -> set[str]:
    return {_local(uri) for uri in DeltaTable(lake.uri(table)).file_uris()}


def parquet_on_disk(lake: Lake, table: str) -> set[str]:
    folder = Path(_local(lake.uri(table)))
    # Staged files wait in _staging, which no read looks into; vacuum clears it.
    return {str(p) for p in folder.rglob("*.parquet") if not {"_delta_log", STAGING_DIR} & set(p.parts)}


def assert_reads_only_committed(spark, lake: Lake) -> dict[str, set[str]]:
    """Each table's snapshot lists only files that exist, and reading the table gives exactly the
    rows of those files; returns the orphans (Parquet on disk that no snapshot lists) per table."""
    orphans = {}
    for table in lake.tables():
        listed = snapshot_files(lake, table)
        on_disk = parquet_on_disk(lake, table)
        assert listed <= on_disk, f"{table}: snapshot lists missing files {sorted(listed - on_disk)}"
        orphans[table] = on_disk - listed
        df = lake.read(table)
        pcols = set(DeltaTable(lake.uri(table)).metadata().partition_columns)
        data = [c for c in df.columns if c not in pcols]
        from_files = spark.read.parquet(*sorted(listed)).select(*data) if listed else None
        expected = sorted((tuple(r) for r in from_files.collect()), key=repr) if from_files is not None else []
        assert sorted((tuple(r) for r in df.select(*data).collect()), key=repr) == expected, table
    return orphans


def _local(uri: str) -> str:
    return uri.removeprefix("file://")
