"""Integers and dates typed by users (URL arguments, form fields): the one parser for them.

`str.isdigit()` followed by `int()` lets through what `int()` refuses or the database cannot
hold: `²` (a digit to isdigit, not to int), numbers past Python's 4,300-digit limit, ids past
the INTEGER columns (2147483648 makes PostgreSQL raise "integer out of range"), dates like
0001-01-01 that break date arithmetic. Everything here returns None for such input instead of
raising, and callers choose the fallback (a default, a field message, a 404).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

DB_INT_MAX = 2**31 - 1          # ids and versions are INTEGER columns (int4 on PostgreSQL)
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: no ², no ٣, no sign, no spaces inside
MAX_DIGITS = len(str(DB_INT_MAX))
DATE_MIN = date(1900, 1, 1)      # no patent, deal or need of this platform is older
DATE_MAX = date(2199, 12, 31)    # far enough for terms and expiries, short of datetime's limits


def _digits(raw) -> str | None:
    """The significant ASCII digits of `raw` ("0" for zero), or None when it is not a number."""
    text = "" if raw is None else str(raw).strip()
    return (text.lstrip("0") or "0") if _DIGITS.fullmatch(text) else None


def parse_int(raw, *, low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """ASCII digits whose value is within [low, high], else None.

    >>> parse_int("42"), parse_int("²"), parse_int("9" * 5000), parse_int("2147483648"), parse_int("-1")
    (42, None, None, None, None)
    """
    text = _digits(raw)
    if text is None or len(text) > MAX_DIGITS:
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(raw) -> int | None:
    """A database id (1 … 2147483647), else None.

    >>> parse_id("7"), parse_id("0"), parse_id("9223372036854775808")
    (7, None, None)
    """
    return parse_int(raw, low=1)


def clamp_int(raw, default: int, low: int, high: int) -> int:
    """For page numbers and sizes: digits are clamped into [low, high] (a huge page is the last
    page allowed), anything else is the default.

    >>> clamp_int("3", 1, 1, 500), clamp_int("9" * 5000, 1, 1, 500), clamp_int("²", 1, 1, 500)
    (3, 500, 1)
    """
    text = _digits(raw)
    if text is None:
        return default
    if len(text) > MAX_DIGITS:
        return high
    return min(max(int(text), low), high)


_DECIMAL = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,4})?")


def parse_decimal(raw, *, low: float, high: float) -> float | None:
    """A plain ASCII decimal (no sign, exponent or thousands separator) within [low, high],
    else None.

    >>> parse_decimal("2.5", low=0, high=10), parse_decimal("1e9", low=0, high=10), parse_decimal("²", low=0, high=10)
    (2.5, None, None)
    """
    text = "" if raw is None else str(raw).strip()
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if low <= value <= high else None


def parse_date(raw, *, low: date = DATE_MIN, high: date = DATE_MAX) -> date | None:
    """An ISO date (full-width digits allowed, as Chinese input methods type them) within
    [low, high], else None.

    >>> parse_date("2024-05-01"), parse_date("２０２４－０５－０１"), parse_date("0001-01-01")
    (datetime.date(2024, 5, 1), datetime.date(2024, 5, 1), None)
    """
    if isinstance(raw, date):
        value = raw
    else:
        text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
        if not text or len(text) > 32:
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return None
    return value if low <= value <= high else None
