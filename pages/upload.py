"""Upload (analysts): file -> detection -> located errors -> preview -> plan in words and value diff -> commit once;
history and rollback by dataset, previewed."""

import contextlib

import pandas as pd
import streamlit as st

from kpi.app import signin, turns, ui
from kpi.ingest.importer import header_signature
from kpi.ingest.schemas import DATASETS, guess_dataset
from kpi.store import plan, service, storage
from kpi.text import safe_text
from kpi.text.i18n import dataset_name as i18n_dataset_name
from kpi.text.i18n import format_number, format_value, indicator_name, period_label, t
from metrics.compute import value_diff

lang = ui.lang()
turns.step_aside()  # reading a file, planning and storing take seconds: the viewers' runs go on meanwhile
st.title(t("upload", lang))
if not signin.analyst_gate():
    st.stop()
snap = ui.snapshot()


def dataset_name(name: str) -> str:
    return i18n_dataset_name(name, lang)


def kpi_name(indicator: str) -> str:
    return indicator_name(snap.registry, indicator, lang) if indicator in snap.registry.index else indicator


def diff_frame(diff: pd.DataFrame) -> pd.DataFrame:
    """KPI, period, before → after in the KPI's unit (2,089人 → 3,396人, 34.9% → 40.0%), largest change first."""
    if diff.empty:
        return pd.DataFrame(columns=["indicator", "period", "before", "after", "change"])
    registry = snap.registry

    def unit(indicator: str) -> str:
        return str(registry.loc[indicator, "unit"]) if indicator in registry.index else ""

    def period(indicator: str, year) -> str:
        kind = str(registry.loc[indicator, "period_kind"]) if indicator in registry.index else "fiscal"
        return period_label(int(year), kind, lang, short=True)

    size = (diff["after"].fillna(0) - diff["before"].fillna(0)).abs() / diff["before"].abs().where(
        diff["before"].abs() > 0, 1)
    ordered = diff.assign(_size=size.where(diff["before"].notna() & diff["after"].notna(), float("inf"))) \
        .sort_values("_size", ascending=False, kind="stable")
    rows = ordered.to_dict("records")
    return pd.DataFrame({
        "indicator": [kpi_name(r["indicator"]) for r in rows],
        "period": [period(r["indicator"], r["period"]) for r in rows],
        "before": [format_value(r["before"], unit(r["indicator"]), lang) for r in rows],
        "after": [format_value(r["after"], unit(r["indicator"]), lang) for r in rows],
        "change": [format_value(r["after"] - r["before"], unit(r["indicator"]), lang, signed=True)
                   if pd.notna(r["before"]) and pd.notna(r["after"]) else "–" for r in rows],
    })


def diff_table(diff: pd.DataFrame, *, key: str) -> None:
    """The before -> after table of KPI values, indicators by name (the upload and the rollback show the same)."""
    if diff.empty:
        st.caption(t("diff_none", lang))
    else:
        shown = diff_frame(diff)
        ui.table(shown, height=ui.table_height(min(len(shown), 12)), key=key)


def result_screen() -> None:
    """What the last commit or rollback did, kept on screen (not planned again) until another file is chosen."""
    done = st.session_state.get("upload_result")
    if not done:
        return
    with st.container(border=True, key="upload_result"):
        st.markdown(f"**{t('up.result_heading', lang)}**")
        st.success(done["message"], icon=":material/check_circle:")
        st.write(t("up.result_rows", lang, dataset=dataset_name(done["dataset"]),
                   before=format_number(done["rows_before"], lang), after=format_number(done["rows_after"], lang)))
        st.caption(t("up.result_kpis", lang))
        diff_table(pd.DataFrame(done["diff"], columns=["indicator", "period", "before", "after"]), key="result_diff")
        if st.button(t("up.another", lang), key="upload_another"):
            st.session_state.pop("upload_result", None)
            st.rerun()
    if done.get("scroll"):  # a rollback is clicked at the foot of the page: bring its result into view
        done["scroll"] = False
        st.html("<script>const box = document.querySelector('.st-key-upload_result');"
                "if (box) { box.scrollIntoView({block: 'start'}); }</script>", unsafe_allow_javascript=True)


