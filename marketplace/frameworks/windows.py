"""When a framework takes applications: the original call (from creation to the start)
and a refresh window of WINDOW_DAYS every ``refresh_months`` after the start."""

from __future__ import annotations

import calendar
import datetime as dt

from marketplace.frameworks.models import Framework

#: A refresh window stays open this many days after it starts.
WINDOW_DAYS = 30

__all__ = [
    "WINDOW_DAYS",
    "add_months",
    "next_change",
    "next_window_start",
    "phase_at",
    "window_at",
    "window_period",
]


def add_months(value: dt.datetime, months: int) -> dt.datetime:
    month = value.month - 1 + months
    year, month = value.year + month // 12, month % 12 + 1
    return value.replace(
        year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1])
    )


def window_at(framework: Framework, now: dt.datetime) -> int | None:
    """Which application window is open at ``now``: 0 before the agreement starts (the
    original call), n during the n-th refresh window, None when none is open."""
    if now >= framework.end_date:
        return None
    if now < framework.start_date:
        return 0
    n = 1
    while (opens := add_months(framework.start_date, n * framework.refresh_months)) <= now:
        if now < opens + dt.timedelta(days=WINDOW_DAYS):
            return n
        n += 1
    return None


def next_window_start(framework: Framework, now: dt.datetime) -> dt.datetime | None:
    """When the next refresh window opens (None: not before the agreement ends)."""
    n = 1
    while (opens := add_months(framework.start_date, n * framework.refresh_months)) <= now:
        n += 1
    return opens if opens < framework.end_date else None


def window_period(framework: Framework, n: int) -> tuple[dt.datetime, dt.datetime]:
    """When application window ``n`` opens and closes (0: from creation to the start)."""
    if n == 0:
        return framework.created_at, framework.start_date
    opens = add_months(framework.start_date, n * framework.refresh_months)
    return opens, min(opens + dt.timedelta(days=WINDOW_DAYS), framework.end_date)


def phase_at(framework: Framework, now: dt.datetime) -> str:
    """``window-<n>`` while applications are open, ``running``, or ``expired``."""
    if now >= framework.end_date:
        return "expired"
    window = window_at(framework, now)
    return "running" if window is None else f"window-{window}"


def next_change(framework: Framework, now: dt.datetime) -> dt.datetime | None:
    """The next instant the phase changes (None once expired)."""
    if now >= framework.end_date:
        return None
    window = window_at(framework, now)
    if window is not None:
        return window_period(framework, window)[1]
    return next_window_start(framework, now) or framework.end_date
