"""One KPI: 現状 and 見通し with their reasons, actual vs plan vs target, projection fan, what-if, history."""

import math

import pandas as pd
import streamlit as st

from kpi.app import ui
from kpi.store.notes import events_for, latest_checkins
from kpi.text import safe_text
from kpi.text.i18n import format_percent, format_value, indicator_name, labelled, period_label, source_text, t
from kpi.views import charts
from kpi.views.narrative import (
    closed_text,
    kpi_sentence,
    outlook_why,
    reference_label,
    sentence_case,
    span_label,
    status_text,
    status_why,
    target_text,
    target_with_basis,
)
from kpi.views.notes_text import checkin_text, owner_text
from metrics.compute import peer_values
from metrics.evaluate import target_in_force
from metrics.forecast import HORIZON, parse_periods, year_reached
from metrics.targets import glide_frame


def owner_and_checkin(row: dict, checkin: dict | None, lang: str) -> None:
    """担当 and the latest check-in (with the owner's own status beside the evaluator's, never instead of it)."""
    st.caption(labelled("sc.col.owner", safe_text.md(owner_text(row, lang)), lang))
    if checkin:
        st.info(labelled("sc.col.checkin", safe_text.md(checkin_text(checkin, row, lang)), lang),
                icon=":material/edit_note:")


lang = ui.lang()
snap = ui.snapshot()
st.title(t("indicator_page", lang))
if snap.empty:
    ui.empty_state()
    st.stop()
ids = list(snap.registry.index)
wanted = st.query_params.get("kpi", ids[0])
indicator = st.selectbox(t("indicator", lang), ids, index=ids.index(wanted) if wanted in ids else 0,
                         format_func=lambda i: indicator_name(snap.registry, i, lang), key="kpi_select")
st.query_params["kpi"] = indicator
spec = snap.registry.loc[indicator]
row = snap.scorecard.set_index("indicator").loc[indicator].to_dict() | {"indicator": indicator}
series = snap.series(indicator)
st.caption(spec["definition_ja" if lang == "ja" else "definition_en"])
if series.empty:
    st.info(t("empty_selection", lang))
    st.stop()

unit, kind = row["unit"], row["period_kind"]
now_col, outlook_col = st.columns(2)
with now_col.container(border=True):
    st.caption(t("sc.col.now", lang))
    ui.status_badge(row["status"])
    st.write(sentence_case(status_why(row, lang)))
with outlook_col.container(border=True):
    st.caption(t("sc.col.outlook", lang))
    ui.outlook_badge(row["outlook"])
    st.write(sentence_case(outlook_why(row, lang)) or "–")
st.markdown(kpi_sentence(row, snap.registry, lang))
owner_and_checkin(row, latest_checkins(snap.notes.get("checkins")).get(indicator), lang)
if row["closed_result"]:
    st.caption(closed_text(row, lang))

has_target = pd.notna(row["target_period"])
target = target_in_force(snap.datasets["targets"], indicator, int(row["period"])) if has_target else None
projection = snap.projections.get(indicator)
shocks = parse_periods(spec["shock_periods"])
scale = 100.0 if unit == "percent" else 1.0
peers = peer_values(snap.datasets.get("indicators"), indicator=indicator, scale=scale)
name = indicator_name(snap.registry, indicator, lang)
fig = charts.kpi_trend(series, unit=unit, period_kind=kind, lang=lang,
                       target={"target": row["target_value"], "target_period": row["target_period"]}
                       if has_target else None,
                       glide=glide_frame(target) if target is not None else None,
                       projection=projection if has_target else None, peers=peers, shocks=shocks, title=name,
                       events=events_for(snap.notes.get("events"), indicator))
ui.plot(fig, key="indicator_chart", alt=t("sc.chart_alt", lang, name=name, sentence=status_why(row, lang)),
        data=series[["period", "value", "plan", "target_value"]])
ui.source_caption(snap.sources.get(indicator, []), snap.loaded(spec["dataset"], lang))
if projection is not None and projection.excluded:
    st.caption(t("sc.shock_note", lang, periods=span_label(list(projection.excluded), kind, lang)))
if not peers.empty:
    st.caption(t("peers", lang))
