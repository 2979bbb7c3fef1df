"""Upload (analysts): file -> detection -> located errors -> preview -> plan in words and value diff -> commit once;
history and rollback by dataset, previewed."""

import contextlib

import pandas as pd
import streamlit as st

from kpi.app import signin, ui
from kpi.ingest.importer import header_signature
from kpi.ingest.schemas import DATASETS
from kpi.store import plan, service, storage
from kpi.text import safe_text
from kpi.text.i18n import dataset_name as i18n_dataset_name
from kpi.text.i18n import indicator_name, t
from metrics.compute import value_diff

lang = ui.lang()
st.title(t("upload", lang))
if not signin.analyst_gate():
    st.stop()

flash = st.session_state.pop("upload_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")


def dataset_name(name: str) -> str:
    return i18n_dataset_name(name, lang)


def kpi_name(indicator: str) -> str:
    return indicator_name(snap.registry, indicator, lang) if indicator in snap.registry.index else indicator


def diff_table(diff: pd.DataFrame) -> None:
    """The before -> after table of KPI values, indicators by name (the upload and the rollback show the same)."""
    if diff.empty:
        st.caption(t("diff_none", lang))
    else:
        ui.table(diff.assign(indicator=diff["indicator"].map(kpi_name)))


@contextlib.contextmanager
def write_outcome():
    """What a commit or a rollback can answer besides success, each in words; nothing was stored in any of them."""
    try:
        with ui.storage_errors():
            yield
    except plan.PlanRefused as refused:
        for key in refused.keys:
            st.error(t(key, lang, revision=""))


def refuse_viewer() -> None:
    """Every write checks the person on the server again, whatever the page showed."""
    if not signin.is_analyst():
        st.error(t("id.analyst_only", lang))
        st.stop()


snap = ui.snapshot()
c1, c2 = st.columns(2)
dataset = c1.selectbox(t("dataset", lang), list(DATASETS), format_func=dataset_name, key="upload_dataset")
encoding = c2.selectbox(t("encoding", lang), ["auto", "utf-8", "utf-8-sig", "cp932"],
                        format_func=lambda e: t("auto", lang) if e == "auto" else e, key="upload_encoding")
constants = {}
for column in DATASETS[dataset]:
    if column.kind == "enum" and column.required:
        choice = st.selectbox(t("constant_for_file", lang, column=t(f"col.{column.name}", lang)),
                              [None, *sorted(set(column.choices.values()))],
                              format_func=lambda v: t("not_constant", lang) if v is None else t(v, lang),
                              key=f"const_{dataset}_{column.name}")
        if choice:
            constants[column.name] = choice
# Papers: several exports of one search (WoS gives 500 or 1,000 records a file) upload together as one import.
several = dataset == "papers"
upload = st.file_uploader(t("imp.choose_file", lang), key="upload_files" if several else "upload_file",
                          type=["csv", "txt", "tsv", "isi", "xlsx", "xlsm", "xls", "ris", "bib", "nbib", "medline",
                                "json", "jsonl"], accept_multiple_files=several)
uploads = (upload or []) if several else [upload] if upload is not None else []
upload = uploads[0] if uploads else None
# Reading options (#10): detection is the default; these override it, as --delimiter/--header-line/--sheet do.
o1, o2, o3 = st.columns(3)
delimiter = o1.selectbox(t("imp.delimiter", lang), [None, ",", "\t", ";", "|"], key="upload_delimiter",
                         format_func=lambda d: t("imp.delimiter." + {None: "auto", ",": "comma", "\t": "tab",
                                                                      ";": "semicolon", "|": "pipe"}[d], lang))
header_line = int(o2.number_input(t("imp.header_line", lang), min_value=0, max_value=1000, value=0, step=1,
                                  key="upload_header_line")) or None
sheet = o3.text_input(t("imp.sheet", lang), key="upload_sheet").strip() or None
reading = {"delimiter": delimiter, "header_line": header_line, "sheet": sheet}

