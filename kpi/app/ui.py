"""Streamlit helpers shared by the pages: language, cached data by revision, captions, downloads, errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import unicodedata
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from kpi.app.memo import Memo
from kpi.app.turns import step_aside
from kpi.ingest.countries import country_name
from kpi.publish.exporting import to_safe_csv, to_xlsx
from kpi.store import service, storage
from kpi.store.snapshot import Snapshot, is_illustrative, with_notes
from kpi.store.snapshot import build as build_snapshot
from kpi.text import safe_text
from kpi.text.i18n import (
    LANGS,
    catalogue,
    column_labels,
    dataset_name,
    format_cell,
    format_datetime,
    labelled,
    note_text,
    school_name,
    source_text,
    sources_text,
    t,
    unit_name,
)
from kpi.text.status import STATUS_LOOK, outlook_look, status_look
from kpi.views import a11y
from kpi.views.charts import TOPOJSON_URL
from kpi.views.narrative import outlook_text, status_text
from kpi.views.notes_text import revision_note

# The theme's primary colour (.streamlit/config.toml), 6.8:1 on white; captions' grey 6.9:1 on white.
FOCUS_COLOUR = "#005F96"
UI_MUTED_TEXT = "#5C5A57"
SPARKLINE_HEIGHT = 150
# WCAG 2.1 AA (JIS X 8341-3): captions at full opacity in a grey of 6.9:1 on white (Streamlit fades them to 3.9:1)
# and chart axis text in the same grey (Streamlit's chart theme draws it in #808495, 3.7:1),
# links underlined (not told by colour alone), a focus outline on whatever the keyboard reaches (2.4.7), and the
# chart descriptions hidden from sight but read by screen readers. Titles break between words only (never
# 「国際戦 / 略 KPI」); on a phone the chart toolbar would sit over small charts, so it is hidden there.
STYLE = f"""<style>
[data-testid="stCaptionContainer"] {{opacity: 1 !important; color: {UI_MUTED_TEXT} !important;}}
[data-testid="stCaptionContainer"] a, [data-testid="stMarkdownContainer"] a {{text-decoration: underline;}}
:focus-visible {{outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important;}}
[data-testid="stExpander"] summary:focus-visible {{outline-offset: -3px !important;}}
[data-baseweb="select"]:has(input:focus-visible) > div,
[data-baseweb="input"]:has(input:focus-visible), [data-baseweb="textarea"]:has(textarea:focus-visible) {{
  outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important;}}
