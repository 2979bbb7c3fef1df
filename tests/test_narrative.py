"""Written verdicts from the evaluator's rows, in both languages."""

import math

import pandas as pd
import pytest

from kpi.views.narrative import kpi_sentence, reference_label, strategy_sentence, target_text, verdict_sentence
from metrics.registry import load_registry

BASE = {"indicator": "partner_institutions", "period_kind": "fiscal", "unit": "institutions", "period": 2024,
        "reference_kind": "fy_end", "value": 267.0, "previous_period": 2023, "previous_value": 267.0, "change": 0.0,
        "change_pct": 0.0, "target_value": 320.0, "target_period": 2030, "baseline_period": 2019,
        "progress_pct": 83.4, "status": "behind", "status_reason": "below_plan", "gap_pct": -5.26,
        "outlook": "likely", "outlook_reason": "growth_enough", "growth_needed": 0.0306, "growth_achieved": 0.0431,
        "fit_first_period": 2017, "excluded_periods": "2020;2021", "reach_period": 2029, "closed_result": "",
        "closed_target_period": pd.NA, "next_due": pd.Timestamp("2027-03-31"), "owner": ""}


@pytest.mark.parametrize("lang,changes,expected", [
    pytest.param("ja", {}, "計画を5.3%下回るが、過去7年（2020〜2021年度を除く）の年平均成長率+4.3%は必要な+3.1%を上回る。",
                 id="behind plan but on course, in Japanese"),
    pytest.param("en", {}, "5.3% below plan, but growth of +4.3% a year over the last 7 years (excluding "
                           "FY2020–FY2021) beats the +3.1% needed.", id="behind plan but on course, in English"),
    pytest.param("ja", {"status": "on_track", "status_reason": "above_plan", "gap_pct": 2.0, "outlook": "unlikely",
                        "outlook_reason": "growth_short"}, "計画を2.0%上回るが、", id="ahead of plan but off course"),
    pytest.param("en", {"status": "stale", "status_reason": "overdue", "period": 2023,
                        "next_due": pd.Timestamp("2026-03-31")},
                 "Latest figure: as of 31 March 2024 (the next was due by 31 March 2026); growth",
                 id="stale: says which date the figure describes and when the next was due"),
])
def test_verdict_sentence(lang, changes, expected):
    assert expected in verdict_sentence({**BASE, **changes}, lang)


@pytest.mark.parametrize("period,kind,lang,expected", [
    pytest.param(2023, "may_1", "ja", "2023年5月1日現在", id="census day"),
    pytest.param(2023, "may_1", "en", "as of 1 May 2023", id="census day, English"),
    pytest.param(2023, "fy_end", "ja", "2024年3月31日現在", id="fiscal-year end falls in the next calendar year"),
    pytest.param(2023, "fiscal_year", "ja", "2023年4月〜2024年3月", id="counted over the fiscal year"),
    pytest.param(2024, "calendar_year", "en", "January–December 2024", id="calendar year"),
])
def test_reference_label(period, kind, lang, expected):
    assert reference_label(period, kind, lang) == expected


def test_target_text_has_no_nested_brackets():
    assert target_text(BASE, "ja") == "2030年度（令和12年度）目標 320校"
    assert target_text({**BASE, "target_period": pd.NA}, "ja") == "目標未設定"


def test_kpi_sentence_states_value_date_target_and_both_verdicts():
    text = kpi_sentence(BASE, load_registry(), "ja")
    assert text.startswith("協定校数：267校（2025年3月31日現在、前年度比0.0%）、"
                           "2030年度（令和12年度）目標 320校に対する達成率83.4%。")
    assert "が、" in text
    assert kpi_sentence({**BASE, "period": None}, load_registry(), "en") == "Partner institutions: no data yet."


def test_strategy_sentence_counts_both_verdicts():
    card = pd.DataFrame({"status": ["achieved", "behind", "behind", "stale"],
                         "outlook": ["met", "likely", "unlikely", "unlikely"]})
    assert strategy_sentence(card, "en") == ("4 KPIs · Now: 1 ★ Achieved, 2 ▼ Behind plan, 1 ！ Needs update · "
                                             "Outlook: 1 ★ Already met, 1 ↗ On course, 2 ↘ Off course")
    assert "▼ 計画遅れ 2件" in strategy_sentence(card, "ja")


def test_missing_previous_value_is_left_out():
    text = kpi_sentence({**BASE, "previous_value": math.nan}, load_registry(), "en")
    assert "previous period" not in text


def test_no_kpi_sentence_says_the_same_thing_twice(sample_db_url):
    """An undated published target (24,000 papers, no year) once gave its reason for 現状 and again for 見通し."""
    from kpi.store import snapshot, storage

    snap = snapshot.load(engine=storage.get_engine(sample_db_url))
    assert (snap.scorecard["status"] == "undated").any()  # the case is in the sample
    for lang, stop in (("ja", "。"), ("en", ". ")):
        for row in snap.scorecard.to_dict("records"):
            sentences = [s for s in kpi_sentence(row, snap.registry, lang).split(stop) if s]
            assert len(sentences) == len(set(sentences)), (row["indicator"], sentences)


@pytest.mark.parametrize("row, lang, expected", [
    pytest.param({"indicator": "international_students", "baseline_period": 2019, "baseline_value": 2162,
                  "target_period": 2030, "target_value": 3000, "direction": "up", "glide": "compound",
                  "owner": "International Strategy Office", "owner_person": "青葉 花子"}, "ja",
                 {"baseline": "2019年度：2,162人", "target": "2030年度：3,000人", "path": "増加が望ましい、一定の伸び率",
                  "owner": "国際戦略室（青葉 花子）", "milestones": "–"}, id="fiscal-year-in-ja"),
    pytest.param({"indicator": "intl_coauthored_share", "baseline_period": 2019, "baseline_value": 33,
                  "target_period": 2030, "target_value": 45, "direction": "up", "milestones": "2025:40"}, "en",
                 {"baseline": "2019: 33.0%", "target": "2030: 45.0%", "milestones": "2025: 40.0%",
                  "path": "higher is better", "owner": "not assigned"}, id="calendar-year-percent-in-en"),
    pytest.param({"indicator": "papers_total", "baseline_period": None, "baseline_value": 6791,
                  "target_period": None, "target_value": 24000, "direction": "up"}, "ja",
                 {"baseline": "6,791件", "target": "24,000件"}, id="no-year-given"),
    pytest.param({"indicator": "no_such_kpi", "target_value": 5, "direction": "sideways"}, "en",
                 {"indicator": "no_such_kpi", "target": "5", "path": "–"}, id="unknown-kpi-never-raises"),
])
def test_the_targets_table_in_words(row, lang, expected):
    from kpi.views.narrative import targets_frame
    from metrics.registry import load_registry

    shown = targets_frame(pd.DataFrame([row]), load_registry(), lang).iloc[0].to_dict()
    assert {k: shown[k] for k in expected} == expected
