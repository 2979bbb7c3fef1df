"""Overview: one screen — the verdict, what needs action, and a sortable scorecard of every KPI."""

import streamlit as st

from kpi.app import cache, grid, ui
from kpi.text.i18n import t
from metrics.registry import PILLARS
from metrics.targets import AT_RISK_TOLERANCE

lang = ui.lang()
snap = ui.snapshot()
ui.compact_top()
st.title(t("app_title", lang))
if snap.empty:
    st.caption(t("app_subtitle", lang))
    ui.empty_state()
    st.stop()

with st.container(horizontal=True, vertical_alignment="bottom"):
    chosen = st.pills(t("pillar_filter", lang), PILLARS, selection_mode="multi", default=list(PILLARS),
                      format_func=lambda p: t(f"pillar_{p}", lang), key="pillars",
                      label_visibility="collapsed", wrap=True) or list(PILLARS)
    st.link_button(t("present", lang), url=f"/?present=1&lang={lang}", icon=":material/co_present:")
    ui.export_buttons(snap, pillars=tuple(chosen), key="overview_export")

view = cache.overview(snap, lang, chosen)  # built once per revision, language and selection, for every session
st.info(view.sentence, icon=":material/explore:")

actions = view.actions
st.markdown(f"**{t('sc.action_title', lang)}（{len(actions)}）**" if lang == "ja"
            else f"**{t('sc.action_title', lang)} ({len(actions)})**")
if actions.empty:
    st.caption(t("sc.action_none", lang))
else:
    picked_action = grid.draw(view.action_grid, key="actions")
    if picked_action is not None:
        st.switch_page("pages/indicator.py", query_params={"kpi": picked_action, "lang": lang})
if view.update_line:
    st.caption(view.update_line)

st.markdown(f"**{t('sc.table_title', lang)}**", help=t("sc.rules", lang, pct=f"{AT_RISK_TOLERANCE:.0%}") + "\n\n"
            + t("sc.table_help", lang))
# Every KPI is a row in view: the grid is as tall as its rows (no scroll bar inside it; the page scrolls), and on a
# phone a list puts each KPI's verdicts first instead of a grid wider than the screen.
picked = grid.draw(view.scorecard_grid, key="scorecard")
if picked is not None:
    st.switch_page("pages/indicator.py", query_params={"kpi": picked, "lang": lang})

with st.expander(t("pub.targets_title", lang)):
    st.caption(t("pub.targets_help", lang))
    st.table(view.sources, hide_index=True)

st.caption(view.footer)
