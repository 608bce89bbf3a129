"""The annuity schedule against hand-computed cases of the CNIPA fee standard (domain.md)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from matchmaker.custody.annuities import annual_fee, late_fee, schedule
from matchmaker.errors import ValidationError


def rows(*args, **kw):
    return [(a.year, a.due, a.amount, a.reduced, a.grace_end) for a in schedule(*args, **kw)]


def test_invention_granted_in_its_third_year_with_the_85_percent_reduction():
    # filed 2016-03-15, granted 2018-11-20 (year 3: 2018-03-15 … 2019-03-14)
    got = rows("invention", date(2016, 3, 15), date(2018, 11, 20), reduction=85)
    assert got[0] == (3, date(2019, 1, 20), 900, 135, date(2019, 7, 20)), "grant year: with registration"
    assert got[1] == (4, date(2019, 3, 15), 1200, 180, date(2019, 9, 15))
    assert got[4] == (7, date(2022, 3, 15), 2000, 300, date(2022, 9, 15))
    assert got[9] == (12, date(2027, 3, 15), 4000, 600, date(2027, 9, 15)), "10th reduced year"
    assert got[10] == (13, date(2028, 3, 15), 6000, 6000, date(2028, 9, 15)), "reduction over"
    assert got[-1] == (20, date(2035, 3, 15), 8000, 8000, date(2035, 9, 15))
    assert [r[0] for r in got] == list(range(3, 21))


def test_utility_model_term_and_70_percent_reduction():
    got = rows("utility", date(2019, 5, 10), date(2020, 2, 1), reduction=70)
    assert [(y, a, r) for y, _d, a, r, _g in got] == [
        (1, 600, 180), (2, 600, 180), (3, 600, 180), (4, 900, 270), (5, 900, 270),
        (6, 1200, 360), (7, 1200, 360), (8, 1200, 360), (9, 2000, 600), (10, 2000, 600)]
    assert got[0][1] == date(2020, 4, 1) and got[1][1] == date(2020, 5, 10)


def test_designs_filed_from_june_2021_are_kept_fifteen_years():
    new = rows("design", date(2021, 6, 1), date(2021, 12, 1))
    old = rows("design", date(2021, 5, 31), date(2021, 12, 1))
    assert new[-1][:3] == (15, date(2035, 6, 1), 3000) and len(new) == 15
    assert old[-1][:3] == (10, date(2030, 5, 31), 2000) and len(old) == 10


def test_a_filing_date_of_29_february_falls_due_on_28_february():
    got = rows("invention", date(2020, 2, 29), date(2021, 1, 10))
    assert got[1][:2] == (2, date(2021, 2, 28)) and got[3][:2] == (4, date(2023, 2, 28))
    assert got[4][:2] == (5, date(2024, 2, 29))


@pytest.mark.parametrize("paid_on, fee", [
    (date(2024, 3, 15), 0), (date(2024, 4, 14), 0), (date(2024, 4, 15), 100),
    (date(2024, 5, 15), 200), (date(2024, 6, 14), 200), (date(2024, 8, 15), 500),
    (date(2024, 9, 14), 500), (date(2024, 9, 15), 600),
])
def test_late_fee_is_5_percent_of_the_full_annuity_per_full_month(paid_on, fee):
    assert late_fee(2000, date(2024, 3, 15), paid_on) == fee


def test_only_years_whose_grace_has_not_ended_remain():
    got = schedule("invention", date(2016, 3, 15), date(2018, 11, 20), from_date=date(2024, 8, 1))
    assert got[0].year == 9 and got[0].status_on(date(2024, 8, 1)) == "in_grace"
    assert got[0].late_fee_on(date(2024, 8, 1)) == 2000 * 5 * 4 // 100
    assert got[1].status_on(date(2024, 8, 1)) == "upcoming"
    assert got[0].status_on(date(2024, 9, 16)) == "lapsed"


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValidationError):
        schedule("plant", date(2020, 1, 1))
    with pytest.raises(ValidationError):
        schedule("invention", date(2020, 1, 1), date(2019, 1, 1))
    with pytest.raises(ValidationError):
        schedule("invention", date(2020, 1, 1), reduction=50)
    with pytest.raises(ValidationError):
        annual_fee("utility", 11)


MATCHMAKER = shutil.which("matchmaker", path=str(Path(sys.executable).parent))


def test_cli_prints_the_schedule_and_json(tmp_path):
    base = [MATCHMAKER, "annuities", "201710601862.3", "--filing-date", "2017-07-24",
            "--grant-date", "2019-05-10", "--reduction", "85", "--today", "2025-01-01"]
    out = subprocess.run(base + ["--json"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["type"] == "invention", "from the type digit of the application number"
    first = body["annuities"][0]
    assert first == {"year": 8, "due": "2024-07-24", "amount": 2000, "reduced": 300,
                     "grace_end": "2025-01-24", "status": "in_grace", "late_fee_today": 500}
    assert [a["year"] for a in body["annuities"]] == list(range(8, 21))
    text = subprocess.run(base, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert text.returncode == 0 and "滞纳金 500 元" in text.stdout and "2036-07-24" in text.stdout
    bad = subprocess.run([MATCHMAKER, "annuities", "201710601862.4", "--filing-date", "2017-07-24"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert bad.returncode == 2 and "校验位" in bad.stderr
