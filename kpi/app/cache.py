"""Per-revision results every session shares: built once per (database, revision, day, language, selection).

The snapshot is cached by revision (kpi.app.ui.snapshot); what the pages build from it — the Overview's scorecard
and action frames with their sparklines, the strategy sentence, the target sources — was built again on every run
of every session. Here each is built once and shared read-only (st.cache_resource: one object for all sessions, no
copy per run; st.dataframe and st.table read their data without changing it, and the pages only read these).
Charts likewise: a page names what its chart depends on and gets one prepared figure (kpi.app.ui.Chart) to draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import streamlit as st

from kpi.app.ui import Chart
from kpi.store import storage
from kpi.store.notes import latest_checkins
from kpi.store.snapshot import Snapshot
from kpi.text import safe_text
from kpi.text.i18n import column_labels
from kpi.views import kpi_view
from kpi.views.narrative import action_frame, strategy_sentence, target_sources_frame, update_line
from metrics.registry import PILLARS

T = TypeVar("T")
# Languages × pillar selections × the revisions and days still being viewed: small frames, a few KB each.
MAX_ENTRIES = 512


@dataclass(frozen=True)
class OverviewView:
    """What the Overview shows for one pillar selection, in one language: read-only, shared by every session."""

    sentence: str
    actions: pd.DataFrame  # 要対応: id, name, now, outlook, why, owner, checkin
    action_table: pd.DataFrame  # the same as the table shows it: without now and outlook (the reason says both)
    update_line: str
    scorecard: pd.DataFrame  # id, name, latest, when, change, target, progress, now, outlook, trend (sparkline)
    sources: pd.DataFrame  # the targets' sources, Markdown-safe, headers in the language


def selection(chosen) -> tuple[str, ...]:
    """The chosen pillars in the registry's order, so that the order of clicks does not make another entry."""
    return tuple(p for p in PILLARS if p in set(chosen))


def overview(snap: Snapshot, lang: str, chosen) -> OverviewView:
    return _overview(storage.database_url(), snap.revision, snap.judged_on, lang, selection(chosen), _snap=snap)


@st.cache_resource(show_spinner=False, max_entries=MAX_ENTRIES)
def _overview(url: str, revision: int, day: dt.date, lang: str, pillars: tuple[str, ...], *,
              _snap: Snapshot) -> OverviewView:
    """Keyed by the database, revision and day the snapshot was built for (``_snap`` is that snapshot)."""
    card = _snap.scorecard[_snap.scorecard["pillar"].isin(pillars)]
    sources = target_sources_frame(card, _snap.registry, lang)
    # st.table renders Markdown in its cells: sources are user text, shown as typed (kpi.text.safe_text).
    shown = sources.map(lambda v: safe_text.md(v) if isinstance(v, str) else v)
    actions = action_frame(card, _snap.registry, lang, latest_checkins((_snap.notes or {}).get("checkins")))
    return OverviewView(sentence=strategy_sentence(card, lang), actions=actions,
                        action_table=actions.drop(columns=["now", "outlook"]),
                        update_line=update_line(card, _snap.registry, lang),
                        scorecard=kpi_view.scorecard_frame(kpi_view.build_all(_snap, lang, pillars=pillars), _snap.values),
                        sources=shown.rename(columns=column_labels(sources.columns, lang)))


def chart(snap: Snapshot, name: str, *key, build: Callable[[], Chart]) -> Chart:
    """A chart of ``snap`` prepared once (``build``, e.g. ``lambda: ui.chart(charts.kpi_trend(...), ...)``) per
    database, revision, day, ``name`` and ``key`` — which must name everything ``build`` reads beyond the snapshot
    (the language, the indicator, the filters) — and drawn by every session with ``ui.draw``."""
    return shared(snap, name, *key, build=build)


def shared(snap: Snapshot, name: str, *key, build: Callable[[], T]) -> T:
    """Any read-only result of ``snap`` built once per database, revision, day, ``name`` and ``key`` (see chart)."""
    return _shared(storage.database_url(), snap.revision, snap.judged_on, name, key, _build=build)


@st.cache_resource(show_spinner=False, max_entries=MAX_ENTRIES)
def _shared(url: str, revision: int, day: dt.date, name: str, key: tuple, *, _build: Callable[[], T]) -> T:
    return _build()
