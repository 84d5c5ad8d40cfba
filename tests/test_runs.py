from __future__ import annotations

import io
import json

import pytest
from pyspark.sql import types as T

from lifecircle import tables
from lifecircle.errors import InputError, RunNotRecordedError, one_line
from lifecircle.progress import Progress, quiet
from lifecircle.runs import run_job


def test_successful_and_failed_runs_are_both_recorded(spark, lake):
    schema = T.StructType([T.StructField("n", T.LongType())])

    def body(result, progress):
        result.wrote(lake.write("raw/numbers", spark.createDataFrame([(1,), (2,)], schema)))

    result = run_job(lake, "numbers_write", {"start": "2026-11-01"}, body, quiet())
    assert result.rows == 2

    def failing(result, progress):
        result.read(lake, "raw/numbers")
        raise ValueError("input folder is empty")

    with pytest.raises(ValueError):
        run_job(lake, "numbers_fail", {}, failing, quiet())

    runs = {r["job"]: r for r in lake.read(tables.JOB_RUNS).collect()}
    ok, bad = runs["numbers_write"], runs["numbers_fail"]
    assert (ok["status"], ok["rows"], ok["error"]) == ("success", 2, None)
    assert json.loads(ok["outputs"]) == [{"table": "raw/numbers", "version": 0, "rows": 2}]
    assert json.loads(ok["params"]) == {"start": "2026-11-01"}
    assert ok["code_version"].startswith("0.1.0")
    assert (bad["status"], bad["error"]) == ("failed", "ValueError: input folder is empty")
    assert json.loads(bad["inputs"]) == {"raw/numbers": 0}


def ledger_down(lake, monkeypatch):
    """Make ``ops/job_runs`` unwritable while every other table still takes writes."""
    append = lake.append

    def append_unless_ledger(table, df, partition_by=()):
        if str(table) == str(tables.JOB_RUNS):
            raise OSError("ledger unreachable")
        return append(table, df, partition_by)

    monkeypatch.setattr(lake, "append", append_unless_ledger)


def test_a_failure_to_record_a_failed_run_leaves_the_jobs_own_error(lake, monkeypatch):
    ledger_down(lake, monkeypatch)
    stream = io.StringIO()

    def failing(result, progress):
        raise ValueError("input folder is empty")

    with pytest.raises(ValueError, match="input folder is empty"):
        run_job(lake, "numbers_fail", {}, failing, Progress("numbers_fail", stream=stream))
    assert f"not recorded in {tables.JOB_RUNS}: OSError: ledger unreachable" in stream.getvalue()


def test_a_successful_run_that_cannot_be_recorded_fails_saying_its_data_is_committed(spark, lake, monkeypatch):
    ledger_down(lake, monkeypatch)
    schema = T.StructType([T.StructField("n", T.LongType())])

    def body(result, progress):
        result.wrote(lake.write("raw/numbers", spark.createDataFrame([(1,), (2,)], schema)))

    with pytest.raises(RunNotRecordedError) as info:
        run_job(lake, "numbers_write", {}, body, quiet())
    assert one_line(info.value) == (
        f"numbers_write succeeded (raw/numbers@v0 committed) but the run is not recorded in {tables.JOB_RUNS}: "
        "OSError: ledger unreachable; rerun the job to record it"
    )
    assert isinstance(info.value.__cause__, OSError)
    assert sorted(r["n"] for r in lake.read("raw/numbers").collect()) == [1, 2]
    assert not lake.exists(tables.JOB_RUNS)


def test_a_failed_runs_error_is_the_one_line_users_see(lake):
    def failing(result, progress):
        raise InputError("landing folder /x does not exist\nsecond line")

    with pytest.raises(InputError):
        run_job(lake, "numbers_fail", {}, failing, quiet())
    (row,) = lake.read(tables.JOB_RUNS).collect()
    assert row["error"] == "landing folder /x does not exist"


def test_a_job_reads_the_versions_it_records_while_others_commit(spark, lake):
    from lifecircle.lake import Lake

    schema = T.StructType([T.StructField("n", T.LongType())])
    lake.write("raw/numbers", spark.createDataFrame([(1,)], schema))
    other = Lake(spark, lake.root)  # another job on the same lake
    seen = []

    def body(result, progress):
        seen.append(lake.read("raw/numbers").count())
        other.append("raw/numbers", spark.createDataFrame([(2,), (3,)], schema))
        seen.append(lake.read("raw/numbers").count())  # still the version first read

    run_job(lake, "numbers_pinned", {}, body, quiet())
    assert seen == [1, 1]
    run = next(r for r in lake.read(tables.JOB_RUNS).collect() if r["job"] == "numbers_pinned")
    assert json.loads(run["inputs"]) == {"raw/numbers": 0}
    assert lake.read("raw/numbers").count() == 3  # outside a job: the latest version
