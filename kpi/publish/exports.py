"""Take-away documents: the slide content model, an editable PowerPoint deck, an A4 PDF and chart PNGs.

Everything here runs offline and without a display: python-pptx draws native charts, fpdf2 embeds Noto CJK, and
chart pictures come from plotly + kaleido driving the system Chromium (BROWSER_PATH), one batch per document.
"""

from __future__ import annotations

import atexit
import io
import math
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pptx.oxml.ns import qn

from kpi.publish import pdf_chart
from kpi.publish.deck_template import LAYOUTS, template_path
from kpi.text import safe_text
from kpi.text.i18n import (
    axis_ticks,
    created_on,
    format_date,
    format_percent,
    format_value,
    indicator_name,
    labelled,
    period_label,
    source_text,
    t,
)
from kpi.views import a11y, charts
from kpi.views.narrative import (
    kpi_sentence,
    outlook_text,
    reference_label,
    status_text,
    strategy_sentence,
    target_with_basis,
    verdict_sentence,
)
from metrics.evaluate import target_in_force
from metrics.forecast import parse_periods
from metrics.registry import PILLARS
from metrics.targets import glide_frame

CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
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
    outlook: str
    outlook_text: str
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
    when: str = ""  # what date the figure describes (2023年5月1日現在)
    why: str = ""  # the verdict sentence behind status and outlook
    progress: str = ""  # 達成率 71.5%
    progress_pct: str = ""  # 71.5% (for table columns headed 達成率)
    target_short: str = ""  # 2030年度目標 3,000人 (for tables: no era in brackets to wrap inside)
    headline: str = ""  # 2,145人（2023年5月1日現在）: one line, fitted so it never wraps mid-period
    description: str = ""  # the chart's text alternative (filled by the accessibility work, #16)
    shocks: tuple[int, ...] = ()  # periods left out of the trend fit (drawn hollow, as on the Indicator page)
    owner: str = ""  # 担当: unit (and person), kpi.views.notes_text.owner_text
    checkin: str = ""  # the latest check-in in one line, with the owner's own status beside the evaluator's
    events: pd.DataFrame | None = None  # dated events drawn on the chart
    events_text: str = ""  # the same events in words (出来事：…)


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
        pillars, one per KPI."""
        return [("title", None), *[("scorecard", part) for part in self.scorecard_parts()],
                *[("pillar", part) for part in self.pillar_parts()], *[("kpi", s) for s in self.slides]]


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
    """The deck of a kpi.store.snapshot.Snapshot: its scorecard's status and outlook, never recomputed."""
    deck = assemble_deck(snap.values, snap.scorecard, snap.sources, snap.datasets["targets"], snap.history,
                         registry=snap.registry, lang=lang, pillars=pillars, projections=snap.projections)
    return add_owners_and_notes(deck, snap.scorecard, getattr(snap, "notes", {}) or {}, lang)


def add_owners_and_notes(deck: Deck, scorecard: pd.DataFrame, notes: dict[str, pd.DataFrame], lang: str) -> Deck:
    """Each KPI slide's owner, latest check-in and chart events (kpi.store.notes), in ``lang``."""
    from kpi.store.notes import events_for, latest_checkins
    from kpi.views.notes_text import checkin_text, events_line, owner_text

    rows = scorecard.set_index("indicator", drop=False)
    latest = latest_checkins(notes.get("checkins"))
    for item in deck.slides:
        row = rows.loc[item.indicator].to_dict()
        item.owner = owner_text(row, lang)
        item.checkin = checkin_text(latest.get(item.indicator), row, lang)
        item.events = events_for(notes.get("events"), item.indicator)
        item.events_text = events_line(item.events, lang)
        if not item.events.empty:
            item.description = chart_description(item, lang)
    return deck


def notes_paragraphs(item: KpiSlide, lang: str) -> list[str]:
    """担当, the latest check-in and the events, as lines for a slide body, its speaker notes and the PDF page."""
    lines = [labelled("sc.col.owner", item.owner, lang)] if item.owner else []
    if item.checkin:
        lines.append(labelled("sc.col.checkin", item.checkin, lang))
    if item.events_text:
        lines.append(item.events_text)
    return lines


