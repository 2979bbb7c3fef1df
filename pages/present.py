"""Presentation mode (?present=1): one KPI per slide at 1920×1080, arrow keys, optional auto-advance, frozen data."""

import time

import streamlit as st

from kpi import storage, ui
from kpi.exports import assemble_deck, slide_figure
from kpi.i18n import t

lang = ui.lang()
# Freeze the data to the revision the deck was opened with; it rides in the URL so a reload shows the same slides.
if "rev" not in st.query_params:
    st.query_params["rev"] = str(storage.latest_revision())
revision = int(st.query_params["rev"])
snap = ui.snapshot(at_revision=revision)
if snap.empty:
    ui.empty_state()
    st.stop()
deck = assemble_deck(snap.values, snap.summary, snap.sources, snap.datasets["targets"], snap.history,
                     registry=snap.registry, lang=lang)
total = len(deck.slides) + 1  # title slide first
auto = float(st.query_params.get("auto", 0) or 0)

st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stStatusWidget"], [data-testid="stDecoration"] {display: none !important;}
.block-container {padding: 1.5rem 3rem 0 3rem !important; max-width: 100% !important;}
h1 {font-size: 3.4rem !important;} h2 {font-size: 2.4rem !important;}
[data-testid="stMetricValue"] {font-size: 4.5rem !important;}
.stMarkdown p, [data-testid="stCaptionContainer"] {font-size: 1.5rem !important;}
</style>""")


def go(step: int) -> None:
    st.session_state["slide"] = (st.session_state.get("slide", 0) + step) % total
    st.session_state["shown_at"] = time.monotonic()


@st.fragment(run_every=auto if auto > 0 else None)
def show_slide() -> None:
    if auto > 0 and time.monotonic() - st.session_state.setdefault("shown_at", time.monotonic()) >= auto:
        go(1)
    index = st.session_state.setdefault("slide", int(st.query_params.get("slide", 0)) % total)
    if index == 0:
        st.title(deck.title)
        st.header(deck.subtitle)
        st.markdown(deck.strategy)
    else:
        item = deck.slides[index - 1]
        st.title(item.name)
        left, right = st.columns([2, 3])
        left.metric(item.period, item.value)
        with left:
            st.subheader(item.status_text)  # icon and word, large enough for the back of the room
            st.markdown(item.target)
        right.markdown(item.summary)
        fig = slide_figure(item, lang)
        fig.update_layout(height=470, font={"size": 20}, title=None)
        ui.plot(fig, key=f"slide_{index}", own_theme=True)
        st.caption(f"{t('source', lang)}: {item.source}")
    st.caption(f"{t('slide_of', lang, n=index + 1, total=total)} · {deck.as_of} · "
               + t("frozen", lang, revision=revision))


show_slide()
back, forward, _, leave = st.columns([1, 1, 6, 1])
back.button(f"← {t('previous', lang)}", on_click=go, args=(-1,), shortcut="left", key="prev")
forward.button(f"{t('next', lang)} →", on_click=go, args=(1,), shortcut="right", key="next")
if leave.button(t("exit_presentation", lang), key="exit"):
    for name in ("present", "rev", "auto", "slide"):
        st.query_params.pop(name, None)
    st.switch_page("pages/overview.py")