if upload is not None:
    data = upload.getvalue()
    chosen_encoding = None if encoding == "auto" else encoding
    signature = header_signature(data, dataset, encoding=chosen_encoding, **reading)
    profile = storage.find_profile(dataset, signature)
    saved = profile["mapping"] if profile else {}
    if profile:
        st.info(safe_text.md_t("using_profile", lang, name=profile["name"]), icon=":material/save:")
        constants = {**profile["constants"], **constants}
    result = service.validate_bytes(data, dataset, constants=constants, encoding=chosen_encoding,
                                    file_name=upload.name, mapping=saved, **reading)
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
                                                file_name=upload.name, mapping={**saved, **corrections}, **reading)
            name = st.text_input(t("profile_name", lang), value=profile["name"] if profile else "",
                                 key=f"profile_name_{signature}")
            if st.button(t("save_profile", lang), key=f"save_profile_{signature}", disabled=not name or not signature):
                refuse_viewer()
                full = {f: c for f, c in zip(edited["file"], edited["column"].fillna(""))}
                storage.save_profile(name, dataset, signature, full, constants, user=signin.audit_name())
                st.success(safe_text.md_t("profile_saved", lang, name=name))
    if len(uploads) > 1:
        result = service.validate_several([(u.getvalue(), u.name) for u in uploads], dataset, constants=constants,
                                          encoding=chosen_encoding, mapping=saved, **reading)
    rows = 0 if result.frame is None else len(result.frame)
    st.write(t("detected", lang, encoding=result.encoding or "?", layout=t(f"layout.{result.layout}", lang),
               line=result.header_line or "?", rows=rows))
    st.caption(result.detected_in(lang) + ("　" + result.summary_in(lang) if result.summary else ""))
    problems = result.problems_frame(lang)
    if result.errors:
        st.error(t("errors_found", lang, n=len(result.errors)))
        ui.table(result.problems_frame(lang, only="error"))
        ui.download_csv(problems, f"errors_{upload.name}", key="download_errors")
    if result.warnings:
        st.subheader(t("warnings", lang))
        ui.table(result.problems_frame(lang, only="warning"))
    if result.ok:
        st.subheader(t("preview", lang))
        ui.table(result.frame.head(500), hide_index=False)
        mode = st.segmented_control(t("mode", lang), ["append", "replace"], default="append",
                                    format_func=lambda m: t(m, lang), key="upload_mode") or "append"
        # The attempt is this uploaded file: the same upload committed twice (a second click, a replayed
        # request, a rerun) finds its own revision and stores nothing more.
        nonce = "+".join(u.file_id for u in uploads)
        the_plan = plan.make_plan(result, mode=mode, current=snap.datasets[dataset], nonce=nonce,
                                  registry=snap.registry)
        st.subheader(t("plan.heading", lang))
        st.markdown("\n".join(f"- {sentence}" for sentence in the_plan.sentences(lang)))
        reason = ""
        if the_plan.stored_as is not None:
            st.info(t("plan.already_stored", lang, revision=the_plan.stored_as), icon=":material/info:")
        if the_plan.overlaps:
            st.error(t("plan.overlap_refused", lang), icon=":material/block:")
            st.button(t("plan.replace_instead", lang), key="replace_instead",
                      on_click=lambda: st.session_state.update(upload_mode="replace"))
        duplicate = the_plan.duplicate_sentence(lang)
        if duplicate and the_plan.stored_as is None:
            st.warning(duplicate, icon=":material/content_copy:")
            reason = st.text_input(t("plan.duplicate_reason", lang), key="duplicate_reason")
            if not reason.strip():
                st.caption(t("plan.duplicate_refused", lang))
        st.subheader(t("diff", lang))
        after = plan.after(the_plan, result, snap.datasets)
        removed = sum(line.stored for line in the_plan.replaced)
        st.write(t("diff_rows", lang, added=rows, removed=removed))
        diff_table(value_diff(snap.values, service.values_table(after)))
        note = st.text_input(t("note", lang), key="upload_note")
        refusals = the_plan.refusals(reason=reason)
        if st.button(t("commit", lang), type="primary", key="commit", disabled=bool(refusals)):
            refuse_viewer()
            bar = st.progress(0.0, text=t("storing", lang))
            with write_outcome():
                revision = plan.commit(the_plan, result, user=signin.audit_name(), note=note, reason=reason,
                                       progress=lambda done: bar.progress(done, text=t("storing", lang)))
                st.session_state["upload_flash"] = t("plan.committed", lang, dataset=dataset_name(dataset),
                                                     revision=revision)
                st.rerun()  # the history, the diff and every page now read the new revision
            bar.empty()

st.divider()
st.subheader(t("revisions", lang))
history = storage.history()
ui.table(history.drop(columns=["plan_token"]).sort_values("revision", ascending=False))

st.subheader(t("rb.heading", lang))
with_history = [d for d in DATASETS if (history["dataset"] == d).sum() > 1]
if not with_history:
    st.caption(t("rb.none_any", lang))
    st.stop()
rb_dataset = st.selectbox(t("rb.dataset", lang), with_history, format_func=dataset_name, key="rollback_dataset")
choices = plan.dataset_revisions(rb_dataset)
records = {int(r["revision"]): r for r in choices.to_dict("records")[1:]}  # the newest is the present state
revision = st.selectbox(t("rb.revision", lang), list(records),
                        format_func=lambda r: plan.describe_revision(records[r], lang),
                        key=f"rollback_{rb_dataset}_{choices['revision'].iloc[0]}")  # a new revision resets the choice
preview = plan.rollback_plan(rb_dataset, int(revision), values_of=service.values_table)
st.markdown(t("rb.preview", lang, dataset=dataset_name(rb_dataset), revision=int(revision),
              rows_now=preview.rows_now, rows_after=preview.rows_after))
st.caption(t("rb.effect", lang))
diff_table(preview.diff)
for key in preview.refusals():
    st.info(t(key, lang))
rb_note = st.text_input(t("note", lang), key="rollback_note")
if st.button(t("rb.confirm", lang, dataset=dataset_name(rb_dataset), revision=int(revision)), key="rollback",
             disabled=bool(preview.refusals())):
    refuse_viewer()
    with write_outcome():
        new = plan.commit_rollback(preview, user=signin.audit_name(), note=rb_note)
        changed = sorted({kpi_name(i) for i in preview.diff["indicator"]})
        kpis = "、".join(changed) if lang == "ja" else ", ".join(changed)
        st.session_state["upload_flash"] = t("rb.done", lang, dataset=dataset_name(rb_dataset),
                                             revision=int(revision), new=new, kpis=kpis or t("rb.no_kpi_change", lang))
        st.rerun()
