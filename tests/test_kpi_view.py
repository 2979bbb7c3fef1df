"""One KPI, five outputs, the same strings: the Overview, the Indicator page, presentation mode, the PowerPoint deck
and the PDF all render the KPI's view (kpi.views.kpi_view), so value, change with its unit, target with its basis
label and both verdicts read the same everywhere."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpi.publish import exports
from kpi.text.i18n import period_label
from kpi.text.linebreak import unglue
from kpi.views import kpi_view
from kpi.views.kpi_view import what_if_start
from metrics.forecast import year_reached

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")

CASES = [
    pytest.param("international_students", "+3.4%", id="count"),
    pytest.param("intl_student_ratio_undergrad", "+0.1", id="percent"),  # points, not per cent
    pytest.param("papers_total", "+2.1%", id="calendar-year"),
    pytest.param("partner_institutions", "0.0%", id="illustrative-target"),
]
LANGS = ["ja", "en"]


# --- the view itself: units, words and basis labels (fast) -------------------------------------------------------

@pytest.mark.parametrize(("indicator", "lang", "change", "target"), [
    pytest.param("international_students", "ja", "前年度比+3.4%", "2030年度目標 3,000人・試算値", id="count-ja"),
    pytest.param("international_students", "en", "+3.4% on the previous fiscal year", "3,000 by FY2030 · illustrative",
                 id="count-en"),
    pytest.param("intl_student_ratio_undergrad", "ja", "前年度比+0.1ポイント", "20.0%（出典に目標年の記載なし）・公表値",
                 id="percent-in-points-ja"),
    pytest.param("intl_coauthored_share", "ja", "前年比+1.7ポイント", "2030年目標 45.0%・試算値",
                 id="calendar-percent-ja"),
    pytest.param("papers_total", "ja", "前年比+2.1%", "24,000件（出典に目標年の記載なし）・公表値", id="calendar-ja"),
    pytest.param("papers_total", "en", "+2.1% year on year", "24,000 (the source states no year) · published",
                 id="calendar-en"),
    pytest.param("intl_student_ratio", "ja", "前年度比+0.5ポイント", "目標未設定", id="no-target-no-basis"),
])
def test_change_has_its_unit_and_word_and_the_target_its_basis(sample_snapshot, indicator, lang, change, target):
    view = kpi_view.build(sample_snapshot, indicator, lang)
    assert view.change == change
    assert view.target_short == target


@pytest.mark.parametrize("indicator", ["international_students", "partner_institutions", "intl_coauthored_papers",
                                       "intl_coauthored_share", "intl_community_events"])
def test_what_if_at_the_growth_needed_reaches_the_target_in_the_target_year(sample_snapshot, indicator):
    """The slider starts at the growth needed; at that value the target is reached in its year, not a year later."""
    view = kpi_view.build(sample_snapshot, indicator, "ja")
    row = view.row
    assert view.what_if_start is not None
    reached = year_reached(int(row["period"]), row["value"], row["target_value"], view.what_if_start / 100,
                           direction=row["direction"])
    assert reached == int(row["target_period"])
    assert period_label(int(row["target_period"]), view.period_kind, "ja") in view.what_if(view.what_if_start)
    assert view.what_if(view.what_if_start - 0.1) != view.what_if(view.what_if_start)  # one step less: later


@pytest.mark.parametrize(("needed", "direction", "start"), [
    pytest.param(0.049092, "up", 5.0, id="rounds-up-not-to-the-nearest"),
    pytest.param(0.049, "up", 4.9, id="exact-stays"),
    pytest.param(-0.0312, "down", -3.2, id="falling-target-rounds-down"),
    pytest.param(float("nan"), "up", 0.0, id="none"),
])
def test_what_if_start_rounds_towards_the_target(needed, direction, start):
    assert what_if_start(needed, direction) == start


def test_every_output_lists_the_kpis_in_one_order_each_once(decks, sample_snapshot):
    deck = decks["ja"]
    ids = [s.indicator for s in deck.slides]
    assert ids == list(sample_snapshot.scorecard["indicator"]) and len(set(ids)) == len(ids)
    pillars = [s.pillar for s in deck.slides]
    assert pillars == sorted(pillars, key=["education", "research", "industry", "community"].index)
    assert [s.indicator for k, s in deck.sequence() if k == "kpi"] == ids


# --- every output (slow: AppTest runs, a deck, a PDF) -------------------------------------------------------------

def _app(**params) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=90)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def _texts(app: AppTest) -> str:
    """Everything the page wrote as text: titles, markdown, captions, metrics, badges, tables."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info") for e in getattr(app, kind)]
    for metric in app.metric:
        parts += [metric.label, metric.value, str(metric.proto.delta or "")]
    for table in app.table:
        parts += [str(v) for v in table.value.reset_index().to_numpy().ravel()]
    parts += [str(getattr(e, "value", "")) for e in app.get("badge")]
    parts += [str(e.proto.body) for e in app.get("badge") if hasattr(e, "proto")]
    return unglue("\n".join(str(p) for p in parts))


