"""Student mobility: one direction at a time — by fiscal year over a period range, and for one fiscal year by
country/region, school and status."""

import streamlit as st

from kpi.app import cache, ui
from kpi.ingest.countries import country_name
from kpi.text.i18n import period_label, school_name, t
from kpi.views import charts
from kpi.views.narrative import span_label
from metrics.compute import filter_rows, students_by_year, totals_by

lang, snap, _ = ui.page_start("mobility", "mobility")
mobility = snap.mobility_cube  # the rows summed once per revision: same totals, a few thousand rows

years = sorted(int(y) for y in mobility["fiscal_year"].unique())
with st.container(border=True):
    c1, c2, c3 = st.columns([1, 1, 2])
    direction = c1.segmented_control(t("direction", lang), ["inbound", "outbound"], default="inbound",
                                     format_func=lambda d: t(d, lang), key="mob_direction") or "inbound"
    year = c2.selectbox(t("fiscal_year", lang), years[::-1], format_func=lambda y: period_label(y, "fiscal", lang),
                        key="mob_year", help=t("sc.year_help", lang))
    first, last = c3.select_slider(t("years", lang), options=years, value=(years[0], years[-1]),
                                   format_func=lambda y: period_label(y, "fiscal", lang, short=True),
                                   key="mob_years") if len(years) > 1 else (years[0], years[0])
    c4, c5, c6 = st.columns(3)
    countries = c4.multiselect(t("country", lang), sorted(mobility["country"].dropna().unique()),
                               format_func=lambda c: country_name(c, lang), key="mob_country",
                               placeholder=t("all", lang))
    schools = c5.multiselect(t("school", lang), sorted(mobility["school"].dropna().unique()), key="mob_school",
                             format_func=lambda s: school_name(s, lang), placeholder=t("all", lang))
    statuses = c6.multiselect(t("status_col", lang), ["degree", "non_degree"], format_func=lambda s: t(s, lang),
                              key="mob_status", placeholder=t("all", lang))

rows = filter_rows(mobility, period_range=(first, last), direction=direction, country=countries, school=schools,
                   status=statuses)
if rows.empty:
    st.info(t("empty_selection", lang))
    st.stop()
loaded = snap.loaded("mobility", lang)
sources = sorted({str(s) for s in rows["source"].dropna()})
where = t(direction, lang)
span = span_label([first, last], "fiscal", lang)

# Each chart and the table is built once per revision and selection, then drawn by every session that makes the
# same choices (kpi/app/cache.py): ``selected`` names everything they read besides the snapshot.
selected = (lang, direction, first, last, tuple(countries), tuple(schools), tuple(statuses))


def by_year_chart() -> ui.Chart:
    by_year = students_by_year(rows, by=["status"]).rename(columns={"fiscal_year": "period"})
    by_year["status"] = by_year["status"].astype(object).fillna("unspecified")
    title = t("sc.mob_by_year", lang, direction=where, span=span)
    return ui.chart(charts.bars_by_year(by_year, value="students", colour="status", period_kind="fiscal", lang=lang,
                                        colour_label=lambda s: t(s, lang),
                                        title=title, value_label=t("students", lang)),
                    lang=lang, alt=t("sc.mob_by_year_alt", lang, direction=where, span=span), data=by_year)


ui.draw(cache.chart(snap, "mob_by_year", *selected, build=by_year_chart), key="mob_by_year")
ui.source_caption(sources, loaded)

one_year = filter_rows(mobility, period_range=(year, year), direction=direction, country=countries, school=schools,
                       status=statuses)
label = period_label(year, "fiscal", lang)
if one_year.empty:
    st.info(t("empty_selection", lang))
    st.stop()
left, right = st.columns(2)
with left:
    top_n = st.slider(t("top_n", lang), 5, 30, 15, key="mob_top")

    def by_country_chart() -> ui.Chart:
        by_country = totals_by(one_year, by="country", value="students", top=top_n)
        title = t("sc.mob_by_country", lang, direction=where, year=label)
        return ui.chart(charts.ranked_bars(by_country, category="country", value="students", lang=lang, title=title,
                                           value_label=t("students", lang)), lang=lang, alt=title,
                        data=by_country.assign(country=[country_name(c, lang) for c in by_country["country"]]))

    ui.draw(cache.chart(snap, "mob_by_country", *selected, year, top_n, build=by_country_chart), key="mob_by_country")
    ui.source_caption(sources, loaded)
with right:

    def by_school_chart() -> ui.Chart:
        by_school = totals_by(one_year, by="school", value="students")
        title = t("sc.mob_by_school", lang, direction=where, year=label)
        return ui.chart(charts.ranked_bars(by_school, category="school", value="students", lang=lang, countries=False,
                                           title=title, value_label=t("students", lang)), lang=lang, alt=title,
                        data=by_school)

    ui.draw(cache.chart(snap, "mob_by_school", *selected, year, build=by_school_chart), key="mob_by_school")
    ui.source_caption(sources, loaded)

st.subheader(t("sc.mob_table", lang, direction=where, year=label))


def year_table():
    table = students_by_year(one_year, by=["country", "school", "status"]).drop(columns="fiscal_year")
    table["students"] = table["students"].astype("int64")
    for column in ("country", "school", "status"):
        table[column] = table[column].astype(object).fillna("–")
    # One word for the column in the filter and the table (在籍区分, not 状況 beside it).
    table["status"] = table["status"].map(lambda s: t(s, lang) if s in ("degree", "non_degree") else s)
    table = table.sort_values("students", ascending=False).rename(columns={"status": "study_status"})
    return ui.displayed(table, lang)


ui.table(cache.shared(snap, "mob_table", *selected, year, build=year_table), prepared=True)
ui.download_csv(lambda: students_by_year(rows, by=["direction", "country", "school", "status"]), "student_mobility",
                key="download_mobility")
