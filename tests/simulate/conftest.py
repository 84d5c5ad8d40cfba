"""A small simulated city shared by the simulator tests (seconds to build, no Spark)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from lifecircle.simulate import simulate_city

# Saturday to Monday across a month boundary: weekend and weekday schedules, two landing months
# in the day range, feedback files in the second one.
SMALL = {"subscribers": 80, "days": 3, "start": date(2026, 10, 31), "seed": 11}


@pytest.fixture(scope="session")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("sim")
    stages = []
    summary = simulate_city(out=root / "landing", truth=root / "truth", progress=lambda s, n: stages.append((s, n)),
                            **SMALL)
    return SimpleNamespace(landing=root / "landing", truth=root / "truth", summary=summary, stages=stages, **SMALL)
