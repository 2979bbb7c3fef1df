"""Japanese line breaking (kpi.text.linebreak): never inside a number, a Latin word or 「以内」; kinsoku both ways."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.text.linebreak import WORD_JOINER, glue, normalise, unglue, units, wrap


def narrow(width: int):
    return lambda line: len(line) <= width


@pytest.mark.parametrize(("text", "whole"), [
    pytest.param("許容範囲5.0%以内です", "5.0%以内", id="number-percent-and-以内"),
    pytest.param("達成率29.2%。", "29.2%。", id="number-and-its-full-stop"),
    pytest.param("計2,145人（前年度比+3.4%）", "2,145人", id="thousands-and-counter"),
    pytest.param("見通し（2030年度）", "（2030年度）", id="brackets-hold-on"),
    pytest.param("+1.7 pt year on year", "+1.7", id="latin-number"),
    pytest.param("International co-authorship", "co-authorship", id="latin-word"),
    pytest.param("グローバルラーニングセンター", "グローバルラーニングセンター", id="katakana-word"),
])
def test_units_keep_numbers_words_and_brackets_whole(text, whole):
    assert any(whole in unit for unit in units(text)), units(text)


@pytest.mark.parametrize(("text", "width", "lines"), [
    pytest.param("計画との差が許容範囲5.0%以内", 11, ["計画との差が許容範囲", "5.0%以内"], id="以内-moves-whole"),
    pytest.param("達成率29.2%。次", 6, ["達成率", "29.2%。", "次"], id="no-line-starts-with-。"),
    pytest.param("目標（3,000人）", 9, ["目標", "（3,000人）"], id="no-line-ends-with-（"),
    pytest.param("one two three", 7, ["one two", "three"], id="spaces-dropped-at-a-break"),
    pytest.param("https://example.org/a/long/path", 10, ["https://ex", "ample.org/", "a/long/pat", "h"],
                 id="a-unit-wider-than-a-line-is-cut"),
])
def test_wrap(text, width, lines):
    assert wrap(text, narrow(width)) == lines


@pytest.mark.parametrize(("text", "clean"), [
    pytest.param("「データ」 https://x.jp/ （5月1日現在）。 次", "「データ」https://x.jp/（5月1日現在）。次", id="spaces-around"),
    pytest.param("Data page, https://x.jp/ (1 May)", "Data page, https://x.jp/ (1 May)", id="english-unchanged"),
])
def test_sources_lose_ascii_spaces_beside_japanese_punctuation(text, clean):
    assert normalise(text) == clean


def test_glue_joins_inside_units_only():
    assert glue("率29.2%") == "率" + WORD_JOINER.join("29.2%")
    assert unglue(glue("許容範囲5.0%以内")) == "許容範囲5.0%以内"


JAPANESE = st.text(alphabet="計画との差が許容範囲以内。、）（「」％%0123456789.,+ ABCxyzプログラム", max_size=60)


@given(text=JAPANESE, width=st.integers(min_value=3, max_value=20))
def test_wrapped_lines_fit_and_keep_every_character(text, width):
    lines = wrap(text, narrow(width))
    assert all(len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert unglue(glue(text)) == text
