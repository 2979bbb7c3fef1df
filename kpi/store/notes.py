"""Check-ins and events: what the office records about the KPIs, each write one revision in ``revisions``.

A check-in (an analyst's note on a KPI for a period: why, what is being done, by when, and optionally a status of
their own) is appended as one revision of the ``checkins`` dataset; an event (a dated annotation drawn on the KPI
charts) as one of ``events``. Both are read back at any revision and rolled back like data (storage.rollback), so
history keeps who wrote what and when, and undoing a check-in removes it from every output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd

from kpi.ingest.schemas import CHECKIN_STATUS, NOTES
from kpi.store import storage
from kpi.text.worded import Worded

NOTE_LIMIT = 2000  # characters in a note or an event label: a paragraph, not a document
NOTE_DATASETS = tuple(NOTES)
OWNER_NOTE = "owner of "  # the note of a targets revision made by set_owner, followed by the KPI's id


class NoteRefused(Worded, ValueError):
    """A check-in or event that cannot be stored (catalogue key and its fields); nothing was written."""


@dataclass(frozen=True)
class CheckIn:
    indicator: str
    note: str
    period: int | None = None
    status: str | None = None  # the analyst's own status, shown as such beside the evaluator's
    due: dt.date | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _clean_text(text: str | None, *, field: str) -> str:
    value = " ".join(str(text or "").split()) if field == "label" else str(text or "").strip()
    if not value:
        raise NoteRefused("notes.empty", field=field)
    if len(value) > NOTE_LIMIT:
        raise NoteRefused("notes.too_long", field=field, limit=NOTE_LIMIT)
    return value


def _token(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def record_checkin(item: CheckIn, *, user: str, known: list[str] | None = None, engine=None,
                   expect_base: int | None = None) -> int:
    """Store one check-in as a new revision of ``checkins``; returns the revision.

    ``known`` (the registry's ids) refuses a KPI that does not exist; the same check-in sent twice from the same
    base (a double click) stores nothing more (storage.AlreadyStored).
    """
    if known is not None and item.indicator not in known:
        raise NoteRefused("notes.unknown_kpi", indicator=item.indicator)
    if item.status and item.status not in CHECKIN_STATUS:
        raise NoteRefused("notes.bad_status", status=item.status)
    note = _clean_text(item.note, field="note")
    engine = engine or storage.get_engine()
    base = storage.dataset_revision("checkins", engine=engine) if expect_base is None else expect_base
    row = {"indicator": item.indicator, "period": item.period, "note": note, "status": item.status or None,
           "due": pd.Timestamp(item.due) if item.due else None, "author": user, "recorded_at": _now()}
    frame = pd.DataFrame([row])
    return storage.store("checkins", frame, mode="append", user=user, note=item.indicator,
                         token=_token("checkin", base, item.indicator, item.period, note, item.status, item.due),
                         expect_base=base, engine=engine)


def event_day(value) -> dt.date:
    """A typed date (2020-04-07, 2020/4/7, 2020年4月7日, 令和2年4月7日) or a date; NoteRefused when it is neither."""
    from metrics.periods import PeriodError, parse_date

    if isinstance(value, dt.date):
        return value
    if value is None or not str(value).strip():
        raise NoteRefused("notes.empty", field="event_date")
    try:
        return parse_date(str(value))
    except PeriodError:
        raise NoteRefused("notes.bad_date", value=str(value).strip()[:40]) from None


def record_event(day: dt.date | str, label: str, *, user: str, indicator: str | None = None,
                 known: list[str] | None = None, engine=None) -> int:
    """Store one dated event (on one KPI, or on every KPI when ``indicator`` is empty) as a revision of ``events``."""
    if indicator and known is not None and indicator not in known:
        raise NoteRefused("notes.unknown_kpi", indicator=indicator)
    day = event_day(day)
    text = _clean_text(label, field="label")
    engine = engine or storage.get_engine()
    base = storage.dataset_revision("events", engine=engine)
    frame = pd.DataFrame([{"event_date": pd.Timestamp(day), "label": text, "indicator": indicator or None,
                           "author": user, "recorded_at": _now()}])
    return storage.store("events", frame, mode="append", user=user, note=text[:200],
                         token=_token("event", base, day, text, indicator), expect_base=base, engine=engine)


def remove_events(keep: pd.DataFrame, *, user: str, note: str = "", engine=None) -> int:
    """The event table as edited (rows removed or relabelled) as one revision that replaces every event."""
    engine = engine or storage.get_engine()
    base = storage.dataset_revision("events", engine=engine)
    frame = keep.reindex(columns=[c.name for c in NOTES["events"]]).reset_index(drop=True)
    for position, label in enumerate(frame["label"]):
        frame.at[position, "label"] = _clean_text(label, field="label")
    return storage.store("events", frame, mode="replace", user=user, note=note or "events edited",
                         token=_token("events", base, pd.util.hash_pandas_object(frame, index=False).sum()),
                         expect_base=base, engine=engine)


def set_owner(indicator: str, unit: str, person: str = "", *, user: str, engine=None) -> int:
    """Name a KPI's owner (unit, optionally person) on every target of that KPI, as one targets revision that
    replaces exactly that KPI's targets (the Targets editor's owner columns, for one KPI at a time)."""
    engine = engine or storage.get_engine()
    unit = " ".join(str(unit or "").split())
    person = " ".join(str(person or "").split())
    if not unit:
        raise NoteRefused("notes.empty", field="owner")
    if len(unit) > 200 or len(person) > 200:
        raise NoteRefused("notes.too_long", field="owner", limit=200)
    base = storage.dataset_revision("targets", engine=engine)
    targets = storage.load("targets", engine=engine)
    mine = targets[targets["indicator"] == indicator].copy()
    if mine.empty:
        raise NoteRefused("notes.no_target", indicator=indicator)
    mine["owner"], mine["owner_person"] = unit, person or None
    return storage.store("targets", mine.reset_index(drop=True), mode="replace", user=user,
                         note=f"{OWNER_NOTE}{indicator}", slices=[{"indicator": indicator}],
                         token=_token("owner", base, indicator, unit, person), expect_base=base, engine=engine)


def load(dataset: str, *, at_revision: int | None = None, engine=None) -> pd.DataFrame:
    """The check-ins or events as they stand now (or right after ``at_revision``), oldest first."""
    if dataset not in NOTES:
        raise KeyError(dataset)
    frame = storage.load(dataset, at_revision=at_revision, engine=engine)
    return frame.sort_values("recorded_at", kind="stable", ignore_index=True)


def latest_checkins(checkins: pd.DataFrame) -> dict[str, dict]:
    """The newest check-in of each KPI (indicator -> row as a dict)."""
    if checkins is None or checkins.empty:
        return {}
    newest = checkins.sort_values("recorded_at", kind="stable").groupby("indicator", sort=False).tail(1)
    return {row["indicator"]: row for row in newest.to_dict("records")}


def events_for(events: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The events drawn on one KPI's charts: its own and those on every KPI, by date."""
    if events is None or events.empty:
        return pd.DataFrame(columns=[c.name for c in NOTES["events"]])
    mine = events[events["indicator"].isna() | events["indicator"].eq("") | events["indicator"].eq(indicator)]
    return mine.sort_values("event_date", kind="stable", ignore_index=True)


