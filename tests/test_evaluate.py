"""The evaluator as tables: 現状 (status against plan) and 見通し (outlook against target) with named cases."""

import datetime as dt
import math

import pandas as pd
import pytest

from metrics.evaluate import Evaluation, Outlook, Status, evaluate, judge, needs_action, needs_update, scorecard

FRESH = dt.date(2025, 6, 1)  # a 2024 calendar-year figure is current on this day


def registry(direction="up", kind="calendar", reference="calendar_year", shocks=""):
    return pd.DataFrame([{"id": "x", "pillar": "education", "unit": "students", "period_kind": kind,
                          "direction": direction, "reference_date": reference, "cycle_months": "12",
                          "shock_periods": shocks}]).set_index("id", drop=False)


def values(points: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"indicator": "x", "period": list(points), "value": [float(v) for v in points.values()]})


def targets(*rows) -> pd.DataFrame:
    """(baseline_period, baseline_value, target_period, target_value[, direction])."""
    return pd.DataFrame([{"indicator": "x", "baseline_period": r[0], "baseline_value": float(r[1]),
                          "target_period": r[2], "target_value": float(r[3]),
                          "direction": r[4] if len(r) > 4 else None, "milestones": None, "owner": "Office",
                          "source": "plan"} for r in rows])


def steady(first: int, last: int, start: float, growth: float) -> dict[int, float]:
    return {p: round(start * (1 + growth) ** (p - first), 3) for p in range(first, last + 1)}


CASES = [
    pytest.param(registry(), values(steady(2020, 2024, 100, 0.05)), targets((2025, 120, 2030, 200)), FRESH,
                 {"period": 2024, "status": "before_baseline", "target_period": 2030, "outlook": "unlikely"},
                 id="before baseline: no plan to judge against yet, the outlook still speaks"),
    pytest.param(registry(), values(steady(2015, 2024, 100, 0.02)), targets((2012, 90, 2017, 200)), FRESH,
                 {"status": "no_target", "status_reason": "target_expired", "target_period": None,
                  "closed_target_period": 2017, "closed_result": "missed", "outlook": "no_target"},
                 id="expired target: judged once as missed, then no target in force"),
    pytest.param(registry(), values(steady(2015, 2024, 100, 0.06)), targets((2012, 90, 2017, 110),
                                                                               (2017, 110, 2030, 200)), FRESH,
                 {"target_period": 2030, "closed_target_period": 2017, "closed_result": "achieved",
                  "status": "on_track"},
                 id="next target taking over: the 2017 target is judged, the 2030 one is in force"),
    pytest.param(registry(kind="fiscal", reference="may_1"), values(steady(2015, 2019, 100, 0.05)),
                 targets((2015, 100, 2030, 200)), dt.date(2026, 11, 26),
                 {"period": 2019, "status": "stale", "status_reason": "overdue", "stale": True},
                 id="stale value: a 1 May 2019 census is overdue for an update in 2026, not judged as current"),
    pytest.param(registry(direction="down"), values({2019: 100, 2020: 90, 2021: 81, 2022: 73, 2023: 66, 2024: 59}),
                 targets((2019, 100, 2030, 40)), FRESH,
                 {"status": "on_track", "outlook": "likely"},
                 id="down indicator: falling faster than planned is on track and on course"),
    pytest.param(registry(direction="down"), values({2019: 10, 2020: 9, 2021: 8, 2022: 7, 2023: 6, 2024: 5}),
                 targets((2019, 10, 2029, 0)), FRESH,
                 {"status": "on_track", "outlook": "unknown", "outlook_reason": "zero_target", "plan": 5.0},
                 id="target of zero: judged against the plan; steady growth cannot tell when zero is reached"),
    pytest.param(registry(), values(steady(2019, 2024, 100, 0.15)), targets((2019, 150, 2030, 300)), FRESH,
                 {"status": "behind", "outlook": "likely", "outlook_reason": "growth_enough"},
                 id="behind plan but on course: below the glide path, growing faster than needed"),
    pytest.param(registry(), values({p: 150 for p in range(2019, 2025)}), targets((2019, 100, 2030, 200)), FRESH,
                 {"status": "on_track", "outlook": "unlikely", "outlook_reason": "growth_short"},
                 id="ahead of plan but off course: above the glide path, but flat"),
    pytest.param(registry(), values(steady(2019, 2024, 100, 0.1)), targets((2019, 100, 2023, 140)), FRESH,
                 {"status": "no_target", "closed_target_period": 2023, "closed_result": "achieved"},
                 id="target met in its own period: achieved"),
    pytest.param(registry(), values({2024: 100}), targets((2024, 100, 2030, 200)), FRESH,
                 {"status": "on_track", "outlook": "unknown", "outlook_reason": "too_few_points"},
                 id="one point: no growth is claimed"),
    pytest.param(registry(), values({}), targets((2019, 100, 2030, 200)), FRESH,
                 {"status": "no_data", "period": None},
                 id="no data: one row that says so"),
]


@pytest.mark.parametrize("reg,vals,tgts,day,expected", CASES)
def test_latest_verdicts(reg, vals, tgts, day, expected):
    evaluation, _ = evaluate(vals, tgts, reg, as_of=day)
    Evaluation.validate(evaluation)
    row = scorecard(evaluation).iloc[0].to_dict()
    got = {k: (None if row[k] is pd.NA or (isinstance(row[k], float) and math.isnan(row[k])) else row[k])
           for k in expected}
    assert got == {k: pytest.approx(v) if isinstance(v, float) else v for k, v in expected.items()}


