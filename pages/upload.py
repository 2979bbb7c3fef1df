"""Upload (analysts): file -> detection -> located errors -> preview -> diff -> commit; history and rollback."""

import streamlit as st

from kpi import service, storage, ui
from kpi.i18n import t
from kpi.importer import read_file
from kpi.schemas import DATASETS

lang = ui.lang()
st.title(t("upload", lang))
if not ui.analyst_gate():
    st.stop()

snap = ui.snapshot()
c1, c2 = st.columns(2)
dataset = c1.selectbox(t("dataset", lang), list(DATASETS), key="upload_dataset")
encoding = c2.selectbox(t("encoding", lang), ["auto", "utf-8", "utf-8-sig", "cp932"],
                        format_func=lambda e: t("auto", lang) if e == "auto" else e, key="upload_encoding")
constants = {}
for column in DATASETS[dataset]:
    if column.kind == "enum" and column.required:
        choice = st.selectbox(t("constant_for_file", lang, column=column.name),
                              [None, *sorted(set(column.choices.values()))],
                              format_func=lambda v: t("not_constant", lang) if v is None else t(v, lang),
                              key=f"const_{dataset}_{column.name}")
        if choice:
            constants[column.name] = choice
upload = st.file_uploader(t("choose_file", lang), type=["csv", "txt", "tsv"], key="upload_file")

if upload is not None:
    result = read_file(upload.getvalue(), dataset, constants=constants,
                       encoding=None if encoding == "auto" else encoding, file_name=upload.name)
    rows = 0 if result.frame is None else len(result.frame)
    st.write(t("detected", lang, encoding=result.encoding or "?", layout=result.layout,
               line=result.header_line or "?", rows=rows))
    if result.mapping:
        with st.expander(t("mapping", lang)):
            st.table({"file": list(result.mapping), "column": list(result.mapping.values())})
    problems = result.problems_frame()
    if result.errors:
        st.error(t("errors_found", lang, n=len(result.errors)))
        st.dataframe(problems[problems["severity"] == "error"], hide_index=True, width="stretch")
        ui.download_csv(problems, f"errors_{upload.name}", key="download_errors")
    if result.warnings:
        st.subheader(t("warnings", lang))
        st.dataframe(problems[problems["severity"] == "warning"], hide_index=True, width="stretch")
    if result.ok:
        st.subheader(t("preview", lang))
        st.dataframe(result.frame.head(500), width="stretch")
        mode = st.segmented_control(t("mode", lang), ["append", "replace"], default="append",
                                    format_func=lambda m: t(m, lang), key="upload_mode") or "append"
        st.subheader(t("diff", lang))
        after = service.apply_result(snap.datasets, result, mode=mode)
        removed = len(snap.datasets[dataset]) - len(service.kept_rows(snap.datasets[dataset], result, mode=mode))
        st.write(t("diff_rows", lang, added=rows, removed=removed))
        diff = service.value_diff(snap.values, service.values_table(after))
        if diff.empty:
            st.caption(t("diff_none", lang))
        else:
            st.dataframe(diff, hide_index=True, width="stretch")
        note = st.text_input(t("note", lang), key="upload_note")
        if st.button(t("commit", lang), type="primary", key="commit"):
            if not ui.is_analyst():
                st.error(t("analyst_only", lang))
                st.stop()
            revision = service.import_result(result, mode=mode, user="analyst", note=note)
            st.success(t("committed", lang, revision=revision))

st.divider()
st.subheader(t("revisions", lang))
history = storage.history()
st.dataframe(history.sort_values("revision", ascending=False), hide_index=True, width="stretch")
if not history.empty:
    revision = st.selectbox(t("rollback_to", lang), history["revision"].tolist()[::-1], key="rollback_revision")
    if st.button(t("rollback", lang), key="rollback"):
        if not ui.is_analyst():
            st.error(t("analyst_only", lang))
            st.stop()
        new = storage.rollback(int(revision), user="analyst")
        st.success(t("rolled_back", lang, revision=new))
