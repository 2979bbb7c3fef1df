"""Streamlit helpers shared by the pages: language, cached data by revision, captions, downloads, errors."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from kpi import auth, service, storage
from kpi.charts import TOPOJSON_URL
from kpi.countries import country_name
from kpi.exporting import to_safe_csv
from kpi.i18n import LANGS, column_labels, status_label, t
from metrics.registry import load_registry
from metrics.targets import kpi_summary

STATUS_BADGE_COLOURS = {"achieved": "blue", "on_track": "green", "at_risk": "orange", "off_track": "red",
                        "no_data": "gray", "no_target": "gray"}


def language_switch(*, hidden: bool = False) -> str:
    """Sidebar switch, remembered in the URL (?lang=ja) so a shared link opens in the same language."""
    default = st.query_params.get("lang", "en")
    if "lang" not in st.session_state:
        st.session_state["lang"] = default if default in LANGS else "en"
    if hidden:
        return st.session_state["lang"] or "en"
    lang = st.sidebar.segmented_control("Language / 言語", LANGS, key="lang",
                                        format_func=lambda code: {"en": "English", "ja": "日本語"}[code])
    lang = lang or "en"
    st.query_params["lang"] = lang
    return lang


def lang() -> str:
    return st.session_state.get("lang") or "en"


@dataclass
class Snapshot:
    """Everything a page shows, computed once per data revision."""

    revision: int
    datasets: dict[str, pd.DataFrame]
    values: pd.DataFrame
    summary: pd.DataFrame
    registry: pd.DataFrame
    history: pd.DataFrame
    sources: dict[str, list[str]]

    @property
    def empty(self) -> bool:
        return self.values.empty

    def as_of(self, dataset: str | None = None) -> str:
        """'revision N, YYYY-MM-DD' of the newest revision of ``dataset`` (or of any dataset)."""
        rows = self.history if dataset is None else self.history[self.history["dataset"] == dataset]
        if rows.empty:
            return "–"
        last = rows.iloc[-1]
        return t("as_of", lang(), revision=int(last["revision"]), date=f"{last['created_at']:%Y-%m-%d}")


@st.cache_data(show_spinner=False, max_entries=8)
def _snapshot(url: str, revision: int) -> Snapshot:
    engine = storage.get_engine(url)
    datasets = storage.load_all(engine=engine, at_revision=revision)
    # Few distinct values over many rows: categories make the pages' filters and group-bys several times faster.
    mobility = datasets["mobility"]
    for column in ("direction", "country", "school", "status"):
        mobility[column] = mobility[column].astype("category")
    registry = load_registry()
    values = service.values_table(datasets)
    summary = kpi_summary(values, datasets.get("targets"), registry)
    hist = storage.history(engine=engine)
    return Snapshot(revision, datasets, values, summary, registry, hist[hist["revision"] <= revision],
                    service.indicator_sources(datasets, registry))


def snapshot(at_revision: int | None = None) -> Snapshot:
    """The data at its newest revision (or a frozen one); a database problem is a message with a retry."""
    try:
        url = storage.database_url()
        revision = at_revision or storage.latest_revision(engine=storage.get_engine(url))
        return _snapshot(url, revision)
    except (storage.StorageError, sa.exc.SQLAlchemyError) as exc:
        st.error(t("storage_error", lang(), error=str(getattr(exc, "orig", exc) or exc)), icon=":material/warning:")
        st.button(t("retry", lang()))
        st.stop()


def status_badge(status: str) -> None:
    st.badge(status_label(status, lang()), color=STATUS_BADGE_COLOURS.get(status, "gray"))


def source_caption(sources: list[str], as_of: str) -> None:
    """Every chart names its source and as-of date; illustrative data is said to be so."""
    code = lang()
    text = "; ".join(sources) if sources else t("illustrative", code)
    st.caption(f"{t('source', code)}: {text} · {as_of}", unsafe_allow_html=False)
    if service.is_illustrative(sources):
        st.caption(f":material/warning: {t('illustrative', code)}")


def plot(fig, *, key: str | None = None, geo: bool = False, own_theme: bool = False) -> None:
    """A chart whose camera button saves a presentation-resolution PNG (1920×1080); ``own_theme`` keeps our fonts."""
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1}}
    if geo:
        config["topojsonURL"] = TOPOJSON_URL
    st.plotly_chart(fig, config=config, key=key, width="stretch", theme=None if own_theme else "streamlit")


def _display_values(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """Codes people should not have to decode, in words: pillars, directions, levels, statuses, countries."""
    words = {
        "pillar": lambda v: t(f"pillar_{v}", code),
        "direction": lambda v: t(v, code) if v in ("inbound", "outbound") else v,
        "level": lambda v: t(v, code),
        "action": lambda v: t(v, code),
        "country": lambda v: country_name(v, code),
        "status": lambda v: status_label(v, code) if v in STATUS_BADGE_COLOURS else t(v, code),
    }
    shown = frame.copy()
    for column, word in words.items():
        if column in shown:
            shown[column] = shown[column].astype(object).map(lambda v, w=word: w(v) if isinstance(v, str) and v else v)
    return shown


def table(frame: pd.DataFrame, **options) -> None:
    """A read-only table with its column headers and codes in the chosen language."""
    shown = _display_values(frame, lang()).rename(columns=column_labels(frame.columns, lang()))
    st.dataframe(shown, hide_index=options.pop("hide_index", True), width="stretch", **options)


def download_csv(frame: pd.DataFrame, name: str, *, key: str) -> None:
    st.download_button(t("download_csv", lang()), data=to_safe_csv(frame), file_name=f"{name}.csv",
                       mime="text/csv", key=key, icon=":material/download:")


def empty_state() -> None:
    st.info(t("no_data_loaded", lang()), icon=":material/info:")


def page_start(title_key: str, dataset: str) -> tuple[str, Snapshot, pd.DataFrame]:
    """The common head of a dataset page: language, data, title; stops with the empty state when nothing is loaded."""
    code = lang()
    snap = snapshot()
    st.title(t(title_key, code))
    frame = snap.datasets[dataset]
    if frame.empty:
        empty_state()
        st.stop()
    return code, snap, frame


def _oidc_configured() -> bool:
    """An identity provider is set up in .streamlit/secrets.toml ([auth]); then st.login signs people in."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _analyst_emails() -> set[str]:
    try:
        listed = list(st.secrets.get("analyst_emails", []))
    except Exception:
        listed = []
    listed += [e for e in os.environ.get("KPI_ANALYST_EMAILS", "").split(",") if e.strip()]
    return {e.strip().lower() for e in listed}