def field_label(name: str | None) -> str:
    """A contract column by its label in the reader's language (年度, 国・地域), never its id (fiscal_year)."""
    return t(f"col.{name}", lang) if name else t("map.unused", lang)


def wrong_dataset_hint(header: list[str]) -> None:
    """A file refused for missing columns that another dataset's columns fit: say which, and offer to switch."""
    guess = guess_dataset(header, chosen=dataset)
    if guess is None:
        return
    st.warning(t("up.guess", lang, guess=dataset_name(guess), chosen=dataset_name(dataset)),
               icon=":material/lightbulb:")
    st.button(t("up.use_guess", lang, guess=dataset_name(guess)), key="use_guess",
              on_click=lambda: st.session_state.update(upload_dataset=guess))


def big_replace_confirmed(rows_before: int, rows_after: int) -> bool:
    """A replace that leaves less than half of what is stored needs the word typed (置換 / replace) first."""
    if rows_before == 0 or rows_after * 2 >= rows_before:
        return True
    word = t("up.confirm_word", lang)
    st.warning(t("up.big_replace", lang, dataset=dataset_name(dataset), before=format_number(rows_before, lang),
                 after=format_number(rows_after, lang), removed=format_number(rows_before - rows_after, lang),
                 word=word), icon=":material/warning:")
    typed = st.text_input(t("up.confirm_label", lang, word=word), key=f"confirm_replace_{dataset}")
    confirmed = typed.strip().casefold() in {word.casefold(), dataset.casefold(), dataset_name(dataset).casefold()}
    if not confirmed:
        st.caption(t("up.confirm_needed", lang, word=word))
    return confirmed


def remember(kind: str, message: str, dataset: str, rows_before: int, rows_after: int, diff: pd.DataFrame) -> None:
    """Keep the result for the screen above; the uploader starts empty so the same file is not planned again."""
    st.session_state["upload_result"] = {
        "kind": kind, "message": message, "dataset": dataset, "rows_before": int(rows_before),
        "rows_after": int(rows_after), "scroll": kind == "rollback",
        "diff": diff[["indicator", "period", "before", "after"]].to_dict("records")}
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1


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


