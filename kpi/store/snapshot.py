"""The snapshot every reader shares: datasets at one revision, the evaluation and the scorecard (no Streamlit here).

The app caches ``build``'s result by revision and day (kpi/app/ui.py), `kpi values` and the exports call it directly,
so the Overview, the CLI, presentation mode, the deck and the PDF read the same status and outlook.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace

import pandas as pd

from kpi.store import storage
from kpi.text.i18n import format_date, t
from metrics.compute import compute_values
from metrics.evaluate import evaluate, scorecard
from metrics.forecast import Projection
from metrics.registry import load_registry, parse_filter, pillar_order

CATEGORY_COLUMNS = ("direction", "country", "school", "status")
CUBE_KEYS = ["fiscal_year", "direction", "country", "school", "status", "source"]


def mobility_cube(mobility: pd.DataFrame | None) -> pd.DataFrame:
    """The mobility rows summed over everything the pages filter or break down by: a million rows become a few
    thousand, so a filter change on Student mobility regroups thousands of rows, not millions."""
    if mobility is None or mobility.empty:
        return pd.DataFrame(columns=[*CUBE_KEYS, "students"])
    keys = [k for k in CUBE_KEYS if k in mobility]
    return mobility.groupby(keys, observed=True, dropna=False, as_index=False)["students"].sum()


def indicator_sources(datasets: dict[str, pd.DataFrame], registry: pd.DataFrame) -> dict[str, list[str]]:
    """The distinct ``source`` texts of the rows behind each indicator (for captions and the Data page)."""
    out = {}
    for spec in registry.itertuples(index=False):
        rows = datasets.get(spec.dataset)
        if rows is None or rows.empty:
            out[spec.id] = []
            continue
        if spec.dataset == "mobility":
            for key, value in parse_filter(spec.filter).items():
                rows = rows[rows[key] == value]
        elif spec.dataset == "indicators":
            rows = rows[rows["indicator"] == spec.id]
        out[spec.id] = sorted({str(s) for s in rows["source"].dropna() if str(s).strip()})
    return out


def is_illustrative(sources: list[str]) -> bool:
    """Rows without a named source, or labelled illustrative, must not pass as the university's figures."""
    return not sources or any(s.lower().startswith("illustrative") for s in sources)


@dataclass(frozen=True)
class Snapshot:
    """Everything a page, the CLI or an export shows, computed once per data revision and day."""

    revision: int
    judged_on: dt.date  # the day statuses are judged on (staleness is relative to it)
    datasets: dict[str, pd.DataFrame]
    evaluation: pd.DataFrame  # metrics.evaluate.Evaluation: one row per KPI and period
    scorecard: pd.DataFrame  # the latest row of every KPI
    projections: dict[str, Projection | None]
    registry: pd.DataFrame
    history: pd.DataFrame
    sources: dict[str, list[str]]
    mobility_cube: pd.DataFrame  # students summed by fiscal year, direction, country, school, status and source
    # Check-ins and events (kpi.store.notes) at the same revision: never part of ``datasets``, which are the figures.
    notes: dict[str, pd.DataFrame] = field(default_factory=dict)


    @property
    def values(self) -> pd.DataFrame:
        """Every KPI value with its evaluation (the table `kpi values` prints)."""
        return self.evaluation[self.evaluation["period"].notna()].reset_index(drop=True)

    @property
    def summary(self) -> pd.DataFrame:
        return self.scorecard

    @functools.cached_property
    def empty(self) -> bool:
        """No value at all. Every page asks on every run: worked out once per snapshot (it is read-only)."""
        return not self.evaluation["period"].notna().any()

    def series(self, indicator: str) -> pd.DataFrame:
        return self.values[self.values["indicator"] == indicator]

    def loaded(self, dataset: str | None, lang: str) -> str:
        """'Loaded: revision N, 26 November 2026' for analysts: when the data came in, not what date it describes."""
        rows = self.history if dataset is None else self.history[self.history["dataset"] == dataset]
        if rows.empty:
            return "–"
        last = rows.iloc[-1]
        return t("sc.loaded", lang, revision=int(last["revision"]), date=format_date(last["created_at"], lang))


def build(datasets: dict[str, pd.DataFrame], history: pd.DataFrame, *, revision: int,
          judged_on: dt.date | None = None) -> Snapshot:
    """Evaluate every KPI of ``datasets`` (one revision) as of ``judged_on`` (today by default)."""
    day = judged_on or dt.date.today()
    mobility = datasets.get("mobility")
    if mobility is not None:
        # Few distinct values over many rows: categories make the pages' filters and group-bys several times faster.
        for column in CATEGORY_COLUMNS:
            if column in mobility and mobility[column].dtype != "category":
                mobility[column] = mobility[column].astype("category")
    registry = load_registry()
    values = compute_values(datasets, registry)
    evaluation, projections = evaluate(values, datasets.get("targets"), registry, as_of=day)
    card = scorecard(evaluation)  # in the one order (pillar, then registry) every output lists the KPIs in
    card = card.set_index("indicator").reindex([i for i in pillar_order(registry) if i in set(card["indicator"])])
    return Snapshot(revision=revision, judged_on=day, datasets=datasets, evaluation=evaluation,
                    scorecard=card.reset_index(), projections=projections, registry=registry,
                    history=history[history["revision"] <= revision] if not history.empty else history,
                    sources=indicator_sources(datasets, registry), mobility_cube=mobility_cube(mobility))


def load(*, engine=None, at_revision: int | None = None, judged_on: dt.date | None = None) -> Snapshot:
    """The snapshot of the stored data at its newest revision (or ``at_revision``)."""
    revision = at_revision or storage.latest_revision(engine=engine)
    datasets = storage.load_all(engine=engine, at_revision=revision)
    snap = build(datasets, storage.history(engine=engine), revision=revision, judged_on=judged_on)
    return with_notes(snap, engine=engine)


def with_notes(snap: Snapshot, *, engine=None) -> Snapshot:
    """``snap`` with the check-ins and events stored at its revision."""
    from kpi.store import notes

    return replace(snap, notes={name: notes.load(name, at_revision=snap.revision or None, engine=engine)
                                for name in notes.NOTE_DATASETS})
