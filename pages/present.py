"""Presentation mode (?present=1): title, scorecard, one slide per pillar, one per KPI, collaboration, at 1920×1080."""

import time

import pandas as pd
import streamlit as st

from kpi.app import cache, query, ui
from kpi.publish.exports import deck_from_snapshot, slide_figure
from kpi.store import storage
from kpi.text import linebreak, safe_text
from kpi.text.i18n import labelled, t

lang = ui.lang()
# Freeze the data to the revision the deck was opened with; it rides in the URL so a reload shows the same slides.
try:
    latest = storage.latest_revision()
except Exception:  # noqa: BLE001 - ui.snapshot below says what is wrong with the database, with a retry
    latest = None
params = query.current(latest=latest, show=("rev", "auto", "slide"))
revision = params.rev or latest or 0
if params.rev is None and latest is not None:
    st.query_params["rev"] = str(revision)
snap = ui.snapshot(at_revision=revision or None)
if snap.empty:
    ui.empty_state()
    st.stop()
deck = cache.shared(snap, "deck", lang, build=lambda: deck_from_snapshot(snap, lang=lang))  # once per revision
slides = deck.sequence()  # the same order as the PowerPoint deck: title, scorecard, pillars, KPIs, collaboration
total = len(slides)
auto = params.auto

# Scorecard and pillar tables: type sized by the screen's width and height, so that ten English rows of two lines
# still end above the buttons at 1920×1080.
st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stStatusWidget"], [data-testid="stDecoration"] {display: none !important;}
.block-container {padding: 1.5rem 3rem 5.5rem 3rem !important; max-width: 100% !important;}
h1 {font-size: 3.4rem !important; border: none !important; word-break: keep-all; overflow-wrap: anywhere;}
h2 {font-size: 2.4rem !important; word-break: keep-all;} h3 {font-size: 2rem !important;}
h1 a, h2 a, h3 a, [data-testid="stHeaderActionElements"] {display: none !important;}
[data-testid="stMetricValue"] {font-size: 4.5rem !important;}
[data-testid="stMetricLabel"] p {font-size: 2.2rem !important; line-height: 1.3 !important;}
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] div {font-size: 1.6rem !important;}
.stMarkdown p, .stMarkdown li, [data-testid="stCaptionContainer"] {font-size: 1.5rem !important;}
[data-testid="stTable"] table {font-size: 1.35rem !important;}
.st-key-title_slide {padding: 14vh 0 6vh 0;}
.st-key-title_slide h1 {font-size: 5rem !important;} .st-key-title_slide h2 {font-size: 2.2rem !important;}
.st-key-title_slide h3 {font-size: 2.2rem !important; line-height: 1.5 !important;}
.st-key-title_slide li, .st-key-title_slide li p {font-size: 1.9rem !important;}
[data-testid="stButton"] kbd, [data-testid="stButton"] [data-testid="stShortcut"] {display: none !important;}
.st-key-scorecard_slide [data-testid="stTable"] table, .st-key-pillar_slide [data-testid="stTable"] table {
  font-size: clamp(1.1rem, min(1.4vw, 2.2vh), 1.8rem) !important; width: 100% !important;}
.st-key-scorecard_slide [data-testid="stTable"] :is(td, th),
.st-key-pillar_slide [data-testid="stTable"] :is(td, th) {padding: clamp(0.2rem, 0.8vh, 0.9rem) 0.7rem !important;
  line-height: 1.25 !important;}
.st-key-scorecard_slide [data-testid="stTable"] tr > :is(:nth-child(2), :nth-child(3), :nth-child(5), :nth-child(6),
  :nth-child(7)), .st-key-pillar_slide [data-testid="stTable"] tr > :is(:nth-child(3), :nth-child(4)) {
  white-space: nowrap;}
.st-key-present_nav {position: fixed; left: 3rem; right: 3rem; bottom: 0.6rem; z-index: 100; background: white;
  padding-top: 0.4rem;}
