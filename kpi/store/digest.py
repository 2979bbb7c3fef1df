"""What changed since a date or a revision: new or revised figures, verdicts that changed, check-ins and events
added, targets edited, files imported. Both sides are snapshots judged on the same day, so a verdict changes in
the digest only because the data, the targets or the check-ins did, never because a day passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from kpi.ingest.schemas import DATASETS
from kpi.store import notes, snapshot, storage
from metrics.compute import value_diff


@dataclass
class Digest:
    base_revision: int  # the state the digest compares against (0: before anything was stored)
    revision: int  # the newest revision
    since: dt.date | None  # the date asked for, when it was a date
    figures: pd.DataFrame  # indicator, period, before, after (before NaN: a new figure)
    verdicts: pd.DataFrame  # indicator, status_before, status_after, outlook_before, outlook_after
    checkins: pd.DataFrame  # check-ins added (the checkins columns)
    events: pd.DataFrame  # events added
    targets: pd.DataFrame  # revisions of the targets after the base: revision, created_at, user, note
    imports: pd.DataFrame  # revisions of the figures' datasets after the base
    registry: pd.DataFrame
    scorecard: pd.DataFrame  # the newest scorecard (period kinds and units for the words)

    @property
    def empty(self) -> bool:
        return all(frame.empty for frame in (self.figures, self.verdicts, self.checkins, self.events, self.targets,
                                             self.imports))


def base_for_date(day: dt.date, *, engine=None) -> int:
    """The newest revision stored before ``day`` began (UTC), 0 when there is none."""
    history = storage.history(engine=engine)
    if history.empty:
        return 0
    start = pd.Timestamp(day, tz="UTC")
    stamps = pd.to_datetime(history["created_at"], utc=True)
    earlier = history[stamps < start]["revision"]
    return int(earlier.max()) if len(earlier) else 0


def _snapshot_at(revision: int, *, engine, judged_on: dt.date) -> snapshot.Snapshot:
    if revision == 0:  # before anything: empty datasets, evaluated like any other state
        datasets = storage.load_all(at_revision=0, engine=engine)
        empty = storage.history(engine=engine).iloc[0:0]
        # No check-ins or events either (with_notes would read revision 0 as the newest: all of them "already there").
        return replace(snapshot.build(datasets, empty, revision=0, judged_on=judged_on),
                       notes={name: notes.load(name, engine=engine).iloc[0:0] for name in notes.NOTE_DATASETS})
    return snapshot.load(engine=engine, at_revision=revision, judged_on=judged_on)


def _added(before: pd.DataFrame, after: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Rows of ``after`` that ``before`` does not hold (same identity: who, when, what)."""
    if after.empty:
        return after
    known = set(notes._keys(before, dataset)) if len(before) else set()
    return after[~notes._keys(after, dataset).isin(known)].reset_index(drop=True)


def _verdicts(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    columns = ["indicator", "status_before", "status_after", "outlook_before", "outlook_after"]
    old = before.set_index("indicator")[["status", "outlook"]] if len(before) else pd.DataFrame(
        columns=["status", "outlook"])
    rows = []
    for row in after.to_dict("records"):
        was = old.loc[row["indicator"]].to_dict() if row["indicator"] in old.index else {"status": None,
                                                                                          "outlook": None}
        if was["status"] != row["status"] or (was["outlook"] or None) != (row["outlook"] or None):
            rows.append([row["indicator"], was["status"], row["status"], was["outlook"], row["outlook"]])
    return pd.DataFrame(rows, columns=columns)


def changes(*, since_revision: int | None = None, since: dt.date | None = None, engine=None,
            judged_on: dt.date | None = None) -> Digest:
    """What changed after ``since_revision`` (or since the start of ``since``) up to the newest revision."""
    engine = engine or storage.get_engine()
    day = judged_on or dt.date.today()
    base = since_revision if since_revision is not None else base_for_date(since, engine=engine) if since else 0
    newest = storage.latest_revision(engine=engine)
    base = max(0, min(int(base), newest))
    old, new = _snapshot_at(base, engine=engine, judged_on=day), _snapshot_at(newest, engine=engine, judged_on=day)
    history = storage.history(engine=engine)
    later = history[history["revision"] > base]
    return Digest(
        base_revision=base, revision=newest, since=since if since_revision is None else None,
        figures=value_diff(old.values, new.values), verdicts=_verdicts(old.scorecard, new.scorecard),
        checkins=_added(old.notes["checkins"], new.notes["checkins"], "checkins"),
        events=_added(old.notes["events"], new.notes["events"], "events"),
        targets=later[later["dataset"] == "targets"].reset_index(drop=True),
        imports=later[later["dataset"].isin([d for d in DATASETS if d != "targets"])].reset_index(drop=True),
        registry=new.registry, scorecard=new.scorecard)


__all__ = ["Digest", "base_for_date", "changes"]
