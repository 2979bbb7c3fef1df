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


def test_projection_needs_two_points():
    assert project(series({2023: 3}), until=2030, target=10) is None
    two = project(series({2021: 100, 2023: 121}), until=2025, target=150)
    assert two.model == "two-point" and two.growth == pytest.approx(0.10) and math.isnan(two.lower_at_target)


def test_projection_of_a_clean_trend_grows_from_the_latest_actual():
    result = project(series({2019: 100, 2020: 110, 2021: 121, 2022: 133.1, 2023: 146.41}), until=2025, target=150)
    assert result.model == "log-linear" and result.fitted_points == 5
    assert result.growth == pytest.approx(0.10, abs=1e-6)
    assert result.frame["mean"].iloc[0] == pytest.approx(146.41)  # starts where the data ends
    assert result.value_at_target == pytest.approx(146.41 * 1.21)
    assert result.lower_at_target <= result.value_at_target <= result.upper_at_target
    assert result.probability > 0.95
    down = project(series({2019: 100, 2020: 110, 2021: 121, 2022: 133.1, 2023: 146.41}), until=2025, target=150,
                   direction="down")
    assert down.probability < 0.05


@pytest.mark.parametrize("name,points,kwargs", [
    ("small noisy counts", {2017: 3, 2018: 9, 2019: 2, 2020: 8, 2021: 1, 2022: 6, 2023: 2}, {}),
    ("a count with zeros uses a Poisson model", {2018: 0, 2019: 2, 2020: 0, 2021: 3, 2022: 1, 2023: 4}, {}),
    ("a falling count", {2018: 40, 2019: 30, 2020: 22, 2021: 15, 2022: 9, 2023: 5}, {}),
])
def test_interval_never_goes_below_zero(name, points, kwargs):
    result = project(series(points), until=2035, target=10, **kwargs)
    assert (result.frame[["mean", "lower", "upper"]].dropna() >= 0).all().all(), name
    assert (result.frame["lower"] <= result.frame["upper"]).all(), name


def test_shock_periods_are_left_out_of_the_fit_and_reported():
    points = {2016: 40, 2017: 41, 2018: 44, 2019: 47, 2020: 12, 2021: 20, 2022: 36, 2023: 45}
    with_shock = project(series(points), until=2030, target=60, shocks=(2020, 2021))
    assert with_shock.excluded == (2020, 2021) and with_shock.fitted_points == 6
    naive = project(series(points), until=2030, target=60)
    assert with_shock.growth > naive.growth  # the dip no longer drags the trend down
    assert with_shock.frame["mean"].iloc[0] == 45  # and it starts at the latest actual, not at a fitted 32


def test_a_percentage_band_stays_at_or_below_100():
    result = project(series({2019: 90, 2020: 93, 2021: 95, 2022: 97, 2023: 98}), until=2035, target=99, ceiling=100)
    assert result.frame["upper"].max() <= 100
