"""Partnerships: active partner institutions on 31 March by fiscal year and level, and by country for one year."""

import streamlit as st

from kpi.app import ui
from kpi.ingest.countries import country_name
from kpi.text.i18n import period_label, t
from kpi.views import charts
from kpi.views.narrative import span_label
from metrics.compute import active_on, agreements_by_year, totals_by
from metrics.periods import fiscal_year_end

lang, snap, agreements = ui.page_start("partnerships", "agreements")
loaded = snap.loaded("agreements", lang)
sources = snap.sources.get("partner_institutions", [])

by_level = agreements_by_year(agreements, by=["level"]).rename(columns={"fiscal_year": "period"})
years = sorted(int(y) for y in by_level["period"].unique())
first, last = st.select_slider(t("years", lang), options=years, value=(years[max(0, len(years) - 10)], years[-1]),
                               format_func=lambda y: period_label(y, "fiscal", lang, short=True),
                               key="partners_years") if len(years) > 1 else (years[0], years[0])
shown = by_level[by_level["period"].between(first, last)]
span = span_label([first, last], "fiscal", lang)
ui.plot(charts.bars_by_year(shown, value="partners", colour="level", period_kind="fiscal", lang=lang,
                            colour_label=lambda v: t(v, lang), title=f"{t('partners_by_year', lang)} ({span})",
                            value_label=t("partners", lang), stacked=False), key="partners_by_year",
        alt=t("sc.partners_alt", lang, span=span), data=shown)
ui.source_caption(sources, loaded)

year = st.selectbox(t("fiscal_year", lang), years[::-1], format_func=lambda y: period_label(y, "fiscal", lang),
                    key="partners_year", help=t("sc.partners_year_help", lang))
by_country = agreements_by_year(agreements, by=["country"], through=year)
by_country = by_country[by_country["fiscal_year"] == year]
named = by_country.assign(country=[country_name(c, lang) for c in by_country["country"]])
left, right = st.columns([3, 2])
with left:
    title = t("partners_map", lang, period=period_label(year, "fiscal", lang))
    ui.plot(charts.world_map(by_country, value="partners", lang=lang, title=title, value_label=t("partners", lang)),
            key="partners_map", geo=True, alt=title, data=named[["country", "partners", "agreements"]])
    ui.source_caption(sources, loaded)
with right:
    top = totals_by(by_country, by="country", value="partners", top=15)
    title = f"{t('partners_by_country', lang)} ({period_label(year, 'fiscal', lang)})"
    ui.plot(charts.ranked_bars(top, category="country", value="partners", lang=lang, title=title,
                               value_label=t("partners", lang)), key="partners_by_country", alt=title,
            data=top.assign(country=[country_name(c, lang) for c in top["country"]]))
    ui.source_caption(sources, loaded)
active = agreements[active_on(agreements, fiscal_year_end(year))]
ui.table(active.assign(start_date=active["start_date"].dt.date, end_date=active["end_date"].dt.date))
ui.download_csv(active, f"agreements_active_FY{year}", key="download_agreements")
