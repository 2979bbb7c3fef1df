"""Partnerships: active partner institutions on 31 March by fiscal year, level and country, with a world map."""

import streamlit as st

from kpi import charts, ui
from kpi.i18n import period_label, t
from metrics.compute import active_on, agreements_by_year, totals_by
from metrics.periods import fiscal_year_end

lang, snap, agreements = ui.page_start("partnerships", "agreements")
as_of = snap.as_of("agreements")
sources = snap.sources.get("partner_institutions", [])

by_level = agreements_by_year(agreements, by=["level"]).rename(columns={"fiscal_year": "period"})
years = sorted(int(y) for y in by_level["period"].unique())
first = st.select_slider(t("years", lang), options=years, value=years[max(0, len(years) - 10)],
                         format_func=lambda y: period_label(y, "fiscal", lang), key="partners_from")
shown = by_level[by_level["period"] >= first]
ui.plot(charts.bars_by_year(shown, value="partners", colour="level", period_kind="fiscal", lang=lang,
                            colour_label=lambda v: t(v, lang), title=t("partners_by_year", lang),
                            value_label=t("partners", lang), stacked=False), key="partners_by_year")
ui.source_caption(sources, as_of)

year = st.selectbox(t("fiscal_year", lang), years[::-1], format_func=lambda y: period_label(y, "fiscal", lang),
                    key="partners_year")
by_country = agreements_by_year(agreements, by=["country"], through=year)
by_country = by_country[by_country["fiscal_year"] == year]
left, right = st.columns([3, 2])
with left:
    ui.plot(charts.world_map(by_country, value="partners", lang=lang,
                             title=t("partners_map", lang, period=period_label(year, "fiscal", lang)),
                             value_label=t("partners", lang)), key="partners_map", geo=True)
    ui.source_caption(sources, as_of)
with right:
    ui.plot(charts.ranked_bars(totals_by(by_country, by="country", value="partners", top=15), category="country",
                               value="partners", lang=lang, title=t("partners_by_country", lang),
                               value_label=t("partners", lang)), key="partners_by_country")
    ui.source_caption(sources, as_of)

active = agreements[active_on(agreements, fiscal_year_end(year))]
ui.table(active.assign(start_date=active["start_date"].dt.date, end_date=active["end_date"].dt.date))
ui.download_csv(active, f"agreements_active_FY{year}", key="download_agreements")