def is_analyst() -> bool:
    """Checked on the server for every analyst action, whatever the page shows."""
    if _oidc_configured():
        return bool(st.user.is_logged_in) and str(st.user.get("email", "")).lower() in _analyst_emails()
    return st.session_state.get("role") == "analyst" and auth.analyst_password(st.secrets) is not None


def analyst_gate() -> bool:
    """Show the sign-in (or why uploads are disabled) to viewers; True once signed in as analyst."""
    code = lang()
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.info(t("analyst_only_sso", code))
            st.button(t("sign_in_sso", code), on_click=st.login, key="sso_login")
            return False
        if not is_analyst():
            st.warning(t("not_an_analyst", code, email=st.user.get("email", "?")))
            st.button(t("sign_out", code), on_click=st.logout, key="sso_logout")
            return False
        left, right = st.columns([4, 1])
        left.caption(t("signed_in_as", code, email=st.user.get("email", "?")))
        right.button(t("sign_out", code), on_click=st.logout, key="sso_logout")
        return True
    expected = auth.analyst_password(st.secrets)
    if expected is None:
        st.warning(t("no_password_configured", code))
        return False
    if is_analyst():
        left, right = st.columns([4, 1])
        left.caption(t("signed_in", code))
        if right.button(t("sign_out", code), key="sign_out"):
            st.session_state.pop("role", None)
            st.rerun()
        return True
    st.info(t("analyst_only", code))
    with st.form("sign_in"):
        given = st.text_input(t("password", code), type="password")
        if st.form_submit_button(t("sign_in", code)):
            if auth.password_matches(given, expected):
                st.session_state["role"] = "analyst"
                st.rerun()
            st.error(t("wrong_password", code))
    return False


@st.cache_data(show_spinner=False, max_entries=16)
def deck_bytes(url: str, revision: int, lang: str, kind: str, pillars: tuple[str, ...] = ()) -> bytes:
    """A PPTX or PDF of the data at ``revision``, cached: the same revision always gives the same document."""
    from kpi import exports

    snap = _snapshot(url, revision)
    deck = exports.assemble_deck(snap.values, snap.summary, snap.sources, snap.datasets["targets"], snap.history,
                                 registry=snap.registry, lang=lang, pillars=list(pillars) or None)
    return exports.deck_pptx(deck) if kind == "pptx" else exports.deck_pdf(deck)


def export_buttons(snap: Snapshot, *, pillars: tuple[str, ...] = (), key: str = "export") -> None:
    """Download buttons for the deck and the report; built only when clicked."""
    code = lang()
    url = storage.database_url()
    st.download_button(t("download_pptx", code), data=lambda: deck_bytes(url, snap.revision, code, "pptx", pillars),
                         file_name=f"tohoku-intl-kpi-r{snap.revision}-{code}.pptx", icon=":material/slideshow:",
                         mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                         key=f"{key}_pptx", on_click="ignore")
    st.download_button(t("download_pdf", code), data=lambda: deck_bytes(url, snap.revision, code, "pdf", pillars),
                          file_name=f"tohoku-intl-kpi-r{snap.revision}-{code}.pdf", icon=":material/picture_as_pdf:",
                          mime="application/pdf", key=f"{key}_pdf", on_click="ignore")


@contextlib.contextmanager
def storage_errors():
    """A write the database refuses (read-only, locked, gone) is a message; nothing was stored."""
    try:
        yield
    except (storage.StorageError, sa.exc.SQLAlchemyError) as exc:
        st.error(t("write_failed", lang(), error=str(getattr(exc, "orig", None) or exc)), icon=":material/warning:")
