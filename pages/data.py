"""Data: what is loaded (datasets, periods, sources), every revision, the indicator definitions and the contract."""

import streamlit as st

from kpi.app import ui
from kpi.ingest.schemas import DATASETS
from kpi.store import service
from kpi.text.i18n import t
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
    ui.history_table(history, snap.registry)
    ui.download_csv(history, "revisions", key="download_revisions")

st.subheader(t("indicators_registry", lang))
other = "en" if lang == "ja" else "ja"
# The other language's name and definition, and the computation's internals, stay in the download only.
registry = snap.registry.drop(columns=[f"name_{other}", f"definition_{other}", "method", "filter"], errors="ignore")
ui.table(registry)
ui.download_csv(snap.registry, "indicator_registry", key="download_registry")
st.caption(t("sc.rules", lang, pct=f"{AT_RISK_TOLERANCE:.0%}"))


def contract_table(dataset: str) -> str:
    """One dataset's columns as a Markdown table in the reader's language; names people type stay as code."""
    head = [t("data.column", lang), t("data.presence", lang), t("data.kind", lang), t("data.meaning", lang),
            t("data.aliases", lang)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for col in DATASETS[dataset]:
        aliases = ", ".join(f"`{a}`" for a in col.aliases)
        lines.append(f"| `{col.name}` | {t('data.required' if col.required else 'data.optional', lang)} | "
                     f"{t(f'contract.kind.{col.kind}', lang)} | {t(f'contract.{dataset}.{col.name}', lang)} | {aliases} |")
    return "\n".join(lines)


with st.expander(t("data.contract", lang)):
    for name in DATASETS:
        st.markdown(f"**{t(f'dataset.{name}', lang)}** (`{name}`)")
        st.markdown(contract_table(name))
