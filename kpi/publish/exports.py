"""Take-away documents: the slide content model, an editable PowerPoint deck, an A4 PDF and chart PNGs.

Everything here runs offline and without a display: python-pptx draws native charts, fpdf2 embeds Noto CJK, and
chart pictures come from plotly + kaleido driving the system Chromium (BROWSER_PATH), one batch per document.
"""

from __future__ import annotations

import atexit
import functools
import io
import math
import os
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from pptx.oxml.ns import qn

from kpi.publish import pdf_chart
from kpi.publish.deck_template import LAYOUTS, template_path
from kpi.text import linebreak, safe_text
from kpi.text.i18n import (
    created_on,
    format_date,
    labelled,
    t,
)
from kpi.views import charts, kpi_view
from kpi.views.kpi_view import KpiView
from kpi.views.narrative import (
    strategy_sentence,
)
from metrics.registry import PILLARS

CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_NAME = "Noto Sans CJK JP"
SLIDE_PX = (1920, 1080)


KpiSlide = KpiView  # a slide, a PDF page and a presentation-mode slide show one KPI's view


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
    created: str = ""  # 2026年11月26日作成
    collaboration: Collaboration | None = None  # the research collaboration slide and PDF page (#22)

    def pillar_rows(self, pillar: str) -> list[KpiSlide]:
        return [s for s in self.slides if s.pillar == pillar]

    def scorecard_parts(self) -> list[TablePart]:
        """The scorecard in slides of at most SCORECARD_ROWS_PER_SLIDE rows (read from the back of the room)."""
        return _parts(t("deck.scorecard", self.lang), self.slides, SCORECARD_ROWS_PER_SLIDE, self.lang)

    def pillar_parts(self) -> list[TablePart]:
        """One slide per pillar that has KPIs, or more when a pillar has more than PILLAR_ROWS_PER_SLIDE (each
        row carries a two- or three-line reason)."""
        return [part for pillar in PILLARS if self.pillar_rows(pillar)
                for part in _parts(t("deck.pillar_slide", self.lang, pillar=t(f"pillar_{pillar}", self.lang)),
                                   self.pillar_rows(pillar), PILLAR_ROWS_PER_SLIDE, self.lang)]

    def sequence(self) -> list[tuple[str, object]]:
        """The slides in order, as presentation mode and the PowerPoint deck show them: title, the scorecard, the
        pillars, one per KPI, then research collaboration when papers are stored."""
        return [("title", None), *[("scorecard", part) for part in self.scorecard_parts()],
                *[("pillar", part) for part in self.pillar_parts()], *[("kpi", s) for s in self.slides],
                *([("collaboration", self.collaboration)] if self.collaboration is not None else [])]


SCORECARD_ROWS_PER_SLIDE, PILLAR_ROWS_PER_SLIDE = 10, 5


@dataclass
class TablePart:
    title: str
    rows: list[KpiSlide]


def _parts(title: str, rows: list[KpiSlide], size: int, lang: str) -> list[TablePart]:
    """``rows`` in slides of at most ``size``, titled 「KPI一覧（1/2）」 when there is more than one."""
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]
    return [TablePart(title=title if len(chunks) == 1 else
                      t("deck.part", lang, title=title, n=n, total=len(chunks)), rows=part)
            for n, part in enumerate(chunks, start=1)]


def build_deck(datasets: dict[str, pd.DataFrame], history: pd.DataFrame, *, lang: str,
               pillars: list[str] | None = None) -> Deck:
    """The content shared by presentation mode, the PowerPoint deck and the PDF, from one data revision."""
    from kpi.store import snapshot

    revision = int(history["revision"].max()) if not history.empty else 0
    return deck_from_snapshot(snapshot.build(datasets, history, revision=revision), lang=lang, pillars=pillars)


def deck_from_snapshot(snap, *, lang: str, pillars: list[str] | None = None) -> Deck:
    """The deck of a kpi.store.snapshot.Snapshot: one KpiView per KPI, in the snapshot's one order, never recomputed."""
    history = snap.history
    revision = int(history["revision"].max()) if not history.empty else 0
    stamp = format_date(history["created_at"].max(), lang) if not history.empty else "–"
    chosen = [p for p in PILLARS if not pillars or p in pillars]
    shown = snap.scorecard[snap.scorecard["pillar"].isin(chosen)]
    as_of = t("sc.loaded", lang, revision=revision, date=stamp)
    return Deck(lang=lang, title=t("app_title", lang), subtitle=t("app_subtitle", lang), revision=revision,
                as_of=as_of, strategy=strategy_sentence(shown, lang),
                filters=t("sc.list_sep", lang).join(t(f"pillar_{p}", lang) for p in chosen), created=created_on(lang),
                slides=kpi_view.build_all(snap, lang, pillars=chosen, as_of=as_of),
                collaboration=collaboration_summary(snap.datasets.get("papers"), lang,
                                                    as_of=snap.loaded("papers", lang)))


