"""Days and periods: the calendar arithmetic every job shares.

A *period* is a month ``yyyy-MM``; its profile window is ``window_days`` ending on the month's last
day, or on the run's end date when that comes first (a partial month).
"""

from __future__ import annotations

import calendar
import datetime as dt

from lifecircle.errors import InputError


def as_date(value: dt.date | str) -> dt.date:
    """A date from a date, a datetime or ``YYYY-MM-DD`` text (anything else: one-line InputError)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"date {value!r} must look like YYYY-MM-DD") from None


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InputError(f"end {end} is before start {start}")


def day_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def parse_period(period: str) -> dt.date:
    """The first day of ``yyyy-MM``."""
    try:
        if len(period) != 7 or period[4] != "-":
            raise ValueError
        return dt.date(int(period[:4]), int(period[5:7]), 1)
    except ValueError:
        raise InputError(f"period {period!r} must look like yyyy-MM") from None


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``yyyy-MM``."""
    first = parse_period(period)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def prev_period(period: str) -> str:
    return f"{parse_period(period) - dt.timedelta(days=1):%Y-%m}"


def next_period(period: str) -> str:
    return f"{month_bounds(period)[1] + dt.timedelta(days=1):%Y-%m}"


def periods_between(start: dt.date, end: dt.date) -> list[str]:
    """The yyyy-MM months touched by start..end."""
    out, cursor = [], start.replace(day=1)
    while cursor <= end:
        out.append(f"{cursor:%Y-%m}")
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return out


def period_window(period: str, end: dt.date, window_days: int) -> tuple[dt.date, dt.date]:
    """The profile window of ``period``: ``window_days`` ending on the month's last day, or on the
    run's end date when that comes first (a partial month)."""
    first, last = month_bounds(period)
    if end < first:
        raise InputError(f"period {period} starts after the end date {end}")
    window_end = min(last, end)
    return window_end - dt.timedelta(days=window_days - 1), window_end
