"""Japanese and English text from the catalogue; periods, dates and numbers formatted by Babel's ja/en locales."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import os
import re
from pathlib import Path

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from kpi.text.linebreak import normalise
from metrics.periods import PeriodError, era_year

LANGS = ("en", "ja")

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CATALOGUE_PATH = DATA_DIR / "i18n" / "messages.csv"
SOURCES_PATH = DATA_DIR / "i18n" / "sources.csv"
SCHOOLS_PATH = DATA_DIR / "i18n" / "schools.csv"


class MissingText(KeyError):
    """A key the catalogue does not have (raised under test, where KPI_STRICT_I18N=1)."""


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """data/i18n/messages.csv (key, en, ja): one table translators edit without touching code.

    A key listed twice is an error (two branches that both added it): the table must say one thing.
    """
    with CATALOGUE_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows, start=2):
        key = row["key"].strip()
        if key in table:
            raise ValueError(f"{CATALOGUE_PATH.name} line {line}: key {key!r} is listed twice")
        table[key] = {"en": row["en"], "ja": row["ja"]}
    return table


TEXT = catalogue()


def column_labels(columns, lang: str) -> dict[str, str]:
    """Displayed table headers (downloads keep the contract's names, which the importer reads back)."""
    table = catalogue()
    labels = {c: table.get(f"col.{c}", {}).get(lang) or str(c) for c in columns}
    # English headers start with a capital (Period, Value); the catalogue keeps them as they read inside a sentence.
    return {c: label[:1].upper() + label[1:] if lang == "en" else label for c, label in labels.items()}


def unit_suffix(unit: str, lang: str) -> str:
    entry = catalogue().get(f"unit.{unit}")
    return entry.get(lang, "") if entry else ""


def t(key: str, lang: str, **fields) -> str:
    """The catalogue's text for ``key`` in ``lang`` with named placeholders filled in.

    An unknown key shows as itself in production and raises under test (KPI_STRICT_I18N=1), so a missing
    translation is caught before a user sees it.
    """
    entry = catalogue().get(key)
    if entry is None:
        if os.environ.get("KPI_STRICT_I18N") == "1":
            raise MissingText(key)
        return key
    text = entry.get(lang) or entry["en"]
    if not fields:
        return text
    text = text.format(**fields)
    return flat_parentheses(text) if lang == "ja" else text


def flat_parentheses(text: str) -> str:
    """「（2023年度（令和5年度））」 → 「（2023年度・令和5年度）」: no parenthesis inside another in Japanese text."""
    if text.count("（") < 2:
        return text
    out, depth, dropped = [], 0, []
    for char in text:
        if char == "（":
            depth += 1
            dropped.append(depth > 1)
            out.append("・" if depth > 1 else char)
        elif char == "）" and depth:
            depth -= 1
            if not dropped.pop():
                out.append(char)
        else:
            out.append(char)
    return "".join(out)


def fiscal_year_label(year: int, lang: str) -> str:
    """FY2024 / 2024年度（令和6年度）; a year before the eras the app knows is shown without one (a label never raises)."""
    if lang == "ja":
        try:
            era, number = era_year(int(year))
        except PeriodError:
            return f"{year}年度"
        return f"{year}年度（{era}{'元' if number == 1 else number}年度）"
    return f"FY{year}"


def period_label(year: int, period_kind: str, lang: str, *, short: bool = False) -> str:
    """A fiscal-year or calendar-year label; ``short`` drops the era for chart axes."""
    if period_kind == "fiscal":
        if short and lang == "ja":
            return f"{year}年度"
        return fiscal_year_label(year, lang)
    return f"{year}年" if lang == "ja" else str(year)


def _missing(value) -> bool:
    """None, NaN and ±inf all read as "no figure" (a change from zero is infinite, not a number to print)."""
    try:
        return value is None or not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


# Beyond this Babel's decimal context (28 digits) cannot round to the pattern; such figures are shown as 1.2E+20.
_SCIENTIFIC_FROM = 1e18


def format_number(value: float, lang: str, *, digits: int = 0, signed: bool = False) -> str:
    """12,000 / 2,145.5 in either language (Babel's grouping); ``signed`` puts + on a rise."""
    if _missing(value):
        return "–"
    if abs(float(value)) >= _SCIENTIFIC_FROM:
        return babel_numbers.format_scientific(value, format="0.0E0", locale=lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return babel_numbers.format_decimal(value, format=pattern, locale=lang)


def format_large(value: float, lang: str) -> str:
    """Large numbers as people write them: 1.2万 / 24万 in Japanese, 12,000 in English (never 12k)."""
    if _missing(value):
        return "–"
    if lang == "ja" and 10_000 <= abs(value) < _SCIENTIFIC_FROM:
        return babel_numbers.format_compact_decimal(value, locale="ja", fraction_digits=1)
    return format_number(value, lang, digits=0 if float(value).is_integer() or abs(value) >= 100 else 1)


def format_value(value: float | None, unit: str, lang: str, *, signed: bool = False) -> str:
    """2,145 / 2,145人 / 36.8% ; ``signed`` for changes (+3.4%, a change of a percentage in points)."""
    if _missing(value):
        return "–"
    if unit == "percent":
        if signed:
            return t("unit.points_change", lang, value=format_number(value, lang, digits=1, signed=True))
        return format_percent(value, lang=lang)
    digits = 0 if float(value).is_integer() or abs(value) >= 100 else 1
    return f"{format_number(value, lang, digits=digits, signed=signed)}{unit_suffix(unit, lang)}"


def format_percent(value: float | None, *, signed: bool = False, lang: str = "en") -> str:
    """36.8% (a value already in percent); the same pattern in both locales."""
    if _missing(value):
        return "–"
    if abs(float(value)) >= _SCIENTIFIC_FROM:
        return ("+" if signed and value > 0 else "") + babel_numbers.format_scientific(value, format="0.0E0", locale=lang) + "%"
    pattern = "+#,##0.0%;-#,##0.0%" if signed else "#,##0.0%"
    if signed and round(value, 1) == 0:
        pattern = "#,##0.0%"
    return babel_numbers.format_percent(value / 100, format=pattern, locale=lang)


def format_date(day: dt.date | dt.datetime, lang: str) -> str:
    """2026年11月26日 / 26 November 2026 (the order of the app's own English dates: "as of 1 May 2023")."""
    return babel_dates.format_date(day, format="long" if lang == "ja" else "d MMMM y", locale=lang)


def format_day(day, lang: str) -> str:
    """A date in a table, never with a time of day: 2009/04/01 / 1 Apr 2009 ("–" for none)."""
    if day is None or _missing_moment(day):
        return "–"
    moment = day if isinstance(day, dt.date) else _as_date(day)
    if moment is None:
        return str(day)
    if isinstance(moment, dt.datetime):
        moment = moment.date()
    return babel_dates.format_date(moment, format="medium" if lang == "ja" else "d MMM y", locale=lang)


def _missing_moment(value) -> bool:
    try:
        return value != value or str(value) in ("NaT", "nan", "None", "")
    except (TypeError, ValueError):
        return False


def _as_date(value):
    """A pandas Timestamp or an ISO text as a date; None when it is neither."""
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if to_pydatetime is not None:
        return to_pydatetime()
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# Columns holding a year, a revision or a line number: digits as they are (2023, not 2,023).
_PLAIN_INTEGER_COLUMNS = ("year", "period", "revision", "restores", "line", "first", "last", "cycle_months", "id")


def plain_integer_column(column: str) -> bool:
    name = str(column)
    return any(name == word or name.endswith("_" + word) or name.startswith(word + "_")
               for word in _PLAIN_INTEGER_COLUMNS)


def format_cell(value, lang: str, *, column: str = "") -> str:
    """One table cell in words: 6,420 / 2,238.2 / 2023 (a year) / 2009/04/01 (a date, never with 00:00:00) /
    2026/12/03 14:05 (a moment) / – (nothing), never None or NaT."""
    if value is None or type(value).__name__ == "NaTType":
        return "–"
    if isinstance(value, (dt.date, dt.datetime)) or type(value).__name__ == "Timestamp":
        moment = _as_date(value) if type(value).__name__ == "Timestamp" else value
        if isinstance(moment, dt.datetime) and (moment.hour, moment.minute) != (0, 0):
            return format_datetime(moment, lang)  # a moment (a revision's time): to the minute
        return format_day(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        if _missing(value):
            return "–"
        number = float(value)
        if plain_integer_column(column) and number.is_integer():
            return str(int(number))
        return format_number(number, lang, digits=0 if number.is_integer() else 1)
    text = str(value)
    if _ISO_DAY.match(text):  # 2000-05-16 (or with 00:00:00) given as text: a date all the same
        return format_day(text, lang)
    return "–" if text in ("None", "nan", "NaN", "NaT", "<NA>", "") else text


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$")


def format_change(before, after, unit: str, lang: str) -> str:
    """「2,089 → 3,396」 / 「34.9% → 40.0%」: both ends of a change in the KPI's own unit."""
    return f"{format_value(before, unit, lang)} → {format_value(after, unit, lang)}"


def labelled(key: str, text: str, lang: str) -> str:
    """「出典：…」 / "Source: …": a catalogue label, the colon of the language, then the text."""
    return f"{t(key, lang)}{'：' if lang == 'ja' else ': '}{text}"


def note_text(note: str, lang: str) -> str:
    """A revision's note: the app's own notes (the sample's) in the chosen language, people's notes as written."""
    key = f"note.{note}"
    return t(key, lang) if key in catalogue() else note


def format_datetime(moment: dt.datetime, lang: str) -> str:
    """2026年11月26日 14:05 / 26 November 2026, 14:05 (a revision's time, to the minute)."""
    return f"{format_date(moment, lang)}{' ' if lang == 'ja' else ', '}{moment:%H:%M}"


def created_on(lang: str, day: dt.date | None = None) -> str:
    """「2026年11月26日作成」 on every exported page."""
    return t("pdf.created_on", lang, date=format_date(day or dt.date.today(), lang))


def axis_ticks(low: float, high: float, lang: str, *, count: int = 5, unit: str = "") -> tuple[list[float], list[str]]:
    """A few round tick values from ``low`` to ``high`` and their labels (12,000 / 1.2万, never 12k)."""
    low, high = min(0.0, low), max(high, low + 1e-9)
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    # 2.5 only where it stays a whole number (25, 250…): counts have no ticks at 2.5 or 7.5
    multiples = (1, 2, 2.5, 5, 10) if magnitude >= 10 or unit == "percent" else (1, 2, 5, 10)
    step = next(m * magnitude for m in multiples if m * magnitude >= raw)
    values, value = [], math.floor(low / step) * step
    while value <= high + step * 0.999:
        values.append(round(value, 10))
        value += step
    if unit == "percent":
        whole = all(float(v).is_integer() for v in values)
        return values, [babel_numbers.format_percent(v / 100, format="#,##0%" if whole else "#,##0.0%", locale=lang)
                        for v in values]
    return values, [format_large(v, lang) for v in values]


def indicator_name(registry, indicator: str, lang: str) -> str:
    return str(registry.loc[indicator, "name_ja" if lang == "ja" else "name_en"])


@functools.cache
def _pairs(path: Path) -> dict[str, dict[str, str]]:
    """A two-language table (en, ja): either spelling finds the row, so data stored in either language translates."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = {}
    for row in rows:
        pair = {"en": row["en"].strip(), "ja": row["ja"].strip()}
        table[pair["en"].casefold()] = pair
        table[pair["ja"].casefold()] = pair
    return table


def source_text(source: str, lang: str) -> str:
    """A citation in the reader's language when data/i18n/sources.csv has it (else as the file gave it)."""
    pair = _pairs(SOURCES_PATH).get(str(source).strip().casefold())
    return normalise(pair[lang] if pair else str(source))


def sources_text(joined: str, lang: str) -> str:
    """Several citations in one text (joined by "; ", which a citation may contain too), each translated."""
    text = str(joined)
    other = "en" if lang == "ja" else "ja"
    pairs = {id(pair): pair for pair in _pairs(SOURCES_PATH).values()}.values()
    for pair in sorted(pairs, key=lambda pair: -len(pair[other])):
        text = text.replace(pair[other], pair[lang])
    return text


def school_name(school: str, lang: str) -> str:
    """工学部 / Engineering from data/i18n/schools.csv; a school the table lacks shows as stored."""
    pair = _pairs(SCHOOLS_PATH).get(str(school).strip().casefold())
    return pair[lang] if pair else str(school)


def dataset_name(dataset: str, lang: str) -> str:
    return t(f"dataset.{dataset}", lang) if f"dataset.{dataset}" in catalogue() else str(dataset)


def unit_name(unit: str, lang: str) -> str:
    return t(f"unit_name.{unit}", lang) if f"unit_name.{unit}" in catalogue() else str(unit)
