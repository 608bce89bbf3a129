"""Patent term (Patent Law art. 42): expiry is the day before the filing anniversary."""
from __future__ import annotations

from datetime import date

import pytest

from matchmaker.catalog.terms import compute_expiry, term_years
from matchmaker.models import PatentType

INV, UTIL, DES = PatentType.INVENTION, PatentType.UTILITY, PatentType.DESIGN


@pytest.mark.parametrize("ptype, filed, years", [
    (INV, date(2017, 8, 1), 20),
    (INV, date(2022, 1, 1), 20),
    (UTIL, date(2017, 8, 1), 10),
    (UTIL, date(2022, 1, 1), 10),
    (DES, date(2021, 5, 31), 10),
    (DES, date(2021, 6, 1), 15),
    (DES, date(2023, 3, 15), 15),
])
def test_term_length_by_type_and_filing_date(ptype, filed, years):
    assert term_years(ptype, filed) == years


@pytest.mark.parametrize("ptype, filed, expiry", [
    (INV, date(2017, 8, 1), date(2037, 7, 31)),
    (UTIL, date(2017, 8, 1), date(2027, 7, 31)),
    (INV, date(2018, 1, 1), date(2037, 12, 31)),     # crosses the year boundary
    (DES, date(2021, 5, 31), date(2031, 5, 30)),     # last day of the 10-year regime
    (DES, date(2021, 6, 1), date(2036, 5, 31)),      # first day of the 15-year regime
])
def test_term_ends_the_day_before_the_anniversary(ptype, filed, expiry):
    assert compute_expiry(ptype, filed) == expiry


@pytest.mark.parametrize("ptype, filed, expiry", [
    (INV, date(2020, 2, 29), date(2040, 2, 28)),     # 2040 is a leap year: anniversary 29 Feb
    (UTIL, date(2020, 2, 29), date(2030, 2, 28)),    # no 29 Feb in 2030: anniversary taken as 1 Mar
    (DES, date(2024, 2, 29), date(2039, 2, 28)),
    (INV, date(2019, 3, 1), date(2039, 2, 28)),
    (INV, date(2020, 3, 1), date(2040, 2, 29)),      # day before 1 Mar in a leap year
])
def test_29_february_and_the_day_before_1_march(ptype, filed, expiry):
    assert compute_expiry(ptype, filed) == expiry


def test_extension_days_are_added_to_the_term():
    assert compute_expiry(INV, date(2017, 8, 1), extension_days=100) == date(2037, 11, 8)


@pytest.mark.parametrize("ptype, filed", [(None, date(2017, 8, 1)), (INV, None), (None, None)])
def test_unknown_type_or_filing_date_gives_no_expiry(ptype, filed):
    assert compute_expiry(ptype, filed) is None
