"""An import or a rollback is a plan, said in words before it happens, and committed at most once.

The Upload page and the CLI both ask ``make_plan`` what a file would do (which slices it adds, replaces or leaves
alone), show ``plan.sentences(lang)`` and the value diff, and store with ``commit``; rollbacks go through
``rollback_plan`` / ``commit_rollback`` the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import pandas as pd

from kpi.ingest.countries import country_name
from kpi.ingest.importer import ImportResult
from kpi.ingest.schemas import REPLACE_KEYS
from kpi.store import storage
from kpi.text.i18n import catalogue, format_date, format_datetime, indicator_name, note_text, period_label, t
from kpi.text.safe_text import md
from metrics.compute import value_diff

PERIOD_KEY = {"mobility": "fiscal_year", "papers": "year", "indicators": "fiscal_year", "enrolment": "fiscal_year",
              "staff": "fiscal_year"}
WORDS = {"direction", "level", "study_level", "status", "category"}  # enum columns shown through the catalogue


class PlanRefused(ValueError):
    """The plan has unresolved refusals (overlap, duplicate file): nothing was stored."""

    def __init__(self, keys: list[str]):
        super().__init__("; ".join(keys))
        self.keys = keys


def _plain(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Slice:
    """One part of a dataset that a file holds, e.g. (direction=inbound, fiscal_year=2023)."""

    parts: tuple[tuple[str, object], ...]

    def as_dict(self) -> dict:
        return dict(self.parts)

    def label(self, lang: str, registry: pd.DataFrame | None = None) -> str:
        """'inbound FY2023' / '受入 2023年度' (Markdown-safe: names from the data are escaped)."""
        words = []
        for name, value in self.parts:
            if value is None:
                continue
            if name in ("fiscal_year", "year"):
                words.append(period_label(int(value), "fiscal" if name == "fiscal_year" else "calendar", lang,
                                          short=True))
            elif name in WORDS and str(value) in catalogue():
                words.append(t(str(value), lang))
            elif name == "indicator" and registry is not None and value in registry.index:
                words.append(md(indicator_name(registry, value, lang)))
            elif name == "country":
                words.append(md(country_name(value, lang)))
            else:
                words.append(md(value))
        return " ".join(words) if words else t("plan.whole_dataset", lang)


@dataclass
class SliceLine:
    slice: Slice
    action: str  # add | replace | overlap | keep
    incoming: int
    stored: int


@dataclass
class ImportPlan:
    """What committing ``result`` in ``mode`` would do to the stored data, before anything is written."""

    dataset: str
    mode: str
    file_name: str
    sha256: str
    rows: int
    keys: list[str]
    lines: list[SliceLine]
    others_kept: int
    duplicates: pd.DataFrame
    base_revision: int
    token: str
    stored_as: int | None = None  # this very plan was committed already (second click, replay)
    registry: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def overlaps(self) -> list[SliceLine]:
        return [line for line in self.lines if line.action == "overlap"]

    @property
    def replaced(self) -> list[SliceLine]:
        return [line for line in self.lines if line.action == "replace"]

    def refusals(self, *, reason: str = "") -> list[str]:
        """Catalogue keys of what stops this plan (empty: it may be committed)."""
        out = []
        if self.stored_as is not None:
            out.append("plan.already_stored")
        if self.overlaps:
            out.append("plan.overlap_refused")
        if not self.duplicates.empty and not reason.strip():
            out.append("plan.duplicate_refused")
        return out

    def replace_slices(self) -> list[dict]:
        """What a replace removes: exactly the slices the file holds (never more)."""
        return [line.slice.as_dict() for line in self.lines if line.action != "keep"]

    def sentences(self, lang: str) -> list[str]:
        """The plan in words (Markdown-safe), one sentence per slice, then what is left alone."""
        out = []
        for line in self.lines:
            label = line.slice.label(lang, self.registry)
            if line.action == "replace":
                out.append(t("plan.replaces", lang, slice=label, stored=line.stored, incoming=line.incoming))
            elif line.action == "overlap":
                out.append(t("plan.overlaps", lang, slice=label, stored=line.stored, incoming=line.incoming))
            elif line.action == "add":
                out.append(t("plan.adds", lang, slice=label, incoming=line.incoming))
            else:
                out.append(t("plan.keeps", lang, slice=label, stored=line.stored))
        if self.others_kept:
            out.append(t("plan.others_kept", lang, n=self.others_kept))
        return out

    def duplicate_sentence(self, lang: str) -> str | None:
        if self.duplicates.empty:
            return None
        first = self.duplicates.iloc[-1]
        return t("plan.duplicate", lang, revision=int(first["revision"]), date=format_date(first["created_at"], lang),
                 user=md(first["user"]), file=md(first["file_name"]), sha=self.sha256[:12])


def slice_keys(dataset: str, result: ImportResult) -> list[str]:
    """The file's constant columns and the dataset's key columns (REPLACE_KEYS), periods last."""
    keys = [k for k in result.constants if k != "source"]
    keys += [k for k in REPLACE_KEYS[dataset] if k not in keys]
    period = PERIOD_KEY.get(dataset)
    if period in keys:
        keys = [k for k in keys if k != period] + [period]
    return keys


def slice_counts(frame: pd.DataFrame, keys: list[str]) -> dict[Slice, int]:
    """Rows per slice (a missing value is its own slice: peers' institution, own values without one)."""
    if frame is None or frame.empty:
        return {}
    if not keys:
        return {Slice(()): len(frame)}
    parts = frame[keys].astype(object).where(frame[keys].notna(), None)
    sizes = parts.groupby(keys, dropna=False, sort=True, observed=True).size()
    out = {}
    for index, count in sizes.items():
        values = index if isinstance(index, tuple) else (index,)
        out[Slice(tuple((k, _plain(v)) for k, v in zip(keys, values)))] = int(count)
    return out


def _frame_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def make_plan(result: ImportResult, *, mode: str, current: pd.DataFrame | None = None, nonce: str = "",
              registry: pd.DataFrame | None = None, engine=None) -> ImportPlan:
    """The plan for committing a validated ``result``; ``nonce`` names the attempt (the uploaded file's id).

    Two plans with the same nonce, file content and mode share one token, so the second commit of the same
    attempt (a double click, a replayed request, a rerun) stores nothing; ``stored_as`` then names its revision.
    """
    if mode not in ("append", "replace"):
        raise ValueError("mode must be append or replace")
    dataset = result.dataset
    engine = engine or storage.get_engine()
    base = storage.dataset_revision(dataset, engine=engine)
    current = storage.load(dataset, engine=engine) if current is None else current
    keys = slice_keys(dataset, result)
    incoming = slice_counts(result.frame, keys)
    stored = slice_counts(current, keys)
    lines = []
    for part, count in incoming.items():
        have = stored.get(part, 0)
        action = "add" if have == 0 else ("replace" if mode == "replace" else "overlap")
        lines.append(SliceLine(part, action, count, have))
    period = PERIOD_KEY.get(dataset)
    periods = {part.as_dict().get(period) for part in incoming} if period in keys else None
    kept = [SliceLine(part, "keep", 0, count) for part, count in stored.items() if part not in incoming
            and (periods is None or part.as_dict().get(period) in periods)]
    others = len(stored) - len([p for p in stored if p in incoming]) - len(kept)
    # Without a nonce (the CLI) the attempt is "this content on this base": a replay after the commit finds a new
    # base and meets the overlap and duplicate checks instead.
    payload = json.dumps([dataset, mode, result.sha256, _frame_hash(result.frame), nonce or f"base:{base}"],
                         default=str)
    token = hashlib.sha256(payload.encode()).hexdigest()
    stored_as = _revision_of_token(token, engine)
    return ImportPlan(dataset=dataset, mode=mode, file_name=result.file_name, sha256=result.sha256,
                      rows=len(result.frame), keys=keys, lines=lines + kept, others_kept=others,
                      duplicates=storage.revisions_with_sha(dataset, result.sha256, engine=engine),
                      base_revision=base, token=token, stored_as=stored_as, registry=registry)


def _revision_of_token(token: str, engine) -> int | None:
    import sqlalchemy as sa

    with engine.connect() as conn:
        found = conn.execute(sa.select(storage.revisions.c.revision)
                             .where(storage.revisions.c.plan_token == token)).scalar()
    return int(found) if found is not None else None


def file_slices(result: ImportResult) -> list[dict]:
    """The slices ``result`` holds, as dicts column -> value (what a replace of it removes)."""
    return [part.as_dict() for part in slice_counts(result.frame, slice_keys(result.dataset, result))]


def after(plan: ImportPlan, result: ImportResult, datasets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The datasets as they would be after committing the plan (nothing is written): for the value diff."""
    return apply_slices(datasets, result, slices=plan.replace_slices() if plan.mode == "replace" else None)


def apply_slices(datasets: dict[str, pd.DataFrame], result: ImportResult, *,
                 slices: list[dict] | None) -> dict[str, pd.DataFrame]:
    """``datasets`` with the rows in ``slices`` removed from the result's dataset and the result's rows added."""
    current = datasets[result.dataset]
    kept = current
    if slices and len(current):
        inside = pd.Series(False, index=current.index)
        for part in slices:
            match = pd.Series(True, index=current.index)
            for name, value in part.items():
                column = current[name].astype(object)
                match &= column.isna() if value is None else column.map(_plain).eq(value)
            inside |= match
        kept = current[~inside]
    incoming = result.frame.reset_index(drop=True).reindex(columns=current.columns)
    out = dict(datasets)
    out[result.dataset] = pd.concat([kept, incoming], ignore_index=True) if len(kept) else incoming
    return out


def commit(plan: ImportPlan, result: ImportResult, *, user: str, note: str = "", reason: str = "", engine=None,
           progress=None) -> int:
    """Store the plan once: refused (PlanRefused) while it has refusals; AlreadyStored / StalePlan from storage."""
    refused = plan.refusals(reason=reason)
    if refused:
        raise PlanRefused(refused)
    if not result.ok:
        raise ValueError(f"{len(result.errors)} error(s); nothing was stored")
    if reason.strip() and not plan.duplicates.empty:
        note = f"{note} [duplicate file confirmed: {reason.strip()}]".strip()
    return storage.store(plan.dataset, result.frame, mode=plan.mode, user=user, file_name=result.file_name,
                         sha256=result.sha256, note=note, slices=plan.replace_slices() if plan.mode == "replace"
                         else None, token=plan.token, expect_base=plan.base_revision, engine=engine,
                         progress=progress)


# --- rollback ------------------------------------------------------------------------------------------------------

@dataclass
class RollbackPlan:
    """Restoring ``dataset`` to its state right after ``revision``: the record chosen and the effect on KPIs."""

    dataset: str
    revision: int
    record: dict
    base_revision: int
    token: str
    diff: pd.DataFrame  # indicator, period, before, after (the upload's value diff)
    rows_now: int
    rows_after: int
    unchanged: bool  # the dataset already holds exactly that state

    def refusals(self) -> list[str]:
        return ["plan.rollback_nothing"] if self.unchanged else []


def dataset_revisions(dataset: str, *, engine=None) -> pd.DataFrame:
    """The revisions of one dataset, newest first (what the rollback picker offers)."""
    history = storage.history(engine=engine)
    return history[history["dataset"] == dataset].sort_values("revision", ascending=False, ignore_index=True)


def describe_revision(record, lang: str) -> str:
    """'r7 · 2026-11-26 14:03 · hanako@… · inbound.csv · note' (plain text for a select box)."""
    parts = [t("plan.revision_label", lang, revision=int(record["revision"])), format_datetime(record["created_at"], lang),
             str(record["user"]), t(str(record["action"]), lang)]
    if record["file_name"]:
        parts.append(str(record["file_name"]))
    if record["note"]:
        parts.append(note_text(str(record["note"]), lang))
    return " · ".join(parts)


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if len(a) != len(b):
        return False
    if a.empty:
        return True
    key = list(a.columns)
    return (a.astype(str).sort_values(key, ignore_index=True)
            .equals(b[key].astype(str).sort_values(key, ignore_index=True)))


def rollback_plan(dataset: str, revision: int, *, values_of, engine=None) -> RollbackPlan:
    """What restoring ``dataset`` to right after ``revision`` changes; ``values_of(datasets)`` computes the KPIs."""
    engine = engine or storage.get_engine()
    record = dataset_revisions(dataset, engine=engine).set_index("revision", drop=False)
    if revision not in record.index:
        raise storage.StorageError("store.not_of_dataset", revision=revision, dataset=dataset)
    base = storage.dataset_revision(dataset, engine=engine)
    now = storage.load_all(engine=engine)
    if dataset not in now:  # check-ins and events (kpi.store.notes) roll back like data, beside the figures
        now[dataset] = storage.load(dataset, engine=engine)
    restored = dict(now)
    restored[dataset] = storage.load(dataset, at_revision=revision, engine=engine)
    diff = value_diff(values_of(now), values_of(restored))
    token = hashlib.sha256(json.dumps(["rollback", dataset, revision, base]).encode()).hexdigest()
    return RollbackPlan(dataset=dataset, revision=revision, record=record.loc[revision].to_dict(),
                        base_revision=base, token=token, diff=diff, rows_now=len(now[dataset]),
                        rows_after=len(restored[dataset]), unchanged=_same_rows(now[dataset], restored[dataset]))


def commit_rollback(plan: RollbackPlan, *, user: str, note: str = "", engine=None) -> int:
    if plan.refusals():
        raise PlanRefused(plan.refusals())
    return storage.rollback(plan.revision, dataset=plan.dataset, user=user, note=note, token=plan.token,
                            expect_base=plan.base_revision, engine=engine)
