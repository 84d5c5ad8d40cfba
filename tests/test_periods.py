from __future__ import annotations

import datetime as dt

import pytest

from lifecircle.errors import InputError
from lifecircle.periods import day_range, month_bounds, next_period, prev_period


def test_neighbouring_periods_cross_the_year():
    assert (prev_period("2026-01"), next_period("2026-12")) == ("2025-12", "2027-01")
    assert (prev_period("2026-03"), next_period("2026-02")) == ("2026-02", "2026-03")
    with pytest.raises(InputError, match="yyyy-MM"):
        next_period("2026-13")


def test_month_bounds_and_day_range():
    assert month_bounds("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert day_range(dt.date(2026, 2, 27), dt.date(2026, 3, 1)) == [
        dt.date(2026, 2, 27),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 1),
    ]
