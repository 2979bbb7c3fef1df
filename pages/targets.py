"""Targets: every target with its source; analysts edit them in a table, validated like an uploaded file."""

import streamlit as st

from kpi import service, ui
from kpi.exporting import to_safe_csv
from kpi.i18n import t
from kpi.importer import read_file
from kpi.schemas import columns_of
from metrics.targets import AT_RISK_TOLERANCE

lang = ui.lang()
snap = ui.snapshot()
st.title(t("targets_page", lang))
st.caption(t("status_rules", lang, pct=f"{AT_RISK_TOLERANCE:.0%}"))
targets = snap.datasets["targets"]
columns = [c.name for c in columns_of("targets")]
ui.table(targets)
ui.download_csv(targets, "targets", key="download_targets")

st.subheader(t("edit_targets", lang))
if not ui.analyst_gate():
    st.stop()
edited = st.data_editor(targets[columns], num_rows="dynamic", hide_index=True, width="stretch", key="targets_editor",
                        column_config={"indicator": st.column_config.SelectboxColumn(options=list(snap.registry.index)),
                                       "direction": st.column_config.SelectboxColumn(options=["up", "down"]),
                                       "glide": st.column_config.SelectboxColumn(options=["linear", "compound"])})
# The edited table goes through the same importer as a file, so the same rules and located errors apply.
result = read_file(to_safe_csv(edited), "targets", file_name="targets (edited in the app)")
for problem in result.errors:
    st.error(f"{t('row', lang)} {problem.line - 1 if problem.line else '?'} · {problem.column or ''}: {problem.message}")
note = st.text_input(t("note", lang), key="targets_note")
if st.button(t("save_targets", lang), type="primary", disabled=not result.ok, key="save_targets"):
    if not ui.is_analyst():
        st.error(t("analyst_only", lang))
        st.stop()
    with ui.storage_errors():
        revision = service.store_targets(result, note=note)
        st.success(t("committed", lang, revision=revision))