_cache: dict = {}


def _once(key, make):
    if key not in _cache:
        _cache[key] = make()
    return _cache[key]


def _pptx_text(deck) -> str:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(exports.deck_pptx(deck)))
    texts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return unglue("\n".join(texts)).replace("\v", "")


def _pdf_text(deck, tmp: Path) -> str:
    path = tmp / f"report-{deck.lang}.pdf"
    path.write_bytes(exports.deck_pdf(deck))
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    """Text as the reader sees it, line breaks of a wrapped cell or paragraph taken out."""
    return text.replace("\n", "")


@pytest.mark.slow
@pytest.mark.system  # pdftotext (poppler-utils)
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("indicator", "amount"), CASES)
def test_one_kpi_reads_the_same_in_every_output(sample_db, sample_snapshot, tmp_path_factory, indicator, amount,
                                                lang):
    view = kpi_view.build(sample_snapshot, indicator, lang)
    assert amount in view.change_amount
    facts = {"value": view.value, "change": view.change, "target": view.target, "now": view.status_text,
             "outlook": view.outlook_text}
    assert view.basis, "every case has a target with its basis"

    overview = _once(("overview", lang), lambda: _app(lang=lang)).dataframe[1].value.set_index("id").loc[indicator]
    assert (overview["latest"], overview["change"], overview["target"], overview["now"], overview["outlook"]) == (
        view.value, view.change_amount, view.target_short, view.status_text, view.outlook_text)

    indicator_page = _app(lang=lang)
    indicator_page.switch_page("pages/indicator.py")
    indicator_page.query_params["kpi"] = indicator
    indicator_page.run()
    assert not indicator_page.exception
    on_page = _texts(indicator_page)
    assert [k for k, v in facts.items() if v not in on_page] == []

    deck = exports.deck_from_snapshot(sample_snapshot, lang=lang)
    sequence = deck.sequence()
    slide = next(i for i, (kind, item) in enumerate(sequence) if kind == "kpi" and item.indicator == indicator)
    scorecard = next(i for i, (kind, part) in enumerate(sequence)
                     if kind == "scorecard" and any(r.indicator == indicator for r in part.rows))
    shown = _texts(_app(lang=lang, present="1", slide=str(slide)))
    assert [k for k, v in facts.items() if v not in shown] == []
    table = _texts(_once(("present-scorecard", lang, scorecard),
                         lambda: _app(lang=lang, present="1", slide=str(scorecard))))
    assert view.target_short in table and view.status_text in table  # the basis label on the scorecard slide too

    pptx = _once(("pptx", lang), lambda: _pptx_text(deck)).replace(" ", "")
    assert [k for k, v in facts.items() if v.replace(" ", "") not in pptx] == []
    assert view.target_short.replace(" ", "") in pptx  # the scorecard table

    pdf = _flat(_once(("pdf", lang), lambda: _pdf_text(deck, tmp_path_factory.mktemp("pdf"))))
    assert [k for k, v in facts.items() if _flat(v).replace(" ", "") not in pdf.replace(" ", "")] == []
    assert _flat(view.target_short).replace(" ", "") in pdf.replace(" ", "")  # page 1's scorecard



@pytest.mark.parametrize(("indicator", "kinds"), [
    pytest.param("international_students", {"actual", "shock", "glide", "band", "projection", "target"}, id="fiscal"),
    pytest.param("intl_coauthored_share", {"actual", "glide", "band", "projection", "target"}, id="calendar-percent"),
])
def test_one_chart_spec_drawn_by_plotly_powerpoint_and_the_pdf(decks, indicator, kinds):
    """The three renderers draw the spec's series under its names (the band is no line in a PowerPoint chart)."""
    from fpdf import FPDF
    from pptx import Presentation

    from kpi.publish import pdf_chart
    from kpi.views import charts

    deck = decks["en"]
    deck.slides = [s for s in deck.slides if s.indicator == indicator]
    spec = deck.slides[0].chart
    names = [s.name for s in spec.series]
    assert {s.kind for s in spec.series} == kinds
    assert [trace.name for trace in charts.render_kpi(spec).data] == names
    prs = Presentation(io.BytesIO(exports.deck_pptx(deck)))
    chart = next(shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart)
    assert [series.name for series in chart.plots[0].series] == [s.name for s in spec.series if s.kind != "band"]
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.add_font("cjk", "", str(exports.CJK_FONT_FILE), collection_font_number=0)
    pdf.set_font("cjk", size=9)
    pdf_chart.draw(pdf, spec, x=15, y=20, width=180, height=110)
    drawn = bytes(pdf.output())
    assert drawn.startswith(b"%PDF") and len(drawn) > 1000