.st-key-present_nav button {min-height: 3rem; padding: 0.4rem 1.6rem;}
.st-key-present_nav button p {font-size: 1.35rem !important;}
</style>""")


def go(step: int) -> None:
    st.session_state["slide"] = (st.session_state.get("slide", 0) + step) % total
    st.session_state["shown_at"] = time.monotonic()


def table(rows: list[list[str]], head: list[str]) -> None:
    """A slide's table; WORD JOINERs keep numbers and words whole where a cell wraps (「公表／値」 no more)."""
    cells = [[linebreak.glue(cell) for cell in row] for row in rows]
    st.table(pd.DataFrame(cells, columns=head).set_index(head[0]))


def title_slide() -> None:
    with st.container(key="title_slide"):  # the class st-key-title_slide sets its larger type
        st.title(deck.title)
        st.subheader(deck.subtitle)
        st.markdown(f"### {deck.strategy}")
        st.markdown("\n".join([f"- {deck.created}", f"- {labelled('deck.data_as_of', deck.as_of, lang)}",
                               f"- {labelled('pillar_filter', deck.filters, lang)}"]))


def scorecard_slide(part) -> None:
    with st.container(key="scorecard_slide"):  # larger type and rows that fill the screen (CSS above)
        st.title(part.title)
        head = [t(f"sc.col.{c}", lang) for c in ("name", "latest", "when", "target", "progress", "now", "outlook")]
        table([[s.name, s.value, s.when, s.target_short, s.progress_pct,
                s.status_text, s.outlook_text] for s in part.rows], head)


def pillar_slide(part) -> None:
    with st.container(key="pillar_slide"):
        st.title(part.title)
        head = [t(f"sc.col.{c}", lang) for c in ("name", "latest", "now", "outlook", "why")]
        table([[s.name, s.headline, s.status_text, s.outlook_text, s.why] for s in part.rows], head)


def kpi_slide(item, index: int) -> None:
    st.title(item.name)
    left, right = st.columns([2, 3])
    left.metric(item.when, item.value, item.change or None, delta_color="off", delta_arrow="off")
    with left:
        st.subheader(labelled("sc.col.now", item.status_text, lang))  # icon and word, for the back of the room
        st.subheader(labelled("sc.col.outlook", item.outlook_text, lang))
        st.markdown(" · ".join(part for part in (item.target, item.progress) if part))
    right.markdown(item.summary)
    fig = slide_figure(item, lang)
    fig.update_layout(height=400, font={"size": 20})
    ui.plot(fig, key=f"slide_{index}", own_theme=True, alt=item.description or item.summary,
            data=item.series[["period", "value"]])
    st.caption(labelled("source", safe_text.md(item.source), lang))


def collaboration_slide(item) -> None:
    """Research collaboration (InCites/SciVal types, citations per paper, partners), as on the deck's last slide."""
    with st.container(key="pillar_slide"):  # the same large table type as the pillar slides
        st.title(item.title)
        table(item.rows, item.head)
        st.markdown(f"**{safe_text.md(item.partners)}**")
        for note in item.notes:
            st.caption(safe_text.md(note))


@st.fragment(run_every=auto if auto > 0 else None)
def show_slide() -> None:
    if auto > 0 and time.monotonic() - st.session_state.setdefault("shown_at", time.monotonic()) >= auto:
        go(1)
    index = st.session_state.setdefault("slide", params.slide % total)
    kind, item = slides[index]
    if kind == "title":
        title_slide()
    elif kind == "scorecard":
        scorecard_slide(item)
    elif kind == "pillar":
        pillar_slide(item)
    elif kind == "collaboration":
        collaboration_slide(item)
    else:
        kpi_slide(item, index)
    # The revision is named once, in the frozen note.
    st.caption(f"{t('slide_of', lang, n=index + 1, total=total)} · {deck.created} · "
               + t("frozen", lang, revision=revision))


show_slide()
# The buttons stay at the foot of the screen whatever the slide's height (never cut off below it).
back, forward, _, leave = st.container(key="present_nav").columns([1, 1, 6, 1])
back.button(f"← {t('previous', lang)}", on_click=go, args=(-1,), shortcut="left", key="prev")
forward.button(f"{t('next', lang)} →", on_click=go, args=(1,), shortcut="right", key="next")
if leave.button(t("exit_presentation", lang), key="exit"):
    for name in ("present", "rev", "auto", "slide"):
        st.query_params.pop(name, None)
    st.switch_page("pages/overview.py")
