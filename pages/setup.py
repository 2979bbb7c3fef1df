"""First run: the one-time link `kpi serve` printed lets the first analyst create their account here (scrypt hash in
the database); the link is spent by that and refused afterwards."""

import streamlit as st

from kpi.app import ui
from kpi.store import identity, storage
from kpi.text.i18n import t

lang = ui.lang()
st.title(t("setup.title", lang))
token = st.query_params.get("token", "")
done = st.session_state.get("_kpi_setup_done")
if done:
    st.success(t("setup.done", lang, name=done), icon=":material/check_circle:")
    st.page_link("pages/checkins.py", label=t("ci.page", lang), icon=":material/edit_note:")
    st.page_link("pages/targets.py", label=t("targets_page", lang), icon=":material/flag:")
    st.stop()
if not token or storage.setup_token_state(identity.token_hash(token)) != "valid":
    st.error(t("setup.link_used", lang), icon=":material/link_off:")
    st.stop()
st.info(t("setup.intro", lang, n=identity.SETUP_PASSWORD_MIN))
with st.form("setup_form"):
    name = st.text_input(t("id.account", lang), key="setup_name")
    password = st.text_input(t("password", lang), type="password", key="setup_password")
    repeat = st.text_input(t("setup.repeat", lang), type="password", key="setup_repeat")
    submitted = st.form_submit_button(t("setup.create", lang), type="primary")
if submitted:
    problem = identity.create_first_account(token, name, password, repeat)
    if problem:
        st.error(t(problem, lang, n=identity.SETUP_PASSWORD_MIN))
    else:
        st.session_state["_kpi_analyst"] = name.strip()
        st.session_state["_kpi_setup_done"] = name.strip()
        st.query_params.pop("token", None)
        st.rerun()
