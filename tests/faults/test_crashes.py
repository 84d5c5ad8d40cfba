"""Crashes at each commit stage (SIGKILL, as a dying driver), then a rerun: the lake ends as a
clean run leaves it, and no table ever reads a file its Delta log does not list."""

from __future__ import annotations

import signal

import pytest
from conftest import copy_of
from fault_helpers import assert_reads_only_committed, content, ingest_args, lifecircle, run_here, tags_args

from lifecircle import tables
from lifecircle.lake import Lake

pytestmark = pytest.mark.faults

KILLED = -signal.SIGKILL


def crash(spark, city, args: list[str], fault: str) -> Lake:
    done = lifecircle(city.conf, *args, fault=fault)
    assert done.returncode == KILLED, f"{fault}: exit {done.returncode}\n{done.stderr[-2000:]}"
    return Lake(spark, args[args.index("--lake") + 1])


@pytest.mark.parametrize(
    ("fault", "orphaned"),
    [
        ("staged:raw/signaling", False),  # Parquet in the staging folder, nothing in the table's
        ("moving:raw/signaling", True),  # a data file in the table folder, in no commit
        ("committed:raw/signaling", False),  # committed, the rest of the ingest never ran
        # The ledger is committed but the run is not in ops/job_runs: the rerun skips every file
        # as already ingested (same hash) and must still leave a clean run's content.
        (f"committed:{tables.INGEST_FILES}", False),
    ],
)
def test_an_ingest_killed_at_a_commit_stage_reruns_to_a_clean_runs_content(
    spark, city, clean_ingest, tmp_path, fault, orphaned
):
    lake = crash(spark, city, ingest_args(city, copy_of(city.root / "no-lake", tmp_path)), fault)
    orphans = assert_reads_only_committed(spark, lake)
    table = fault.split(":", 1)[1]
    assert bool(orphans.get(table)) is orphaned, orphans.get(table)

    run_here(city, *ingest_args(city, tmp_path / "lake"))
    assert_reads_only_committed(spark, lake)
    assert content(lake) == clean_ingest


@pytest.mark.parametrize("fault", ["moving:tags/customer_tags", "committed:tags/customer_tags"])
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
