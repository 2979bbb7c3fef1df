"""Labels, number formats and formula-safe CSV export."""

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpi.publish.exporting import to_safe_csv
from kpi.text.i18n import (
    TEXT,
    axis_ticks,
    created_on,
    format_large,
    format_value,
    period_label,
    school_name,
    source_text,
    t,
)
from kpi.text.status import OUTLOOK_LOOK, STATUS_LOOK
from kpi.views.narrative import outlook_text, status_text
from metrics.evaluate import Outlook, Status


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
    (71, "students", "en", True, "+71"), (-3, "papers", "ja", True, "-3件"), (float("nan"), "students", "en", False, "–"),
])
def test_number_formats(value, unit, lang, signed, text):
    assert format_value(value, unit, lang, signed=signed) == text


@pytest.mark.parametrize("value,text", [
    pytest.param(float("inf"), "–", id="change-from-zero"), pytest.param(-float("inf"), "–", id="minus-inf"),
    pytest.param(5e185, "+5.0E185%", id="beyond-decimal-precision"),  # once decimal.InvalidOperation
    pytest.param(1e12, "+1,000,000,000,000.0%", id="large-but-exact"),
])
def test_percent_changes_of_any_size_format(value, text):
    from kpi.text.i18n import format_percent
    assert format_percent(value, signed=True) == text


@pytest.mark.parametrize("value,lang,text", [
    pytest.param(-1e185, "ja", "-1.0E185", id="ja-beyond-precision"), pytest.param(2e20, "en", "2.0E20", id="en"),
])
def test_huge_values_format_instead_of_raising(value, lang, text):
    assert format_large(value, lang) == text


def test_every_label_has_both_languages():
    assert all(set(entry) == {"en", "ja"} for entry in TEXT.values())


@pytest.mark.parametrize("status", [pytest.param(s.value, id=s.value) for s in Status])
def test_every_status_of_the_evaluator_has_one_icon_and_a_word(status):
    """The evaluator's enum is the vocabulary's source: each value has an icon, a colour and words in both languages."""
    look = STATUS_LOOK[Status(status)]
    assert look.icon and look.colour.startswith("#")
    assert status_text(status, "en") == f"{look.icon} {t('eval.status.' + status, 'en')}"
    assert all(t(f"eval.status.{status}", lang) != f"eval.status.{status}" for lang in ("en", "ja"))


@pytest.mark.parametrize("outlook", [pytest.param(o.value, id=o.value) for o in Outlook])
def test_every_outlook_of_the_evaluator_has_one_icon_and_a_word(outlook):
    assert OUTLOOK_LOOK[Outlook(outlook)].icon in outlook_text(outlook, "ja")


@pytest.mark.parametrize("cell,written", [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"), ("Tohoku", "Tohoku"),
])
def test_csv_cells_that_could_run_as_formulas_are_neutralised(cell, written):
    data = to_safe_csv(pd.DataFrame({"partner": [cell], "students": [-5]})).decode("utf-8-sig")
    row = next(iter(csv.reader(data.splitlines()[1:])))
    assert row == [written, "-5"]  # numbers are left as numbers


@pytest.mark.parametrize("value,lang,text", [
    pytest.param(12000, "ja", "1.2万", id="ja-man"), pytest.param(240000, "ja", "24万", id="ja-24man"),
    pytest.param(3410, "ja", "3,410", id="ja-below-man"), pytest.param(12000, "en", "12,000", id="en-no-k"),
    pytest.param(1500, "en", "1,500", id="en-thousands"), pytest.param(2.5, "en", "2.5", id="en-fraction"),
])
def test_large_numbers_never_use_k(value, lang, text):
    assert format_large(value, lang) == text


@pytest.mark.parametrize("lang,text", [
    pytest.param("ja", "2026年11月26日作成", id="ja"), pytest.param("en", "Created 26 November 2026", id="en"),
])
def test_created_on_is_a_date_in_words(lang, text):
    assert created_on(lang, dt.date(2026, 11, 26)) == text


@pytest.mark.parametrize("low,high,lang,labels", [
    pytest.param(0, 9000, "en", ["0", "2,500", "5,000", "7,500", "10,000"], id="en"),
    pytest.param(0, 24000, "ja", ["0", "1万", "2万", "3万"], id="ja"),
    pytest.param(0, 45, "ja", ["0%", "20%", "40%", "60%"], id="percent"),
])
def test_axis_ticks_are_round_and_localised(low, high, lang, labels):
    values, text = axis_ticks(low, high, lang, unit="percent" if high == 45 else "")
    assert text == labels and values[0] == 0


def test_target_line_has_no_nested_brackets():
    text = t("target_line", "ja", value=format_value(3000, "students", "ja"), period=period_label(2030, "fiscal", "ja"))
    assert text == "2030年度（令和12年度）目標 3,000人"


@pytest.mark.parametrize("word", ["前期比", "同梱データ", "long形式", "▸", "必要な伸び", "年+"])
def test_japanese_wording_an_administrator_would_write(word):
    assert not [key for key, entry in TEXT.items() if word in entry["ja"]]


@pytest.mark.parametrize("stored,lang,shown", [
    pytest.param("Illustrative (not university figures)", "ja", "仮の値（大学の公表値ではありません）", id="illustrative"),
    pytest.param("仮の値（大学の公表値ではありません）", "en", "Illustrative (not university figures)", id="back"),
    pytest.param("Kyoto survey 2024", "ja", "Kyoto survey 2024", id="unknown-as-given"),
])
def test_sources_cite_in_the_readers_language(stored, lang, shown):
    assert source_text(stored, lang) == shown


def test_sample_sources_all_have_japanese():
    from kpi.store.service import sample_manifest

    cited = [item.source for item in sample_manifest() if item.source]
    for path in ("indicators.csv", "targets.csv"):
        cited += list(pd.read_csv(Path("data/sample") / path)["source"].dropna())
    assert [s for s in cited if source_text(s, "ja") == s] == []


@pytest.mark.parametrize("school,lang,shown", [
    pytest.param("Engineering", "ja", "工学部・工学研究科", id="ja"),
    pytest.param("工学部・工学研究科", "en", "Engineering", id="en"),
])
def test_school_names_are_bilingual(school, lang, shown):
    assert school_name(school, lang) == shown


def test_sample_schools_all_have_japanese():
    schools = set(pd.read_csv("data/sample/mobility_inbound.csv")["school"]) | set(
        pd.read_csv("data/sample/mobility_outbound.csv")["school"])
    assert {s for s in schools if school_name(s, "ja") == s} == set()


def test_every_dataset_and_contract_column_has_text_in_the_catalogue():
    """The Data page explains the contract from the catalogue: a new dataset or column needs its words there."""
    from kpi.ingest.schemas import DATASETS
    from kpi.text.i18n import catalogue

    table = catalogue()
    needed = [f"dataset.{name}" for name in DATASETS]
    needed += [key for name, cols in DATASETS.items() for col in cols
               for key in (f"contract.kind.{col.kind}", f"contract.{name}.{col.name}")]
    assert [key for key in needed if key not in table] == []


def test_a_year_before_the_known_eras_is_labelled_without_one():
    assert period_label(1900, "fiscal", "ja") == "1900年度"