def assemble_deck(values: pd.DataFrame, summary: pd.DataFrame, sources: dict[str, list[str]], targets: pd.DataFrame,
                  history: pd.DataFrame, *, registry: pd.DataFrame, lang: str, pillars: list[str] | None = None,
                  projections: dict | None = None) -> Deck:
    """The deck from the snapshot's evaluation (``summary`` is its scorecard), so a slide change recomputes nothing."""
    revision = int(history["revision"].max()) if not history.empty else 0
    stamp = format_date(history["created_at"].max(), lang) if not history.empty else "–"
    chosen = [p for p in PILLARS if not pillars or p in pillars]
    shown = summary[summary["pillar"].isin(chosen)]
    deck = Deck(lang=lang, title=t("app_title", lang), subtitle=t("app_subtitle", lang), revision=revision,
                as_of=t("sc.loaded", lang, revision=revision, date=stamp), strategy=strategy_sentence(shown, lang),
                filters=t("sc.list_sep", lang).join(t(f"pillar_{p}", lang) for p in chosen), created=created_on(lang))
    for row in shown.to_dict("records"):
        series = values[values["indicator"] == row["indicator"]][["period", "value"]]
        has_target = pd.notna(row["target_period"])
        target = target_in_force(targets, row["indicator"], int(row["period"])) if has_target else None
        deck.slides.append(KpiSlide(
            indicator=row["indicator"], pillar=row["pillar"], name=indicator_name(registry, row["indicator"], lang),
            period=reference_label(row["period"], row["reference_kind"], lang),
            value=format_value(row["value"], row["unit"], lang), status=row["status"],
            status_text=status_text(row["status"], lang), outlook=row["outlook"] or "",
            outlook_text=outlook_text(row["outlook"], lang),
            target=target_with_basis(row, lang),
            target_short=t("sc.target_text", lang, value=format_value(row["target_value"], row["unit"], lang),
                           period=period_label(int(row["target_period"]), row["period_kind"], lang, short=True))
            if has_target else target_with_basis(row, lang),
            progress=t("progress", lang, pct=format_percent(row["progress_pct"], lang=lang)) if has_target else "",
            progress_pct=format_percent(row["progress_pct"], lang=lang) if has_target else "–",
            when=reference_label(row["period"], row["reference_kind"], lang), why=verdict_sentence(row, lang),
            headline=t("deck.headline", lang, value=format_value(row["value"], row["unit"], lang),
                       period=reference_label(row["period"], row["reference_kind"], lang)),
            summary=kpi_sentence(row, registry, lang),
            source=("; ".join(source_text(s, lang) for s in sources.get(row["indicator"], []))
                    or t("illustrative", lang))
            + (t("pub.target_source", lang, source=source_text(row["target_source"], lang)) if row["target_source"]
               else ""),
            as_of=deck.as_of, series=series, glide=glide_frame(target) if target is not None else None,
            target_row={"target": row["target_value"], "target_period": row["target_period"]} if has_target else None,
            unit=row["unit"], period_kind=row["period_kind"],
            projection=(projections or {}).get(row["indicator"]) if has_target else None,
            shocks=parse_periods(registry.loc[row["indicator"], "shock_periods"])
            if "shock_periods" in registry.columns and row["indicator"] in registry.index else ()))
    for item in deck.slides:
        item.description = chart_description(item, lang)
    return deck


# --- Accessibility: alternative text and document language (WCAG 1.1.1, 3.1.1; PDF/UA where fpdf2 allows) ----------

def chart_description(item: KpiSlide, lang: str, *, projection: bool = True) -> str:
    """The chart's one-sentence text alternative, the same sentence the app reads out for it; ``projection=False``
    for the deck's native chart, which draws actual, glide path and target only."""
    fig = charts.kpi_trend(item.series, unit=item.unit, period_kind=item.period_kind, lang=lang,
                           target=item.target_row, glide=item.glide, title=item.name,
                           projection=item.projection if projection else None, events=item.events)
    return a11y.figure_description(fig, lang)


def describe_shape(shape, description: str, *, title: str | None = None) -> None:
    """Alt text of a PowerPoint shape (a chart's graphic frame, a picture): the descr/title of its cNvPr element."""
    properties = shape._element.xpath("./*[1]/p:cNvPr")[0]
    properties.set("descr", description)
    if title:
        properties.set("title", title)


def language_tag(lang: str) -> str:
    return "ja-JP" if lang == "ja" else "en-US"


def slide_figure(slide: KpiSlide, lang: str, *, most_periods: int = 8):
    """The KPI chart laid out for large type: legend on top, few horizontal period labels, room for the axes."""
    fig = charts.kpi_trend(slide.series, unit=slide.unit, period_kind=slide.period_kind, lang=lang,
                           target=slide.target_row, glide=slide.glide, projection=slide.projection, title=None,
                           shocks=slide.shocks, events=slide.events)
    periods = [int(p) for trace in fig.data if trace.x is not None for p in trace.x if p is not None]
    charts._period_axis(fig, periods, slide.period_kind, lang, most=most_periods)
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


