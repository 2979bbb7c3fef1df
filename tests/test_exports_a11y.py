"""Alternative text and document language in the take-away documents: every PowerPoint chart and PDF image described."""

import re

import pytest
from pptx import Presentation

from kpi.publish import exports


@pytest.mark.parametrize(("lang", "opening", "tag"), [
    pytest.param("en", "Chart “", "en-US", id="en"),
    pytest.param("ja", "グラフ「", "ja-JP", id="ja"),
])
def test_every_pptx_chart_has_alt_text_and_the_deck_its_language(decks, tmp_path, lang, opening, tag):
    deck = decks[lang]
    path = tmp_path / "deck.pptx"
    path.write_bytes(exports.deck_pptx(deck))
    prs = Presentation(str(path))
    assert (prs.core_properties.title, prs.core_properties.language) == (deck.title, tag)
    frames = [shape for slide in prs.slides for shape in slide.shapes if shape.has_chart]
    assert len(frames) == len(deck.slides)
    for frame, item in zip(frames, deck.slides):
        properties = frame._element.xpath("./*[1]/p:cNvPr")[0]
        assert properties.get("title") == item.name
        descr = properties.get("descr")
        assert descr.startswith(f"{opening}{item.name}")
        assert item.value.rstrip("%") in descr  # the latest value, as the slide writes it
        assert descr == item.description  # the view's sentence: the native chart draws the same spec


@pytest.mark.system
@pytest.mark.slow
def test_pdf_is_tagged_with_language_title_and_an_alt_text_per_chart_image(decks):
    deck = decks["ja"]
    deck.slides = deck.slides[:2]  # two chart pages are enough to see each image described (kaleido is slow)
    data = exports.deck_pdf(deck)
    assert b"/Lang (ja-JP)" in data
    assert b"/DisplayDocTitle true" in data and b"/MarkInfo" in data and b"/StructTreeRoot" in data
    alts = [text(h) for h in re.findall(rb"/Alt <([0-9a-f]+)>", data)]
    assert [alt.split("」")[0] for alt in alts] == [f"グラフ「{item.name}" for item in deck.slides]
    titles = {text(h) for h in re.findall(rb"/Title <([0-9a-f]+)>", data)}
    assert deck.title in titles  # the document's title (the figures carry their KPI's name as theirs)


def text(hex_string: bytes) -> str:
    """A PDF text string written as UTF-16 hex (how fpdf2 writes non-Latin text)."""
    return bytes.fromhex(hex_string.decode()).decode("utf-16").lstrip("\ufeff")
