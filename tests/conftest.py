"""One SparkSession for the whole test run: local[2], few shuffle partitions, UI off."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pytest

from lifecircle.config import SparkSettings
from lifecircle.spark import get_spark

os.environ.setdefault("LIFECIRCLE_PSEUDONYM_KEY", "test-only-pseudonym-key")
JOBS = Path(__file__).resolve().parents[1] / "jobs"


@pytest.fixture(scope="session")
def spark():
    settings = SparkSettings(
        master="local[2]",
        shuffle_partitions=2,
        driver_memory="2g",
        log_level="ERROR",
        extra={
            "spark.ui.enabled": "false",
            "spark.default.parallelism": "2",
            "spark.sql.adaptive.coalescePartitions.enabled": "true",
        },
    )
    session = get_spark("lifecircle-tests", settings)
    yield session
    session.stop()


@pytest.fixture
def lake(spark, tmp_path):
    from lifecircle.lake import Lake

    return Lake(spark, str(tmp_path / "lake"))


@pytest.fixture
def run_cli(capsys):
    """Run ``lifecircle ARGS…`` in-process; returns (exit code, stdout, stderr)."""
    from lifecircle import cli

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            cli.main(list(args))
        captured = capsys.readouterr()
        return exit_info.value.code, captured.out, captured.err

    return run


@pytest.fixture
def run_job_file(capsys, monkeypatch):
    """Run ``spark-submit jobs/NAME.py ARGS…`` in-process (the file as ``__main__``, on the test
    session); returns (exit code, stdout, stderr)."""

    def run(name: str, *args: str) -> tuple[int, str, str]:
        path = JOBS / f"{name}.py"
        monkeypatch.setattr(sys, "argv", [str(path), *args])
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(str(path), run_name="__main__")
        captured = capsys.readouterr()
        return exit_info.value.code, captured.out, captured.err

    return run


@pytest.fixture
def session_overlay(tmp_path) -> str:
    """A ``--conf`` file that keeps the shared test session's settings when a command calls get_spark."""
    path = tmp_path / "test-session.yaml"
    path.write_text("spark:\n  shuffle_partitions: 2\n  log_level: ERROR\n", encoding="utf-8")
    return str(path)