result_screen()
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
upload = ui.file_uploader(t("imp.choose_file", lang),
                          types=["csv", "txt", "tsv", "isi", "xlsx", "xlsm", "xls", "ris", "bib", "nbib", "medline",
                                 "json", "jsonl"],
                          key=f"upload_{'files' if several else 'file'}_{st.session_state.get('upload_round', 0)}",
                          accept_multiple_files=several,
                          on_change=lambda: st.session_state.pop("upload_result", None))  # a new file: result read
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
            # The fields by their labels (年度, 国・地域), in the cells as on screen; the ids only behind them.
            by_label = {field_label(c): c for c in contract}
            shown = pd.DataFrame({"file": [h for h in result.header if h],
                                  "column": [field_label(result.mapping.get(h, "").split(" ")[0]) if
                                             result.mapping.get(h, "").split(" ")[0] in contract else field_label("")
                                             for h in result.header if h]})
            edited = st.data_editor(shown, hide_index=True, disabled=["file"], key=f"mapping_{signature}", placeholder="–",
                                    column_config={
                                        "file": st.column_config.TextColumn(t("map.file_column", lang)),
                                        "column": st.column_config.SelectboxColumn(t("map.field", lang),
                                                                                   options=list(by_label))})
            chosen_fields = [by_label.get(c or "", "") for c in edited["column"]]
            corrections = {f: c for f, c, was in zip(edited["file"], chosen_fields, shown["column"])
                           if c != by_label.get(was, "")}
            if corrections:
                result = service.validate_bytes(data, dataset, constants=constants, encoding=chosen_encoding,
                                                file_name=upload.name, mapping={**saved, **corrections}, **reading)
            name = st.text_input(t("profile_name", lang), value=profile["name"] if profile else "",
                                 key=f"profile_name_{signature}")
            if st.button(t("save_profile", lang), key=f"save_profile_{signature}", disabled=not name or not signature):
                refuse_viewer()
                full = dict(zip(edited["file"], chosen_fields))
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
        wrong_dataset_hint(result.header or [])
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
        rows_before, rows_after = len(snap.datasets[dataset]), len(after[dataset])
        st.write(t("diff_rows", lang, added=format_number(rows, lang), removed=format_number(removed, lang)))
        diff = value_diff(snap.values, service.values_table(after))
        confirmed = big_replace_confirmed(rows_before, rows_after)
        diff_table(diff, key="plan_diff")
        note = st.text_input(t("note", lang), key="upload_note")
        refusals = the_plan.refusals(reason=reason)
        if st.button(t("commit", lang), type="primary", key="commit", disabled=bool(refusals) or not confirmed):
            refuse_viewer()
            bar = st.progress(0.0, text=t("storing", lang))
            with write_outcome():
                revision = plan.commit(the_plan, result, user=signin.audit_name(), note=note, reason=reason,
                                       progress=lambda done: bar.progress(done, text=t("storing", lang)))
                remember("commit", t("plan.committed", lang, dataset=dataset_name(dataset), revision=revision),
                         dataset, rows_before, rows_after, diff)
                st.rerun()  # the history, the diff and every page now read the new revision
            bar.empty()

st.divider()
st.subheader(t("revisions", lang))
history = storage.history()
ui.history_table(history, snap.registry)

st.subheader(t("rb.heading", lang))
with_history = [d for d in DATASETS if (history["dataset"] == d).sum() > 1]
if not with_history:
    st.caption(t("rb.none_any", lang))
    st.stop()
rb_dataset = st.selectbox(t("rb.dataset", lang), with_history, format_func=dataset_name, key="rollback_dataset")
choices = plan.dataset_revisions(rb_dataset)
records = {int(r["revision"]): r for r in choices.to_dict("records")[1:]}  # the newest is the present state
# Nothing is chosen for the reader: the newest earlier state would undo the last change (or the last rollback).
revision = st.selectbox(t("rb.revision", lang), list(records), index=None, placeholder=t("rb.choose", lang),
                        format_func=lambda r: plan.describe_revision(records[r], lang),
                        key=f"rollback_{rb_dataset}_{choices['revision'].iloc[0]}")  # a new revision resets the choice
if revision is None:
    st.stop()
preview = plan.rollback_plan(rb_dataset, int(revision), values_of=service.values_table)
st.markdown(t("rb.preview", lang, dataset=dataset_name(rb_dataset), revision=int(revision),
              rows_now=format_number(preview.rows_now, lang), rows_after=format_number(preview.rows_after, lang)))
st.caption(t("rb.effect", lang))
diff_table(preview.diff, key="rollback_diff")
for key in preview.refusals():
    st.info(t(key, lang))
rb_note = st.text_input(t("note", lang), key="rollback_note")
if st.button(t("rb.confirm", lang, dataset=dataset_name(rb_dataset), revision=int(revision)), key="rollback",
             disabled=bool(preview.refusals())):
    refuse_viewer()
    with write_outcome():
        new = plan.commit_rollback(preview, user=signin.audit_name(), note=rb_note)
        changed = sorted({kpi_name(i) for i in preview.diff["indicator"]})
        kpis = t("sc.list_sep", lang).join(changed)
        remember("rollback", t("rb.done", lang, dataset=dataset_name(rb_dataset), revision=int(revision), new=new,
                               kpis=kpis or t("rb.no_kpi_change", lang)),
                 rb_dataset, preview.rows_now, preview.rows_after, preview.diff)
        st.rerun()
