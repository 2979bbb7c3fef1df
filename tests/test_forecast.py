"""Growth, what-if and projection maths as tables of named edge cases."""

import math

import pandas as pd
import pytest

from metrics.forecast import cagr, historical_growth, project, required_growth, year_reached


def series(points: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"period": list(points), "value": list(points.values())})


@pytest.mark.parametrize("name,args,expected", [
    ("doubling in one year", (100, 200, 1), 1.0),
    ("flat", (100, 100, 5), 0.0),
    ("zero start is undefined", (0, 10, 5), math.nan),
    ("no time is undefined", (100, 120, 0), math.nan),
])
def test_cagr(name, args, expected):
    got = cagr(*args)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected), name


def test_required_growth_from_latest_to_target():
    assert required_growth(2023, 100, 2025, 121) == pytest.approx(0.10)


@pytest.mark.parametrize("name,points,expected", [
    ("last five periods", {2017: 50, 2018: 100, 2019: 110, 2020: 120, 2021: 130, 2022: 140, 2023: 200}, 0.1486983),
    ("missing years use the real span", {2019: 100, 2023: 146.41}, 0.10),
    ("a single data point has no growth", {2023: 100}, math.nan),
])
def test_historical_growth(name, points, expected):
    got = historical_growth(series(points))
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected, rel=1e-5), name


@pytest.mark.parametrize("name,args,kwargs,expected", [
    ("10 % a year from 100 to 121 takes two years", (2023, 100, 121, 0.10), {}, 2025),
    ("already achieved", (2023, 130, 121, 0.10), {}, 2023),
    ("no growth never reaches", (2023, 100, 121, 0.0), {}, None),
    ("down indicator shrinking", (2023, 100, 81, -0.10), {"direction": "down"}, 2025),
    ("down indicator growing never reaches", (2023, 100, 81, 0.05), {"direction": "down"}, None),
    ("zero latest value cannot grow", (2023, 0, 10, 0.5), {}, None),
])
def test_year_reached(name, args, kwargs, expected):
    assert year_reached(*args, **kwargs) == expected, name


def test_projection_needs_enough_points():
    assert project(series({2021: 1, 2022: 2, 2023: 3}), until=2030, target=10) is None


def test_projection_of_a_clean_trend():
    result = project(series({2019: 10, 2020: 12, 2021: 13.9, 2022: 16.1, 2023: 18}), until=2030, target=20)
    assert result.fitted_points == 5
    assert result.slope_per_period == pytest.approx(2.0, abs=0.1)
    assert result.value_at_target == pytest.approx(32, abs=1)
    assert result.lower_at_target < result.value_at_target < result.upper_at_target
    assert result.probability > 0.95  # far above the target
    down = project(series({2019: 10, 2020: 12, 2021: 13.9, 2022: 16.1, 2023: 18}), until=2030, target=20,
                   direction="down")
    assert down.probability < 0.05
