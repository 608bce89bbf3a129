"""Patent annuities (年费) under CNIPA's fee standard: what is due, when, and what lateness costs.

A missed annuity silently ends a patent right — the commonest way small firms lose their IP —
so custody is built around this schedule. Pure functions of type and dates (see
../shared/docs/domain.md, "Patent annuities"):

* patent year N starts on the (N−1)th anniversary of the filing date; the annuity for year N
  is due on that anniversary, except the year of grant, whose annuity is paid with the
  registration formalities (within two months of the grant, approximated by the grant date);
* six months of grace follow each due date, with a late fee of 5 % of that year's full annuity
  per full month past the due date (under one month: none; five to six months: 25 %); unpaid
  at the end of the grace period, the right terminates;
* a qualifying owner pays 15 % (85 % reduction) or 30 % (70 %) for the ten years starting with
  the year of grant.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..clock import add_months
from ..errors import ValidationError

GRACE_MONTHS = 6
LATE_FEE_PCT_PER_MONTH = 5
REDUCTION_YEARS = 10
REDUCTIONS = {0: 1.0, 85: 0.15, 70: 0.30}   # reduction % → share still payable
REGISTRATION_MONTHS = 2                     # the grant year's annuity: with the registration
DESIGN_15_YEARS_FROM = date(2021, 6, 1)     # designs filed from then are protected 15 years

# (first year, last year, yuan) per type.
FEES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "invention": ((1, 3, 900), (4, 6, 1200), (7, 9, 2000), (10, 12, 4000), (13, 15, 6000),
                  (16, 20, 8000)),
    "utility": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000)),
    "design": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000), (11, 15, 3000)),
}
TYPE_LABELS = {"invention": "发明", "utility": "实用新型", "design": "外观设计"}


def term_years(patent_type: str, filing_date: date) -> int:
    """Protection term in years.

    >>> term_years("invention", date(2015, 1, 1)), term_years("design", date(2021, 6, 1))
    (20, 15)
    >>> term_years("design", date(2021, 5, 31)), term_years("utility", date(2021, 6, 1))
    (10, 10)
    """
    if patent_type == "invention":
        return 20
    if patent_type == "design" and filing_date >= DESIGN_15_YEARS_FROM:
        return 15
    return 10


def annual_fee(patent_type: str, year: int) -> int:
    """The full annuity in yuan for patent year `year`.

    >>> annual_fee("invention", 3), annual_fee("invention", 4), annual_fee("invention", 20)
    (900, 1200, 8000)
    >>> annual_fee("utility", 5), annual_fee("design", 11)
    (900, 3000)
    """
    for first, last, fee in FEES[patent_type]:
        if first <= year <= last:
            return fee
    raise ValidationError(f"{TYPE_LABELS[patent_type]}专利没有第 {year} 年的年费")


def patent_year(filing_date: date, day: date) -> int:
    """The patent year `day` falls in (year 1 starts on the filing date).

    >>> patent_year(date(2018, 3, 15), date(2018, 3, 15)), patent_year(date(2018, 3, 15), date(2021, 3, 14))
    (1, 3)
    >>> patent_year(date(2018, 3, 15), date(2021, 3, 15))
    4
    """
    years = day.year - filing_date.year
    if (day.month, day.day) < (filing_date.month, filing_date.day):
        years -= 1
    return years + 1


def year_start(filing_date: date, year: int) -> date:
    """The anniversary of the filing date that starts patent year `year` (29 Feb → 28 Feb)."""
    return add_months(filing_date, 12 * (year - 1))


def late_fee(full_fee: int, due: date, paid_on: date) -> int:
    """5 % of the full annuity per full month past the due date, none within the first month.

    >>> late_fee(1200, date(2024, 3, 15), date(2024, 4, 14)), late_fee(1200, date(2024, 3, 15), date(2024, 4, 15))
    (0, 60)
    >>> late_fee(1200, date(2024, 3, 15), date(2024, 9, 14)), late_fee(1200, date(2024, 3, 15), date(2024, 3, 1))
    (300, 0)
    """
    months = 0
    while months < GRACE_MONTHS and add_months(due, months + 1) <= paid_on:
        months += 1
    return full_fee * LATE_FEE_PCT_PER_MONTH * months // 100


@dataclass(frozen=True)
class Annuity:
    """One patent year's annuity."""

    year: int
    due: date
    amount: int            # full annuity, yuan
    reduced: int           # what a qualifying owner pays (== amount without a reduction)
    grace_end: date        # unpaid by then, the right terminates (from the due date)

    def late_fee_on(self, day: date) -> int:
        """The late fee if paid on `day` (on the full annuity, as the fee standard says)."""
        return late_fee(self.amount, self.due, day)

    def status_on(self, day: date) -> str:
        """"upcoming", "in_grace" (past due, still payable with the late fee) or "lapsed"."""
        if day <= self.due:
            return "upcoming"
        return "in_grace" if day <= self.grace_end else "lapsed"


def schedule(patent_type: str, filing_date: date, grant_date: date | None = None, *,
             reduction: int = 0, from_date: date | None = None) -> list[Annuity]:
    """Every annuity from the year of grant to the end of the term, or — with `from_date` —
    those whose grace period had not ended by that day (what is still to pay).

    Without a grant date the patent is treated as granted in its current year (the schedule of
    an application in examination starts when it is granted).

    >>> [(a.year, a.due.isoformat(), a.amount, a.reduced) for a in schedule(
    ...     "utility", date(2019, 5, 10), date(2020, 2, 1), reduction=85)][:3]
    [(1, '2020-04-01', 600, 90), (2, '2020-05-10', 600, 90), (3, '2021-05-10', 600, 90)]
    """
    if patent_type not in FEES:
        raise ValidationError("专利类型应为 invention（发明）、utility（实用新型）或 design（外观设计）")
    if reduction not in REDUCTIONS:
        raise ValidationError("费用减缴比例只能是 85 或 70（不减缴时不填）")
    if grant_date is not None and grant_date < filing_date:
        raise ValidationError("授权日不能早于申请日")
    term = term_years(patent_type, filing_date)
    start_day = grant_date or from_date or filing_date
    first = min(patent_year(filing_date, start_day), term)
    grant_year = patent_year(filing_date, grant_date) if grant_date else None
    out = []
    for year in range(first, term + 1):
        if grant_date is not None and year == grant_year:
            due = add_months(grant_date, REGISTRATION_MONTHS)
        else:
            due = year_start(filing_date, year)
        full = annual_fee(patent_type, year)
        reduced_years = grant_year is not None and grant_year <= year < grant_year + REDUCTION_YEARS
        share = REDUCTIONS[reduction] if reduced_years else 1.0
        annuity = Annuity(year, due, full, round(full * share), add_months(due, GRACE_MONTHS))
        if from_date is None or annuity.grace_end >= from_date:
            out.append(annuity)
    return out
