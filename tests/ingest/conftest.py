"""Fixtures for ingest tests: the configuration, a landing folder with cells, one call to run the job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from ingest_helpers import CELLS_CSV, write

from lifecircle.config import load_config
from lifecircle.progress import quiet


@pytest.fixture(scope="session")
def conf():
    return load_config()


@pytest.fixture
def landing(tmp_path) -> Path:
    path = tmp_path / "landing"
    write(path, "params/cells.csv", CELLS_CSV)
    return path


@pytest.fixture
def ingest(spark, conf, lake):
    """Run the ingest job on a landing folder into the test's lake."""
    from lifecircle.ingest.job import run

    def go(landing: Path, start: dt.date | None = None, end: dt.date | None = None):
        return run(spark, conf, str(landing), lake.root, start, end, progress=quiet())

    return go
