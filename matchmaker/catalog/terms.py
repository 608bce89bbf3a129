"""Patent term rules (Patent Law art. 42): expiry computed from type and filing date."""
from __future__ import annotations

from datetime import date, timedelta

from ..models.enums import PatentType

# Design patents filed from this date run 15 years instead of 10 (domain.md §2, marked verify).
DESIGN_15_YEARS_FROM = date(2021, 6, 1)
TERM_YEARS = {PatentType.INVENTION: 20, PatentType.UTILITY: 10}


def term_years(patent_type: PatentType, filing_date: date) -> int:
    """Length of the term in years for this type and filing date."""
    if patent_type == PatentType.DESIGN:
        return 15 if filing_date >= DESIGN_15_YEARS_FROM else 10
    return TERM_YEARS[patent_type]


def compute_expiry(patent_type: PatentType | None, filing_date: date | None,
                   extension_days: int = 0) -> date | None:
    """Last day of protection: the day before the filing anniversary, plus any compensation.

    >>> compute_expiry(PatentType.INVENTION, date(2017, 8, 1))
    datetime.date(2037, 7, 31)
    """
    if patent_type is None or filing_date is None:
        return None
    years = term_years(patent_type, filing_date)
    try:
        anniversary = filing_date.replace(year=filing_date.year + years)
    except ValueError:  # 29 February filed, anniversary in a non-leap year
        anniversary = date(filing_date.year + years, 3, 1)
    return anniversary - timedelta(days=1) + timedelta(days=extension_days or 0)
