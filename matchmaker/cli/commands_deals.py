"""`matchmaker tick` (cron) and `matchmaker kpis` (the dashboard's figures on the console)."""
from __future__ import annotations

import json
from datetime import date

import click

from .. import clock
from ..catalog import login_throttle
from ..indicators.table import build_table
from ..licensing.kpis import FIRST_YEAR, compute_kpis
from ..money import wan
from ..custody.tick import custody_tick
from ..licensing.tick import tick
from ..migrate import upgrade
from ..params import DATE_MAX, DATE_MIN, parse_date
from .base import State, cli, pass_state


def _date(_ctx, _param, value: str | None) -> date | None:
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD（{DATE_MIN.year}–{DATE_MAX.year} 年）")
    return parsed


@cli.command("tick")
@click.option("--today", callback=_date, help="Run as if today were this date (YYYY-MM-DD).")
@pass_state
def tick_cmd(state: State, today: date | None) -> None:
    """Time-driven work: reminders, conversion due, recordal deadlines, expiries (idempotent)."""
    rt = state.runtime
    upgrade(rt.engine)
    day = today or clock.today()
    with rt.transaction() as session:
        report = tick(session, today=day)
        custody = custody_tick(session, today=day)
        login_throttle.prune(session, login_throttle.wall_clock())   # counters long past their wait
    click.echo("；".join(report.lines() + custody.lines()))


@cli.command("kpis")
@click.option("--as-of", "as_of", callback=_date, help="Figures as they stood at the end of this date.")
@click.option("--from-year", type=click.IntRange(FIRST_YEAR, DATE_MAX.year),
              help="First year of the period (default: two years before).")
@click.option("--station", "station_id", type=int, help="Only this station's deals (id).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def kpis_cmd(state: State, as_of: date | None, from_year: int | None, station_id: int | None,
             as_json: bool) -> None:
    """The policy KPIs, computed from the deal event log."""
    rt = state.runtime
    upgrade(rt.engine)
    with rt.session_factory() as session:
        k = compute_kpis(session, as_of=as_of or clock.today(), first_year=from_year,
                         station_id=station_id)
        table = [] if station_id else build_table(session, first_year=k.first_year,
                                                   last_year=k.last_year, as_of=k.as_of)
    if as_json:
        data = k.as_dict()
        data["indicators"] = [row.as_json() for row in table]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    excluded = (f"；另有未填写企业画像 {k.converted_unclassified} 家、大型企业 {k.converted_large} 家未计入"
                if k.converted_unclassified or k.converted_large else "")
    click.echo(f"截至 {k.as_of}：转化高校院所专利的中小企业 {k.converted_smes} 家（目标 {k.target_smes}）{excluded}")
    click.echo("年份  许可  转让  合计  增长(目标+20%)  合同金额  增长(目标+40%)")
    for y in k.years:
        click.echo(f"{y.year}  {y.licences:>4}  {y.transfers:>4}  {y.deals:>4}  {_pct(y.count_growth):>14}  "
                   f"{wan(y.value_yuan):>10}  {_pct(y.value_growth):>8}")
    click.echo(f"免费→有偿转化率 {_pct(k.conversion_rate, sign=False)}（转化 {k.conversions_from_free}，"
               f"未转化 {k.lapsed}）；转化中位天数 {k.median_days_to_conversion if k.median_days_to_conversion is not None else '—'}")
    click.echo(f"{k.answer_days} 天内得到响应的需求 {k.needs_answered}/{k.needs_total}"
               f"（{_pct(k.needs_answered_pct, sign=False)}）")
    for s in k.stations:
        click.echo(f"  驿站 {s.name}：交易 {s.deals}，转化 {s.conversions}，金额 {wan(s.value_yuan)}，代发需求 {s.needs_posted}")
    c = k.custody
    if c is not None:
        left_out = (f"（另有未填写企业画像 {c.covered_unclassified} 家、大型企业 {c.covered_large} 家未计入）"
                    if c.covered_unclassified or c.covered_large else "")
        click.echo(f"知识产权托管累计覆盖中小企业 {c.smes} 家（目标 {c.target}）{left_out}，托管中 {c.active_smes} 家；"
                   f"年费按期 {c.on_time} 笔、滞纳期补缴 {c.late} 笔、逾期致终止风险 {c.lapsed} 件；"
                   f"使用创新券/服务券 {c.vouchers} 份（{wan(c.voucher_value_yuan)}）")
    if table:
        click.echo("规划指标表（数值 / 目标 / 状态）：")
        for row in table:
            t = row.total
            value = wan(t.value) if row.indicator.unit == "元" else f"{t.value} {row.indicator.unit}"
            target = "—" if t.target is None else (wan(t.target) if row.indicator.unit == "元" else str(t.target))
            click.echo(f"  {row.year} {row.indicator.label}：{value} / {target} / {t.state_label}")


def _pct(value: float | None, sign: bool = True) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}%" if sign else f"{value:.1f}%"
