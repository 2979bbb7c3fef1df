"""Take-away documents: a deck built on the template's layouts (any template with those names), an A4 PDF of one
scorecard page plus one page per KPI, PNG charts, and Excel tables."""

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER

from kpi.publish import exports
from kpi.publish.deck_template import DEFAULT_TEMPLATE, LAYOUTS, Style, make_template
from kpi.publish.exporting import to_xlsx
from kpi.text.linebreak import unglue
from metrics.registry import PILLARS


def read(text: str) -> str:
    """Slide text as a reader sees it: the line breaks the deck puts in (and the word joiners) taken out."""
    return unglue(text).replace("\v", "").replace(" ", "").replace("\u00a0", "")  # no-break spaces keep 「－ 目標未設定」 whole


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
TITLE_KINDS = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)


def outline(path: Path) -> list[str]:
    """What PowerPoint's outline view lists: the text of each slide's title placeholder."""
    titles = []
    for slide in Presentation(str(path)).slides:
        title = slide.shapes.title
        assert title is not None and title.is_placeholder and title.placeholder_format.type in TITLE_KINDS
        titles.append(read(title.text_frame.text))
    return titles


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_deck_titles_are_in_title_placeholders_and_charts_are_native(decks, tmp_path, lang):
    deck = decks[lang]
    path = tmp_path / f"deck-{lang}.pptx"
    path.write_bytes(exports.deck_pptx(deck))
    pillars = len(deck.pillar_parts())
    assert [row for part in deck.pillar_parts() for row in part.rows] == sorted(
        deck.slides, key=lambda s: PILLARS.index(s.pillar))  # every KPI once, under its pillar
    assert all(len(part.rows) <= exports.PILLAR_ROWS_PER_SLIDE for part in deck.pillar_parts())
    parts = deck.scorecard_parts()
    assert all(len(part.rows) <= exports.SCORECARD_ROWS_PER_SLIDE for part in parts)
    assert [row for part in parts for row in part.rows] == deck.slides  # every KPI once, in order
    before = 1 + len(parts) + pillars  # title, the scorecard's slides, pillars; then the KPIs
    titles = outline(path)
    collaboration = [read(deck.collaboration.title)] if deck.collaboration else []  # one slide after the KPIs (#22)
    assert len(titles) == before + len(deck.slides) + len(collaboration) == len(deck.sequence())
    assert titles[0] == read(deck.title) and titles[before:] == [read(s.name) for s in deck.slides] + collaboration
    assert titles[1:1 + len(parts)] == [read(part.title) for part in parts]
    slides = list(Presentation(str(path)).slides)
    assert [s.slide_layout.name for s in slides[:2]] == ["KPI Title", "KPI Table"]
    for slide, item in zip(slides[before:], deck.slides):
        assert slide.slide_layout.name == "KPI Chart"
        charts = [shape for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1 and charts[0].is_placeholder, item.indicator  # in the layout's chart placeholder
        chart = charts[0].chart
        assert chart.plots[0].categories and len(list(chart.plots[0].series)) >= 1  # editable data, not a picture
        texts = read(" ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame))
        assert read(item.status_text) in texts and read(item.headline) in texts
        assert not [s for s in slide.shapes if not s.is_placeholder], "no free text boxes"
        assert slide.notes_slide.notes_text_frame.text.startswith(item.summary)


def test_deck_chart_axes_and_markers(decks, tmp_path):
    """Upright labels, a dashed plan and a square target (no status icon is a square)."""
    path = tmp_path / "deck.pptx"
    path.write_bytes(exports.deck_pptx(decks["ja"]))
    slide = next(s for s in Presentation(str(path)).slides
                 if any(sh.has_chart and len(list(sh.chart.plots[0].series)) == 3 for sh in s.shapes))
    xml = next(sh for sh in slide.shapes if sh.has_chart).chart._chartSpace.xml
    assert 'rot="0"' in xml and 'prstDash val="dash"' in xml and '<c:symbol val="square"/>' in xml
    assert not re.search(r'rot="-?[1-9]', xml)


def test_a_second_template_with_the_same_layout_names_makes_a_deck(decks, tmp_path, monkeypatch):
    other = make_template(tmp_path / "university.pptx", Style(accent="00704A", font="Noto Serif CJK JP",
                                                               title_size=26, band=False))
    monkeypatch.setenv("KPI_PPTX_TEMPLATE", str(other))
    path = tmp_path / "deck.pptx"
    path.write_bytes(exports.deck_pptx(decks["ja"]))
    assert outline(path)[0] == read(decks["ja"].title)
    assert b"Noto Serif CJK JP" in zipfile.ZipFile(path).read("ppt/theme/theme1.xml")
    assert {layout.name for layout in Presentation(str(path)).slide_layouts} >= set(LAYOUTS)


def test_a_template_without_the_layouts_is_a_clear_error(decks, tmp_path):
    blank = tmp_path / "blank.pptx"
    Presentation().save(str(blank))
    with pytest.raises(ValueError, match="KPI Title"):
        exports.deck_pptx(decks["ja"], template=blank)


def test_bundled_template_has_the_named_layouts():
    layouts = {layout.name: layout for layout in Presentation(str(DEFAULT_TEMPLATE)).slide_layouts}
    assert set(LAYOUTS) <= set(layouts)
    kinds = {ph.placeholder_format.type for ph in layouts["KPI Chart"].placeholders}
    assert {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CHART, PP_PLACEHOLDER.BODY} <= kinds


@pytest.mark.system
@pytest.mark.slow
def test_libreoffice_converts_the_deck(decks, tmp_path):
    path = tmp_path / "deck.pptx"
    path.write_bytes(exports.deck_pptx(decks["ja"]))
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=900, check=False)  # bounds a hang
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "deck.pdf").stat().st_size > 10_000