def notes_paragraphs(item: KpiSlide, lang: str) -> list[str]:
    """担当, the latest check-in and the events, as lines for a slide body, its speaker notes and the PDF page."""
    lines = [labelled("sc.col.owner", item.owner, lang)] if item.owner else []
    if item.checkin:
        lines.append(labelled("sc.col.checkin", item.checkin, lang))
    if item.events_text:
        lines.append(item.events_text)
    return lines


# --- Accessibility: alternative text and document language (WCAG 1.1.1, 3.1.1; PDF/UA where fpdf2 allows) ----------

def describe_shape(shape, description: str, *, title: str | None = None) -> None:
    """Alt text of a PowerPoint shape (a chart's graphic frame, a picture): the descr/title of its cNvPr element."""
    properties = shape._element.xpath("./*[1]/p:cNvPr")[0]
    properties.set("descr", description)
    if title:
        properties.set("title", title)


def language_tag(lang: str) -> str:
    return "ja-JP" if lang == "ja" else "en-US"


def slide_figure(slide: KpiSlide, lang: str, *, most_periods: int = 8):
    """The KPI chart (the view's spec) laid out for large type: legend on top, few horizontal period labels."""
    fig = charts.render_kpi(replace(slide.chart, title=None), most=most_periods)
    fig.update_xaxes(title_text=None)  # the labels say 年度 already
    fig.update_yaxes(automargin=True)
    fig.update_layout(margin={"l": 90, "r": 30, "t": 60, "b": 40},
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


_kaleido_started = False


def render_pngs(figures: list, *, width: int = SLIDE_PX[0], height: int = 900, scale: float = 1.0,
                font_size: int = 22, image_format: str = "png", progress=None) -> list[bytes]:
    """Render figures through one long-lived kaleido/Chromium session (a cold start costs seconds per call)."""
    global _kaleido_started
    import kaleido

    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    if not _kaleido_started:
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _kaleido_started = True
    images = []
    for number, fig in enumerate(figures, start=1):
        safe_text.figure(fig)  # names from the data stay text in the rendered chart
        fig.update_layout(font={"size": font_size})
        images.append(kaleido.calc_fig_sync(fig, opts={"format": image_format, "width": width, "height": height,
                                                      "scale": scale}))
        if progress:
            progress(number, len(figures))
    return images


# --- measuring text: the PowerPoint side has no renderer, so widths are estimated per character ----------------

def text_em(text: str) -> float:
    """Width of ``text`` in ems: CJK and full-width characters one em, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.56 for ch in text)


def fit_size(text: str, width_pt: float, *, largest: float, smallest: float, lines: int = 1,
             height_pt: float | None = None) -> float:
    """The largest font size (pt) at which ``text`` fits in ``lines`` lines of ``width_pt`` (and ``height_pt``)."""
    size = largest
    while size > smallest:
        per_line = width_pt / size
        needed = sum(max(1, math.ceil(text_em(part) / per_line)) for part in text.split("\n"))
        tall_enough = height_pt is None or needed * size * 1.25 <= height_pt
        if needed <= lines and tall_enough:
            return size
        size -= 0.5
    return smallest


# --- PowerPoint ------------------------------------------------------------------------------------------------

EMU_PER_PT = 12700


def _layout_named(prs, name: str, path: Path):
    for layout in prs.slide_layouts:
        if layout.name == name:
            return layout
    raise ValueError(f"{path}: no slide layout named {name!r}; a template needs the layouts {', '.join(LAYOUTS)}")


def _placeholder(slide, layout, name: str, kinds: tuple[int, ...]):
    """The slide's placeholder that the layout names ``name`` (else the first of ``kinds``), or None."""
    wanted = [ph.placeholder_format.idx for ph in layout.placeholders if ph.name == name]
    for ph in slide.placeholders:
        if ph.placeholder_format.idx in wanted:
            return ph
    for ph in slide.placeholders:
        if ph.placeholder_format.type in kinds and ph.placeholder_format.idx != 0:
            return ph
    return None


@functools.cache
def _advances():
    """The CJK face's character widths (font units) and its units per em, read once."""
    from fontTools.ttLib import TTCollection

    font = TTCollection(str(CJK_FONT_FILE), lazy=True)[0]
    return font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm


def text_width_pt(text: str, size: float) -> float:
    """Width of ``text`` at ``size`` pt in Noto Sans CJK, with the quarter em LibreOffice puts between Japanese and
    Latin characters (its Asian–Latin autospacing); the per-character estimate when the font is missing."""
    try:
        cmap, hmtx, upm = _advances()
    except (OSError, KeyError):
        return text_em(text) * size
    wide = [unicodedata.east_asian_width(ch) in ("W", "F") for ch in text]
    turns = sum(1 for a, b in zip(wide, wide[1:]) if a != b)
    units = sum(hmtx[cmap[ord(ch)]][0] if ord(ch) in cmap else upm // 2 for ch in text if ch != linebreak.WORD_JOINER)
    return units / upm * size + turns * size * 0.25


def _lines(text: str, size: float, width_pt: float | None) -> list[str]:
    """``text`` broken where Japanese allows into lines of ``width_pt`` (LibreOffice and PowerPoint break a line
    of Japanese anywhere, even inside 「以内」 or a number: the breaks are put in, each a line break in its paragraph)."""
    if not width_pt:
        return [text]
    room = width_pt * 0.92  # bold, the renderer's rounding and its spacing around digits
    return linebreak.wrap(text, lambda line: text_width_pt(line, size) <= room)


def _write(frame, paragraphs: list[tuple[str, float, bool, str | None]], *, width_pt: float | None = None) -> None:
    """Paragraphs (text, size pt, bold, colour) into a text frame, replacing what was there; with ``width_pt`` (the
    frame's width less its insets) each paragraph is broken only where Japanese allows (kpi.text.linebreak)."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    frame.clear()
    frame.word_wrap = True
    for index, (text, size, bold, colour) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        for number, line in enumerate(_lines(text, size, width_pt)):
            if number:
                paragraph.add_line_break()
            run = paragraph.add_run()
            run.text = linebreak.glue(line)  # WORD JOINERs too, for renderers that honour them
            run.font.size = Pt(size)
            run.font.bold = bold
            if colour:
                run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))


def _title(slide, text: str, *, largest: float = 30) -> None:
    """The slide's title in its title placeholder (so the outline lists it), sized to stay on one line."""
    shape = slide.shapes.title
    size = fit_size(text, shape.width / EMU_PER_PT - 20, largest=largest, smallest=18)
    _write(shape.text_frame, [(text, size, True, None)], width_pt=shape.width / EMU_PER_PT - 16)


def _put_table(slide, layout, rows: list[list[str]], widths: list[float], *, size: float):
    """A table in the layout's table placeholder (or where its content placeholder is)."""
    from pptx.util import Pt

    holder = _placeholder(slide, layout, "Table", (12, 7))
    if holder is not None and hasattr(holder, "insert_table"):
        width = holder.width
        frame = holder.insert_table(len(rows), len(rows[0]))
        frame.width = width
    else:
        left, top, width, height = ((holder.left, holder.top, holder.width, holder.height) if holder is not None
                                    else (457200, 1280160, slide.part.package.presentation_part.presentation
                                          .slide_width - 914400, 4572000))
        if holder is not None:
            holder._element.getparent().remove(holder._element)
        frame = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width, height)
    table = frame.table
    total, room = sum(widths), frame.width  # setting a column's width moves the frame's, so read it first
    for col, share in enumerate(widths):
        table.columns[col].width = int(room * share / total)
    for r, row in enumerate(rows):
        table.rows[r].height = Pt(size * 2.0)
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            _write(cell.text_frame, [(text, size, r == 0, None)],
                   width_pt=(table.columns[c].width - cell.margin_left - cell.margin_right) / EMU_PER_PT)
            cell.margin_top = cell.margin_bottom = Pt(3)
    return table


def _horizontal_labels(axis, size: float) -> None:
    """Axis labels upright at ``size`` pt (PowerPoint slants crowded category labels by default)."""
    from pptx.util import Pt

    axis.tick_labels.font.size = Pt(size)
    body = axis._element.find(qn("c:txPr")).find(qn("a:bodyPr"))
    body.set("rot", "0")
    body.set("vert", "horz")
    body.set("wrap", "none")  # LibreOffice otherwise wraps a year into its category's narrow slot


def _chart_data(spec, periods: list[int]):
    """The spec's series (the band aside: a line chart has no filled range) as editable category data."""
    from pptx.chart.data import CategoryChartData

    data = CategoryChartData(number_format='0.0"%"' if spec.unit == "percent" else "#,##0")
    # Year numbers under an axis title (年度 / fiscal year) stay on one line; on a long series only every step-th
    # is written (LibreOffice ignores PowerPoint's own label skipping).
    step = math.ceil(len(periods) / 10)
    data.categories = [str(p) if (len(periods) - 1 - i) % step == 0 else "" for i, p in enumerate(periods)]
    drawn = [s for s in spec.series if s.kind != "band"]
    for series in drawn:
        # An event is a marker on the period it falls in: a category chart cannot draw a line between periods.
        values = ({math.floor(p): v for p, v in zip(series.periods, series.values)} if series.kind == "event"
                  else dict(zip(series.periods, series.values)))
        data.add_series(series.name, [values.get(p) for p in periods])
    return data, drawn


def _style_series(chart, drawn) -> None:
    """Each series as the spec draws it: line colour, width and dash; circle, square or hollow markers."""
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_MARKER_STYLE
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Pt

    dashes = {"dash": MSO_LINE_DASH_STYLE.DASH, "dot": MSO_LINE_DASH_STYLE.ROUND_DOT}
    markers = {"circle": XL_MARKER_STYLE.CIRCLE, "hollow": XL_MARKER_STYLE.CIRCLE, "square": XL_MARKER_STYLE.SQUARE,
               "triangle": XL_MARKER_STYLE.TRIANGLE}
    for series, spec in zip(chart.plots[0].series, drawn):
        rgb = RGBColor.from_string(spec.colour.lstrip("#"))
        series.smooth = False
        if spec.width and spec.kind != "event":
            series.format.line.color.rgb = rgb
            series.format.line.width = Pt(spec.width * 0.75)
            if spec.dash:
                series.format.line.dash_style = dashes[spec.dash]
        else:
            series.format.line.fill.background()
        if not spec.marker:
            series.marker.style = XL_MARKER_STYLE.NONE
            continue
        series.marker.style = markers[spec.marker]
        series.marker.size = max(2, min(72, round(spec.marker_size * (1.0 if spec.kind == "target" else 1.1))))
        series.marker.format.fill.solid()
        # LibreOffice draws no ring round a white marker: a shock period's hollow circle is filled grey here.
        series.marker.format.fill.fore_color.rgb = rgb
        if spec.kind in ("target", "event"):
            series.marker.format.line.color.rgb = RGBColor(0, 0, 0)


def _insert_chart(slide, layout, data):
    from pptx.enum.chart import XL_CHART_TYPE

    holder = _placeholder(slide, layout, "Chart", (8, 7))
    if holder is not None and hasattr(holder, "insert_chart"):
        return holder.insert_chart(XL_CHART_TYPE.LINE_MARKERS, data).chart
    box = (holder.left, holder.top, holder.width, holder.height) if holder is not None else (
        457200, 1690000, 11277600, 3429000)
    if holder is not None:
        holder._element.getparent().remove(holder._element)
    return slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box, data).chart