def note_revisions(dataset: str, *, engine=None) -> pd.DataFrame:
    """The revisions of ``checkins`` or ``events``, newest first (what the rollback picker offers)."""
    history = storage.history(engine=engine)
    return history[history["dataset"] == dataset].sort_values("revision", ascending=False, ignore_index=True)


IDENTITY = {"checkins": ["indicator", "note", "author", "recorded_at"],
            "events": ["event_date", "label", "author", "recorded_at"]}


def _keys(frame: pd.DataFrame, dataset: str) -> pd.Series:
    return frame[IDENTITY[dataset]].astype(str).agg("|".join, axis=1) if len(frame) else pd.Series(dtype=str)


def undo(dataset: str, revision: int, *, user: str, engine=None) -> int:
    """Undo what one revision of check-ins or events added, keeping everything recorded after it: the current rows
    less those, stored as a new revision (the history keeps both, and ``kpi rollback`` can bring it back)."""
    engine = engine or storage.get_engine()
    record = note_revisions(dataset, engine=engine)
    if revision not in set(record["revision"]):
        raise NoteRefused("notes.no_revision", revision=revision)
    before = record[record["revision"] < revision]["revision"]
    added = set(_keys(storage.load(dataset, at_revision=revision, engine=engine), dataset)) - set(
        _keys(storage.load(dataset, at_revision=int(before.max()) if len(before) else 0, engine=engine), dataset))
    current = storage.load(dataset, engine=engine)
    keep = current[~_keys(current, dataset).isin(added)] if len(current) else current
    if len(keep) == len(current):
        raise NoteRefused("notes.nothing_to_undo", revision=revision)
    base = storage.dataset_revision(dataset, engine=engine)
    return storage.store(dataset, keep.reset_index(drop=True), mode="replace", user=user,
                         note=f"undo revision {revision}", token=_token("undo", dataset, revision, base),
                         expect_base=base, engine=engine)
