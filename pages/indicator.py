"""One KPI: 現状 and 見通し with their reasons, actual vs plan vs target, projection fan, what-if, history."""

import math

import streamlit as st

from kpi.app import cache, query, ui
from kpi.text import safe_text
from kpi.text.i18n import column_labels, indicator_name, labelled, period_label, t
from kpi.views import charts, kpi_view
from kpi.views.narrative import span_label
from metrics.registry import pillar_order

lang = ui.lang()
snap = ui.snapshot()
st.title(t("indicator_page", lang))
if snap.empty:
    ui.empty_state()
    st.stop()
ids = pillar_order(snap.registry)  # the one order of every output
wanted = query.current(kpis=ids, show=("kpi",)).kpi or ids[0]
indicator = st.selectbox(t("indicator", lang), ids, index=ids.index(wanted) if wanted in ids else 0,
                         format_func=lambda i: indicator_name(snap.registry, i, lang), key="kpi_select")
st.query_params["kpi"] = indicator
spec = snap.registry.loc[indicator]
series = cache.shared(snap, "series", indicator, build=lambda: snap.series(indicator))  # per revision, shared
st.caption(spec["definition_ja" if lang == "ja" else "definition_en"])
if series.empty:
    st.info(t("empty_selection", lang))
    st.stop()

# Every fact shown below, built once per revision, indicator and language and shared by every session.
view = cache.shared(snap, "view", indicator, lang, build=lambda: kpi_view.build(
    snap, indicator, lang, as_of=snap.loaded(spec["dataset"], lang), series=series))
now_col, outlook_col = st.columns(2)
with now_col.container(border=True):
    st.caption(t("sc.col.now", lang))
    ui.status_badge(view.status)
    st.write(view.status_why)
with outlook_col.container(border=True):
    st.caption(t("sc.col.outlook", lang))
    ui.outlook_badge(view.outlook)
    st.write(view.outlook_why or "–")
st.markdown(view.summary)
# 担当 and the latest check-in (the owner's own status beside the evaluator's, never instead of it): user text.
st.caption(labelled("sc.col.owner", safe_text.md(view.owner), lang))
if view.checkin:
    st.info(labelled("sc.col.checkin", safe_text.md(view.checkin), lang), icon=":material/edit_note:")
if view.closed:
    st.caption(view.closed)

fig = cache.chart(snap, "indicator", indicator, lang, build=lambda: ui.chart(
    charts.render_kpi(view.chart), lang=lang, alt=t("sc.chart_alt", lang, name=view.name, sentence=view.status_why),
    data=series[["period", "value", "plan", "target_value"]]))
ui.draw(fig, key="indicator_chart")
ui.source_caption(list(view.sources), view.as_of)
if view.events_text:  # the dotted lines' words, for whoever does not hover (user text)
    st.caption(safe_text.md(view.events_text))
if view.projection is not None and view.projection.excluded:
    st.caption(t("sc.shock_note", lang, periods=span_label(list(view.projection.excluded), view.period_kind, lang)))
if not view.peers.empty:
    st.caption(t("peers", lang))
if view.target_source:  # published or illustrative, with its citation (also for a target without a year)
    st.caption(labelled("target", view.target, lang) + " — " + labelled("source", safe_text.md(view.target_source), lang))

latest, c1, c2, c3, c4 = st.columns(5)
latest.metric(view.when, view.value, view.change or None, delta_color="off" if not view.change_amount else
              "normal" if view.direction == "up" else "inverse", delta_arrow="off" if not view.change_amount else "auto")
if view.has_target:
    c1.metric(view.target_label, view.target_amount, view.progress, delta_color="off", delta_arrow="off",
              help=view.target)
    c2.metric(t("sc.needed", lang), view.needed)
    c3.metric(t("sc.achieved", lang), view.achieved)
    if view.projected:
        c4.metric(view.projected_label, view.projected, view.projected_range or None, delta_color="off",
                  delta_arrow="off")
    elif view.projection is None:
        c4.caption(t("too_few_points", lang, n=len(series), min=2))
    if view.what_if_start is not None:
        start = view.what_if_start
        growth = st.slider(t("what_if", lang), min(-10.0, math.floor(start) - 5.0), max(20.0, math.ceil(start) + 5.0),
                           start, 0.1, format="%.1f%%", key=f"what_if_{indicator}", help=t("sc.what_if_help", lang))
        st.write(view.what_if(growth))

headers = column_labels(["period", "value"], lang)  # "Period", "Value": headers start with a capital
# As ui.table: up to 25 periods in view, no scroll bar inside the table cutting a row in half.
st.dataframe(view.history, hide_index=True, width="stretch", placeholder="–",
             height=ui.table_height(min(len(view.history), ui.TABLE_ROWS)) if len(view.history) else "auto",
             column_config={
    "period": st.column_config.TextColumn(headers["period"]),
    "reference": st.column_config.TextColumn(t("sc.col.when", lang)),
    "value": st.column_config.TextColumn(headers["value"]),
    "plan": st.column_config.TextColumn(t("sc.col.plan", lang)),
    "target": st.column_config.TextColumn(t("sc.col.target", lang)),
    "gap": st.column_config.TextColumn(t("sc.col.gap", lang)),
    "status": st.column_config.TextColumn(t("sc.col.now", lang)),
})
ui.download_csv(lambda: series.assign(period_label=[period_label(int(p), view.period_kind, lang)
                                                    for p in series["period"]])[
    ["indicator", "period", "period_label", "value", "reference_date", "plan", "gap_pct", "target_value",
     "target_period", "status", "status_reason"]], f"kpi_{indicator}", key="download_indicator")  # built when clicked