def _kpi_chart(slide, layout, item: KpiSlide, lang: str) -> None:
    """The view's chart spec as a native line chart (editable data) in the chart placeholder."""
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_LEGEND_POSITION
    from pptx.util import Pt

    spec = item.chart
    periods = spec.periods
    if not periods:
        return
    data, drawn = _chart_data(spec, periods)
    chart = _insert_chart(slide, layout, data)
    frame = next(shape for shape in slide.shapes if shape.has_chart)
    describe_shape(frame, item.description, title=item.name)  # the sentence the app reads out
    chart.has_title = False
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(12 if len(drawn) > 3 else 14)  # five entries on one row leave the plot its height
    _style_series(chart, drawn)
    category = chart.category_axis
    # A label may not be wider than its category's slot (LibreOffice wraps it there): smaller type on long series.
    _horizontal_labels(category, 14 if len(periods) <= 17 else 11 if len(periods) <= 24 else 9)
    category.has_title = True
    _write(category.axis_title.text_frame, [(spec.x_title, 12, False, "#333333")])
    axis = chart.value_axis
    ticks = spec.y_ticks
    if ticks:
        axis.minimum_scale, axis.maximum_scale = min(0, ticks[0]), ticks[-1]
        axis.major_unit = ticks[1] - ticks[0] if len(ticks) > 1 else None
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
    # As many decimals as the ticks have (2.5%, 7.5%: not 3%, 8%), as the app's and the PDF's labels show them.
    digits = next((d for d in (0, 1, 2) if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in ticks)), 2)
    decimals = "." + "0" * digits if digits else ""
    axis.tick_labels.number_format = f'0{decimals}"%"' if spec.unit == "percent" else f"#,##0{decimals}"
    axis.tick_labels.number_format_is_linked = False
    _horizontal_labels(axis, 14)


