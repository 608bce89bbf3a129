"""The indicators of the plan (domain.md §1) and how their default milestones are derived.

`cumulative`: the value is a running total at the end of the year (SMEs converted, SMEs under
custody), else a flow within the year. `growth_pct`: without a milestone set, the target is the
previous year's value grown by this much (the plan's "+20 % per year"); `default`: a fixed
target when none is set.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..custody.kpis import PLAN_TARGET as CUSTODY_TARGET
from ..custody.kpis import TARGET_KEY as CUSTODY_KEY
from ..licensing.kpis import LICENCE_GROWTH_TARGET, TARGET_SMES, VALUE_GROWTH_TARGET


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    cumulative: bool = False
    growth_pct: float | None = None
    default: int | None = None
    by: str = "enterprise"      # whose region/district a value counts in: "enterprise" or "event"


INDICATORS: tuple[Indicator, ...] = (
    Indicator("sme_conversions", "转化高校院所专利的中小企业（累计）", "家", cumulative=True,
              default=TARGET_SMES),
    Indicator("licences_transfers", "专利转让与许可数", "件", growth_pct=LICENCE_GROWTH_TARGET),
    Indicator("contract_value", "专利技术合同成交额", "元", growth_pct=VALUE_GROWTH_TARGET),
    Indicator(CUSTODY_KEY, "知识产权托管覆盖中小企业（累计）", "家", cumulative=True,
              default=CUSTODY_TARGET),
    Indicator("events_held", "举办路演与对接活动", "场", by="event"),
    Indicator("event_deals", "活动促成的许可交易", "笔", by="event"),
)
BY_KEY = {i.key: i for i in INDICATORS}
