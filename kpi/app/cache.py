"""Per-revision results every session shares: built once per (database, revision, day, language, selection).

The snapshot is cached by revision (kpi.app.ui.snapshot); what the pages build from it — the Overview's scorecard
and action frames with their sparklines, the strategy sentence, the target sources — was built again on every run
of every session. Here each is built once and shared read-only (kpi.app.memo: one object for all sessions, no
copy per run; st.dataframe and st.table read their data without changing it, and the pages only read these).
Charts likewise: a page names what its chart depends on and gets one prepared figure (kpi.app.ui.Chart) to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import pyarrow as pa

from kpi.app import grid
from kpi.app.memo import Memo
from kpi.app.ui import Chart
from kpi.store import storage
from kpi.store.notes import latest_checkins
from kpi.store.snapshot import Snapshot
from kpi.text import safe_text
from kpi.text.i18n import column_labels, t
from kpi.views import kpi_view
from kpi.views.narrative import action_frame, date_text, strategy_sentence, target_sources_frame, update_line
from metrics.registry import PILLARS

T = TypeVar("T")
# Languages × pillar selections × the revisions and days still being viewed: small frames, a few KB each.
MAX_ENTRIES = 512
SHARED = Memo(max_entries=MAX_ENTRIES)


@dataclass(frozen=True)
class OverviewView:
    """What the Overview shows for one pillar selection, in one language: read-only, shared by every session."""

    sentence: str
    actions: pd.DataFrame  # 要対応: id, name, now, outlook, why, owner, checkin
    action_table: pd.DataFrame  # the same as the table shows it: without now and outlook (the reason says both)
    update_line: str
    scorecard: pd.DataFrame  # id, name, latest, when, change, target, progress, now, outlook, trend (sparkline)
    sources: pa.Table  # the targets' sources, Markdown-safe, headers in the language (Arrow, converted once)
    footer: str  # when the data was loaded and the day the statuses are judged on
    action_grid: grid.Grid  # 要対応 and the scorecard ready to draw (Arrow cells, column types, phone list)
    scorecard_grid: grid.Grid


def selection(chosen) -> tuple[str, ...]:
    """The chosen pillars in the registry's order, so that the order of clicks does not make another entry."""
    return tuple(p for p in PILLARS if p in set(chosen))


def overview(snap: Snapshot, lang: str, chosen) -> OverviewView:
    """Keyed by the database, revision and day the snapshot was built for, the language and the selection."""
    pillars = selection(chosen)
    return SHARED.get((storage.database_url(), snap.revision, snap.judged_on, "overview", (lang, pillars)),
                      lambda: _overview(snap, lang, pillars))


def _overview(_snap: Snapshot, lang: str, pillars: tuple[str, ...]) -> OverviewView:
    card = _snap.scorecard[_snap.scorecard["pillar"].isin(pillars)]
    sources = target_sources_frame(card, _snap.registry, lang)
    # st.table renders Markdown in its cells: sources are user text, shown as typed (kpi.text.safe_text).
    shown = sources.map(lambda v: safe_text.md(v) if isinstance(v, str) else v)
    actions = action_frame(card, _snap.registry, lang, latest_checkins((_snap.notes or {}).get("checkins")))
    action_table = actions.drop(columns=["now", "outlook"])
    scorecard = kpi_view.scorecard_frame(kpi_view.build_all(_snap, lang, pillars=pillars), _snap.values)
    return OverviewView(sentence=strategy_sentence(card, lang), actions=actions, action_table=action_table,
                        update_line=update_line(card, _snap.registry, lang), scorecard=scorecard,
                        sources=pa.Table.from_pandas(shown.rename(columns=column_labels(sources.columns, lang)),
                                                     preserve_index=False),
                        footer=f"{_snap.loaded(None, lang)} · " + t("sc.judged_on", lang,
                                                                  date=date_text(_snap.judged_on, lang)),
                        action_grid=grid.prepare(action_table, code=lang, phone_columns=("why", "owner", "checkin")),
                        scorecard_grid=grid.prepare(scorecard, code=lang,
                                                    phone_columns=("now", "outlook", "latest", "when", "target")))


def chart(snap: Snapshot, name: str, *key, build: Callable[[], Chart]) -> Chart:
    """A chart of ``snap`` prepared once (``build``, e.g. ``lambda: ui.chart(charts.kpi_trend(...), ...)``) per
    database, revision, day, ``name`` and ``key`` — which must name everything ``build`` reads beyond the snapshot
    (the language, the indicator, the filters) — and drawn by every session with ``ui.draw``."""
    return shared(snap, name, *key, build=build)


def shared(snap: Snapshot, name: str, *key, build: Callable[[], T]) -> T:
    """Any read-only result of ``snap`` built once per database, revision, day, ``name`` and ``key`` (see chart)."""
    return SHARED.get((storage.database_url(), snap.revision, snap.judged_on, name, key), build)
