"""Crashes at each commit stage (SIGKILL, as a dying driver), then a rerun: the lake ends as a
clean run leaves it, and no table ever reads a file its Delta log does not list."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import copy_of
from fault_helpers import (
    assert_reads_only_committed,
    content,
    ingest_args,
    lifecircle,
    parquet_on_disk,
    run_here,
    snapshot_files,
    tags_args,
)

from lifecircle import tables
from lifecircle.lake import Lake

pytestmark = pytest.mark.faults

KILLED = -signal.SIGKILL
INGEST = str(tables.INGEST_FILES)
# Each case costs a JVM start, a run up to the fault and a rerun; CI runs one case per stage, the
# whole matrix runs with LIFECIRCLE_FAULTS=all.
ALL = pytest.mark.skipif(os.environ.get("LIFECIRCLE_FAULTS") != "all", reason="LIFECIRCLE_FAULTS=all runs every case")


def crash(spark, city, args: list[str], fault: str) -> Lake:
    root = Path(args[args.index("--lake") + 1])
    done = lifecircle(city.conf, *args, fault=fault, log_dir=root.parent / "logs")  # a killed run keeps its log
    assert done.returncode == KILLED, f"{fault}: exit {done.returncode}\n{done.stderr[-2000:]}"
    return Lake(spark, str(root))


def orphans_of(lake: Lake, table: str) -> set[str]:
    """Parquet in the table's folder that no snapshot lists (a first write leaves no table yet)."""
    return parquet_on_disk(lake, table) - (snapshot_files(lake, table) if lake.exists(table) else set())


@pytest.mark.parametrize(
    ("fault", "orphaned"),
    [
        ("staged:raw/signaling", False),  # Parquet in the staging folder, nothing in the table's
        ("moving:raw/signaling", True),  # a data file in the table folder, in no commit
        pytest.param("committed:raw/signaling", False, marks=ALL),  # committed, the rest never ran
    ],
)
def test_an_ingest_killed_at_a_commit_stage_reruns_to_a_clean_runs_content(
    spark, city, clean_ingest, tmp_path, fault, orphaned
):
    lake = crash(spark, city, ingest_args(city, copy_of(city.root / "no-lake", tmp_path)), fault)
    assert_reads_only_committed(spark, lake)
    assert bool(orphans_of(lake, fault.split(":", 1)[1])) is orphaned

    run_here(city, *ingest_args(city, tmp_path / "lake"))
    assert_reads_only_committed(spark, lake)
    assert content(lake) == clean_ingest


def test_an_ingest_killed_after_its_ledger_commit_reruns_skipping_every_file(spark, city, clean_ingest, tmp_path):
    # The ledger is committed but the run is not in ops/job_runs (the kill came first).
    lake = crash(spark, city, ingest_args(city, copy_of(city.root / "no-lake", tmp_path)), f"committed:{INGEST}")
    assert_reads_only_committed(spark, lake)

    run_here(city, *ingest_args(city, tmp_path / "lake"))
    after, clean = content(lake), dict(clean_ingest)
    ledger, clean_ledger = after.pop(INGEST), clean.pop(INGEST)
    assert after == clean  # the lake's data, and one ingest run recorded (the rerun)
    # The rerun read every file again and skipped it as the same content: noted once per file, as
    # any rerun notes it (ingest/ledger.py), and nothing else changed in the ledger.
    columns = [c for c in tables.INGEST_FILES.schema.fieldNames() if not c.endswith("_at")]  # as content()
    status, sha256 = columns.index("status"), columns.index("sha256")
    skipped = [r for r in ledger if r[status] == "skipped_same_hash"]
    assert [r for r in ledger if r not in skipped] == clean_ledger
    assert sorted(r[0] for r in skipped) == sorted(r[0] for r in clean_ledger if r[sha256] is not None)


@pytest.mark.parametrize(
    "fault", ["committed:tags/customer_tags", pytest.param("moving:tags/customer_tags", marks=ALL)]
)
def test_a_tags_run_killed_at_a_commit_stage_reruns_to_a_clean_runs_content(
    spark, city, before_tags, clean_tags, tmp_path, fault
):
    lake = crash(spark, city, tags_args(copy_of(before_tags, tmp_path)), fault)
    orphans = assert_reads_only_committed(spark, lake)

    run_here(city, *tags_args(tmp_path / "lake"))
    assert_reads_only_committed(spark, lake)
    assert content(lake) == clean_tags.content
    # vacuum (``lifecircle maintain``) removes what the crash left behind
    for table, files in orphans.items():
        if files:
            lake.vacuum(table, retention_hours=0)
            assert assert_reads_only_committed(spark, lake)[table] == set(), table
