"""Overview: one screen — the verdict, what needs action, and a sortable scorecard of every KPI."""

import streamlit as st

from kpi.app import ui
from kpi.store.notes import latest_checkins
from kpi.text import safe_text
from kpi.text.i18n import column_labels, t
from kpi.views.narrative import action_frame, date_text, scorecard_frame, strategy_sentence, target_sources_frame, update_line
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

card = snap.scorecard[snap.scorecard["pillar"].isin(chosen)]
st.info(strategy_sentence(card, lang), icon=":material/explore:")

ACTION_ROWS, SCORECARD_ROWS = 5, 10
actions = action_frame(card, snap.registry, lang, latest_checkins(snap.notes.get("checkins")))
st.markdown(f"**{t('sc.action_title', lang)}（{len(actions)}）**" if lang == "ja"
            else f"**{t('sc.action_title', lang)} ({len(actions)})**")
if actions.empty:
    st.caption(t("sc.action_none", lang))
else:
    picked_action = ui.scorecard_table(actions.drop(columns=["now", "outlook"]), key="actions",
                                       height=ui.table_height(min(len(actions), ACTION_ROWS)))
    if picked_action is not None:
        st.switch_page("pages/indicator.py", query_params={"kpi": picked_action, "lang": lang})
if update_line(card, snap.registry, lang):
    st.caption(update_line(card, snap.registry, lang))

st.markdown(f"**{t('sc.table_title', lang)}**", help=t("sc.rules", lang, pct=f"{AT_RISK_TOLERANCE:.0%}") + "\n\n"
            + t("sc.table_help", lang))
shown = scorecard_frame(card, snap.values, snap.registry, lang)
# Twenty KPIs and the 要対応 list do not fit one 1600×1000 screen: past SCORECARD_ROWS the table scrolls inside
# itself (sortable, and the pillar filter shortens it) so that the page stays one screen.
picked = ui.scorecard_table(shown, key="scorecard", height=ui.table_height(min(len(shown), SCORECARD_ROWS)))
if picked is not None:
    st.switch_page("pages/indicator.py", query_params={"kpi": picked, "lang": lang})

with st.expander(t("pub.targets_title", lang)):
    st.caption(t("pub.targets_help", lang))
    sources = target_sources_frame(card, snap.registry, lang)
    # st.table renders Markdown in its cells: sources are user text, shown as typed (kpi.text.safe_text).
    shown = sources.map(lambda v: safe_text.md(v) if isinstance(v, str) else v)
    st.table(shown.rename(columns=column_labels(sources.columns, lang)), hide_index=True)

st.caption(f"{snap.loaded(None, lang)} · "
           + t("sc.judged_on", lang, date=date_text(snap.judged_on, lang)))