@pytest.mark.parametrize("value,period,direction,status,gap", [
    pytest.param(160, 2025, "up", Status.ON_TRACK, 6.67, id="above the plan"),
    pytest.param(145, 2025, "up", Status.AT_RISK, -3.33, id="within 5 % below"),
    pytest.param(140, 2025, "up", Status.BEHIND, -6.67, id="more than 5 % below"),
    pytest.param(205, 2025, "up", Status.ACHIEVED, 36.67, id="target reached early"),
    pytest.param(190, 2030, "up", Status.MISSED, -5.0, id="target period came, missed"),
    pytest.param(140, 2025, "down", Status.ON_TRACK, 6.67, id="down: below the plan is good"),
    pytest.param(155, 2025, "down", Status.AT_RISK, -3.33, id="down: within 5 % above"),
    pytest.param(math.nan, 2025, "up", Status.NO_DATA, math.nan, id="no value"),
])
def test_judge_against_plan(value, period, direction, status, gap):
    # Plan: 100 in 2020 to 200 in 2030 (up) or 200 to 100 (down); 150 in 2025 either way.
    target = ({"baseline_period": 2020, "baseline_value": 100, "target_period": 2030, "target_value": 200}
              if direction == "up" else
              {"baseline_period": 2020, "baseline_value": 200, "target_period": 2030, "target_value": 100})
    got, _, _, gap_pct = judge(value, period, target, direction=direction)
    assert got == status
    assert (math.isnan(gap) and math.isnan(gap_pct)) or gap_pct == pytest.approx(gap, abs=0.01)


def test_history_rows_judge_each_period_against_the_target_then_in_force():
    evaluation, _ = evaluate(values(steady(2015, 2024, 100, 0.05)), targets((2012, 90, 2017, 110),
                                                                             (2017, 110, 2030, 200)), registry(),
                             as_of=FRESH)
    by = evaluation.set_index("period")
    assert by.loc[2017, "status"] == Status.ACHIEVED and by.loc[2017, "target_period"] == 2017
    assert by.loc[2018, "target_period"] == 2030
    assert by.loc[2016, "outlook"] is None and by.loc[2024, "outlook"] is not None  # outlook: latest only


def test_outlook_and_projection_agree():
    """Projected value ≥ target exactly when growth achieved ≥ growth needed (the verdicts share their inputs)."""
    for growth in (0.0, 0.03, 0.06, 0.09):
        evaluation, projections = evaluate(values(steady(2019, 2024, 100, growth)),
                                           targets((2019, 100, 2030, 150)), registry(), as_of=FRESH)
        row = scorecard(evaluation).iloc[0]
        likely = row["outlook"] in (Outlook.LIKELY, Outlook.MET)
        assert likely == (row["growth_achieved"] >= row["growth_needed"])
        assert likely == (projections["x"].value_at_target >= 150 - 1e-9)


@pytest.mark.parametrize("status,outlook,action,update", [
    pytest.param("behind", "likely", True, False, id="behind plan but on course: still behind"),
    pytest.param("missed", "no_target", True, False, id="missed"),
    pytest.param("on_track", "unlikely", True, False, id="ahead of plan but off course"),
    pytest.param("at_risk", "likely", False, False, id="at risk but on course: left to run"),
    pytest.param("at_risk", "unlikely", True, False, id="at risk and off course"),
    pytest.param("stale", "unlikely", True, False, id="stale and off course"),
    pytest.param("stale", "met", False, True, id="stale only: update the figures"),
    pytest.param("achieved", "met", False, False, id="achieved"),
])
def test_needs_action_and_needs_update(status, outlook, action, update):
    card = pd.DataFrame({"indicator": ["x"], "status": [status], "outlook": [outlook]})
    assert (len(needs_action(card)) == 1, len(needs_update(card)) == 1) == (action, update)


def test_needs_action_puts_the_worst_first():
    card = pd.DataFrame({"indicator": list("abcd"), "status": ["at_risk", "behind", "missed", "on_track"],
                         "outlook": ["unlikely", "likely", "no_target", "unlikely"]})
    assert needs_action(card)["indicator"].tolist() == ["c", "b", "a", "d"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(points=st.dictionaries(st.integers(2010, 2026), st.floats(0, 1e5), max_size=12),
       target=st.tuples(st.integers(2008, 2030), st.floats(0, 1e5), st.integers(0, 15), st.floats(0, 1e5),
                        st.sampled_from(["up", "down", None])),
       day=st.dates(dt.date(2015, 1, 1), dt.date(2035, 1, 1)))
def test_anything_an_import_accepts_is_evaluated_without_raising(points, target, day):
    baseline, base_value, years, goal, direction = target
    evaluation, projections = evaluate(values(points), targets((baseline, base_value, baseline + years, goal,
                                                                  direction)), registry(shocks="2020-2021"), as_of=day)
    Evaluation.validate(evaluation)
    assert len(scorecard(evaluation)) == 1
    for projection in projections.values():
        if projection is not None:
            assert (projection.frame[["mean", "lower", "upper"]].dropna() >= 0).all().all()
