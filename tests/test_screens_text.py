"""What the finished screens print: table cells, flat parentheses, the dataset a refused file looks like."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpi.ingest.schemas import guess_dataset
from kpi.ingest.schools import canonical_school
from kpi.text.i18n import column_labels, flat_parentheses, format_cell, format_change, t


@pytest.mark.parametrize("value,lang,column,text", [
    pytest.param(None, "ja", "", "–", id="none"),
    pytest.param(float("nan"), "ja", "", "–", id="nan"),
    pytest.param(pd.NaT, "ja", "start_date", "–", id="nat"),
    pytest.param(pd.NA, "en", "", "–", id="pandas-na"),
    pytest.param("None", "ja", "", "–", id="none-text"),
    pytest.param(6420.0, "ja", "papers", "6,420", id="whole-float-grouped"),
    pytest.param(np.int64(24000), "en", "value", "24,000", id="numpy-int-grouped"),
    pytest.param(2238.1818, "en", "", "2,238.2", id="one-decimal"),
    pytest.param(np.int64(2023), "ja", "fiscal_year", "2023", id="year-plain"),
    pytest.param(15.0, "en", "revision", "15", id="revision-plain"),
    pytest.param(pd.Timestamp("2009-04-01"), "ja", "start_date", "2009/04/01", id="date-no-time-ja"),
    pytest.param(pd.Timestamp("2009-04-01"), "en", "start_date", "1 Apr 2009", id="date-no-time-en"),
    pytest.param(dt.date(2027, 10, 14), "ja", "end_date", "2027/10/14", id="python-date"),
    pytest.param(pd.Timestamp("2026-12-03 14:05:09"), "ja", "created_at", "2026年12月3日 14:05", id="moment"),
    pytest.param("工学部", "ja", "school", "工学部", id="text-as-is"),
    pytest.param("2000-05-16", "ja", "first", "2000/05/16", id="iso-date-text"),
    pytest.param("2009-04-01 00:00:00", "en", "", "1 Apr 2009", id="iso-midnight-text"),
])
def test_a_cell_is_formatted_once(value, lang, column, text):
    assert format_cell(value, lang, column=column) == text


@pytest.mark.parametrize("before,after,unit,lang,text", [
    pytest.param(2089, 3396, "students", "ja", "2,089人 → 3,396人", id="grouped-both-ends"),
    pytest.param(34.9, 40, "percent", "en", "34.9% → 40.0%", id="percent-both-ends"),
    pytest.param(None, 10, "count", "en", "– → 10", id="new-value"),
])
def test_a_change_shows_both_ends_in_the_kpis_unit(before, after, unit, lang, text):
    assert format_change(before, after, unit, lang) == text


@pytest.mark.parametrize("text,flat", [
    pytest.param("（2023年度（令和5年度））", "（2023年度・令和5年度）", id="nested"),
    pytest.param("2023年度（令和5年度）", "2023年度（令和5年度）", id="one-level-kept"),
    pytest.param("学生数（2023年度（令和5年度））：国別（上位）", "学生数（2023年度・令和5年度）：国別（上位）", id="two-groups"),
])
def test_no_parenthesis_inside_another_in_japanese(text, flat):
    assert flat_parentheses(text) == flat


def test_the_catalogue_fills_a_period_without_nesting():
    text = t("sc.mob_table", "ja", direction="受入", year="2023年度（令和5年度）")
    assert "（令和" not in text and "2023年度・令和5年度" in text


@pytest.mark.parametrize("header,chosen,guess", [
    pytest.param(["年度", "区分", "国・地域", "人数"], "papers", "mobility", id="mobility-as-papers"),
    pytest.param(["fiscal_year", "direction", "country", "students"], "agreements", "mobility", id="english-ids"),
    pytest.param(["協定校名", "国・地域", "協定区分", "締結日"], "papers", "agreements", id="agreements-as-papers"),
    pytest.param(["年度", "区分", "国・地域", "人数"], "mobility", None, id="right-dataset"),
    pytest.param(["foo", "bar"], "papers", None, id="fits-nothing"),
    pytest.param([], "papers", None, id="no-header"),
])
def test_a_refused_file_names_the_dataset_it_fits(header, chosen, guess):
    assert guess_dataset(header, chosen=chosen) == guess


def test_english_headers_start_with_a_capital_and_japanese_are_unchanged():
    assert column_labels(["period", "value"], "en") == {"period": "Period", "value": "Value"}
    assert column_labels(["period"], "ja") == {"period": "期間"}


@pytest.mark.parametrize("given,stored", [
    pytest.param("Engineering", "Engineering", id="stored-name"),
    pytest.param("工学部・工学研究科", "Engineering", id="japanese-name"),
    pytest.param("Faculty of Engineering", "Engineering", id="faculty-of"),
    pytest.param("工学研究科", "Engineering", id="graduate-school-ja"),
    pytest.param("ＦＡＣＵＬＴＹ  OF ENGINEERING", "Engineering", id="width-case-spaces"),
    pytest.param("Economics & Management", "Economics and Management", id="ampersand"),
    pytest.param("Institute for Materials Research", "Institute for Materials Research", id="unknown-as-written"),
])
def test_a_school_in_either_language_is_one_school(given, stored):
    assert canonical_school(given) == stored


def test_an_imported_file_stores_one_school_for_both_spellings():
    from kpi.store import service

    text = ("年度,区分,国・地域,部局,人数\r\n令和5年度,受入,中国,工学部・工学研究科,10\r\n"
            "令和5年度,受入,韓国,Faculty of Engineering,5\r\n")
    result = service.validate_bytes(text.encode("utf-8"), "mobility", file_name="schools.csv")
    assert result.ok, [p.message_in("en") for p in result.errors]
    assert set(result.frame["school"]) == {"Engineering"}
