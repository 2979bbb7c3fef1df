"""Upload (analysts): file -> detection -> located errors -> preview -> diff -> commit; history and rollback."""

import pandas as pd
import streamlit as st

from kpi import service, storage, ui
from kpi.i18n import t
from kpi.importer import header_signature
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
    data = upload.getvalue()
    chosen_encoding = None if encoding == "auto" else encoding
    signature = header_signature(data, dataset, encoding=chosen_encoding)
    profile = storage.find_profile(dataset, signature)
    saved = profile["mapping"] if profile else {}
    if profile:
        st.info(t("using_profile", lang, name=profile["name"]), icon=":material/save:")
        constants = {**profile["constants"], **constants}
    result = service.validate_bytes(data, dataset, constants=constants, encoding=chosen_encoding,
                                    file_name=upload.name, mapping=saved)
    if result.header:
        with st.expander(t("mapping", lang), expanded=bool(result.errors)):
            contract = [""] + [c.name for c in DATASETS[dataset]]
            shown = pd.DataFrame({"file": [h for h in result.header if h],
                                  "column": [result.mapping.get(h, "").split(" ")[0] if
                                             result.mapping.get(h, "").split(" ")[0] in contract else ""
                                             for h in result.header if h]})
            edited = st.data_editor(shown, hide_index=True, disabled=["file"], key=f"mapping_{signature}",
                                    column_config={"column": st.column_config.SelectboxColumn(options=contract)})
            corrections = {f: c for f, c in zip(edited["file"], edited["column"].fillna(""))
                           if (c or "") != dict(zip(shown["file"], shown["column"]))[f]}
            if corrections:
                result = service.validate_bytes(data, dataset, constants=constants, encoding=chosen_encoding,
                                                file_name=upload.name, mapping={**saved, **corrections})
            name = st.text_input(t("profile_name", lang), value=profile["name"] if profile else "",
                                 key=f"profile_name_{signature}")
            if st.button(t("save_profile", lang), key=f"save_profile_{signature}", disabled=not name or not signature):
                if not ui.is_analyst():
                    st.error(t("analyst_only", lang))
                    st.stop()
                full = {f: c for f, c in zip(edited["file"], edited["column"].fillna(""))}
                storage.save_profile(name, dataset, signature, full, constants, user="analyst")
                st.success(t("profile_saved", lang, name=name))
    rows = 0 if result.frame is None else len(result.frame)
    st.write(t("detected", lang, encoding=result.encoding or "?", layout=result.layout,
               line=result.header_line or "?", rows=rows))
    problems = result.problems_frame()
    if result.errors:
        st.error(t("errors_found", lang, n=len(result.errors)))
        ui.table(problems[problems["severity"] == "error"])
        ui.download_csv(problems, f"errors_{upload.name}", key="download_errors")
    if result.warnings:
        st.subheader(t("warnings", lang))
        ui.table(problems[problems["severity"] == "warning"])
    if result.ok:
        st.subheader(t("preview", lang))
        ui.table(result.frame.head(500), hide_index=False)
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
            ui.table(diff)
        note = st.text_input(t("note", lang), key="upload_note")
        if st.button(t("commit", lang), type="primary", key="commit"):
            if not ui.is_analyst():
                st.error(t("analyst_only", lang))
                st.stop()
            bar = st.progress(0.0, text=t("storing", lang))
            with ui.storage_errors():
                revision = service.import_result(result, mode=mode, user="analyst", note=note,
                                                 progress=lambda done: bar.progress(done, text=t("storing", lang)))
                st.success(t("committed", lang, revision=revision))
            bar.empty()

st.divider()
st.subheader(t("revisions", lang))
history = storage.history()
ui.table(history.sort_values("revision", ascending=False))
if not history.empty:
    revision = st.selectbox(t("rollback_to", lang), history["revision"].tolist()[::-1], key="rollback_revision")
    if st.button(t("rollback", lang), key="rollback"):
        if not ui.is_analyst():
            st.error(t("analyst_only", lang))
            st.stop()
        with ui.storage_errors():
            new = storage.rollback(int(revision), user="analyst")
            st.success(t("rolled_back", lang, revision=new))
