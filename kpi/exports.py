"""Take-away documents: the slide content model, an editable PowerPoint deck, an A4 PDF and chart PNGs.

Everything here runs offline and without a display: python-pptx draws native charts, fpdf2 embeds Noto CJK, and
chart pictures come from plotly + kaleido driving the system Chromium (BROWSER_PATH), one batch per document.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kpi import charts, service
from kpi.i18n import format_percent, format_value, indicator_name, period_label, status_label, t
from kpi.narrative import kpi_sentence, strategy_sentence
from metrics.registry import PILLARS, load_registry
from metrics.targets import glide_frame, kpi_summary, target_for

CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_BOLD_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
CJK_FONT_NAME = "Noto Sans CJK JP"
SLIDE_PX = (1920, 1080)


@dataclass
class KpiSlide:
    indicator: str
    pillar: str
    name: str
    period: str
    value: str
    status: str
    status_text: str
    target: str
    summary: str
    source: str
    as_of: str
    series: pd.DataFrame
    glide: pd.DataFrame | None
    target_row: dict | None
    unit: str
    period_kind: str
    projection: object = None


@dataclass
class Deck:
    lang: str
    title: str
    subtitle: str
    revision: int
    as_of: str
    strategy: str
    filters: str
    slides: list[KpiSlide] = field(default_factory=list)

    def pillar_rows(self, pillar: str) -> list[KpiSlide]:
        return [s for s in self.slides if s.pillar == pillar]


def build_deck(datasets: dict[str, pd.DataFrame], history: pd.DataFrame, *, lang: str,
               pillars: list[str] | None = None) -> Deck:
    """The content shared by presentation mode, the PowerPoint deck and the PDF, from one data revision."""
    registry = load_registry()
    values = service.values_table(datasets)
    summary = kpi_summary(values, datasets.get("targets"), registry)
    sources = service.indicator_sources(datasets, registry)
    return assemble_deck(values, summary, sources, datasets["targets"], history, registry=registry, lang=lang,
                         pillars=pillars)


def assemble_deck(values: pd.DataFrame, summary: pd.DataFrame, sources: dict[str, list[str]], targets: pd.DataFrame,
                  history: pd.DataFrame, *, registry: pd.DataFrame, lang: str, pillars: list[str] | None = None) -> Deck:
    """The deck from values already computed (the app's snapshot has them), so a slide change recomputes nothing."""
    revision = int(history["revision"].max()) if not history.empty else 0
    stamp = f"{history['created_at'].max():%Y-%m-%d}" if not history.empty else "–"
    chosen = [p for p in PILLARS if not pillars or p in pillars]
    deck = Deck(lang=lang, title=t("app_title", lang), subtitle=t("app_subtitle", lang), revision=revision,
                as_of=t("as_of", lang, revision=revision, date=stamp), strategy=strategy_sentence(summary, lang),
                filters=", ".join(t(f"pillar_{p}", lang) for p in chosen))
    for row in summary.to_dict("records"):
        if row["pillar"] not in chosen:
            continue
        series = values[values["indicator"] == row["indicator"]][["period", "value"]]
        target = target_for(targets, row["indicator"], row["period"]) if pd.notna(row["period"]) else None
        has_target = pd.notna(row["target_period"])
        deck.slides.append(KpiSlide(
            indicator=row["indicator"], pillar=row["pillar"], name=indicator_name(registry, row["indicator"], lang),
            period=period_label(int(row["period"]), row["period_kind"], lang) if pd.notna(row["period"]) else "–",
            value=format_value(row["value"], row["unit"], lang), status=row["status"],
            status_text=status_label(row["status"], lang),
            target=(t("target_line", lang, value=format_value(row["target"], row["unit"], lang),
                      period=period_label(int(row["target_period"]), row["period_kind"], lang))
                    + " · " + t("progress", lang, pct=format_percent(row["progress_pct"]))) if has_target
            else t("no_target", lang),
            summary=kpi_sentence(row, registry, lang),
            source="; ".join(sources.get(row["indicator"], [])) or t("illustrative", lang),
            as_of=deck.as_of, series=series, glide=glide_frame(target) if target is not None else None,
            target_row=row if has_target else None, unit=row["unit"], period_kind=row["period_kind"],
            projection=row["projection"]))
    return deck


def slide_figure(slide: KpiSlide, lang: str):
    """The KPI chart laid out for large type: legend on top, room for the axis labels."""
    fig = charts.kpi_trend(slide.series, unit=slide.unit, period_kind=slide.period_kind, lang=lang,
                           target=slide.target_row, glide=slide.glide, projection=slide.projection, title=slide.name)
    fig.update_layout(margin={"l": 90, "r": 30, "t": 90, "b": 70},
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


_kaleido_started = False


def render_pngs(figures: list, *, width: int = SLIDE_PX[0], height: int = 900, scale: float = 1.0) -> list[bytes]:
    """Render figures through one long-lived kaleido/Chromium session (a cold start costs seconds per call)."""
    global _kaleido_started
    import kaleido

    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    if not _kaleido_started:
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _kaleido_started = True
    images = []
    for fig in figures:
        fig.update_layout(font={"size": 22}, title={"y": 0.98}, margin={"t": 150})
        images.append(kaleido.calc_fig_sync(fig, opts={"format": "png", "width": width, "height": height,
                                                      "scale": scale}))
    return images


# --- PowerPoint ------------------------------------------------------------------------------------------------

def _font(run, *, size: int | None = None, bold: bool = False, colour: str | None = None) -> None:
    """Latin and East Asian typefaces both set, so Japanese text uses a font that has the glyphs."""
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.name = CJK_FONT_NAME
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = rpr.makeelement(qn(tag), {})
            rpr.append(element)
        element.set("typeface", CJK_FONT_NAME)


def _text(slide, left, top, width, height, text: str, *, size: int, bold: bool = False, colour: str | None = None):
    from pptx.util import Emu

    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        _font(run, size=size, bold=bold, colour=colour)
    return box


def deck_pptx(deck: Deck) -> bytes:
    """A 16:9 deck: title, one overview slide per pillar, one slide per KPI with a native (editable) chart."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches

    lang = deck.lang
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    width = prs.slide_width
    margin = Inches(0.5)
    inner = width - 2 * margin

    def footer(slide, text: str) -> None:
        _text(slide, margin, Inches(6.95), inner, Inches(0.45), text, size=10, colour="#555555")

    title = prs.slides.add_slide(blank)
    _text(title, margin, Inches(2.3), inner, Inches(1.4), deck.title, size=40, bold=True)
    _text(title, margin, Inches(3.7), inner, Inches(1.0), deck.subtitle, size=20, colour="#333333")
    _text(title, margin, Inches(4.8), inner, Inches(1.2), deck.strategy, size=16)
    footer(title, f"{deck.as_of} · {dt.date.today():%Y-%m-%d}")

    for pillar in PILLARS:
        rows = deck.pillar_rows(pillar)
        if not rows:
            continue
        slide = prs.slides.add_slide(blank)
        _text(slide, margin, Inches(0.4), inner, Inches(0.9), t(f"pillar_{pillar}", lang), size=32, bold=True)
        table = slide.shapes.add_table(len(rows) + 1, 4, margin, Inches(1.5), inner,
                                       Inches(0.6) * (len(rows) + 1)).table
        headers = [t("indicator", lang), t("latest", lang), t("target", lang), t("status", lang)]
        for col, header in enumerate(headers):
            cell = table.cell(0, col)
            cell.text = ""
            _font(cell.text_frame.paragraphs[0].add_run(), size=14, bold=True)
            cell.text_frame.paragraphs[0].runs[0].text = header
        for r, item in enumerate(rows, start=1):
            for col, text in enumerate([item.name, f"{item.value} ({item.period})", item.target, item.status_text]):
                cell = table.cell(r, col)
                cell.text = ""
                run = cell.text_frame.paragraphs[0].add_run()
                run.text = text
                _font(run, size=13)
        footer(slide, deck.as_of)

    for item in deck.slides:
        slide = prs.slides.add_slide(blank)
        _text(slide, margin, Inches(0.3), inner, Inches(0.8), item.name, size=30, bold=True)
        _text(slide, margin, Inches(1.05), Inches(5.6), Inches(0.9), f"{item.value}  ({item.period})", size=24, bold=True)
        _text(slide, Inches(6.2), Inches(1.1), Inches(2.4), Inches(0.8), item.status_text, size=22, bold=True,
              colour=charts.STATUS_COLOURS.get(item.status, "#555555"))
        _text(slide, Inches(8.6), Inches(1.15), Inches(4.3), Inches(0.8), item.target, size=13)
        periods = sorted(set(item.series["period"].astype(int))
                         | (set(item.glide["period"].astype(int)) if item.glide is not None else set()))
        if periods:
            data = CategoryChartData()
            data.categories = [period_label(p, item.period_kind, lang, short=True) for p in periods]
            actual = dict(zip(item.series["period"].astype(int), item.series["value"]))
            data.add_series(t("actual", lang), [actual.get(p) for p in periods])
            if item.glide is not None:
                glide = dict(zip(item.glide["period"].astype(int), item.glide["expected"]))
                data.add_series(t("glide_path", lang), [glide.get(p) for p in periods])
            if item.target_row is not None:
                tp = int(item.target_row["target_period"])
                data.add_series(t("target", lang), [item.target_row["target"] if p == tp else None for p in periods])
            frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, margin, Inches(2.0), inner, Inches(3.6), data)
            chart = frame.chart
            chart.has_legend = True
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            colours = [charts.PALETTE[0], charts.PALETTE[1], charts.PALETTE[5]]
            for series, colour in zip(chart.plots[0].series, colours):
                series.format.line.color.rgb = RGBColor.from_string(colour.lstrip("#"))
                series.marker.format.fill.solid()
                series.marker.format.fill.fore_color.rgb = RGBColor.from_string(colour.lstrip("#"))
                series.smooth = False
        _text(slide, margin, Inches(5.7), inner, Inches(1.2), item.summary, size=14)
        slide.notes_slide.notes_text_frame.text = item.summary
        footer(slide, f"{t('source', lang)}: {item.source} · {item.as_of}")
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# --- PDF -------------------------------------------------------------------------------------------------------

def deck_pdf(deck: Deck) -> bytes:
    """A4 report: title page with the filters applied, then one page per KPI with its chart and summary."""
    from fpdf import FPDF

    lang = deck.lang
    pngs = render_pngs([slide_figure(item, lang) for item in deck.slides], width=1600, height=800)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", "", str(CJK_FONT_FILE), collection_font_number=0)
    pdf.add_font("cjk", "B", str(CJK_FONT_BOLD_FILE if CJK_FONT_BOLD_FILE.exists() else CJK_FONT_FILE),
                 collection_font_number=0)

    def footer_line(text: str) -> None:
        pdf.set_y(-18)
        pdf.set_font("cjk", "", 7)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 3.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    pdf.add_page()
    pdf.set_font("cjk", "B", 20)
    pdf.multi_cell(0, 10, deck.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 11)
    pdf.multi_cell(0, 6, deck.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, f"{t('pillar_filter', lang)}: {deck.filters}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, deck.as_of, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, deck.strategy, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", "", 9)
    with pdf.table(col_widths=(60, 35, 60, 30), text_align="LEFT") as table:
        table.row([t("indicator", lang), t("latest", lang), t("target", lang), t("status", lang)])
        for item in deck.slides:
            table.row([item.name, f"{item.value} ({item.period})", item.target, item.status_text])
    for item, png in zip(deck.slides, pngs):
        pdf.add_page()
        pdf.set_font("cjk", "B", 16)
        pdf.multi_cell(0, 8, item.name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", "", 12)
        pdf.multi_cell(0, 7, f"{item.value} ({item.period}) · {item.status_text}", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, item.target, new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(png), w=180)
        pdf.ln(2)
        pdf.set_font("cjk", "", 10)
        pdf.multi_cell(0, 5.5, item.summary, new_x="LMARGIN", new_y="NEXT")
        footer_line(f"{t('source', lang)}: {item.source} · {item.as_of}")
    return bytes(pdf.output())


def chart_png(item: KpiSlide, lang: str) -> bytes:
    """One chart at presentation resolution (1920×1080)."""
    return render_pngs([slide_figure(item, lang)], width=SLIDE_PX[0], height=SLIDE_PX[1])[0]