def _body(slide, layout, paragraphs, *, name: str = "Body") -> None:
    holder = _placeholder(slide, layout, name, (2,))
    if holder is None:
        return
    text = "\n".join(p[0] for p in paragraphs)
    largest = max(p[1] for p in paragraphs)
    size = fit_size(text, holder.width / EMU_PER_PT - 14, largest=largest, smallest=9, lines=99,
                    height_pt=holder.height / EMU_PER_PT - 8)
    scale = size / largest
    _write(holder.text_frame, [(text, max(8.0, round(s * scale * 2) / 2), bold, colour)
                               for text, s, bold, colour in paragraphs], width_pt=holder.width / EMU_PER_PT - 14.4)


def deck_pptx(deck: Deck, *, template: Path | None = None, progress=None) -> bytes:
    """A deck from the template's named layouts: title, scorecard, one slide per pillar, one per KPI.

    Every title sits in the layout's title placeholder (the outline view lists them all), charts are native and
    editable, and a university template with the same layout names gives the same deck in its own design.
    """
    from pptx import Presentation

    lang = deck.lang
    path = template or template_path()
    prs = Presentation(str(path))
    prs.core_properties.title, prs.core_properties.language = deck.title, language_tag(lang)
    cover, grid, kpi = (_layout_named(prs, name, path) for name in LAYOUTS)
    total = len(deck.sequence())
    done = 0

    def step(slide, notes: str) -> None:
        nonlocal done
        slide.notes_slide.notes_text_frame.text = notes
        done += 1
        if progress:
            progress(done, total)

    slide = prs.slides.add_slide(cover)
    _title(slide, deck.title, largest=40)
    subtitle = _placeholder(slide, cover, "Subtitle", (4,))
    if subtitle is not None:
        _write(subtitle.text_frame, [(deck.subtitle, fit_size(deck.subtitle, subtitle.width / EMU_PER_PT - 14,
                                                                largest=20, smallest=12, lines=2), False, "#333333")],
               width_pt=subtitle.width / EMU_PER_PT - 14.4)
    _body(slide, cover, [(deck.strategy, 18, True, None), (deck.created, 14, False, "#333333"),
                         (deck.as_of, 14, False, "#333333"),
                         (labelled("pillar_filter", deck.filters, lang), 14, False, "#333333")])
    step(slide, "\n".join([deck.title, deck.strategy, deck.created, deck.as_of]))

    head = [t("sc.col.name", lang), t("sc.col.latest", lang), t("sc.col.when", lang), t("sc.col.target", lang),
            t("sc.col.progress", lang), t("sc.col.now", lang), t("sc.col.outlook", lang)]
    for part in deck.scorecard_parts():
        slide = prs.slides.add_slide(grid)
        _title(slide, part.title)
        rows = [[s.name, s.value, s.when, s.target_short, s.progress_pct, s.status_text,
                 s.outlook_text] for s in part.rows]
        # English names and periods wrap onto two lines more often than Japanese ones: a point smaller keeps ten
        # rows on the slide. 達成率 / Progress gets the room for its header on one line.
        _put_table(slide, grid, [head, *rows], [2.8, 1.2, 2.0, 2.5, 1.1, 1.4, 1.6], size=12 if lang == "ja" else 11)
        step(slide, deck.strategy)

    pillar_head = [t("sc.col.name", lang), t("sc.col.latest", lang), t("sc.col.now", lang),
                   t("sc.col.outlook", lang), t("sc.col.why", lang)]
    for part in deck.pillar_parts():
        slide = prs.slides.add_slide(grid)
        _title(slide, part.title)
        _put_table(slide, grid, [pillar_head, *[[s.name, s.headline, s.status_text, s.outlook_text, s.why]
                                                for s in part.rows]],
                   [2.4, 2.4, 1.3, 1.3, 5.0], size=12 if len(part.rows) <= 4 else 11)
        step(slide, "\n".join(s.summary for s in part.rows))

    for item in deck.slides:
        slide = prs.slides.add_slide(kpi)
        _title(slide, item.name)
        headline = _placeholder(slide, kpi, "Subtitle", (2,))
        line = "　".join(part for part in (item.headline, item.verdicts) if part)
        if headline is not None:
            _write(headline.text_frame, [(line, fit_size(line, headline.width / EMU_PER_PT - 14, largest=24,
                                                         smallest=12), True, None)],
                   width_pt=headline.width / EMU_PER_PT - 14.4)
        _kpi_chart(slide, kpi, item, lang)
        target = " · ".join(part for part in (item.target, item.progress) if part)
        extra = [(line, 12, False, "#333333") for line in notes_paragraphs(item, lang)]
        _body(slide, kpi, [(item.summary, 14, False, None), (target, 12, False, "#333333"), *extra,
                           (labelled("source", item.source, lang), 10, False, "#555555")])
        step(slide, "\n".join([item.summary, *notes_paragraphs(item, lang), labelled("source", item.source, lang)]))
    if deck.collaboration is not None:
        step(_collaboration_slide(prs, grid, deck), "\n".join([deck.collaboration.partners, *deck.collaboration.notes]))
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# --- PDF -------------------------------------------------------------------------------------------------------

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
FOOTER_H = 12.0
CONTENT_W = PAGE_W - 2 * MARGIN
CHART_PX = (1500, 1100)  # a chart's proportions: the PDF draws it at most this tall for its width


