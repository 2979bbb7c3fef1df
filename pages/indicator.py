"""One KPI: actual vs glide path vs target, projection fan, growth needed vs achieved, what-if, written summary."""

import pandas as pd
import streamlit as st

from kpi import charts, ui
from kpi.i18n import format_percent, indicator_name, period_label, t
from kpi.narrative import kpi_sentence
from metrics.compute import peer_values
from metrics.forecast import HORIZON, MIN_POINTS_FOR_TREND, year_reached
from metrics.targets import glide_frame, target_for

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
row = snap.summary.set_index("indicator").loc[indicator]
series = snap.values[snap.values["indicator"] == indicator]
st.caption(spec["definition_ja" if lang == "ja" else "definition_en"])
if series.empty:
    st.info(t("empty_selection", lang))
    st.stop()

ui.status_badge(row["status"])
st.markdown(kpi_sentence(row.rename(None).to_dict() | {"indicator": indicator}, snap.registry, lang))
target = target_for(snap.datasets["targets"], indicator, row["period"])
has_target = target is not None
scale = 100.0 if spec["unit"] == "percent" else 1.0
peers = peer_values(snap.datasets.get("indicators"), indicator=indicator, scale=scale)
ui.plot(charts.kpi_trend(series, unit=spec["unit"], period_kind=spec["period_kind"], lang=lang,
                         target=row if has_target else None, glide=glide_frame(target) if has_target else None,
                         projection=row["projection"], peers=peers,
                         title=indicator_name(snap.registry, indicator, lang)), key="indicator_chart")
ui.source_caption(snap.sources.get(indicator, []), snap.as_of(spec["dataset"]))
if not peers.empty:
    st.caption(t("peers", lang))
if has_target and row["target_source"]:
    st.caption(f"{t('target', lang)} — {t('source', lang)}: {row['target_source']}")
if row["projection"] is None and has_target:
    st.info(t("too_few_points", lang, n=len(series), min=MIN_POINTS_FOR_TREND))

if has_target:
    def per_year(rate: float) -> str:
        return "–" if pd.isna(rate) else t("per_year", lang, pct=format_percent(100 * rate, signed=True))

    c1, c2, c3 = st.columns(3)
    c1.metric(t("required_growth", lang), "–" if row["status"] == "achieved" else per_year(row["required_growth"]))
    c2.metric(t("historical_growth", lang), per_year(row["historical_growth"]))
    probability = row["projection"].probability if row["projection"] is not None else None
    c3.metric(t("probability", lang), format_percent(100 * probability) if probability is not None else "–")

    growth = st.slider(t("what_if", lang), -10.0, 20.0, 5.0, 0.5, format="%.1f%%", key="what_if")
    reached = year_reached(int(row["period"]), row["value"], row["target"], growth / 100,
                           direction=str(target.get("direction") or spec["direction"]))
    pct = format_percent(growth, signed=True)
    st.write(t("what_if_result", lang, pct=pct, period=period_label(reached, spec["period_kind"], lang))
             if reached is not None else t("what_if_never", lang, pct=pct, years=HORIZON))

table = series.assign(period_label=[period_label(p, spec["period_kind"], lang) for p in series["period"]])
table = table[["indicator", "period", "period_label", "value", "numerator", "denominator", "target", "glide_path",
               "status"]]
ui.table(table)
ui.download_csv(table, f"kpi_{indicator}", key="download_indicator")
