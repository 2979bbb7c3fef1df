"""Entry point: language switch and navigation; the pages compose, `metrics/` computes."""

import streamlit as st

from kpi.app import nav, query, turns
from kpi.app.guard import run_page
from kpi.app.ui import language_switch
from kpi.text.i18n import t

with turns.turn():  # a burst of viewers: first come, first served (kpi/app/turns.py)
    params = query.current(show=())
    lang = language_switch(hidden=params.present)
    st.set_page_config(page_title=t("app_title", lang), page_icon="🌏", layout="wide")
    query.current(show=("lang", "present"))
    pages = nav.pages(lang, build=lambda: [
        st.Page("pages/overview.py", title=t("overview", lang), icon=":material/dashboard:",
                default=True),
        st.Page("pages/indicator.py", title=t("indicator_page", lang), icon=":material/monitoring:", url_path="indicator"),
        st.Page("pages/mobility.py", title=t("mobility", lang), icon=":material/flight:", url_path="mobility"),
        st.Page("pages/research.py", title=t("research", lang), icon=":material/article:", url_path="research"),
        st.Page("pages/partnerships.py", title=t("partnerships", lang), icon=":material/handshake:",
                url_path="partnerships"),
        st.Page("pages/targets.py", title=t("targets_page", lang), icon=":material/flag:", url_path="targets"),
        st.Page("pages/checkins.py", title=t("checkins_page", lang), icon=":material/edit_note:", url_path="checkins"),
        st.Page("pages/digest.py", title=t("digest_page", lang), icon=":material/update:", url_path="digest"),
        st.Page("pages/data.py", title=t("data", lang), icon=":material/database:", url_path="data"),
        st.Page("pages/upload.py", title=t("upload", lang), icon=":material/upload:", url_path="upload"),
        st.Page("pages/setup.py", title=t("setup.title", lang), url_path="setup", visibility="hidden"),
    ])
    if params.present:
        # Presentation mode: one page, no sidebar; the page hides the toolbar and running indicator itself.
        run_page(st.navigation(nav.pages("present", lang, build=lambda: [
            st.Page("pages/present.py", title=t("present", lang), default=True)]), position="hidden"))
    else:
        run_page(st.navigation(pages))
