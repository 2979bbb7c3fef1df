"""Targets: every target with its source; analysts edit them as typed cells and milestone pairs, checked by the
importer's own parsers and schema (no CSV in between), and save them as one revision in their own name."""

import streamlit as st

from kpi.app import signin, ui
from kpi.app.targets_editor import attach_milestones, milestone_pairs
from kpi.ingest.importer import read_frame
from kpi.store import service, storage
from kpi.text import safe_text
from kpi.text.i18n import t
from kpi.views.narrative import kpi_name, targets_frame, targets_source_frame
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
    return kpi_name(snap.registry, indicator, lang)


LABELS = ["indicator", "baseline_period", "baseline_value", "target_period", "target_value", "direction", "glide",
          "owner", "owner_person", "basis", "source"]


def basis_word(value) -> str:
    return t(f"basis.{value}", lang) if value in ("published", "illustrative") else ""


# One KPI a row, narrow enough for a 1366 px screen; the long sources in a table of their own below it.
LABELS_SHOWN = {"indicator": "tg.indicator", "baseline": "tg.col.baseline", "target": "tg.col.target",
                "milestones": "tg.col.milestones", "path": "tg.col.path", "owner": "tg.col.owner"}
# Pixels per column that add up to the main area at 1366 px (about 900); a row grows to three lines when a name or an
# owner is wider than its column, instead of being cut at the cell's edge.
WIDTHS = {"ja": {"indicator": 185, "baseline": 125, "target": 125, "milestones": 80, "path": 125, "owner": 245},
          "en": {"indicator": 250, "baseline": 100, "target": 100, "milestones": 85, "path": 125, "owner": 240}}
shown = targets_frame(targets, snap.registry, lang)
widths = WIDTHS["ja" if lang == "ja" else "en"]
ui.table(shown.rename(columns={c: t(k, lang) for c, k in LABELS_SHOWN.items()}), prepared=True,
         column_config={t(LABELS_SHOWN[c], lang): st.column_config.TextColumn(width=px) for c, px in widths.items()},
         row_height=max(ui.wrapped_row_px(shown[c], room_px=widths[c] - 16) for c in ("indicator", "owner")))
st.markdown(f"**{t('tg.sources_title', lang)}**")
sources = targets_source_frame(targets, snap.registry, lang)
ui.table(sources.rename(columns={"indicator": t("tg.indicator", lang), "basis": t("tg.col.basis", lang),
                                 "source": t("tg.source", lang)}), prepared=True,
         row_height=ui.wrapped_row_px(sources["source"], room_px=600))
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
