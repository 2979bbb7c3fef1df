"""Check-ins and events: an analyst's note on a KPI (why, what is being done, by when, optionally a status of their
own shown beside the evaluator's verdict) and dated events drawn on the charts; each one revision, undone like data."""

import pandas as pd
import streamlit as st

from kpi.app import signin, ui
from kpi.ingest.schemas import CHECKIN_STATUS
from kpi.store import notes
from kpi.text import safe_text
from kpi.text.i18n import format_datetime, indicator_name, labelled, period_label, t
from kpi.views.narrative import status_text
from kpi.views.notes_text import checkin_text, event_text, owner_text, revision_note

lang = ui.lang()
snap = ui.snapshot()
st.title(t("ci.page", lang))
st.caption(t("ci.intro", lang))
flash = st.session_state.pop("checkins_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")
if snap.empty:
    ui.empty_state()
    st.stop()

ids = list(snap.registry.index)
wanted = st.query_params.get("kpi", ids[0])
indicator = st.selectbox(t("indicator", lang), ids, index=ids.index(wanted) if wanted in ids else 0,
                         format_func=lambda i: indicator_name(snap.registry, i, lang), key="checkin_kpi")
st.query_params["kpi"] = indicator
row = snap.scorecard.set_index("indicator").loc[indicator].to_dict() | {"indicator": indicator}
st.markdown(labelled("sc.col.now", status_text(row["status"], lang), lang) + "　·　"
            + labelled("sc.col.owner", safe_text.md(owner_text(row, lang)), lang))


def show_history(checkins: pd.DataFrame, events: pd.DataFrame) -> None:
    """This KPI's check-ins, newest first, and the events on its chart."""
    mine = checkins[checkins["indicator"] == indicator].iloc[::-1] if not checkins.empty else checkins
    st.markdown(f"**{t('ci.history', lang)}**")
    if mine.empty:
        st.caption(t("ci.none", lang))
    for item in mine.to_dict("records"):
        st.markdown("- " + safe_text.md(checkin_text(item, row, lang)))
    shown = notes.events_for(events, indicator)
    st.markdown(f"**{t('events', lang)}**")
    if shown.empty:
        st.caption(t("ci.no_events", lang))
    for item in shown.to_dict("records"):
        st.markdown("- " + safe_text.md(event_text(item, lang)))


show_history(snap.notes.get("checkins", pd.DataFrame()), snap.notes.get("events", pd.DataFrame()))

if not signin.analyst_gate():
    st.stop()


def refused(exc: notes.NoteRefused) -> None:
    fields = {k: t(f"ci.field.{v}", lang) if k == "field" else v for k, v in exc.fields.items()}
    st.error(t(exc.key, lang, **fields))


def store(write, saved) -> None:
    """Every write of this page: analysts only; ``write()`` returns the new revision, ``saved(revision)`` the words
    shown after the rerun; a refusal or a storage error is a message and nothing is stored."""
    if not signin.is_analyst():
        st.error(t("id.analyst_only", lang))
        return
    revision = None
    try:
        with ui.storage_errors():
            revision = write()
    except notes.NoteRefused as exc:
        refused(exc)
        return
    if revision is None:
        return
    st.session_state["checkins_flash"] = saved(revision)
    st.rerun()


def owner_form() -> None:
    """担当 of this KPI: stored on its targets, as the Targets editor's owner columns would."""
    with st.form("owner_form"):
        st.markdown(f"**{t('ci.owner_title', lang)}**")
        left, right = st.columns(2)
        unit = left.text_input(t("tg.owner", lang), value=str(row.get("owner") or ""), key="owner_unit")
        person = right.text_input(t("tg.owner_person", lang), value=str(row.get("owner_person") or ""),
                                  key="owner_person")
        if not st.form_submit_button(t("ci.owner_save", lang)):
            return
    store(lambda: notes.set_owner(indicator, unit, person, user=signin.audit_name()),
          lambda revision: t("ci.owner_saved", lang, revision=revision))


def checkin_form() -> None:
    periods = sorted(int(p) for p in snap.series(indicator)["period"].dropna())[::-1]
    with st.form("checkin_form", clear_on_submit=True):
        st.markdown(f"**{t('ci.new', lang)}**")
        note = st.text_area(t("ci.field.note", lang), help=t("ci.note_help", lang), key="checkin_note")
        left, middle, right = st.columns(3)
        period = left.selectbox(t("ci.period", lang), [0, *periods], key="checkin_period",  # 0: no period
                                format_func=lambda p: "–" if not p else period_label(p, row["period_kind"], lang))
        status = middle.selectbox(t("ci.status", lang), ["", *CHECKIN_STATUS], key="checkin_status",
                                  format_func=lambda s: t("ci.status_none", lang) if not s else status_text(s, lang),
                                  help=t("ci.status_help", lang))
        due = right.date_input(t("ci.due", lang), value=None, key="checkin_due")
        if not st.form_submit_button(t("ci.save", lang), type="primary"):
            return
    store(lambda: notes.record_checkin(notes.CheckIn(indicator, note, period=period or None, status=status or None,
                                                     due=due), user=signin.audit_name(), known=ids),
          lambda revision: t("ci.saved", lang, revision=revision))


def event_form() -> None:
    with st.form("event_form", clear_on_submit=True):
        st.markdown(f"**{t('ci.new_event', lang)}**")
        left, middle, right = st.columns([2, 3, 2])  # the date's hint 「2020/4/7 または 令和2年4月7日」 whole
        day = left.text_input(t("ci.field.event_date", lang), key="event_date", placeholder=t("ci.date_hint", lang))
        label = middle.text_input(t("ci.field.label", lang), key="event_label", help=t("ci.event_help", lang))
        scope = right.selectbox(t("ci.event_scope", lang), ["this", "all"], key="event_scope",
                                format_func=lambda s: t(f"ci.scope.{s}", lang))
        if not st.form_submit_button(t("ci.save_event", lang)):
            return
    store(lambda: notes.record_event(day, label, user=signin.audit_name(), known=ids,
                                     indicator=indicator if scope == "this" else None),
          lambda revision: t("ci.event_saved", lang, revision=revision))


def undo_list() -> None:
    """Recent check-in and event revisions, each with a button that undoes it (a new revision; history kept)."""
    st.markdown(f"**{t('ci.undo_title', lang)}**")
    st.caption(t("ci.undo_help", lang))
    recent = pd.concat([notes.note_revisions(name) for name in notes.NOTE_DATASETS], ignore_index=True)
    recent = recent[recent["action"] == "append"].sort_values("revision", ascending=False).head(8)
    if recent.empty:
        st.caption(t("ci.none", lang))
    for record in recent.to_dict("records"):
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.caption(safe_text.md(" · ".join([t("plan.revision_label", lang, revision=int(record["revision"])),
                                              t(f"ci.kind.{record['dataset']}", lang),
                                              format_datetime(record["created_at"], lang), str(record["user"]),
                                              revision_note(record["note"], snap.registry, lang)])))
        if button.button(t("ci.undo", lang), key=f"undo_{record['revision']}"):
            dataset, undone = record["dataset"], int(record["revision"])
            store(lambda: notes.undo(dataset, undone, user=signin.audit_name()),  # noqa: B023 - called at once
                  lambda new: t("ci.undone", lang, revision=undone, new=new))  # noqa: B023 - called at once
            return


owner_form()
checkin_form()
event_form()
undo_list()