.js-plotly-plot :is(.xtick, .ytick, .g-xtitle, .g-ytitle, .cbaxis, .cbtitle) text {{fill: {UI_MUTED_TEXT} !important;}}
[data-testid="stSlider"] [role="slider"]:focus-visible {{box-shadow: 0 0 0 3px {FOCUS_COLOUR} !important;}}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *,
[data-testid="stMetricDelta"] * {{white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; overflow-wrap: anywhere;}}
[data-testid="stMetricValue"] {{font-size: clamp(1.3rem, 2.2vw, 2.25rem) !important; line-height: 1.25 !important;}}
.kpi-phone-list {{list-style: none; padding: 0; margin: 0;}}
.kpi-phone-list li {{padding: 0.45rem 0; border-bottom: 1px solid #e6e6e6; overflow-wrap: anywhere;}}
[data-testid="stElementContainer"]:has(:is(.kpi-phone-list, .kpi-phone-title)) {{display: none;}}
.kpi-phone-title {{font-weight: 600; margin: 0;}}
@media (max-width: 640px) {{
  [data-testid="stElementContainer"]:has(:is(.kpi-phone-list, .kpi-phone-title)) {{display: block;}}
  .js-plotly-plot .gtitle {{display: none;}}
  .st-key-scorecard_grid, .st-key-actions_grid {{display: none !important;}}
}}
.kpi-sr-only, [data-testid="stElementContainer"]:has(.kpi-sr-only) {{position: absolute !important; width: 1px;
  height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;}}
h1, h2, h3 {{word-break: keep-all; overflow-wrap: anywhere;}}
@media (max-width: 640px) {{.modebar-container {{display: none !important;}}}}
</style>"""


def apply_style(code: str) -> None:
    """The style above, and the page's language for screen readers and hyphenation (WCAG 3.1.1): one element
    (every element is a message to the browser on every run)."""
    # Our own constant script, not user text: Streamlit's index.html always says lang="en".
    st.html(f'{STYLE}<span class="kpi-sr-only"></span><script>document.documentElement.lang = '
            f'"{"ja" if code == "ja" else "en"}";</script>', unsafe_allow_javascript=True)


def language_switch(*, hidden: bool = False) -> str:
    """Sidebar switch, remembered in the URL (?lang=ja) so a shared link opens in the same language.

    Called once per run by dashboard.py, so it also applies the accessibility style and the page language.
    """
    default = st.query_params.get("lang", "en")
    if "lang" not in st.session_state:
        st.session_state["lang"] = default if default in LANGS else "en"
    if hidden:
        apply_style(st.session_state["lang"] or "en")
        return st.session_state["lang"] or "en"
    lang = st.sidebar.segmented_control("Language / 言語", LANGS, key="lang",
                                        format_func=lambda code: {"en": "English", "ja": "日本語"}[code])
    lang = lang or "en"
    st.query_params["lang"] = lang
    apply_style(lang)
    return lang


def lang() -> str:
    return st.session_state.get("lang") or "en"


SNAPSHOTS = Memo(max_entries=8)


def _snapshot(url: str, revision: int, day: dt.date) -> Snapshot:
    """The snapshot is built outside Streamlit (kpi/store/snapshot.py); the app only keeps it by revision and day.

    Every session shares the one read-only object (kpi.app.memo) instead of unpickling a copy per rerun.
    """
    return SNAPSHOTS.get((url, revision, day), lambda: _build_snapshot(url, revision, day))


def _build_snapshot(url: str, revision: int, day: dt.date) -> Snapshot:
    engine = storage.get_engine(url)
    datasets = storage.load_all(engine=engine, at_revision=revision)
    snap = build_snapshot(datasets, storage.history(engine=engine), revision=revision, judged_on=day)
    return with_notes(snap, engine=engine)


def snapshot(at_revision: int | None = None) -> Snapshot:
    """The data at its newest revision (or a frozen one); a database problem is a message with a retry."""
    try:
        url = storage.database_url()
        revision = at_revision or storage.latest_revision(engine=storage.get_engine(url))
        return _snapshot(url, revision, dt.date.today())
    except (storage.StorageError, sa.exc.SQLAlchemyError) as exc:
        st.error(t("storage_error", lang(), error=_error_text(exc)), icon=":material/warning:")
        st.button(t("retry", lang()))
        st.stop()


def _error_text(exc: BaseException) -> str:
    """A storage error in the reader's language (the driver's own message for a database refusal)."""
    if isinstance(exc, storage.StorageError):
        return exc.text_in(lang())
    return str(getattr(exc, "orig", None) or exc)


def status_badge(status: str) -> None:
    st.badge(status_text(status, lang()), color=status_look(status).badge)


def outlook_badge(outlook: str | None) -> None:
    st.badge(outlook_text(outlook, lang()), color=outlook_look(outlook).badge)


def source_caption(sources: list[str], as_of: str) -> None:
    """Every chart names its source and as-of date; illustrative data is said to be so."""
    code = lang()
    text = "; ".join(safe_text.md(source_text(s, code)) for s in sources) if sources else t("illustrative", code)
    st.caption(f"{labelled('source', text, code)} · {as_of}", unsafe_allow_html=False)
    if is_illustrative(sources):
        st.caption(f":material/warning: {t('illustrative', code)}")


@dataclass(frozen=True)
class Chart:
    """A figure made ready to draw, once: its text alternative, the table behind it, colour-free cues, escaped text
    and toolbar. Read-only once made, so one Chart can be drawn by every session (kpi.app.cache)."""

    figure: go.Figure
    description: str
    config: dict
    data_label: str
    data: pd.DataFrame | None  # the table under the chart, already in words and labelled, or None


def chart(fig, *, lang: str, geo: bool = False, alt: str | None = None, data: pd.DataFrame | None = None) -> Chart:
    """Prepare ``fig`` for :func:`draw` (changes ``fig``: give it a figure nobody else draws)."""
    description = a11y.with_facts(alt, fig, lang) if alt else a11y.figure_description(fig, lang)
    frame = data if data is not None else a11y.figure_frame(fig, lang)
    a11y.distinguish_without_colour(fig)
    # Plotly's toolbar icons are drawn at 30% grey (1.6:1); controls need 3:1 against the page (WCAG 1.4.11).
    fig.update_layout(modebar={"color": UI_MUTED_TEXT, "activecolor": FOCUS_COLOUR, "bgcolor": "rgba(255,255,255,0.9)"})
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1}}
    if geo:
        config["topojsonURL"] = TOPOJSON_URL
    if (fig.layout.height or 450) <= SPARKLINE_HEIGHT:
        config["displayModeBar"] = False  # a sparkline has nothing to zoom: eight tab stops less per card
    safe_text.figure(fig)  # school, partner and institution names stay text in labels and hovers
    title = str(fig.layout.title.text or "").replace("<br>", " ").strip()
    label = t("a11y.chart_data_titled", lang, title=title) if title else t("a11y.chart_data", lang)
    shown = None
    if frame is not None and not frame.empty:
        shown = displayed(frame, lang)
    return Chart(fig, description, config, label, shown)


def draw(prepared: Chart, *, key: str | None = None, own_theme: bool = False) -> None:
    """A prepared chart whose camera button saves a presentation-resolution PNG (1920×1080); ``own_theme`` keeps our
    fonts. Its text alternative is read by screen readers just before it; its table is one click away under it."""
    st.html(f'<p class="kpi-sr-only">{html.escape(prepared.description)}</p>')
    # A chart's title does not wrap (plotly draws it on one line): on a phone it is cut at the screen's edge, so there
    # it is shown above the chart as text that wraps, and the drawn one hidden (both by the style above).
    title = str(prepared.figure.layout.title.text or "").replace("<br>", " ").strip()
    if title:
        st.html(f'<p class="kpi-phone-title">{html.escape(title)}</p>')
    st.plotly_chart(prepared.figure, config=prepared.config, key=key, width="stretch",
                    theme=None if own_theme else "streamlit")
    if prepared.data is not None:
        with st.expander(prepared.data_label):
            st.dataframe(prepared.data, hide_index=True, width="stretch", key=f"{key}_data" if key else None)


def plot(fig, *, key: str | None = None, geo: bool = False, own_theme: bool = False, alt: str | None = None,
         data: pd.DataFrame | None = None) -> None:
    """Prepare and draw ``fig`` (:func:`chart`, :func:`draw`).

    ``alt`` is the chart's one-sentence text alternative, read by screen readers just before the chart and followed by
    the numbers drawn (the whole sentence derived from the figure when not given); ``data`` the table behind it, one
    click away under the chart (the figure's own numbers when not given).
    """
    draw(chart(fig, lang=lang(), geo=geo, alt=alt, data=data), key=key, own_theme=own_theme)


def _display_values(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """Codes people should not have to decode, in words: pillars, directions, levels, statuses, countries."""
    words = {
        "pillar": lambda v: t(f"pillar_{v}", code),
        "direction": lambda v: t(v, code) if v in ("inbound", "outbound") else t(f"trend.{v}", code)
        if v in ("up", "down") else v,
        "dataset": lambda v: dataset_name(v, code),
        "school": lambda v: school_name(v, code),
        "source": lambda v: source_text(v, code),
        "sources": lambda v: sources_text(v, code),
        "unit": lambda v: unit_name(v, code),
        "period_kind": lambda v: t(f"period_kind.{v}", code) if v in ("fiscal", "calendar") else v,
        "reference_date": lambda v: known_word(v, code, prefix="refkind."),
        "basis": lambda v: known_word(v, code, prefix="basis."),
        "level": lambda v: known_word(v, code),
        "study_level": lambda v: known_word(v, code, prefix="pub.level."),
        "category": lambda v: known_word(v, code, prefix="pub.category."),
        "action": lambda v: known_word(v, code),
        "note": lambda v: note_text(v, code),
        "country": lambda v: country_name(v, code),
        "status": lambda v: status_text(v, code) if v in STATUS_LOOK else known_word(v, code),
        "outlook": lambda v: outlook_text(v, code),
    }
    shown = frame.copy()
    for column, word in words.items():
        if column in shown:
            shown[column] = shown[column].astype(object).map(lambda v, w=word: w(v) if isinstance(v, str) and v else v)
    return _readable_numbers(shown, code)


def _readable_numbers(frame: pd.DataFrame, code: str = "en") -> pd.DataFrame:
    """No `None`, `NaT`, 6420 beside 6,791 or 2009-04-01 00:00:00 on screen: every cell through format_cell."""
    for column in frame.columns:
        frame[column] = [format_cell(v, code, column=column) for v in frame[column].tolist()]
    return frame


def known_word(value: str, code: str, *, prefix: str = "") -> str:
    """A stored code in words when the catalogue knows ``prefix + value`` (degree → 正規生); else the value as it is."""
    key = f"{prefix}{value}"
    return t(key, code) if key in catalogue() else value


def displayed(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """``frame`` as :func:`table` shows it: codes in words, readable numbers, headers in the language."""
    return _display_values(frame, code).rename(columns=column_labels(frame.columns, code))


TABLE_ROWS = 25


def table(frame: pd.DataFrame, *, prepared: bool = False, **options) -> None:
    """A read-only table with its column headers and codes in the chosen language (``prepared``: already
    :func:`displayed`, e.g. shared by every session through kpi.app.cache)."""
    if frame.empty:  # not an empty grid that says "empty" in English
        st.caption(t("table_empty", lang()))
        return
    shown = frame if prepared else displayed(frame, lang())
    # Up to TABLE_ROWS rows in view without a scroll bar inside the table (Streamlit's default shows ten).
    rows_px = options.get("row_height") or ROW_PX
    options.setdefault("height", table_height(min(len(frame), TABLE_ROWS), row_px=rows_px) if len(frame) else "auto")
    st.dataframe(shown, hide_index=options.pop("hide_index", True), width="stretch", placeholder="–", **options)


def history_table(history: pd.DataFrame, registry: pd.DataFrame) -> None:
    """Every revision, newest first (the Data and Upload pages): its time in the language, its note in words
    (a check-in's KPI by name, 「協定校数の担当部署を設定」, not partner_institutions or "owner of …")."""
    code = lang()
    shown = history.drop(columns=["sha256", "plan_token"], errors="ignore").sort_values("revision", ascending=False)
    if "restores" in shown and shown["restores"].isna().all():  # no rollback yet: a column of dashes, off the screen
        shown = shown.drop(columns="restores")
    table(shown.assign(created_at=[format_datetime(pd.Timestamp(v), code) for v in shown["created_at"]],
                       note=[revision_note(v, registry, code) for v in shown["note"]]))


ROW_PX = 35  # Streamlit's default row height
WRAP_ROW_PX = 66  # Streamlit wraps cell text only in rows taller than 4rem (64 px): three lines


def text_px(text: str) -> int:
    """About how wide ``text`` is drawn in a grid cell: full-width (CJK) characters 13 px, others 7 px."""
    return sum(13 if unicodedata.east_asian_width(c) in "WF" else 7 for c in text)


def wrapped_row_px(texts, *, room_px: int) -> int:
    """Streamlit's one-line rows, or three-line rows when a text is wider than ``room_px`` (it wraps instead of being
    cut at the cell's edge)."""
    return WRAP_ROW_PX if any(text_px(str(v)) > room_px for v in texts) else ROW_PX


def table_height(rows: int, *, row_px: int = ROW_PX) -> int:
    """Pixels for a table of ``rows`` rows and its header, so it shows every row without a scroll bar."""
    return rows * row_px + ROW_PX + 3


def compact_top() -> None:
    """Less empty space above a smaller title, so a one-screen page fits on one screen."""
    st.html("<style>@media (min-width: 640px) {.block-container {padding-top: 2.2rem !important;"
            " padding-bottom: 0.5rem !important; padding-left: 1.5rem !important; padding-right: 1.5rem !important;}}"
            " h1 {font-size: 1.9rem !important; padding-top: 0 !important;}</style>")


def download_csv(frame, name: str, *, key: str) -> None:
    """The table as CSV and, next to it, as an Excel workbook (both formula-safe, contract column names).

    ``frame`` may be a function returning the frame: then it is built only when a button is clicked.
    """
    lazy = callable(frame)
    build = frame if lazy else (lambda: frame)
    with st.container(horizontal=True):
        st.download_button(t("download_csv", lang()), data=(lambda: to_safe_csv(build())) if lazy else to_safe_csv(frame),
                           file_name=f"{name}.csv", mime="text/csv", key=key, icon=":material/download:",
                           on_click="ignore" if lazy else "rerun")
        download_xlsx(build, name, key=f"{key}_xlsx")


def download_xlsx(frame, name: str, *, key: str) -> None:
    """Built only when clicked: a workbook costs more than a CSV on a large table."""
    build = frame if callable(frame) else (lambda: frame)
    st.download_button(t("download_xlsx", lang()), data=lambda: to_xlsx(build(), sheet=name), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=key,
                       icon=":material/table_view:", on_click="ignore")


def file_uploader(label: str, *, types: list[str], key: str, help: str | None = None, **options):
    """st.file_uploader with its own button and size-limit texts in the chosen language (Streamlit writes them in
    English: they are replaced by CSS, the only hook it offers)."""
    code = lang()
    limit = t("upload.limit", code, mb=f"{service.max_upload_bytes() / 1e6:,.0f}",
              types=t("sc.list_sep", code).join(x.upper() for x in types))
    browse = t("upload.browse", code)
    st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] button, [data-testid="stFileUploaderDropzone"] button *:not(svg, svg *) {{
  font-size: 0 !important;}}
[data-testid="stFileUploaderDropzone"] button::after {{content: {json.dumps(browse, ensure_ascii=False)}; font-size: 0.9rem;}}
[data-testid="stFileUploaderDropzoneInstructions"] * {{font-size: 0 !important;}}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{content: {json.dumps(limit, ensure_ascii=False)}; font-size: 0.8rem;
  opacity: 0.7;}}
</style>""")
    return st.file_uploader(label, type=types, key=key, help=help or t("upload.help", code), **options)


def empty_state() -> None:
    st.info(t("no_data_loaded", lang()), icon=":material/info:")


def page_start(title_key: str, dataset: str) -> tuple[str, Snapshot, pd.DataFrame]:
    """The common head of a dataset page: language, data, title; stops with the empty state when nothing is loaded."""
    code = lang()
    snap = snapshot()
    st.title(t(title_key, code))
    frame = snap.datasets[dataset]
    if frame.empty:
        empty_state()
        st.stop()
    return code, snap, frame


@st.cache_data(show_spinner=False, max_entries=16)
def deck_bytes(url: str, revision: int, lang: str, kind: str, pillars: tuple[str, ...] = (), _progress=None) -> bytes:
    """A PPTX or PDF of the data at ``revision``, cached: the same revision always gives the same document."""
    from kpi.publish import exports

    snap = _snapshot(url, revision, dt.date.today())
    deck = exports.deck_from_snapshot(snap, lang=lang, pillars=list(pillars) or None)
    return exports.deck_pptx(deck, progress=_progress) if kind == "pptx" else exports.deck_pdf(deck, progress=_progress)


EXPORTS = {  # kind: make-button key, download key, icon, MIME type
    "pptx": ("deck.make", "download_pptx", ":material/slideshow:",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "pdf": ("pdf.make", "download_pdf", ":material/picture_as_pdf:", "application/pdf"),
}


def export_buttons(snap: Snapshot, *, pillars: tuple[str, ...] = (), key: str = "export") -> None:
    """A button per document that builds it with a progress bar, then offers the download in its place."""
    code = lang()
    url = storage.database_url()
    for kind, (make, download, icon, mime) in EXPORTS.items():
        wanted = (snap.revision, code, tuple(pillars))
        held = st.session_state.get(f"{key}_{kind}_built")
        if held is not None and held[0] == wanted:
            st.download_button(t(download, code), data=held[1], icon=icon, mime=mime, key=f"{key}_{kind}",
                               file_name=f"tohoku-intl-kpi-r{snap.revision}-{code}.{kind}", on_click="ignore")
        elif st.button(t(make, code), icon=icon, key=f"{key}_{kind}_make"):
            building = "deck" if kind == "pptx" else "pdf"
            step_aside()  # seconds of work: the other sessions go on meanwhile (kpi.app.turns)
            with st.status(t(f"{building}.building", code), expanded=True) as status:
                bar = st.progress(0.0)

                def step(done: int, total: int, bar=bar) -> None:
                    bar.progress(min(1.0, done / max(1, total)), text=t("slide_of", code, n=done, total=total))

                data = deck_bytes(url, snap.revision, code, kind, tuple(pillars), _progress=step)
                bar.progress(1.0)
                status.update(label=t(f"{building}.done", code), state="complete", expanded=False)
            st.session_state[f"{key}_{kind}_built"] = (wanted, data)
            st.rerun()


@contextlib.contextmanager
def storage_errors():
    """A write the database refuses (read-only, locked, gone), already made (a second click) or made on data that
    changed meanwhile is a message in words; nothing was stored."""
    try:
        yield
    except storage.AlreadyStored as done:
        st.info(t("plan.already_stored_now", lang(), revision=done.revision), icon=":material/info:")
    except storage.StalePlan:
        st.warning(t("plan.stale", lang()), icon=":material/sync_problem:")
    except (storage.StorageError, sa.exc.SQLAlchemyError) as exc:
        st.error(t("write_failed", lang(), error=safe_text.md(_error_text(exc))),
                 icon=":material/warning:")
