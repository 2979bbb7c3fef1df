"""Research collaboration: papers per year, the internationally co-authored share and top partner countries."""

import pandas as pd
import streamlit as st

from kpi.app import ui
from kpi.text.i18n import format_number, period_label, t
from kpi.views import charts
from metrics import collaboration as collab
from metrics.compute import papers_by_year, partner_countries
from metrics.network import WINDOW, foreign_links, network_by_year, partner_changes, sustained_partners

lang, snap, papers = ui.page_start("research", "papers")
as_of = snap.loaded("papers", lang)
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


def research_network() -> None:
    """QS's International Research Network from the papers' institutions: the index, its partners, who came and went."""
    st.subheader(t("irn.title", lang))
    st.caption(t("irn.explain", lang))
    network = network_by_year(papers)
    if network.empty:
        st.info(t("irn.none", lang), icon=":material/info:")
        return
    ends = [int(p) for p in network["period"]][::-1]
    end = st.selectbox(t("irn.window", lang), ends, key="irn_end",
                       format_func=lambda y: t("irn.window_label", lang, first=y - WINDOW + 1, last=y))
    row = network.set_index("period").loc[end]
    c1, c2, c3 = st.columns(3)
    c1.metric(t("irn.index", lang), format_number(row["irn"], lang, digits=2) if pd.notna(row["irn"]) else "–")
    c2.metric(t("irn.partners", lang), format_number(row["partners"], lang))
    c3.metric(t("irn.countries", lang), format_number(row["countries"], lang))
    links = foreign_links(papers)
    partners = sustained_partners(links, end=end)
    # One under the other: the changes' four columns (change, institution, country, papers) do not fit beside the
    # partners at 1366 px without a scroll bar hiding the papers.
    st.markdown(f"**{t('irn.partner_list', lang, n=len(partners))}**")
    ui.table(partners.rename(columns={"institution": "irn_institution", "papers": "irn_papers"}), height=320)
    ui.download_csv(partners, f"irn_partners_{end}", key="download_irn")
    if end - 1 in ends:
        changes = partner_changes(links, end=end).assign(
            change=lambda f: f["change"].map(lambda c: t(f"irn.{c}", lang)))[["change", "institution", "country",
                                                                              "papers"]]
        st.markdown(f"**{t('irn.changes', lang, previous=end - 1, last=end)}**")
        ui.table(changes.rename(columns={"institution": "irn_institution", "papers": "irn_papers",
                                         "change": "irn_change"}), height=320)
    else:
        st.caption(t("irn.no_previous", lang))
    ui.source_caption(sources, as_of)


research_network()


def collaboration() -> None:
    """Collaboration types as InCites/SciVal define them, citations per paper by type, partners year on year."""
    st.subheader(t("collab.title", lang))
    st.caption(t("collab.explain", lang))
    if papers.empty:
        st.info(t("collab.none", lang), icon=":material/info:")
        return
    counting = st.segmented_control(t("collab.counting", lang), ["whole", "fractional"], default="whole",
                                    format_func=lambda c: t(f"collab.counting.{c}", lang), key="collab_counting")
    counting = counting or "whole"
    shares = collab.type_shares(papers, counting=counting).rename(columns={"year": "period"})
    left, right = st.columns([3, 2])
    with left:
        ui.plot(charts.bars_by_year(shares, value="share", colour="type", period_kind="calendar", lang=lang,
                                    colour_label=lambda k: t(f"collab.type.{k}", lang),
                                    title=t("collab.shares_title", lang, counting=t(f"collab.counting.{counting}",
                                                                                     lang)),
                                    value_label=t("collab.share", lang)), key="collab_shares")
        ui.source_caption(sources, as_of)
    with right:
        years = sorted(int(y) for y in papers["year"].unique())
        impact = collab.citation_impact(papers)
        st.markdown(f"**{t('collab.impact_title', lang, first=years[0], last=years[-1])}**")
        if impact.empty:
            st.caption(t("collab.no_citations", lang))
        else:
            ui.table(impact.assign(type=lambda f: f["type"].map(lambda k: t(f"collab.type.{k}", lang)))
                     .drop(columns="citations")
                     .rename(columns={"type": "collab_type", "cited_papers": "collab_cited",
                                      "per_paper": "collab_per_paper", "relative": "collab_relative"}))
            st.caption(t("collab.snapshot", lang, as_of=as_of))
    collaboration_partners(counting)


def collaboration_partners(counting: str) -> None:
    years = sorted(int(y) for y in papers["year"].unique())
    c1, c2 = st.columns(2)
    year = c1.selectbox(t("year", lang), years[::-1], key="collab_year",
                        format_func=lambda y: period_label(y, "calendar", lang))
    level = c2.segmented_control(t("collab.level", lang), ["country", "institution"], default="country",
                                 format_func=lambda v: t(f"collab.level.{v}", lang), key="collab_level") or "country"
    top = collab.top_partners(papers, year=year, level=level, counting=counting)
    changes = collab.partners_gained_lost(papers, year=year, level=level)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{t('collab.top_title', lang, year=year, previous=year - 1)}**")
        shown = top if level == "institution" else top.drop(columns="partner")
        ui.table(shown.rename(columns={"partner": "irn_institution", "previous": "collab_previous",
                                       "change": "collab_change"}))
    with right:
        st.markdown(f"**{t('collab.changes_title', lang, year=year, previous=year - 1)}**")
        shown = changes.assign(change=lambda f: f["change"].map(lambda c: t(f"collab.{c}", lang)))
        shown = shown if level == "institution" else shown.drop(columns="partner")
        ui.table(shown.rename(columns={"partner": "irn_institution", "change": "collab_change"}), height=320)
    ui.source_caption(sources, as_of)


collaboration()