def _write(frame, paragraphs: list[tuple[str, float, bool, str | None]]) -> None:
    """Paragraphs (text, size pt, bold, colour) into a text frame, replacing what was there."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    frame.clear()
    frame.word_wrap = True
    for index, (text, size, bold, colour) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))


def _title(slide, text: str, *, largest: float = 30) -> None:
    """The slide's title in its title placeholder (so the outline lists it), sized to stay on one line."""
    shape = slide.shapes.title
    size = fit_size(text, shape.width / EMU_PER_PT - 20, largest=largest, smallest=18)
    _write(shape.text_frame, [(text, size, True, None)])


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
            _write(cell.text_frame, [(text, size, r == 0, None)])
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


def _kpi_chart(slide, layout, item: KpiSlide, lang: str) -> None:
    """A native line chart (editable data) in the chart placeholder: actual, dashed plan, square target."""
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Pt

    periods = sorted(set(item.series["period"].astype(int))
                     | (set(item.glide["period"].astype(int)) if item.glide is not None else set()))
    if not periods:
        return
    data = CategoryChartData(number_format='0.0"%"' if item.unit == "percent" else "#,##0")
    # Year numbers under an axis title (年度 / fiscal year) stay on one line; on a long series only every step-th
    # is written (LibreOffice ignores PowerPoint's own label skipping).
    step = math.ceil(len(periods) / 10)
    data.categories = [str(p) if (len(periods) - 1 - i) % step == 0 else "" for i, p in enumerate(periods)]
    actual = dict(zip(item.series["period"].astype(int), item.series["value"]))
    data.add_series(t("actual", lang), [actual.get(p) for p in periods])
    styles = [("actual", charts.PALETTE[0])]
    if item.glide is not None:
        glide = dict(zip(item.glide["period"].astype(int), item.glide["expected"]))
        data.add_series(t("glide_path", lang), [glide.get(p) for p in periods])
        styles.append(("glide", charts.PALETTE[1]))
    if item.target_row is not None:
        tp = int(item.target_row["target_period"])
        data.add_series(t("target", lang), [item.target_row["target"] if p == tp else None for p in periods])
        styles.append(("target", charts.PALETTE[5]))
    if item.events is not None and not item.events.empty:
        data.add_series(t("events", lang), _event_points(item, periods, actual))
        styles.append(("event", charts.EVENT_COLOUR))
    holder = _placeholder(slide, layout, "Chart", (8, 7))
    if holder is not None and hasattr(holder, "insert_chart"):
        chart = holder.insert_chart(XL_CHART_TYPE.LINE_MARKERS, data).chart
    else:
        box = (holder.left, holder.top, holder.width, holder.height) if holder is not None else (
            457200, 1690000, 11277600, 3429000)
        if holder is not None:
            holder._element.getparent().remove(holder._element)
        chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box, data).chart
    frame = next(shape for shape in slide.shapes if shape.has_chart)
    describe_shape(frame, chart_description(item, lang, projection=False), title=item.name)
    chart.has_title = False
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(14)
    for series, (kind, colour) in zip(chart.plots[0].series, styles):
        rgb = RGBColor.from_string(colour.lstrip("#"))
        series.smooth = False
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = rgb
        if kind in ("target", "event"):
            series.format.line.fill.background()
            series.marker.style = XL_MARKER_STYLE.SQUARE if kind == "target" else XL_MARKER_STYLE.TRIANGLE
            series.marker.size = 14 if kind == "target" else 12
            series.marker.format.line.color.rgb = RGBColor(0, 0, 0)
            continue
        series.format.line.color.rgb = rgb
        series.format.line.width = Pt(3 if kind == "actual" else 2.25)
        if kind == "glide":
            series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            series.marker.style = XL_MARKER_STYLE.NONE
        else:
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 8
    category = chart.category_axis
    # A label may not be wider than its category's slot (LibreOffice wraps it there): smaller type on long series.
    _horizontal_labels(category, 14 if len(periods) <= 17 else 11 if len(periods) <= 24 else 9)
    category.has_title = True
    _write(category.axis_title.text_frame,
           [(t("fiscal_year" if item.period_kind == "fiscal" else "year", lang), 12, False, "#333333")])
    values = [v for v in list(actual.values()) + ([item.target_row["target"]] if item.target_row else [])
              + (list(item.glide["expected"]) if item.glide is not None else []) if pd.notna(v)]
    ticks, _ = axis_ticks(min(values), max(values), lang, unit=item.unit)
    axis = chart.value_axis
    axis.minimum_scale, axis.maximum_scale = min(0, ticks[0]), ticks[-1]
    axis.major_unit = ticks[1] - ticks[0] if len(ticks) > 1 else None
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
    axis.tick_labels.number_format = '0"%"' if item.unit == "percent" else "#,##0"
    axis.tick_labels.number_format_is_linked = False
    _horizontal_labels(axis, 14)


