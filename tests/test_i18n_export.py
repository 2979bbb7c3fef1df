"""Labels, number formats and formula-safe CSV export."""

import csv

import pandas as pd
import pytest

from kpi.exporting import to_safe_csv
from kpi.i18n import TEXT, format_value, period_label, status_label


@pytest.mark.parametrize("year,kind,lang,label", [
    (2024, "fiscal", "en", "FY2024"), (2024, "fiscal", "ja", "2024年度（令和6年度）"),
    (2019, "fiscal", "ja", "2019年度（令和元年度）"), (2018, "fiscal", "ja", "2018年度（平成30年度）"),
    (2024, "calendar", "en", "2024"), (2024, "calendar", "ja", "2024年"),
])
def test_period_labels(year, kind, lang, label):
    assert period_label(year, kind, lang) == label


@pytest.mark.parametrize("value,unit,lang,signed,text", [
    (2145, "students", "en", False, "2,145"), (2145, "students", "ja", False, "2,145人"),
    (36.81, "percent", "en", False, "36.8%"), (1.7, "percent", "en", True, "+1.7 pt"),
    (71, "students", "en", True, "+71"), (-3, "papers", "ja", True, "-3本"), (float("nan"), "students", "en", False, "–"),
])
def test_number_formats(value, unit, lang, signed, text):
    assert format_value(value, unit, lang, signed=signed) == text


def test_every_label_has_both_languages():
    assert all(set(entry) == {"en", "ja"} for entry in TEXT.values())


def test_status_has_icon_and_word():
    assert status_label("at_risk", "en") == "◆ At risk"
    assert status_label("off_track", "ja") == "▼ 遅れ"


@pytest.mark.parametrize("cell,written", [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"), ("Tohoku", "Tohoku"),
])
def test_csv_cells_that_could_run_as_formulas_are_neutralised(cell, written):
    data = to_safe_csv(pd.DataFrame({"partner": [cell], "students": [-5]})).decode("utf-8-sig")
    row = next(iter(csv.reader(data.splitlines()[1:])))
    assert row == [written, "-5"]  # numbers are left as numbers
