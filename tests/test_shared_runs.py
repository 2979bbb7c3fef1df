"""What every session's run shares: the memo of per-revision results, turns between runs, prepared grids and pages.
(How much faster a run is for it is measured by bench/load.py, never here.)"""

import threading
from types import SimpleNamespace

import pandas as pd
import pytest

from kpi.app import grid, nav, turns
from kpi.app.memo import Memo


def test_sessions_asking_at_once_share_one_build():
    memo, builds, release = Memo(max_entries=4), [], threading.Event()
    started = threading.Barrier(9)
    values = [None] * 8

    def build():
        builds.append(1)
        release.wait(timeout=30)  # the others arrive while it is under way (or after it): none builds again
        return object()

    def ask(k):
        started.wait(timeout=30)
        values[k] = memo.get(("db", 1), build)

    threads = [threading.Thread(target=ask, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    started.wait(timeout=30)
    release.set()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert all(v is values[0] for v in values)


@pytest.mark.parametrize("asked, kept", [
    pytest.param(["a", "b", "c"], {"b", "c"}, id="oldest-goes"),
    pytest.param(["a", "b", "a", "c"], {"a", "c"}, id="least-recently-used-goes"),
    pytest.param(["a", "a", "a"], {"a"}, id="one-key"),
])
def test_the_memo_keeps_the_most_recently_used(asked, kept):
    memo = Memo(max_entries=2)
    for key in asked:
        memo.get(key, lambda key=key: key.upper())
    assert set(memo._items) == kept


def test_a_failed_build_is_not_kept():
    memo, calls = Memo(max_entries=2), []

    def fails():
        calls.append(1)
        raise RuntimeError("database gone")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            memo.get("k", fails)
    assert len(calls) == 2 and memo.get("k", lambda: 5) == 5


def test_a_run_waits_for_the_turn_of_the_run_before_it():
    order, holding, done = [], threading.Event(), threading.Event()

    def first():
        with turns.turn():
            holding.set()
            done.wait(timeout=30)
            order.append("first")

    def second():
        holding.wait(timeout=30)
        done.set()  # the first may now finish; the second only starts after it has
        with turns.turn():
            order.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == ["first", "second"]


def test_long_work_never_holds_the_others_up(monkeypatch):
    """A run that keeps its turn forever delays another by at most WAIT_S; one that steps aside, not at all."""
    monkeypatch.setattr(turns, "WAIT_S", 0.05)
    holding, finish, ran = threading.Event(), threading.Event(), []

    def long_run(step_aside: bool):
        with turns.turn():
            holding.set()
            if step_aside:
                turns.step_aside()
            finish.wait(timeout=30)

    for step_aside in (False, True):
        holding.clear()
        finish.clear()
        runner = threading.Thread(target=long_run, args=(step_aside,))
        runner.start()
        holding.wait(timeout=30)
        with turns.turn():  # goes ahead while the long run is still running
            ran.append(step_aside)
        finish.set()
        runner.join()
    assert ran == [False, True]
    assert turns._TURN.acquire(blocking=False)  # nothing left holding the turn
    turns._TURN.release()


def test_pages_are_made_once_per_language_and_copied_per_run():
    made = []

    def build():
        made.append(1)
        return [SimpleNamespace(title="概要", _can_be_called=False)]

    first = nav.pages("test-ja", build=build)
    first[0]._can_be_called = True  # what st.navigation does to the page it runs
    second = nav.pages("test-ja", build=build)
    assert len(made) == 1
    assert second[0] is not first[0] and second[0].title == "概要" and second[0]._can_be_called is False


def _card(**columns) -> pd.DataFrame:
    base = {"id": ["a", "b"], "name": ["協定校数", "<b>Bold</b>"], "now": ["順調", "要注意"]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize("columns, expected", [
    pytest.param({}, ("name", "now"), id="shown-in-the-grid-order"),
    pytest.param({"checkin": ["", ""]}, ("name", "now"), id="an-empty-check-in-column-gives-its-room"),
    pytest.param({"checkin": ["予定どおり", ""]}, ("name", "now", "checkin"), id="a-check-in-column-in-use"),
])
def test_grid_columns(columns, expected):
    prepared = grid.prepare(_card(**columns), code="ja", phone_columns=("now",))
    assert prepared.order == expected
    assert prepared.cells.column_names == ["id", *expected]
    assert prepared.ids == ("a", "b")


def test_grid_wraps_a_period_after_the_wave_dash_and_escapes_the_phone_list():
    prepared = grid.prepare(_card(when=["2023年4月〜2024年3月", "2024年"]), code="ja", phone_columns=("now", "when"))
    assert prepared.cells.column("when").to_pylist() == ["2023年4月〜 2024年3月", "2024年"]
    assert "&lt;b&gt;Bold&lt;/b&gt;" in prepared.phone and "<b>Bold" not in prepared.phone
    assert 'href="indicator?kpi=a&lang=ja"' in prepared.phone


@pytest.mark.parametrize("why, px", [
    pytest.param("", grid.WRAP_ROW_PX, id="three-lines-at-least"),
    pytest.param("遅れ" * 60, 6 * grid.LINE_PX + 10, id="a-long-reason-grows-its-row"),
    pytest.param("遅れ" * 500, grid.MOST_LINES * grid.LINE_PX + 10, id="eight-lines-at-most"),
])
def test_a_row_is_as_tall_as_its_longest_reason(why, px):
    assert grid.row_px(pd.DataFrame({"why": [why]}), grid.WIDTHS) == px
