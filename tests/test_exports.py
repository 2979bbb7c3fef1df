"""Take-away documents: native-chart PPTX that LibreOffice converts, A4 PDF with Japanese glyphs, PNG charts."""

import subprocess
from pathlib import Path

import pytest
from pptx import Presentation

from kpi import exports, storage

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="module")
def decks(sample_db_url):
    engine = storage.get_engine(sample_db_url)
    datasets, history = storage.load_all(engine=engine), storage.history(engine=engine)
    return {lang: exports.build_deck(datasets, history, lang=lang) for lang in ("en", "ja")}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pptx_has_a_native_chart_on_every_kpi_slide(decks, tmp_path, lang):
    deck = decks[lang]
    path = tmp_path / f"deck-{lang}.pptx"
    path.write_bytes(exports.deck_pptx(deck))
    slides = list(Presentation(str(path)).slides)
    pillar_slides = len({s.pillar for s in deck.slides})
    assert len(slides) == 1 + pillar_slides + len(deck.slides)
    kpi_slides = slides[1 + pillar_slides:]
    for slide, item in zip(kpi_slides, deck.slides):
        charts = [shape for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1, item.indicator
        chart = charts[0].chart
        assert chart.plots[0].categories and len(list(chart.plots[0].series)) >= 1  # editable data, not a picture
        texts = " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        assert item.status_text in texts and item.source[:20] in texts
        assert slide.notes_slide.notes_text_frame.text == item.summary
    if lang == "ja":
        xml = kpi_slides[0].shapes[0]._element.xml
        assert 'typeface="Noto Sans CJK JP"' in xml and "<a:ea" in xml  # Japanese runs name a CJK font


def test_libreoffice_converts_the_deck(decks, tmp_path):
    path = tmp_path / "deck.pptx"
    path.write_bytes(exports.deck_pptx(decks["ja"]))
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "deck.pdf").stat().st_size > 10_000


def test_pdf_pages_show_japanese_text(decks, tmp_path):
    pdf = tmp_path / "report-ja.pdf"
    pdf.write_bytes(exports.deck_pdf(decks["ja"]))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "東北大学 国際戦略 KPI" in text and "外国人留学生数" in text and "令和5年度" in text
    assert "教育" in text  # the filters applied (all pillars) are printed on the first page
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf), str(ARTIFACTS / "report-ja")],
                   check=True)
    pages = sorted(ARTIFACTS.glob("report-ja-*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 5_000 for p in pages)


def test_png_chart_at_presentation_resolution(decks):
    png = exports.chart_png(decks["en"].slides[0], "en")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1920, 1080)
