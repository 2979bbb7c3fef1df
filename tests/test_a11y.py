"""Accessibility without a browser: contrast ratios of the theme and palettes, chart text alternatives and tables."""

import tomllib
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from kpi.text.status import OUTLOOK_LOOK, STATUS_LOOK
from kpi.views import a11y, charts

ROOT = Path(__file__).resolve().parent.parent
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]


@pytest.mark.parametrize(("foreground", "background", "expected"), [
    pytest.param("#000000", "#FFFFFF", 21.0, id="black-on-white"),
    pytest.param("#FFFFFF", "#FFFFFF", 1.0, id="same"),
    pytest.param("#828180", "#FFFFFF", 3.88, id="streamlit-faded-caption-before"),
    pytest.param("#0072B2", "#DFEBF0", 4.26, id="selected-language-before"),
])
def test_contrast_ratio_matches_wcag_formula(foreground, background, expected):
    assert a11y.contrast_ratio(foreground, background) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_every_chart_colour_stands_out_from_the_plot_at_3_to_1(colour):
    assert a11y.contrast_ratio(colour, charts.PLOT_BACKGROUND) >= 3.0


@pytest.mark.parametrize(("status", "colour"), [(str(s), look.colour) for s, look in
                                                [*STATUS_LOOK.items(), *OUTLOOK_LOOK.items()]])
def test_status_colours_are_readable_as_text_at_4_5_to_1(status, colour):
    assert a11y.contrast_ratio(colour, "#FFFFFF") >= 4.5


@pytest.mark.parametrize(("foreground", "background", "needed"), [
    pytest.param(THEME["primaryColor"], "#FFFFFF", 4.5, id="white-text-on-primary-button"),
    pytest.param(THEME["primaryColor"], "#DFE9ED", 4.5, id="selected-language-on-its-tint"),
    pytest.param(THEME["linkColor"], "#FFFFFF", 4.5, id="link"),
    pytest.param(THEME["linkColor"], "#F8F8F7", 4.5, id="link-in-sidebar"),
    pytest.param("#5C5A57", "#FFFFFF", 4.5, id="caption"),
    pytest.param("#5C5A57", "#EDF5FF", 4.5, id="caption-on-info-box"),
    pytest.param("#005F96", "#FFFFFF", 3.0, id="focus-outline"),
])
def test_theme_pairs_meet_aa(foreground, background, needed):
    assert a11y.contrast_ratio(foreground, background) >= needed


def test_ui_constants_match_the_theme():
    from kpi.app import ui

    assert ui.FOCUS_COLOUR.lower() == THEME["primaryColor"].lower()
    assert a11y.contrast_ratio(ui.UI_MUTED_TEXT, "#FFFFFF") >= 4.5


def trend(lang: str) -> go.Figure:
    series = pd.DataFrame({"period": [2021, 2022, 2023], "value": [10.0, 12.0, 15.0]})
    glide = pd.DataFrame({"period": [2023, 2030], "expected": [15.0, 30.0]})
    target = pd.Series({"target": 30.0, "target_period": 2030})
    return charts.kpi_trend(series, unit="students", period_kind="fiscal", lang=lang, target=target, glide=glide,
                            title="Students")


@pytest.mark.parametrize(("lang", "expected"), [
    pytest.param("en", "Chart “Students”: Actual from 10 in FY2021 to 15 in FY2023; Glide path from 15 in FY2023 to "
                 "30 in FY2030; Target 30 in FY2030.", id="en"),
    pytest.param("ja", "グラフ「Students」：実績は2021年度（令和3年度）の10人から2023年度（令和5年度）の15人、"
                 "計画線は2023年度（令和5年度）の15人から2030年度（令和12年度）の30人、目標値は2030年度（令和12年度）に30人。",
                 id="ja"),
])
def test_trend_description_names_every_series_first_and_last_point(lang, expected):
    assert a11y.figure_description(trend(lang), lang) == expected


def test_ranked_bars_and_map_are_described_by_their_top():
    frame = pd.DataFrame({"country": ["CHN", "KOR", "USA"], "students": [1500, 700, 90]})
    bars = charts.ranked_bars(frame, category="country", value="students", lang="en", title="By country")
    assert a11y.figure_description(bars, "en") == "Chart “By country”: 3 items, the largest China with 1,500."
    world = charts.world_map(frame.rename(columns={"students": "partners"}), value="partners", lang="ja")
    assert a11y.figure_description(world, "ja") == "グラフ：3の国・地域、最多は中国（1,500）。"


def test_empty_chart_says_so():
    assert a11y.figure_description(go.Figure(layout={"title": {"text": "Nothing"}}), "en") == \
        "Chart “Nothing”: no data to show."


def test_figure_frame_is_the_drawn_numbers_under_the_axis_titles():
    frame = a11y.figure_frame(trend("en"), "en")
    assert list(frame.columns) == ["series", "Fiscal year", "value"]
    assert frame.values.tolist()[:3] == [["Actual", 2021, 10.0], ["Actual", 2022, 12.0], ["Actual", 2023, 15.0]]
    assert frame["series"].tolist().count("Target") == 1


def test_several_bar_series_differ_by_hatching_not_colour_alone():
    frame = pd.DataFrame({"period": [2022, 2022, 2023, 2023], "direction": ["in", "out", "in", "out"],
                          "students": [1, 2, 3, 4]})
    fig = charts.bars_by_year(frame, value="students", colour="direction", period_kind="fiscal", lang="en")
    a11y.distinguish_without_colour(fig)
    shapes = [trace.marker.pattern.shape for trace in fig.data]
    assert len(set(shapes)) == len(shapes) == 2


def blend(colour: str, background: str, alpha: float) -> str:
    """``colour`` drawn at ``alpha`` opacity over ``background``."""
    pairs = [(int(colour[i:i + 2], 16), int(background[i:i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * alpha + b * (1 - alpha)):02x}" for c, b in pairs)


@pytest.mark.parametrize("background", ["#FFFFFF", "#F8F8F7"])
def test_secondary_text_streamlit_fades_from_the_text_colour_stays_aa(background):
    """Table index and pinned columns are drawn in a canvas at 60% of the text colour, out of the CSS's reach."""
    faded = blend(THEME["textColor"], background, 0.6)
    assert a11y.contrast_ratio(faded, background) >= 4.5
    assert a11y.contrast_ratio(blend("#2F2D2B", "#FFFFFF", 0.6), "#FFFFFF") < 4.5  # Streamlit's default did not


@pytest.mark.parametrize(("lang", "alt", "expected"), [
    pytest.param("en", "Inbound students by country, FY2023", "Inbound students by country, FY2023. "
                 "3 items, the largest China with 1,500.", id="en-title-only"),
    pytest.param("ja", "国・地域別の留学生数。", "国・地域別の留学生数。3項目、最大は中国（1,500）。", id="ja-sentence"),
])
def test_a_pages_own_alt_is_followed_by_the_numbers_drawn(lang, alt, expected):
    frame = pd.DataFrame({"country": ["CHN", "KOR", "USA"], "students": [1500, 700, 90]})
    bars = charts.ranked_bars(frame, category="country", value="students", lang=lang)
    assert a11y.with_facts(alt, bars, lang) == expected