@pytest.mark.system  # charts through kaleido's Chromium, pages through poppler
def test_pdf_is_a_scorecard_page_then_one_page_per_kpi(decks, tmp_path):
    deck = decks["ja"]
    pdf = tmp_path / "report-ja.pdf"
    steps = []
    pdf.write_bytes(exports.deck_pdf(deck, progress=lambda done, total: steps.append((done, total))))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == 1 + len(deck.slides) + (deck.collaboration is not None)  # the collaboration page last (#22)
    assert steps[-1] == (pages, pages) and len(steps) == len(deck.slides) + 1
    for number, item in enumerate([None, *deck.slides], start=1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert f"{number} / {pages}ページ" in text and deck.created in text
        if item is None:
            assert "東北大学 国際戦略 KPI" in text and "KPI一覧" in text and "教育" in text
            assert all(s.name[:6] in text.replace("\n", "") for s in deck.slides)
        else:  # the whole KPI, source line included, on its own page (a wrapped line may lose a space)
            flat = text.replace("\n", "").replace(" ", "")
            assert item.name.replace(" ", "") in flat and item.source[:15].replace(" ", "") in flat


@pytest.mark.system  # kaleido's Chromium
def test_png_chart_at_presentation_resolution(decks):
    png = exports.chart_png(decks["en"].slides[0], "en")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1920, 1080)


def test_excel_table_has_a_frozen_header_formats_and_inert_formulas():
    frame = pd.DataFrame({"partner": ['=HYPERLINK("http://x")', "東北"], "students": [1200, 3],
                          "share": [36.8, 1.25], "start_date": pd.to_datetime(["2024-04-01", "2001-08-05"])})
    data = to_xlsx(frame, sheet="agreements")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert 'ySplit="1"' in sheet and 'state="frozen"' in sheet and "<autoFilter" in sheet
    assert "<f>" not in sheet and '<t>=HYPERLINK("http://x")</t>' in strings  # text, never a formula
    assert "#,##0" in styles and "yyyy-mm-dd" in styles
    assert '<v>1200</v>' in sheet  # numbers stay numbers