def _report(deck: Deck):
    from fpdf import FPDF
    from fpdf.prefs import ViewerPreferences

    lang = deck.lang

    class Report(FPDF):
        def footer(self) -> None:  # every page: what, when made, and the page number of the total
            self.set_y(-FOOTER_H)
            self.set_font("cjk", "", 7.5)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, f"{deck.title} · {deck.created}", align="L")
            self.set_x(MARGIN)
            self.cell(0, 5, t("pdf.page", lang, n=self.page_no(), total="{nb}"), align="R")
            self.set_text_color(0, 0, 0)

    pdf = Report(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=False)
    # One CJK face only: parsing and subsetting a CJK font is the slow part of a report (a bold face doubles it).
    pdf.add_font("cjk", "", str(CJK_FONT_FILE), collection_font_number=0)
    for font in pdf.fonts.values():
        # Bounding boxes of the CFF outlines are recomputed on save unless told not to: seconds for a CJK subset,
        # and the font's own boxes are right already.
        font.ttfont.recalcBBoxes = False
    pdf.set_title(deck.title)
    pdf.set_lang(language_tag(lang))
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)  # the title, not the file name, on top
    return pdf


def _font(pdf, size: float, *, bold: bool = False) -> None:
    """Headings are set apart by size and colour (one regular face: see _report)."""
    pdf.set_font("cjk", "", size)