if row["target_source"]:  # published or illustrative, with its citation (also for a target without a year)
    st.caption(labelled("target", target_with_basis(row, lang), lang) + " — "
               + labelled("source", safe_text.md(source_text(row["target_source"], lang)), lang))


def per_year(rate: float) -> str:
    return "–" if pd.isna(rate) else t("per_year", lang, pct=format_percent(100 * rate, signed=True))


latest, c1, c2, c3, c4 = st.columns(5)
change = (t("sc.change", lang, change=format_percent(row["change_pct"], signed=True))
          if pd.notna(row["change_pct"]) else None)
latest.metric(reference_label(row["period"], row["reference_kind"], lang), format_value(row["value"], unit, lang),
              change, delta_color="off" if not row["change"] else "normal" if row["direction"] == "up" else "inverse",
              delta_arrow="off" if not row["change"] else "auto")
if has_target:
    c1.metric(t("sc.col.target", lang), target_text(row, lang),
              t("progress", lang, pct=format_percent(row["progress_pct"])), delta_color="off", delta_arrow="off")
    c2.metric(t("sc.needed", lang), per_year(row["growth_needed"]))
    c3.metric(t("sc.achieved", lang), per_year(row["growth_achieved"]))
    if pd.notna(row["projected_value"]):
        c4.metric(t("sc.projected", lang, period=period_label(int(row["target_period"]), kind, lang)),
                  format_value(row["projected_value"], unit, lang),
                  t("sc.range", lang, lower=format_value(row["projected_lower"], unit, lang),
                    upper=format_value(row["projected_upper"], unit, lang)) if pd.notna(row["projected_lower"])
                  else None, delta_color="off", delta_arrow="off")
    elif projection is None:
        c4.caption(t("too_few_points", lang, n=len(series), min=2))

    needed = row["growth_needed"]
    start = round(100 * needed, 1) if pd.notna(needed) and math.isfinite(needed) else 0.0
    low = min(-10.0, math.floor(start) - 5.0)
    high = max(20.0, math.ceil(start) + 5.0)
    growth = st.slider(t("what_if", lang), low, high, start, 0.1, format="%.1f%%", key=f"what_if_{indicator}",
                       help=t("sc.what_if_help", lang))
    reached = year_reached(int(row["period"]), row["value"], row["target_value"], growth / 100,
                           direction=row["direction"])
    pct = format_percent(growth, signed=True)
    st.write(t("what_if_result", lang, pct=pct, period=period_label(reached, kind, lang))
             if reached is not None else t("what_if_never", lang, pct=pct, years=HORIZON))

history = pd.DataFrame({
    "period": [period_label(int(p), kind, lang) for p in series["period"]],
    "reference": [reference_label(p, row["reference_kind"], lang) for p in series["period"]],
    "value": [format_value(v, unit, lang) for v in series["value"]],
    "plan": [format_value(v, unit, lang) for v in series["plan"]],
    "target": [target_text(r, lang) for r in series.to_dict("records")],
    "gap": ["–" if pd.isna(g) or not math.isfinite(g) else format_percent(g, signed=True) for g in series["gap_pct"]],
    "status": [status_text(s, lang) for s in series["status"]],
}).iloc[::-1]
st.dataframe(history, hide_index=True, width="stretch", column_config={
    "period": st.column_config.TextColumn(t("col.period", lang)),
    "reference": st.column_config.TextColumn(t("sc.col.when", lang)),
    "value": st.column_config.TextColumn(t("col.value", lang)),
    "plan": st.column_config.TextColumn(t("sc.col.plan", lang)),
    "target": st.column_config.TextColumn(t("sc.col.target", lang)),
    "gap": st.column_config.TextColumn(t("sc.col.gap", lang)),
    "status": st.column_config.TextColumn(t("sc.col.now", lang)),
})
download = series.assign(period_label=[period_label(int(p), kind, lang) for p in series["period"]])
ui.download_csv(download[["indicator", "period", "period_label", "value", "reference_date", "plan", "gap_pct",
                          "target_value", "target_period", "status", "status_reason"]], f"kpi_{indicator}",
                key="download_indicator")
