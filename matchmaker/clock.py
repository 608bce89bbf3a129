"""Today's date and the current time, in one place so tests and demos can move the clock.

Services take `today` as an argument; entry points (views, CLI) ask here. `MATCHMAKER_TODAY`
(YYYY-MM-DD) pins the date for a whole process, e.g. to replay `matchmaker tick` for a past day.
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone

_offset = timedelta(0)


def today() -> date:
    pinned = os.environ.get("MATCHMAKER_TODAY", "").strip()
    if pinned:
        return date.fromisoformat(pinned)
    return (datetime.now(timezone.utc) + _offset).astimezone().date()


def now() -> datetime:
    """Aware UTC now, moved with the same offset as `today()`."""
    pinned = os.environ.get("MATCHMAKER_TODAY", "").strip()
    if pinned:
        return datetime.combine(date.fromisoformat(pinned), time(12)).astimezone(timezone.utc)
    return datetime.now(timezone.utc) + _offset


def advance(days: int) -> None:
    """Move the process clock forward (tests of time-driven work)."""
    global _offset
    _offset += timedelta(days=days)


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def moment(day: date) -> datetime:
    """A timestamp for something that happens on business date `day`: now, when `day` is
    today; noon UTC of that day otherwise (a back-dated entry or a test's controlled clock)."""
    if day == today():
        return now()
    return datetime.combine(day, time(12)).astimezone(timezone.utc)
