"""kpi.app.cache: per-revision results shared by every session — keyed by everything they depend on, equal to what
the pages built per run before, and read-only. (How much faster that makes a run is measured in bench/load.py.)"""

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from kpi.app import cache
from kpi.store import storage
from kpi.views import kpi_view
from kpi.views.narrative import action_frame, strategy_sentence, update_line
from metrics.registry import PILLARS


@pytest.mark.parametrize("chosen, expected", [
    pytest.param(list(PILLARS), tuple(PILLARS), id="all"),
    pytest.param(list(PILLARS)[::-1], tuple(PILLARS), id="clicked-in-reverse-order"),
    pytest.param([PILLARS[1], PILLARS[1]], (PILLARS[1],), id="twice"),
    pytest.param([], (), id="none"),
])
def test_a_selection_is_one_key_whatever_the_order_of_clicks(chosen, expected):
    assert cache.selection(chosen) == expected


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("pillars", [pytest.param(list(PILLARS), id="all"), pytest.param([PILLARS[0]], id="one")])
def test_the_shared_overview_is_what_the_page_built_per_run(sample_db, sample_snapshot, lang, pillars):
    snap = sample_snapshot
    view = cache.overview(snap, lang, pillars)
    card = snap.scorecard[snap.scorecard["pillar"].isin(pillars)]
    assert view.sentence == strategy_sentence(card, lang)
    assert view.update_line == update_line(card, snap.registry, lang)
    pd.testing.assert_frame_equal(view.scorecard, kpi_view.scorecard_frame(kpi_view.build_all(snap, lang, pillars=pillars),
                                                                       snap.values))
    actions = action_frame(card, snap.registry, lang)
    pd.testing.assert_frame_equal(view.actions, actions)
    pd.testing.assert_frame_equal(view.action_table, actions.drop(columns=["now", "outlook"]))
    assert cache.overview(snap, lang, pillars[::-1]) is view  # shared: one object for every session


@dataclass(frozen=True)
class FakeSnapshot:
    revision: int
    judged_on: dt.date


@pytest.mark.parametrize("other, rebuilt", [
    pytest.param({}, False, id="same-revision-day-and-key"),
    pytest.param({"revision": 2}, True, id="new-revision"),
    pytest.param({"judged_on": dt.date(2026, 12, 4)}, True, id="next-day"),
    pytest.param({"key": ("ja",)}, True, id="other-language"),
    pytest.param({"url": "sqlite:///other.sqlite3"}, True, id="other-database"),
])
def test_a_shared_result_is_built_once_per_database_revision_day_and_key(monkeypatch, tmp_path, other, rebuilt):
    monkeypatch.setenv("KPI_DATABASE_URL", f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    builds = []

    def build():
        builds.append(1)
        return object()

    first = FakeSnapshot(1, dt.date(2026, 12, 3))
    made = cache.shared(first, "test-chart", "en", build=build)
    if "url" in other:
        monkeypatch.setenv("KPI_DATABASE_URL", other["url"])
    snap = FakeSnapshot(other.get("revision", 1), other.get("judged_on", first.judged_on))
    again = cache.shared(snap, "test-chart", *other.get("key", ("en",)), build=build)
    assert (again is not made) == rebuilt
    assert len(builds) == 1 + rebuilt
    assert storage.database_url()  # the key's database part is read the way the app reads it


def test_no_full_garbage_collection_after_every_run():
    """Streamlit's default gc.collect(2) after each run cost more than the run itself (bench/load.py)."""
    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
