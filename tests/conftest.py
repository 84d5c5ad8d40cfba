"""One SparkSession for the whole test run: local[2], few shuffle partitions, UI off."""

from __future__ import annotations

import os

import pytest

from lifecircle.config import SparkSettings
from lifecircle.spark import get_spark

os.environ.setdefault("LIFECIRCLE_PSEUDONYM_KEY", "test-only-pseudonym-key")


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
            raise SystemExit(0)
        captured = capsys.readouterr()
        return exit_info.value.code, captured.out, captured.err

    return run
