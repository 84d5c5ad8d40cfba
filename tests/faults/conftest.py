"""Fixtures for the fault-injection tests: one tiny simulated city, the lakes a clean run leaves
(built once, in this process) and a fresh copy of the lake before the run for each case."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from fault_helpers import START, content, ingest_args, run_here, session_conf, tags_args

from lifecircle.lake import Lake
from lifecircle.simulate import simulate_city

END = START + dt.timedelta(days=1)


@pytest.fixture(scope="session")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults-city")
    simulate_city(root / "landing", root / "truth", subscribers=12, days=2, start=START, seed=5)
    return SimpleNamespace(root=root, landing=root / "landing", conf=session_conf(root))


@pytest.fixture(scope="session")
def clean_ingest(spark, city):
    """The content an ingest of the city into an empty lake leaves."""
    lake = city.root / "clean-ingest"
    run_here(city, *ingest_args(city, lake))
    return content(Lake(spark, str(lake)))


@pytest.fixture(scope="session")
def before_tags(spark, city) -> Path:
    """A lake ready for tags: the city ingested, its stays and dwell profiles built."""
    lake = city.root / "before-tags"
    run_here(city, "run", "--landing", str(city.landing), "--lake", str(lake), "--start", str(START),
             "--end", str(END), "--steps", "ingest,trajectories,dwell")
    return lake


@pytest.fixture(scope="session")
def clean_tags(spark, city, before_tags) -> SimpleNamespace:
    """That lake after one clean tags run: its folder and its content."""
    lake = city.root / "clean-tags"
    shutil.copytree(before_tags, lake)
    run_here(city, *tags_args(lake))
    return SimpleNamespace(path=lake, content=content(Lake(spark, str(lake))))


def copy_of(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "lake"
    if source.exists():
        shutil.copytree(source, target)
    return target
