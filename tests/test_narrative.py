"""Written summaries from the numbers, in both languages."""

import math

import pandas as pd
import pytest

from kpi.narrative import kpi_sentence, strategy_sentence
from metrics.registry import load_registry

BASE = {"indicator": "international_students", "period_kind": "fiscal", "unit": "students", "period": 2023,
        "value": 2145.0, "previous_period": 2022, "previous_value": 2074.0, "change": 71.0,
        "change_pct": 100 * 71 / 2074, "target": 3000.0, "target_period": 2030, "progress_pct": 71.5,
        "status": "off_track", "historical_growth": 0.005, "required_growth": 0.049, "reach_year": None}


@pytest.mark.parametrize("lang,changes,expected", [
    ("en", {}, "International students: 2,145 in FY2023, +3.4% on the previous period, 71.5% of the FY2030 target; "
               "it needs +4.9% a year against +0.5% a year over the last five years; at that growth the target is "
               "not reached within 30 years (▼ Off track)."),
    ("en", {"reach_year": 2029, "status": "at_risk"}, "the target is reached in FY2029 (◆ At risk)."),
    ("ja", {}, "外国人留学生数：2023年度（令和5年度）は2,145人（前期比+3.4%）、2030年度（令和12年度）目標の71.5%。"),
    ("en", {"target_period": None}, "International students: 2,145 in FY2023, +3.4% on the previous period; no target set."),
    ("en", {"period": None}, "International students: no data yet."),
    ("en", {"status": "achieved", "value": 3100.0, "progress_pct": 103.3}, "103.3% of the FY2030 target (★ Achieved)."),
])
def test_kpi_sentence(lang, changes, expected):
    text = kpi_sentence({**BASE, **changes}, load_registry(), lang)
    assert expected in text


def test_strategy_sentence_counts_statuses():
    summary = pd.DataFrame({"status": ["achieved", "on_track", "off_track", "off_track", "no_target"]})
    assert strategy_sentence(summary, "en") == ("Of 5 KPIs, 4 can be judged against a target: 1 ★ Achieved, "
                                                "1 ▲ On track, 2 ▼ Off track, 1 － No target.")
    assert "★ 達成 1件" in strategy_sentence(summary, "ja")


def test_nan_previous_value_is_left_out():
    text = kpi_sentence({**BASE, "previous_value": math.nan}, load_registry(), "en")
    assert "previous period" not in text
