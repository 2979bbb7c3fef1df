"""The last line of defence of every page: an error the page did not handle is a plain message, never a traceback.

Streamlit's own error display is off for users (client.showErrorDetails = "none" in .streamlit/config.toml and
in `kpi serve`); an exception that still escapes a page is logged with its traceback on the server and the person
sees one sentence in their language, with no server path. Tests set KPI_PAGE_ERRORS=raise so that AppTest still
records the exception (a test must be able to fail).
"""

from __future__ import annotations

import logging
import os
import uuid

from kpi.text.i18n import t

LOG = logging.getLogger("kpi.app")


def run_page(navigation) -> None:
    """Run the page Streamlit's navigation chose; an unexpected error becomes a message with a reference."""
    import streamlit as st

    try:
        navigation.run()
    except Exception:
        if os.environ.get("KPI_PAGE_ERRORS") == "raise":
            raise
        reference = uuid.uuid4().hex[:8]
        LOG.exception("page error %s", reference)
        st.error(t("page_error", st.session_state.get("lang") or "en", reference=reference),
                 icon=":material/error:")
