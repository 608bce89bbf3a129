"""`matchmaker annuities`: the annuity schedule of one patent (a fee calculator for agencies)."""
from __future__ import annotations

import json
from datetime import date

import click

from .. import clock
from ..catalog.numbers import app_no_type_digit, normalize_app_no
from ..custody.annuities import TYPE_LABELS, schedule
from ..errors import ValidationError
from .base import cli
from .commands_deals import _date

TYPE_BY_DIGIT = {"1": "invention", "8": "invention", "2": "utility", "9": "utility", "3": "design"}


@cli.command("annuities")
@click.argument("app_no")
@click.option("--type", "patent_type", type=click.Choice(sorted(TYPE_LABELS)),
              help="Patent type (default: from the application number's type digit).")
@click.option("--filing-date", required=True, callback=_date, help="申请日 YYYY-MM-DD.")
@click.option("--grant-date", callback=_date, help="授权公告日 YYYY-MM-DD.")
@click.option("--reduction", type=click.Choice(["85", "70"]), help="费用减缴比例 (%).")
@click.option("--today", callback=_date, help="List what is still payable as of this date.")
@click.option("--all", "all_years", is_flag=True, help="Every year from grant, paid or not.")
@click.option("--json", "as_json", is_flag=True)
def annuities_cmd(app_no: str, patent_type: str | None, filing_date: date, grant_date: date | None,
                  reduction: str | None, today: date | None, all_years: bool, as_json: bool) -> None:
    """Print year, due date, amount, reduced amount and grace-period end of every remaining
    annuity (those whose grace period has not ended)."""
    try:
        number = normalize_app_no(app_no)
    except ValidationError as exc:
        raise click.BadParameter(exc.message, param_hint="APP_NO") from exc
    patent_type = patent_type or TYPE_BY_DIGIT[app_no_type_digit(number)]
    day = today or clock.today()
    rows = schedule(patent_type, filing_date, grant_date, reduction=int(reduction or 0),
                    from_date=None if all_years else day)
    if as_json:
        click.echo(json.dumps({
            "app_no": number, "type": patent_type, "filing_date": filing_date.isoformat(),
            "grant_date": grant_date.isoformat() if grant_date else None,
            "reduction": int(reduction or 0), "as_of": day.isoformat(),
            "annuities": [{"year": a.year, "due": a.due.isoformat(), "amount": a.amount,
                           "reduced": a.reduced, "grace_end": a.grace_end.isoformat(),
                           "status": a.status_on(day), "late_fee_today": a.late_fee_on(day)}
                          for a in rows]}, ensure_ascii=False))
        return
    click.echo(f"{number}（{TYPE_LABELS[patent_type]}）申请日 {filing_date}"
               + (f"，授权日 {grant_date}" if grant_date else "，未授权：按本年授权计算")
               + (f"，减缴 {reduction}%" if reduction else ""))
    if not rows:
        click.echo("没有待缴年费（保护期已届满）")
        return
    click.echo(f"{'年度':>4}  {'缴费截止日':<10}  {'年费(元)':>8}  {'减缴后(元)':>10}  {'滞纳期届满':<10}")
    for a in rows:
        note = {"in_grace": f"  已逾期，今日缴纳需滞纳金 {a.late_fee_on(day)} 元", "lapsed": "  已过滞纳期"}
        click.echo(f"{a.year:>4}  {a.due.isoformat():<10}  {a.amount:>8}  {a.reduced:>10}  "
                   f"{a.grace_end.isoformat():<10}{note.get(a.status_on(day), '')}")
