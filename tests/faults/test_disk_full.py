"""A disk that fills up while a job writes: the previous version stays, the job says so in one line."""

from __future__ import annotations

import pytest
from conftest import copy_of
from fault_helpers import assert_reads_only_committed, content, run_here, tags_args

from lifecircle import tables
from lifecircle.cli import invoke
from lifecircle.lake import Lake
from lifecircle.lake.faults import ENV as FAULT_ENV

pytestmark = pytest.mark.faults


def test_a_full_disk_during_a_tags_write_leaves_the_previous_version(
    spark, city, clean_tags, tmp_path, monkeypatch, capsys
):
    path = copy_of(clean_tags.path, tmp_path)
    lake = Lake(spark, str(path))
    version = lake.version(str(tables.CUSTOMER_TAGS))
    monkeypatch.setenv(FAULT_ENV, f"disk_full:{tables.CUSTOMER_TAGS}")
    monkeypatch.setenv("LIFECIRCLE_LOG_DIR", str(tmp_path / "logs"))
    capsys.readouterr()

    assert invoke(["--conf", str(city.conf), *tags_args(path)]) == 1
    errors = [ln for ln in capsys.readouterr().err.splitlines() if not ln.startswith("[")]  # not progress
    message = (
        "tags/customer_tags: write failed: OSError: [Errno 28] No space left on device "
        "(injected by LIFECIRCLE_FAULT for tags/customer_tags)"
    )
    assert errors == [f"lifecircle: error: {message}"]
    assert lake.version(str(tables.CUSTOMER_TAGS)) == version
    assert_reads_only_committed(spark, lake)
    before = clean_tags.content
    after = content(lake)
    # the failed run is recorded; apart from that, every table holds what it held
    assert {t: rows for t, rows in after.items() if t != str(tables.JOB_RUNS)} == {
        t: rows for t, rows in before.items() if t != str(tables.JOB_RUNS)
    }
    new_runs = [r for r in after[str(tables.JOB_RUNS)] if r not in before[str(tables.JOB_RUNS)]]
    assert new_runs == [("tags", "failed", message)]
    monkeypatch.delenv(FAULT_ENV)
    run_here(city, *tags_args(path))  # and the next run goes through
