"""Integer and date parameters of requests, all parsed by `matchmaker.params`.

The `int` URL converter is replaced for every route, so `<int:patent_id>` matches only the ids
the database can hold: `/patents/2147483648` is a 404 instead of PostgreSQL's "integer out of
range" (a 500), and a route added later is covered without anyone remembering to.
"""
from __future__ import annotations

from datetime import date

from flask import Flask, request
from werkzeug.routing import IntegerConverter, ValidationError

from ..params import DATE_MAX, DATE_MIN, clamp_int, parse_date, parse_id, parse_int

__all__ = ["IdConverter", "register", "arg_clamped", "arg_date", "arg_id", "arg_int", "parse_id",
           "parse_int"]


class IdConverter(IntegerConverter):
    """`<int:…>`: a database id (1 … 2147483647) in ASCII digits, else the route does not match."""

    regex = r"[0-9]{1,20}"

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed


def register(app: Flask) -> None:
    """Install the converter; must run before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter


def arg_int(name: str, *, low: int = 0, high: int | None = None) -> int | None:
    """`?name=` as an integer within [low, high], else None."""
    return parse_int(request.args.get(name), low=low, **({"high": high} if high is not None else {}))


def arg_id(name: str) -> int | None:
    """`?name=` as a database id, else None."""
    return parse_id(request.args.get(name))


def arg_clamped(name: str, default: int, low: int, high: int) -> int:
    """`?name=` clamped into [low, high]; malformed means `default`."""
    return clamp_int(request.args.get(name), default, low, high)


def arg_date(name: str, *, low: date = DATE_MIN, high: date = DATE_MAX) -> date | None:
    """`?name=YYYY-MM-DD` within [low, high], else None."""
    return parse_date(request.args.get(name), low=low, high=high)
