"""Fiscal years, eras and the notations the importer accepts."""

import datetime as dt

import pytest

from metrics.periods import PeriodError, era_year, fiscal_year_of, parse_date, parse_fiscal_year


@pytest.mark.parametrize("text,year", [
    ("2024", 2024), ("FY2024", 2024), ("FY 2024", 2024), ("fy2024", 2024), ("2024年度", 2024),
    ("令和6年度", 2024), ("R6", 2024), ("R6年度", 2024), ("令和元年度", 2019), ("H30年度", 2018),
    ("平成30年度", 2018), ("平成31年度", 2019), ("２０２４年度", 2024), (" 令和 6 年度 ", 2024), ("昭和64年度", 1989),
])
def test_fiscal_year_notations(text, year):
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize("text", ["平成45年度", "令和0年度", "FY24", "next year", "", "1850"])
def test_impossible_fiscal_years(text):
    with pytest.raises(PeriodError):
        parse_fiscal_year(text)


@pytest.mark.parametrize("text,day", [
    ("2024-04-01", dt.date(2024, 4, 1)), ("2024/4/1", dt.date(2024, 4, 1)), ("2024年4月1日", dt.date(2024, 4, 1)),
    ("令和6年4月1日", dt.date(2024, 4, 1)), ("平成28年4月1日", dt.date(2016, 4, 1)),
    ("令和元年5月1日", dt.date(2019, 5, 1)), ("2024/04/01 0:00:00", dt.date(2024, 4, 1)),
])
def test_dates(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["2024-02-30", "平成45年4月1日", "1 April 2024"])
def test_bad_dates(text):
    with pytest.raises(PeriodError):
        parse_date(text)


@pytest.mark.parametrize("day,fy", [
    (dt.date(2025, 3, 31), 2024),  # 31 March still belongs to the fiscal year that began the April before
    (dt.date(2025, 4, 1), 2025),
    (dt.date(2024, 12, 31), 2024),
])
def test_fiscal_year_of(day, fy):
    assert fiscal_year_of(day) == fy


@pytest.mark.parametrize("year,era", [(2024, ("令和", 6)), (2019, ("令和", 1)), (2018, ("平成", 30)), (1989, ("平成", 1))])
def test_era_year(year, era):
    assert era_year(year) == era
