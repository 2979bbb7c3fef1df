"""Data: what is loaded (datasets, periods, sources), every revision, the indicator definitions and the contract."""

import pandas as pd
import streamlit as st

from kpi import service, ui
from kpi.i18n import t
from kpi.schemas import contract_markdown
from metrics.targets import AT_RISK_TOLERANCE

lang = ui.lang()
snap = ui.snapshot()
st.title(t("data", lang))

st.subheader(t("loaded", lang))
overview = service.dataset_overview(snap.datasets)
ui.table(overview)
ui.download_csv(overview, "datasets", key="download_datasets")

st.subheader(t("revisions", lang))
if snap.history.empty:
    ui.empty_state()
else:
    history = snap.history.sort_values("revision", ascending=False)
    ui.table(history.assign(created_at=pd.to_datetime(history["created_at"]).dt.strftime("%Y-%m-%d %H:%M")))
    ui.download_csv(history, "revisions", key="download_revisions")

st.subheader(t("indicators_registry", lang))
registry = snap.registry.drop(columns=["definition_ja" if lang == "en" else "definition_en"])
ui.table(registry)
ui.download_csv(registry, "indicator_registry", key="download_registry")
st.caption(t("status_rules", lang, pct=f"{AT_RISK_TOLERANCE:.0%}"))

with st.expander("Data contract / データ仕様"):
    st.markdown(contract_markdown())
