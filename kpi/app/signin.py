"""Who is signed in to this browser session (Streamlit's OIDC or a named account), asked by pages before a write."""

from __future__ import annotations

import math
import os

from kpi.store.identity import Person, accounts, sign_in
from kpi.text.i18n import t
from kpi.text.safe_text import md_t


def _st():
    import streamlit as st

    return st


def _oidc_configured() -> bool:
    """An identity provider is set up in .streamlit/secrets.toml ([auth]); then st.login signs people in."""
    try:
        return "auth" in _st().secrets
    except Exception:  # no secrets file at all
        return False


def _secrets_or_none():
    try:
        return _st().secrets
    except Exception:  # no secrets file: accounts() falls back to the environment
        return None


def analyst_emails() -> set[str]:
    try:
        listed = list(_st().secrets.get("analyst_emails", []))
    except Exception:
        listed = []
    listed += [e for e in os.environ.get("KPI_ANALYST_EMAILS", "").split(",") if e.strip()]
    return {e.strip().lower() for e in listed}


def person() -> Person | None:
    """The signed-in analyst of this browser session, checked on the server; None for a viewer."""
    st = _st()
    if _oidc_configured():
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email", "")).strip()
        return Person(email, "oidc") if email.lower() in analyst_emails() else None
    name = st.session_state.get("_kpi_analyst")
    if name and name.casefold() in accounts(_secrets_or_none()):
        return Person(name, "password")
    return None


def is_analyst() -> bool:
    """Checked on the server before every write, whatever the page shows."""
    return person() is not None


def audit_name() -> str:
    """The name to record for a write from the app; raises PermissionError for a viewer (nothing is written)."""
    who = person()
    if who is None:
        raise PermissionError("not signed in as an analyst")
    return who.name


def _throttle_keys() -> list[str]:
    st = _st()
    keys = []
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is not None:
            keys.append(f"session:{ctx.session_id}")
    except Exception:
        pass
    try:
        address = st.context.ip_address
    except Exception:
        address = None
    keys.append(f"address:{address or 'unknown'}")
    return keys


def analyst_gate() -> bool:
    """Show the sign-in (or why writing is disabled) to viewers; True once a named analyst is signed in."""
    st = _st()
    code = st.session_state.get("lang") or "en"
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.info(t("analyst_only_sso", code))
            st.button(t("sign_in_sso", code), on_click=st.login, key="sso_login")
            return False
        who = person()
        if who is None:
            st.warning(md_t("not_an_analyst", code, email=str(st.user.get("email", "?"))))
            st.button(t("sign_out", code), on_click=st.logout, key="sso_logout")
            return False
        left, right = st.columns([4, 1])
        left.caption(md_t("id.signed_in_as", code, name=who.name))
        right.button(t("sign_out", code), on_click=st.logout, key="sso_logout")
        return True
    if not accounts(_secrets_or_none()):
        st.warning(t("id.no_accounts", code))
        return False
    who = person()
    if who is not None:
        left, right = st.columns([4, 1])
        left.caption(md_t("id.signed_in_as", code, name=who.name))
        if right.button(t("sign_out", code), key="sign_out"):
            st.session_state.pop("_kpi_analyst", None)
            st.rerun()
        return True
    st.info(t("id.analyst_only", code))
    with st.form("sign_in"):
        name = st.text_input(t("id.account", code), key="sign_in_name")
        given = st.text_input(t("password", code), type="password", key="sign_in_password")
        if st.form_submit_button(t("sign_in", code)):
            ok, wait = sign_in(name, given, keys=_throttle_keys(), table=accounts(_secrets_or_none()))
            if ok:
                st.session_state["_kpi_analyst"] = name.strip()
                st.rerun()
            if wait > 0:
                st.error(t("id.wait", code, seconds=math.ceil(wait)))
            else:
                st.error(t("id.wrong", code))
    return False
