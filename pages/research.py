"""Research collaboration: papers per year, the internationally co-authored share and top partner countries."""

import streamlit as st

from kpi import charts, ui
from kpi.i18n import period_label, t
from metrics.compute import papers_by_year, partner_countries

lang, snap, papers = ui.page_start("research", "papers")
as_of = snap.as_of("papers")
sources = snap.sources.get("papers_total", [])

per_year = papers_by_year(papers)
split = per_year.assign(domestic=per_year["total"] - per_year["international"]).melt(
    id_vars="year", value_vars=["international", "domestic"], var_name="kind", value_name="papers"
).rename(columns={"year": "period"})
left, right = st.columns(2)
with left:
    ui.plot(charts.bars_by_year(split, value="papers", colour="kind", period_kind="calendar", lang=lang,
                                colour_label=lambda k: t("intl_papers" if k == "international" else "domestic_papers",
                                                         lang),
                                title=t("papers_by_year", lang), value_label=t("papers", lang)), key="papers_by_year")
    ui.source_caption(sources, as_of)
with right:
    ui.plot(charts.line_by_year(per_year.rename(columns={"year": "period"}), value="share", period_kind="calendar",
                                lang=lang, unit="percent", title=t("share_by_year", lang),
                                value_label=t("share", lang)), key="share_by_year")
    ui.source_caption(sources, as_of)

years = sorted(int(y) for y in per_year["year"])
year = st.selectbox(t("year", lang), years[::-1], format_func=lambda y: period_label(y, "calendar", lang),
                    key="papers_year")
top_n = st.slider(t("top_n", lang), 5, 30, 15, key="papers_top")
partners = partner_countries(papers, year=year).head(top_n)
ui.plot(charts.ranked_bars(partners, category="country", value="papers", lang=lang,
                           title=f"{t('partner_countries', lang)} · {period_label(year, 'calendar', lang)}",
                           value_label=t("papers", lang)), key="partner_countries")
ui.source_caption(sources, as_of)
ui.table(per_year)
ui.download_csv(per_year, "papers_by_year", key="download_papers")