def _event_points(item: KpiSlide, periods: list[int], actual: dict) -> list:
    """The native chart's event series: a triangle on the period each event falls in, at that period's value."""
    from kpi.views.notes_text import event_period

    marked = {math.floor(event_period(day, item.period_kind)) for day in item.events["event_date"]}
    top = max([v for v in actual.values() if pd.notna(v)] or [0])
    return [(actual.get(p) if pd.notna(actual.get(p)) else top) if p in marked else None for p in periods]


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
                               for text, s, bold, colour in paragraphs])


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
                                                                largest=20, smallest=12, lines=2), False, "#333333")])
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
        _put_table(slide, grid, [head, *rows], [3.0, 1.3, 2.1, 2.7, 0.9, 1.3, 1.3], size=12)
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
        line = "　".join(part for part in (item.headline, item.status_text, item.outlook_text) if part)
        if headline is not None:
            _write(headline.text_frame, [(line, fit_size(line, headline.width / EMU_PER_PT - 14, largest=24,
                                                         smallest=12), True, None)])
        _kpi_chart(slide, kpi, item, lang)
        target = " · ".join(part for part in (item.target, item.progress) if part)
        extra = [(line, 12, False, "#333333") for line in notes_paragraphs(item, lang)]
        _body(slide, kpi, [(item.summary, 14, False, None), (target, 12, False, "#333333"), *extra,
                           (labelled("source", item.source, lang), 10, False, "#555555")])
        step(slide, "\n".join([item.summary, *notes_paragraphs(item, lang), labelled("source", item.source, lang)]))
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


def _height(pdf, text: str, size: float, *, bold: bool = False, width: float = CONTENT_W, leading: float = 1.45):
    """Height in mm that ``text`` takes at ``size`` pt over ``width`` mm (fpdf2 wraps it without drawing)."""
    _font(pdf, size, bold=bold)
    lines = pdf.multi_cell(width, size * 0.3528 * leading, text, dry_run=True, output="LINES")
    return len(lines) * size * 0.3528 * leading


def _para(pdf, text: str, size: float, *, bold: bool = False, grey: int = 0, leading: float = 1.45,
          gap: float = 1.5) -> None:
    _font(pdf, size, bold=bold)
    if bold and not grey:
        pdf.set_text_color(20, 40, 90)  # headings in a dark blue
    else:
        pdf.set_text_color(grey, grey, grey)
    pdf.multi_cell(CONTENT_W, size * 0.3528 * leading, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    _font(pdf, size)
    pdf.ln(gap)


def _table_height(pdf, rows: list[list[str]], widths, size: float, *, padding: float = 1.2) -> float:
    """Height in mm of a table whose rows grow to their tallest wrapped cell (measured, not drawn)."""
    line = size * 0.3528 * 1.4
    total = 0.0
    _font(pdf, size)
    for row in rows:
        lines = max(len(pdf.multi_cell(w - 2 * padding, line, text, dry_run=True, output="LINES"))
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
                table.row(row)

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
        (labelled("sc.col.now", item.status_text, lang) + ("　" if lang == "ja" else "   ")
         + labelled("sc.col.outlook", item.outlook_text, lang), 10.5, False, 0, 0.5),
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
    fig = safe_text.figure(slide_figure(item, lang))  # names from the data stay text in the drawn chart
    pdf_chart.draw(pdf, fig, x=MARGIN, y=pdf.get_y(), width=CONTENT_W, height=chart_h,
                   alt_text=item.description or None, title=item.name)
    pdf.set_y(pdf.get_y() + chart_h + 3)
    for text, size, bold, grey, gap in after:
        _para(pdf, text, size * scale, bold=bold, grey=grey, gap=gap)


def deck_pdf(deck: Deck, *, progress=None) -> bytes:
    """A4 report: page 1 the scorecard, then exactly one page per KPI; page numbers and the creation date.

    ``progress(done, total)`` is called as the charts render (the slow part) and once the file is written.
    """
    total = len(deck.slides) + 1
    pdf = _report(deck)
    _scorecard_page(pdf, deck)
    for number, item in enumerate(deck.slides, start=1):
        _kpi_page(pdf, deck, item)  # the chart drawn as vector graphics (kpi.publish.pdf_chart): no browser per chart
        if progress:
            progress(number, total)
    data = bytes(pdf.output())
    if progress:
        progress(total, total)
    return data


def chart_png(item: KpiSlide, lang: str) -> bytes:
    """One chart at presentation resolution (1920×1080)."""
    return render_pngs([slide_figure(item, lang)], width=SLIDE_PX[0], height=SLIDE_PX[1])[0]