def broken(pdf, text: str, width: float) -> str:
    """``text`` with line breaks where Japanese allows them (kpi.text.linebreak), each line fitting ``width`` mm in
    the current font: fpdf2 alone would break inside a number or a word (「達成率29／.2%」)."""
    room = width - 2 * pdf.c_margin - 0.05
    return "\n".join(linebreak.wrap(text, lambda line: pdf.get_string_width(line) <= room))


def _height(pdf, text: str, size: float, *, bold: bool = False, width: float = CONTENT_W, leading: float = 1.45):
    """Height in mm that ``text`` takes at ``size`` pt over ``width`` mm (fpdf2 wraps it without drawing)."""
    _font(pdf, size, bold=bold)
    lines = pdf.multi_cell(width, size * 0.3528 * leading, broken(pdf, text, width), dry_run=True, output="LINES")
    return len(lines) * size * 0.3528 * leading


def _para(pdf, text: str, size: float, *, bold: bool = False, grey: int = 0, leading: float = 1.45,
          gap: float = 1.5) -> None:
    _font(pdf, size, bold=bold)
    if bold and not grey:
        pdf.set_text_color(20, 40, 90)  # headings in a dark blue
    else:
        pdf.set_text_color(grey, grey, grey)
    pdf.multi_cell(CONTENT_W, size * 0.3528 * leading, broken(pdf, text, CONTENT_W), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    _font(pdf, size)
    pdf.ln(gap)


def _table_height(pdf, rows: list[list[str]], widths, size: float, *, padding: float = 1.2) -> float:
    """Height in mm of a table whose rows grow to their tallest wrapped cell (measured, not drawn)."""
    line = size * 0.3528 * 1.4
    total = 0.0
    _font(pdf, size)
    for row in rows:
        lines = max(len(pdf.multi_cell(w - 2 * padding, line, broken(pdf, text, w - 2 * padding), dry_run=True,
                                       output="LINES"))
                    for w, text in zip(widths, row))
        total += lines * line + 2 * padding
    return total


def _scorecard_page(pdf, deck: Deck) -> None:
    """Page 1: what the report covers and the scorecard table, its type shrunk until it fits the page."""
    from fpdf.fonts import FontFace

    lang = deck.lang
    pdf.add_page()
    _para(pdf, deck.title, 18, bold=True, gap=1)
    _para(pdf, deck.subtitle, 9, grey=60, gap=2)
    _para(pdf, "\n".join([deck.created, deck.as_of, labelled("pillar_filter", deck.filters, lang)]), 9,
          grey=60, gap=3)
    _para(pdf, deck.strategy, 10.5, bold=True, gap=3)
    _para(pdf, t("pdf.scorecard", lang), 12, bold=True, gap=1)
    head = [t("sc.col.name", lang), t("sc.col.latest", lang), t("sc.col.when", lang), t("sc.col.target", lang),
            t("sc.col.progress", lang), t("sc.col.now", lang), t("sc.col.outlook", lang)]
    rows = [[s.name, s.value, s.when, s.target_short, s.progress_pct,
             s.status_text, s.outlook_text] for s in deck.slides]
    widths = (32, 15, 37, 36, 15, 20, 25)
    room = PAGE_H - FOOTER_H - 4 - pdf.get_y()

    def draw(target, size: float) -> None:
        _font(target, size)
        heading = FontFace(fill_color=(221, 235, 247))
        with target.table(col_widths=widths, text_align="LEFT", line_height=size * 0.3528 * 1.4,
                          headings_style=heading, padding=1.2) as table:
            for row in [head, *rows]:
                table.row([broken(target, text, width - 2 * 1.2) for text, width in zip(row, widths)])

    size = 8.5
    while size > 6 and _table_height(pdf, [head, *rows], widths, size) > room:
        size -= 0.5
    draw(pdf, size)


def _kpi_page(pdf, deck: Deck, item: KpiSlide) -> None:
    """One KPI on one page: title, headline, verdict, chart, summary, source; the chart takes what is left."""
    lang = deck.lang
    blocks = [
        (t(f"pillar_{item.pillar}", lang), 8.5, False, 90, 0.5),
        (item.name, 16, True, 0, 1),
        (item.headline, 13, True, 0, 1),
        (item.verdicts, 10.5, False, 0, 0.5),
        (" · ".join(part for part in (item.target, item.progress) if part), 10.5, False, 0, 2),
    ]
    after = [(item.summary, 10, False, 0, 2), *[(line, 9.5, False, 0, 1.5) for line in notes_paragraphs(item, lang)],
             (labelled("source", item.source, lang), 8, False, 80, 0.5),
             (item.as_of, 8, False, 80, 0)]
    room = PAGE_H - FOOTER_H - 3 - MARGIN
    scale = 1.0
    while True:  # shrink the text below the chart until chart and text fit one page (never spill onto a second)
        text_h = sum(_height(pdf, text, size * (scale if index >= 0 else 1), bold=bold) + gap
                     for index, (text, size, bold, _, gap) in enumerate(after))
        text_h += sum(_height(pdf, text, size, bold=bold) + gap for text, size, bold, _, gap in blocks)
        chart_h = min(CONTENT_W * CHART_PX[1] / CHART_PX[0], room - text_h - 4)
        if chart_h >= 60 or scale <= 0.7:
            break
        scale -= 0.05
    pdf.add_page()
    for text, size, bold, grey, gap in blocks:
        _para(pdf, text, size, bold=bold, grey=grey, gap=gap)
    chart_h = max(40.0, chart_h)
    pdf_chart.draw(pdf, item.chart, x=MARGIN, y=pdf.get_y(), width=CONTENT_W, height=chart_h,
                   alt_text=item.description or None, title=item.name)
    pdf.set_y(pdf.get_y() + chart_h + 3)
    for text, size, bold, grey, gap in after:
        _para(pdf, text, size * scale, bold=bold, grey=grey, gap=gap)


def deck_pdf(deck: Deck, *, progress=None) -> bytes:
    """A4 report: page 1 the scorecard, then exactly one page per KPI; page numbers and the creation date.

    ``progress(done, total)`` is called as the charts render (the slow part) and once the file is written.
    """
    total = len(deck.slides) + 1 + (deck.collaboration is not None)
    pdf = _report(deck)
    _scorecard_page(pdf, deck)
    for number, item in enumerate(deck.slides, start=1):
        _kpi_page(pdf, deck, item)  # the chart drawn as vector graphics (kpi.publish.pdf_chart): no browser per chart
        if progress:
            progress(number, total)
    _collaboration_page(pdf, deck)
    data = bytes(pdf.output())
    if progress:
        progress(total, total)
    return data


def chart_png(item: KpiSlide, lang: str) -> bytes:
    """One chart at presentation resolution (1920×1080)."""
    return render_pngs([slide_figure(item, lang)], width=SLIDE_PX[0], height=SLIDE_PX[1])[0]


# --- Research collaboration: one slide and one PDF page (InCites/SciVal types, citations per paper, partners) ----

@dataclass
class Collaboration:
    title: str
    head: list[str]
    rows: list[list[str]]
    partners: str  # 'Top partner countries 2024: United States 20 (+3), …'
    notes: list[str]  # counting, snapshot date and the FWCI/CNCI caveat


def collaboration_summary(papers: pd.DataFrame | None, lang: str, *, as_of: str) -> Collaboration | None:
    """The collaboration slide's content from the stored papers (None when there are none)."""
    from kpi.ingest.countries import country_name
    from metrics import collaboration as collab

    if papers is None or papers.empty:
        return None
    years = sorted(int(y) for y in papers["year"].unique())
    last = years[-1]
    whole = collab.type_shares(papers).query("year == @last").set_index("type")
    fractional = collab.type_shares(papers, counting="fractional").query("year == @last").set_index("type")
    impact = collab.citation_impact(papers).set_index("type")

    def number(value, digits: int = 1) -> str:
        return "–" if value is None or pd.isna(value) else f"{value:,.{digits}f}"

    rows = [[t(f"collab.type.{kind}", lang), f"{int(whole.loc[kind, 'papers']):,}",
             number(whole.loc[kind, "share"]) + "%", number(fractional.loc[kind, "share"]) + "%",
             number(impact["per_paper"].get(kind)), number(impact["relative"].get(kind), 2)]
            for kind in collab.TYPES if whole.loc[kind, "papers"] > 0]
    head = [t("col.collab_type", lang), t("collab.deck.papers", lang, year=last), t("collab.deck.whole", lang),
            t("collab.deck.fractional", lang), t("col.collab_per_paper", lang, first=years[0], last=last),
            t("col.collab_relative", lang)]
    top = collab.top_partners(papers, year=last, top=8)
    listed = t("collab.deck.sep", lang).join(
        t("collab.deck.partner", lang, name=country_name(r.country, lang), papers=f"{r.papers:,.0f}",
          change=f"{r.change:+,.0f}") for r in top.itertuples())
    notes = [t("collab.deck.citations", lang, first=years[0], last=last), t("collab.snapshot", lang, as_of=as_of)]
    if impact["per_paper"].isna().all():  # no export gave a citation count: no columns of dashes, say why instead
        head, rows, notes = head[:4], [row[:4] for row in rows], [t("collab.deck.no_citations", lang)]
    return Collaboration(title=t("collab.title", lang), head=head, rows=rows,
                         partners=t("collab.deck.partners", lang, year=last, previous=last - 1, partners=listed or "–"),
                         notes=notes)


def _collaboration_slide(prs, layout, deck: Deck):
    """One slide: the types table, the top partner countries, the snapshot caveat."""
    item = deck.collaboration
    slide = prs.slides.add_slide(layout)
    _title(slide, item.title)
    table = _put_table(slide, layout, [item.head, *item.rows], [2.6, 1.6, 1.6, 1.6, 2.0, 1.6][:len(item.head)], size=12)
    frame = next(shape for shape in reversed(list(slide.shapes)) if shape.has_table)
    top = frame.top + sum(row.height for row in table.rows) + 150000
    box = slide.shapes.add_textbox(frame.left, top, frame.width, max(600000, prs.slide_height - top - 300000))
    box.text_frame.word_wrap = True
    _write(box.text_frame, [(item.partners, 13, True, None), *[(note, 10, False, "#444444") for note in item.notes]])
    describe_shape(box, " ".join([item.partners, *item.notes]))
    return slide


def _collaboration_page(pdf, deck: Deck) -> None:
    """One A4 page: the same table, partners and caveat as the slide."""
    from fpdf.fonts import FontFace

    item = deck.collaboration
    if item is None:
        return
    pdf.add_page()
    _para(pdf, item.title, 16, bold=True, gap=3)
    _font(pdf, 9)
    with pdf.table(col_widths=(40, 26, 26, 26, 33, 29)[:len(item.head)], text_align="LEFT", line_height=9 * 0.3528 * 1.4,
                   headings_style=FontFace(fill_color=(221, 235, 247)), padding=1.2) as table:
        for row in [item.head, *item.rows]:
            table.row(row)
    pdf.ln(4)
    _para(pdf, item.partners, 11, bold=True, gap=3)
    for note in item.notes:
        _para(pdf, note, 9, grey=60, gap=2)
