"""What changed: new figures, verdicts that changed, check-ins and events added, targets edited, since a date or a
revision (kpi.store.digest, the same as `kpi digest` and the e-mail)."""

import datetime as dt

import streamlit as st

from kpi.app import turns, ui
from kpi.store import digest, storage
from kpi.text import safe_text
from kpi.text.i18n import t
from kpi.views import digest_text

lang = ui.lang()
turns.step_aside()  # a digest evaluates the data at two revisions: the other sessions' runs go on meanwhile
st.title(t("digest_page", lang))
st.caption(t("dg.intro", lang))
newest = storage.latest_revision()
by = st.radio(t("dg.by", lang), ["date", "revision"], horizontal=True, key="digest_by",
              format_func=lambda v: t(f"dg.by_{v}", lang))
if by == "date":
    since = st.date_input(t("dg.since", lang), value=dt.date.today() - dt.timedelta(days=30), key="digest_since")
    found = digest.changes(since=since)
else:
    base = st.number_input(t("dg.since_rev", lang), min_value=0, max_value=max(newest, 0),
                           value=max(newest - 1, 0), step=1, key="digest_rev")
    found = digest.changes(since_revision=int(base))
st.subheader(digest_text.subject(found, lang))
parts = digest_text.sections(found, lang)
if not parts:
    st.info(t("dg.nothing", lang))
for heading, lines in parts:
    st.markdown(f"**{safe_text.md(heading)}**")
    st.markdown("\n".join(f"- {safe_text.md(line)}" for line in lines))
st.download_button(t("dg.download_html", lang), digest_text.as_html(found, lang).encode("utf-8"),
                   file_name="kpi-digest.html", mime="text/html", key="digest_html")
