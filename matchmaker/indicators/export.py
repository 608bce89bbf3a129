"""The indicator table as spreadsheet rows (the KPI exports and the annual report add them;
the writers pass every cell through the formula-neutralizing helper)."""
from __future__ import annotations

from .table import LIGHTS, Row

HEADER = ("指标", "年份", "地区", "区（县）", "数值", "单位", "目标", "目标来源", "状态")
SOURCES = {"plan": "运营方设定", "default": "规划目标", "growth": "按上年增长", "": ""}


def _unit(row: Row, value):
    """Contract values in 万元 (like every other export), the rest as counted."""
    if value is None:
        return ""
    return round(value / 10_000, 2) if row.indicator.unit == "元" else value


def indicator_rows(rows: list[Row], *, districts: bool = True) -> list[tuple]:
    unit = {"元": "万元"}
    out = [HEADER]
    for r in rows:
        u = unit.get(r.indicator.unit, r.indicator.unit)

        def line(region, district, cell):
            return (r.indicator.label, r.year, region, district, _unit(r, cell.value), u,
                    _unit(r, cell.target), SOURCES[cell.source], LIGHTS[cell.state])
        out.append(line("全区", "", r.total))
        for reg in r.regions:
            out.append(line(reg.name, "", reg.cell))
            if districts:
                out.extend(line(reg.name, d.name, d.cell) for d in reg.districts)
    return out
