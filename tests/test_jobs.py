"""jobs/*.py: every spark-submit entry is ``lifecircle <command>`` with the global options anywhere."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
import pytest
from pyspark.sql import types as T

from lifecircle.cli import cli
from lifecircle.entry import split_global_options

JOBS = Path(__file__).resolve().parents[1] / "jobs"
JOB_FILES = sorted(JOBS.glob("*.py"))


def job_command(path: Path) -> str:
    (command,) = re.findall(r'submit\("([a-z_]+)"\)', path.read_text(encoding="utf-8"))
    return command


def test_every_job_is_a_thin_entry_of_one_command():
    assert {p.stem: job_command(p) for p in JOB_FILES} == {
        "ingest_all": "ingest",
        "lake_maintain": "maintain",
        "mobility_dwell": "dwell",
        "mobility_trajectories": "trajectories",
        "run_chain": "run",
        "score_matrix": "score",
        "tags_compute": "tags",
        "train_propensity": "train",
    }
    for path in JOB_FILES:
        assert job_command(path) in cli.commands
        assert f"spark-submit jobs/{path.name}" in path.read_text(encoding="utf-8")  # its usage


@pytest.mark.parametrize("path", JOB_FILES, ids=lambda p: p.stem)
def test_job_help_names_the_commands_options(path, run_job_file):
    code, out, err = run_job_file(path.stem, "--help")
    assert (code, err) == (0, "")
    options = [p for p in cli.commands[job_command(path)].params if isinstance(p, click.Option)]
    assert options
    for option in options:
        assert option.opts[-1] in out


@pytest.mark.parametrize("path", JOB_FILES, ids=lambda p: p.stem)
def test_job_bad_option_is_one_line_and_exit_2(path, run_job_file):
    code, out, err = run_job_file(path.stem, "--no-such-option", "--conf", "nowhere.yaml")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"lifecircle: error: No such option '--no-such-option'. (see lifecircle {job_command(path)} --help)"
    ]


def test_global_options_are_taken_from_anywhere_on_the_line():
    line = ["--lake", "L", "--conf", "a.yaml", "--period=2026-11", "--set", "k=v", "--debug", "--conf=b.yaml"]
    assert split_global_options(line) == (
        ["--conf", "a.yaml", "--set", "k=v", "--debug", "--conf=b.yaml"],
        ["--lake", "L", "--period=2026-11"],
    )
    assert split_global_options(["--lake", "L", "--", "--debug"]) == ([], ["--lake", "L", "--", "--debug"])
    with pytest.raises(click.UsageError, match="'--set' requires an argument"):
        split_global_options(["--lake", "L", "--set"])


def test_a_dangling_global_option_is_one_line(run_job_file):
    code, _, err = run_job_file("lake_maintain", "--lake", "L", "--conf")
    assert code == 2
    assert err.splitlines() == ["lifecircle: error: Option '--conf' requires an argument. (see lifecircle maintain --help)"]


def test_a_config_error_after_the_jobs_options_is_one_line(run_job_file):
    code, _, err = run_job_file("tags_compute", "--lake", "L", "--period", "2026-11", "--set", "lake.engine=parquet")
    assert code == 1
    assert err.splitlines() == [
        "lifecircle: error: command line: key 'lake.engine' must be one of 'auto', 'spark-delta', 'delta-rs', got 'parquet'"
    ]


def test_lake_maintain_compacts_and_vacuums_end_to_end(spark, lake, run_job_file, session_overlay):
    schema = T.StructType([T.StructField("n", T.LongType()), T.StructField("day", T.DateType())])
    for n in range(3):
        lake.append("raw/example", spark.createDataFrame([(n, dt.date(2026, 11, 1))], schema), partition_by=["day"])
    assert lake.describe("raw/example").files == 3
    code, out, err = run_job_file(
        "lake_maintain", "--lake", lake.root, "--retention-hours", "0", "--conf", session_overlay, "--debug"
    )
    assert code == 0, err
    assert out.splitlines() == ["raw/example: 3 -> 1 files, 3 removed by vacuum"]
    assert sorted(r["n"] for r in lake.read("raw/example").collect()) == [0, 1, 2]
