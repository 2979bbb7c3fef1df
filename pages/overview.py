"""Overview: every KPI by pillar, with latest value, change, target, status and a small trend."""

import pandas as pd
import streamlit as st

from kpi import charts, ui
from kpi.i18n import format_percent, format_value, indicator_name, period_label, t
from kpi.narrative import kpi_sentence, strategy_sentence
from metrics.registry import PILLARS
from metrics.targets import AT_RISK_TOLERANCE, glide_frame, target_for

lang = ui.lang()
snap = ui.snapshot()
st.title(t("app_title", lang))
st.caption(t("app_subtitle", lang))
if snap.empty:
    ui.empty_state()
    st.stop()

st.info(strategy_sentence(snap.summary, lang), icon=":material/explore:")
chosen = st.pills(t("pillar_filter", lang), PILLARS, selection_mode="multi", default=list(PILLARS),
                  format_func=lambda p: t(f"pillar_{p}", lang), key="pillars")
targets = snap.datasets["targets"]
with st.container(horizontal=True):
    st.link_button(f"▶ {t('present', lang)}", url=f"/?present=1&lang={lang}", icon=":material/co_present:")
    ui.export_buttons(snap, pillars=tuple(chosen or ()), key="overview_export")


def kpi_card(row) -> None:
    spec = snap.registry.loc[row.indicator]
    series = snap.values[snap.values["indicator"] == row.indicator]
    with st.container(border=True):
        st.markdown(f"**{indicator_name(snap.registry, row.indicator, lang)}**")
        period = period_label(row.period, row.period_kind, lang) if pd.notna(row.period) else "–"
        delta = None
        if pd.notna(row.previous_period):
            delta = (f"{format_value(row.change, row.unit, lang, signed=True)} "
                     f"({format_percent(row.change_pct, signed=True)}) "
                     + t("vs_previous", lang, period=period_label(row.previous_period, row.period_kind, lang)))
        st.metric(period, format_value(row.value, row.unit, lang), delta=delta,
                  delta_color="off" if row.change == 0 else "normal" if spec["direction"] == "up" else "inverse",
                  delta_arrow="off" if row.change == 0 else "auto")
        ui.status_badge(row.status)
        if pd.notna(row.target_period):
            st.caption(t("target_line", lang, value=format_value(row.target, row.unit, lang),
                         period=period_label(row.target_period, row.period_kind, lang))
                       + f" · {t('progress', lang, pct=format_percent(row.progress_pct))}")
            if pd.notna(row.required_growth) and row.status != "achieved":
                st.caption(f"{t('required_growth', lang)} {format_percent(100 * row.required_growth, signed=True)} · "
                           f"{t('historical_growth', lang)} {format_percent(100 * row.historical_growth, signed=True)}")
        else:
            st.caption(t("no_target", lang))
        if not series.empty:
            target = target_for(targets, row.indicator, row.period)
            glide = glide_frame(target) if target is not None else None
            target_row = row._asdict() if pd.notna(row.target_period) else None
            ui.plot(charts.kpi_trend(series, unit=row.unit, period_kind=row.period_kind, lang=lang,
                                     target=target_row, glide=glide, small=True), key=f"spark_{row.indicator}")
        with st.expander(t("summary", lang)):
            st.write(kpi_sentence(row._asdict(), snap.registry, lang))
        ui.source_caption(snap.sources.get(row.indicator, []), snap.as_of(spec["dataset"]))
        st.page_link("pages/indicator.py", label=t("kpi_detail", lang), icon=":material/monitoring:",
                     query_params={"kpi": row.indicator, "lang": lang})


for pillar in chosen or PILLARS:
    st.subheader(t(f"pillar_{pillar}", lang))
    rows = [r for r in snap.summary.itertuples(index=False) if r.pillar == pillar]
    for start in range(0, len(rows), 3):
        for column, row in zip(st.columns(3), rows[start:start + 3]):
            with column:
                kpi_card(row)

st.caption(t("status_rules", lang, pct=f"{AT_RISK_TOLERANCE:.0%}"))
