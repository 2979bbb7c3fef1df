"""Student mobility: inbound and outbound by fiscal year, country/region, school and status, with filters."""

import streamlit as st

from kpi import charts, ui
from kpi.countries import country_name
from kpi.i18n import period_label, t
from metrics.compute import filter_rows, students_by_year, totals_by

lang, snap, mobility = ui.page_start("mobility", "mobility")

years = sorted(int(y) for y in mobility["fiscal_year"].unique())
with st.container(border=True):
    c1, c2 = st.columns([1, 2])
    directions = c1.multiselect(t("direction", lang), ["inbound", "outbound"], default=["inbound", "outbound"],
                                format_func=lambda d: t(d, lang), key="mob_direction")
    first, last = c2.select_slider(t("years", lang), options=years, value=(years[0], years[-1]),
                                   format_func=lambda y: period_label(y, "fiscal", lang), key="mob_years") \
        if len(years) > 1 else (years[0], years[0])
    c3, c4, c5 = st.columns(3)
    countries = c3.multiselect(t("country", lang), sorted(mobility["country"].dropna().unique()),
                               format_func=lambda c: country_name(c, lang), key="mob_country",
                               placeholder=t("all", lang))
    schools = c4.multiselect(t("school", lang), sorted(mobility["school"].dropna().unique()), key="mob_school",
                             placeholder=t("all", lang))
    statuses = c5.multiselect(t("status_col", lang), ["degree", "non_degree"], format_func=lambda s: t(s, lang),
                              key="mob_status", placeholder=t("all", lang))

rows = filter_rows(mobility, period_range=(first, last), direction=directions, country=countries, school=schools,
                   status=statuses)
if rows.empty:
    st.info(t("empty_selection", lang))
    st.stop()
as_of = snap.as_of("mobility")
sources = sorted({str(s) for s in rows["source"].dropna()})

by_year = students_by_year(rows, by=["direction"]).rename(columns={"fiscal_year": "period"})
ui.plot(charts.bars_by_year(by_year, value="students", colour="direction", period_kind="fiscal", lang=lang,
                            colour_label=lambda d: t(d, lang), title=t("by_year", lang),
                            value_label=t("students", lang), stacked=False), key="mob_by_year")
ui.source_caption(sources, as_of)

left, right = st.columns(2)
with left:
    top_n = st.slider(t("top_n", lang), 5, 30, 15, key="mob_top")
    by_country = totals_by(rows, by="country", value="students", top=top_n)
    ui.plot(charts.ranked_bars(by_country, category="country", value="students", lang=lang,
                               title=t("by_country", lang) + f" ({period_label(first, 'fiscal', lang)}–"
                               f"{period_label(last, 'fiscal', lang)})", value_label=t("students", lang)),
            key="mob_by_country")
    ui.source_caption(sources, as_of)
with right:
    by_school = totals_by(rows, by="school", value="students")
    ui.plot(charts.ranked_bars(by_school, category="school", value="students", lang=lang, countries=False,
                               title=t("by_school", lang), value_label=t("students", lang)), key="mob_by_school")
    ui.source_caption(sources, as_of)
    by_status = students_by_year(rows, by=["status"]).rename(columns={"fiscal_year": "period"})
    ui.plot(charts.bars_by_year(by_status, value="students", colour="status", period_kind="fiscal", lang=lang,
                                colour_label=lambda s: t(s, lang), title=t("by_status", lang),
                                value_label=t("students", lang)), key="mob_by_status")
    ui.source_caption(sources, as_of)

table = students_by_year(rows, by=["direction", "country", "school", "status"])
ui.table(table)
ui.download_csv(table, "student_mobility", key="download_mobility")
