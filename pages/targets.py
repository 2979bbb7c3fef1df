"""Targets: every target with its source; analysts edit them as typed cells and milestone pairs, checked by the
importer's own parsers and schema (no CSV in between), and save them as one revision in their own name."""

import pandas as pd
import streamlit as st

from kpi.app import signin, ui
from kpi.app.targets_editor import attach_milestones, milestone_pairs
from kpi.ingest.importer import read_frame
from kpi.store import service, storage
from kpi.text import safe_text
from kpi.text.i18n import indicator_name, source_text, t
from metrics.targets import AT_RISK_TOLERANCE

lang = ui.lang()
snap = ui.snapshot()
st.title(t("targets_page", lang))
st.caption(t("sc.rules", lang, pct=f"{AT_RISK_TOLERANCE:.0%}"))
flash = st.session_state.pop("targets_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")
targets = snap.datasets["targets"]
ids = list(snap.registry.index)


def name_of(indicator) -> str:
    return indicator_name(snap.registry, indicator, lang) if indicator in snap.registry.index else str(indicator or "")


LABELS = ["indicator", "baseline_period", "baseline_value", "target_period", "target_value", "direction", "glide",
          "owner", "owner_person", "basis", "source"]


def basis_word(value) -> str:
    return t(f"basis.{value}", lang) if value in ("published", "illustrative") else ""


def in_words(frame):
    """The targets as people read them: indicator names, 'lower is better', headers in the chosen language."""
    shown = frame.assign(indicator=frame["indicator"].map(name_of),
                         **{c: frame[c].map(lambda v: "–" if pd.isna(v) else str(int(v)))  # 2030, not 2,030
                            for c in ("baseline_period", "target_period") if c in frame},
                         direction=frame["direction"].map(lambda v: t(f"tg.{v}", lang) if v in ("up", "down") else v),
                         glide=frame["glide"].map(lambda v: t(f"tg.{v}", lang) if v in ("linear", "compound") else v),
                         basis=frame["basis"].map(basis_word),
                         source=frame["source"].map(lambda v: source_text(v, lang) if isinstance(v, str) else v),
                         owner=frame["owner"].map(lambda v: source_text(v, lang) if isinstance(v, str) else v))
    names = {c: t(f"tg.{c}", lang) for c in LABELS if c != "basis"} | {"milestones": t("tg.milestones_heading", lang),
                                                                       "basis": t("col.basis", lang)}
    return shown.rename(columns=names)


ui.table(in_words(targets))
ui.download_csv(targets, "targets", key="download_targets")

st.subheader(t("edit_targets", lang))
if not signin.analyst_gate():
    st.stop()

MAIN = LABELS
base_revision = storage.dataset_revision("targets")
table = targets.reindex(columns=MAIN).reset_index(drop=True)
edited = st.data_editor(
    table, num_rows="dynamic", hide_index=True, width="stretch", key=f"targets_editor_{base_revision}", placeholder="–",
    column_config={
        "indicator": st.column_config.SelectboxColumn(t("tg.indicator", lang), options=ids, format_func=name_of,
                                                      required=True, width="large"),
        "baseline_period": st.column_config.NumberColumn(t("tg.baseline_period", lang), step=1, format="%d",
                                                         min_value=1900, max_value=2200),
        "baseline_value": st.column_config.NumberColumn(t("tg.baseline_value", lang)),
        "target_period": st.column_config.NumberColumn(t("tg.target_period", lang), step=1, format="%d",
                                                       min_value=1900, max_value=2200),
        "target_value": st.column_config.NumberColumn(t("tg.target_value", lang), required=True),
        "direction": st.column_config.SelectboxColumn(t("tg.direction", lang), options=["up", "down"],
                                                      format_func=lambda v: t(f"tg.{v}", lang), required=True),
        "glide": st.column_config.SelectboxColumn(t("tg.glide", lang), options=["linear", "compound"],
                                                  format_func=lambda v: t(f"tg.{v}", lang)),
        "owner": st.column_config.TextColumn(t("tg.owner", lang)),
        "owner_person": st.column_config.TextColumn(t("tg.owner_person", lang)),
        "basis": st.column_config.SelectboxColumn(t("col.basis", lang), options=["published", "illustrative"],
                                                  format_func=basis_word),
        "source": st.column_config.TextColumn(t("tg.source", lang), width="large"),
    })

# Milestones as (indicator, year, value) pairs; each goes back on its indicator's target (kpi.app.targets_editor).
st.markdown(f"**{t('tg.milestones_heading', lang)}**")
milestones = st.data_editor(
    milestone_pairs(targets),
    num_rows="dynamic", hide_index=True, key=f"milestones_editor_{base_revision}", placeholder="–",
    column_config={
        "indicator": st.column_config.SelectboxColumn(t("tg.indicator", lang), options=ids, format_func=name_of,
                                                      required=True, width="large"),
        "year": st.column_config.NumberColumn(t("tg.milestone_year", lang), step=1, format="%d", min_value=1900,
                                              max_value=2200, required=True),
        "value": st.column_config.NumberColumn(t("tg.milestone_value", lang), required=True),
    })

columns_shown = {"milestones": t("tg.milestones_heading", lang), "basis": t("col.basis", lang),
                 **{c: t(f"tg.{c}", lang) for c in MAIN if c != "basis"}}
rows, pair_problems = attach_milestones(edited, milestones)
problems = [t("tg.problem", lang, row=number, column=columns_shown["milestones"], message=t(key, lang, **params))
            for number, key, params in pair_problems]

# The same parsers and schema as an uploaded file, from the typed cells.
result = read_frame(rows, "targets", file_name=t("targets_page", lang))
for problem in result.errors:
    problems.append(t("tg.problem", lang, row=problem.line or "?",
                      column=columns_shown.get(problem.column or "", problem.column or ""),
                      message=safe_text.md(problem.message_in(lang))))
for text in problems:
    st.error(text)
note = st.text_input(t("note", lang), key="targets_note")
if st.button(t("save_targets", lang), type="primary", disabled=bool(problems) or not result.ok, key="save_targets"):
    if not signin.is_analyst():
        st.error(t("id.analyst_only", lang))
        st.stop()
    with ui.storage_errors():
        revision = service.store_targets(result, user=signin.audit_name(), note=note, expect_base=base_revision)
        st.session_state["targets_flash"] = t("tg.saved", lang, revision=revision)
        st.rerun()
