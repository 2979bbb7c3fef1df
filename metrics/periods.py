"""Fiscal years (April–March), Japanese eras and the parsing of period and date notations."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Era name -> (first Gregorian year, last valid era year). An era year beyond the last is an error.
ERAS: dict[str, tuple[int, int]] = {
    "令和": (2019, 99),
    "平成": (1989, 31),
    "昭和": (1926, 64),
}
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}


# The stated ranges: fiscal years and dates outside them are errors (pandas' timestamps end in 2262, and a year
# such as 0000 or 9999 is a typing slip, not a period); 9999-12-31 as an end date means "open-ended".
FIRST_YEAR, LAST_YEAR = 1900, 2100
FIRST_DATE, LAST_DATE = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
OPEN_ENDED = dt.date(9999, 12, 31)


class PeriodError(ValueError):
    """A period or date cell that cannot be read: a catalogue key (``imp.…``) with named params, English in str()."""

    def __init__(self, key: str, english: str, **params):
        super().__init__(english)
        self.key = key
        self.params = params


def fiscal_year_of(day: dt.date) -> int:
    """Fiscal year containing ``day``: FY2024 runs from 1 April 2024 to 31 March 2025."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_end(fiscal_year: int) -> dt.date:
    """Last day of a fiscal year (31 March of the next calendar year)."""
    return dt.date(fiscal_year + 1, 3, 31)


def era_year(year: int) -> tuple[str, int]:
    """Japanese era of a fiscal year, by the era in force on its first day (FY2019 = 令和元年度).

    By convention FY2019 is 令和元年度 although Reiwa began on 1 May 2019.
    """
    for name, (start, _last) in ERAS.items():
        if year >= start:
            return name, year - start + 1
    raise PeriodError("imp.before_showa", f"{year} is before the Shōwa era", year=year)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def _era_to_year(era: str, number: str) -> int:
    name = ERA_LETTERS.get(era.upper(), era)
    start, last = ERAS[name]
    n = 1 if number == "元" else int(number)
    if not 1 <= n <= last:
        raise PeriodError("imp.era_year", f"{name}{number}年 does not exist ({name} has years 1 to {last})", era=name,
                          number=number, last=last)
    return start + n - 1


_FY_PATTERNS = [
    re.compile(r"^(?:FY\s*)?(\d{4})(?:\s*年度?)?$", re.IGNORECASE),
    re.compile(r"^(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)\s*(?:年度|年)?$", re.IGNORECASE),
]


def parse_fiscal_year(text: str) -> int:
    """Read ``2024``, ``FY2024``, ``FY 2024``, ``2024年度``, ``令和6年度``, ``R6``, ``令和元年度``, ``H30年度``."""
    value = _normalise(text)
    match = _FY_PATTERNS[0].match(value)
    if match:
        year = int(match.group(1))
        if FIRST_YEAR <= year <= LAST_YEAR:
            return year
        raise PeriodError("imp.year_range", f"{value!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}", value=value,
                          first=FIRST_YEAR, last=LAST_YEAR)
    match = _FY_PATTERNS[1].match(value)
    if match:
        return _era_to_year(match.group(1), match.group(2))
    census = re.sub(r"\s*(現在|時点|時点現在)$", "", value)
    if any(p.match(census) for p in _DATE_PATTERNS):  # a census day (令和5年5月1日現在) names its fiscal year
        return fiscal_year_of(parse_date(census))
    raise PeriodError("imp.not_fiscal_year", f"{value!r} is not a fiscal year (e.g. 2024, FY2024, 2024年度, 令和6年度, R6)",
                      value=value)


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)[年.](\d{1,2})[月.](\d{1,2})日?$", re.IGNORECASE),
]


def parse_date(text: str) -> dt.date:
    """Read ``2024-04-01``, ``2024/4/1``, ``2024年4月1日``, ``令和6年4月1日``, ``令和元年5月1日``.

    Dates lie within FIRST_DATE..LAST_DATE; ``9999-12-31`` (OPEN_ENDED) is returned as is for the caller to read
    as "no end" (the importer accepts it only as an agreement's end date).
    """
    value = _normalise(text)
    if " " in value and _DATE_PATTERNS[0].match(value.split(" ")[0]):
        value = value.split(" ")[0]  # Excel sometimes appends 0:00:00
    for pattern in _DATE_PATTERNS[:2]:
        match = pattern.match(value)
        if match:
            return _make_date(*(int(g) for g in match.groups()), value)
    match = _DATE_PATTERNS[2].match(value)
    if match:
        year = _era_to_year(match.group(1), match.group(2))
        return _make_date(year, int(match.group(3)), int(match.group(4)), value)
    raise PeriodError("imp.not_date", f"{value!r} is not a date (e.g. 2024-04-01, 2024/4/1, 令和6年4月1日)", value=value)


def _make_date(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        day_ = dt.date(year, month, day)
    except ValueError:
        raise PeriodError("imp.invalid_date", f"{original!r} is not a valid date (no such day)", value=original) from None
    if day_ != OPEN_ENDED and not FIRST_DATE <= day_ <= LAST_DATE:
        raise PeriodError("imp.date_range", f"{original!r} is outside the dates {FIRST_DATE}–{LAST_DATE}", value=original,
                          first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat())
    return day_
