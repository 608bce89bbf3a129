"""The indicator table: value, milestone and traffic light for each indicator and year, for
the platform, each region and each district under it.

Milestone: the one the operator set for that year and scope; else, for the platform, the
plan's default (100 SMEs, 1,000 under custody); else, for growth indicators at any scope, the
previous year's value grown by the plan's rate (+20 % transfers and licences, +40 % contract
value); else none.

Traffic light: a past year is compared with its milestone; the running year with the share of
the way expected by `as_of` (a flow from 0, a running total from where the year started):
green at or above it, amber from 80 %, red below; grey without a milestone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from .definitions import INDICATORS, Indicator
from .targets import scope_of, targets
from .values import compute_values

AMBER_FROM = 0.8
LIGHTS = {"green": "达标", "amber": "接近", "red": "落后", "none": "未设目标"}


@dataclass
class Cell:
    value: int
    target: int | None = None
    source: str = ""              # "plan" (set by the operator), "default", "growth"
    state: str = "none"

    @property
    def state_label(self) -> str:
        return LIGHTS[self.state]

    def as_json(self) -> dict:
        return {"value": self.value, "target": self.target, "target_source": self.source or None,
                "state": self.state}


@dataclass
class District:
    name: str
    cell: Cell


@dataclass
class Region:
    name: str
    cell: Cell
    districts: list[District] = field(default_factory=list)


@dataclass
class Row:
    indicator: Indicator
    year: int
    total: Cell
    regions: list[Region] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"key": self.indicator.key, "label": self.indicator.label, "unit": self.indicator.unit,
                "year": self.year, **self.total.as_json(),
                "by_region": [{"region": r.name, **r.cell.as_json(),
                               "districts": [{"district": d.name, **d.cell.as_json()} for d in r.districts]}
                              for r in self.regions]}


def light(value: int, target: int | None, *, year: int, as_of: date, start: int = 0) -> str:
    """The traffic light of a value against its milestone (see the module docstring).

    >>> light(30, 30, year=2023, as_of=date(2024, 1, 5)), light(25, 30, year=2023, as_of=date(2024, 1, 5))
    ('green', 'amber')
    >>> light(10, 40, year=2024, as_of=date(2024, 7, 1), start=0)     # 50 % of the year: expect 20
    'red'
    >>> light(50, 60, year=2024, as_of=date(2024, 7, 1), start=40)    # expect 40 + 20 × 0.5 = 50
    'green'
    >>> light(0, None, year=2024, as_of=date(2024, 7, 1))
    'none'
    """
    if target is None:
        return "none"
    expected = float(target)
    if year == as_of.year:
        length = (date(year, 12, 31) - date(year, 1, 1)).days + 1
        fraction = ((as_of - date(year, 1, 1)).days + 1) / length
        expected = start + (target - start) * fraction
    if expected <= 0 or value >= expected:
        return "green"
    return "amber" if value >= AMBER_FROM * expected else "red"


def _target(ind: Indicator, year: int, scope: str, set_: dict, previous: int | None
            ) -> tuple[int | None, str]:
    if (ind.key, year, scope) in set_:
        return set_[(ind.key, year, scope)], "plan"
    if scope == "" and ind.default is not None:
        return ind.default, "default"
    if ind.growth_pct is not None and previous:
        return math.ceil(previous * (1 + ind.growth_pct / 100) - 1e-9), "growth"
    return None, ""


def build_table(session: Session, *, first_year: int, last_year: int, as_of: date) -> list[Row]:
    """One row per indicator and year of the period, in the order of INDICATORS."""
    values = compute_values(session, range(first_year - 1, last_year + 1), as_of=as_of)
    set_ = targets(session)
    rows = []
    for ind in INDICATORS:
        for year in range(first_year, last_year + 1):
            rows.append(_row(ind, year, values, set_, as_of))
    return rows


def _cell(ind, year, scope, value, before, set_, as_of) -> Cell:
    target, source = _target(ind, year, scope, set_, before)
    start = before if ind.cumulative and before is not None else 0
    return Cell(value, target, source, light(value, target, year=year, as_of=as_of, start=start))


def _row(ind: Indicator, year: int, values, set_, as_of: date) -> Row:
    now, before = values.get((ind.key, year), {}), values.get((ind.key, year - 1), {})
    total = _cell(ind, year, "", sum(now.values()), sum(before.values()), set_, as_of)
    row = Row(ind, year, total)
    regions = sorted({p[0] for p in now} | {p[0] for p in before}
                     | {s.split("/")[0] for (k, y, s) in set_ if k == ind.key and y == year and s})
    for region in regions:
        r_now = sum(v for p, v in now.items() if p[0] == region)
        r_before = sum(v for p, v in before.items() if p[0] == region)
        reg = Region(region, _cell(ind, year, scope_of(region), r_now, r_before, set_, as_of))
        districts = sorted({p[1] for p in list(now) + list(before) if p[0] == region}
                           | {s.split("/", 1)[1] for (k, y, s) in set_
                              if k == ind.key and y == year and s.startswith(region + "/")})
        for district in districts:
            reg.districts.append(District(district, _cell(
                ind, year, scope_of(region, district), now.get((region, district), 0),
                before.get((region, district), 0), set_, as_of)))
        row.regions.append(reg)
    return row
