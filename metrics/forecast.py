"""Foresight for a KPI: growth needed and achieved, a count-safe trend (log-linear / Poisson) with an interval."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

MIN_POINTS_FOR_TREND = 4  # with fewer, growth is the plain rate between the first and last points, no interval
HISTORY_WINDOW = 6  # the trend is fitted on the last six periods outside shock periods
INTERVAL = 0.80  # the fan shows an 80 % prediction interval
HORIZON = 30  # years beyond which "the target is reached in ..." is not a useful answer


def cagr(start: float, end: float, periods: float) -> float:
    """Compound annual growth rate from ``start`` to ``end`` over ``periods``; NaN where undefined."""
    if periods <= 0 or start is None or end is None or start <= 0 or end < 0 or math.isnan(start) or math.isnan(end):
        return math.nan
    return (end / start) ** (1.0 / periods) - 1.0


def required_growth(latest_period: int, latest_value: float, target_period: int, target_value: float) -> float:
    """Yearly growth needed from the latest actual to reach the target in its period."""
    return cagr(latest_value, target_value, target_period - latest_period)


def historical_growth(series: pd.DataFrame, *, window: int = 5) -> float:
    """Yearly growth over the last ``window`` periods (fewer when the history is shorter; NaN with one point)."""
    series = series.dropna(subset=["value"]).sort_values("period")
    if len(series) < 2:
        return math.nan
    last = series.iloc[-1]
    earlier = series[series["period"] >= last["period"] - window].iloc[0]
    return cagr(float(earlier["value"]), float(last["value"]), float(last["period"] - earlier["period"]))


def year_reached(latest_period: int, latest_value: float, target_value: float, growth: float, *,
                 direction: str = "up", horizon: int = HORIZON) -> int | None:
    """First period in which ``latest_value`` growing at ``growth`` a year meets the target (None: never/too far)."""
    if latest_value is None or math.isnan(latest_value) or growth is None or math.isnan(growth):
        return None
    sign = 1.0 if direction == "up" else -1.0
    if sign * (latest_value - target_value) >= 0:
        return int(latest_period)
    if latest_value <= 0 or target_value <= 0 or sign * growth <= 0 or growth <= -1:
        return None
    years = math.log(target_value / latest_value) / math.log(1.0 + growth)
    reached = int(latest_period + math.ceil(years - 1e-9))
    return reached if reached - latest_period <= horizon else None


def parse_periods(text: str | float | None) -> tuple[int, ...]:
    """``2020-2021`` or ``2020;2021`` or ``2008;2020-2021`` -> (2008, 2020, 2021); blank -> ()."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return ()
    out: set[int] = set()
    for part in str(text).replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            first, last = (int(p) for p in part.split("-", 1))
            out.update(range(first, last + 1))
        else:
            out.add(int(part))
    return tuple(sorted(out))


@dataclass
class Projection:
    """A trend in log space, anchored at the latest actual, with an interval that never goes below zero.

    ``growth`` is the fitted yearly growth (exp(slope) − 1); the mean path is ``anchor × (1 + growth)^h`` h periods
    after ``anchor_period``, so "the projection reaches the target" and "the growth achieved beats the growth
    needed" are the same statement. ``model`` is ``log-linear`` (OLS on log values), ``poisson`` (quasi-Poisson
    GLM, used when a fitted value is zero) or ``two-point`` (too few points to fit: the rate between the first and
    last, no interval). Shock periods are drawn but left out of the fit (``excluded``).
    """

    model: str
    fitted_points: int
    first_period: int
    anchor_period: int
    anchor_value: float
    growth: float
    frame: pd.DataFrame  # period, mean, lower, upper (lower/upper NaN for a two-point rate)
    excluded: tuple[int, ...] = field(default_factory=tuple)
    target_period: int | None = None
    value_at_target: float | None = None
    lower_at_target: float | None = None
    upper_at_target: float | None = None
    probability: float | None = None  # of meeting the target in its period

    @property
    def slope_per_period(self) -> float:
        """Change in the first projected period, in the indicator's unit (for quick reading)."""
        return float(self.anchor_value * self.growth)

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "frame"}
        out["excluded"] = list(self.excluded)
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[str, float, float, float, np.ndarray]:
    """(model, slope, slope variance, residual variance in log space, fitted log values)."""
    import statsmodels.api as sm

    design = sm.add_constant(x - x[-1])
    if (y > 0).all():
        model = sm.OLS(np.log(y), design).fit()
        return "log-linear", float(model.params[1]), float(model.cov_params()[1, 1]), float(model.scale), \
            np.asarray(model.fittedvalues)
    model = sm.GLM(y, design, family=sm.families.Poisson()).fit(scale="X2")
    fitted = np.asarray(model.fittedvalues)
    dispersion = float(model.scale) / max(float(fitted[-1]), 1e-9)  # var(log Y) ≈ φ / μ for a quasi-Poisson count
    return "poisson", float(model.params[1]), float(model.cov_params()[1, 1]), dispersion, np.log(np.maximum(fitted,
                                                                                                           1e-9))


def project(series: pd.DataFrame, *, until: int, target: float | None = None, direction: str = "up",
            shocks: tuple[int, ...] = (), window: int = HISTORY_WINDOW, ceiling: float | None = None
            ) -> Projection | None:
    """The trend of the last ``window`` periods outside ``shocks``, projected to ``until``; None with < 2 points.

    ``ceiling`` caps the band (100 for a percentage).
    """
    from scipy import stats

    data = series.dropna(subset=["value"]).sort_values("period")
    if data.empty:
        return None
    latest_period, latest_value = int(data["period"].iloc[-1]), float(data["value"].iloc[-1])
    fit = data[~data["period"].isin(shocks)].tail(window)
    excluded = tuple(int(p) for p in data["period"] if int(p) in shocks and int(p) >= int(fit["period"].min())) \
        if len(fit) else ()
    if len(fit) < 2:
        return None
    x = fit["period"].to_numpy(dtype=float)
    y = fit["value"].to_numpy(dtype=float)
    if len(fit) < MIN_POINTS_FOR_TREND:
        growth = cagr(float(y[0]), float(y[-1]), float(x[-1] - x[0]))
        if math.isnan(growth):
            return None
        model, var_slope, sigma2, log_fitted = "two-point", math.nan, math.nan, None
    else:
        try:
            model, slope, var_slope, sigma2, log_fitted = _fit(x, y)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return None  # no trend fits (negative or all-zero values an import accepts): say nothing, never raise
        with np.errstate(over="ignore"):
            growth = float(np.expm1(slope))  # inf for an absurd fit, never an exception
    # Anchor at the latest actual so the projection starts where the data ends (a shock or a zero cannot anchor).
    anchor_period, anchor = latest_period, latest_value
    if latest_period in shocks or latest_value <= 0:
        anchor_period = int(x[-1])
        anchor = float(np.exp(log_fitted[-1])) if log_fitted is not None else float(y[-1])
    if anchor <= 0:
        return None
    future = np.arange(anchor_period, max(until, anchor_period) + 1)
    h = (future - anchor_period).astype(float)
    with np.errstate(all="ignore"):  # an absurd fit may overflow; the numbers say so, nothing raises
        mean = anchor * (1.0 + growth) ** h
    z = stats.norm.ppf(0.5 + INTERVAL / 2)
    if model == "two-point":
        se = np.full_like(h, np.nan)
    else:
        se = np.sqrt(h ** 2 * var_slope + np.where(h > 0, sigma2, 0.0))
    with np.errstate(all="ignore"):
        lower, upper = mean * np.exp(-z * se), mean * np.exp(z * se)
    if ceiling is not None:
        mean, lower, upper = (np.minimum(a, ceiling) for a in (mean, lower, upper))
    frame = pd.DataFrame({"period": future.astype(int), "mean": mean, "lower": lower, "upper": upper})
    result = Projection(model=model, fitted_points=len(fit), first_period=int(x[0]), anchor_period=anchor_period,
                        anchor_value=anchor, growth=float(growth), frame=frame, excluded=excluded)
    if target is not None and not math.isnan(target) and until >= anchor_period:
        at = frame.iloc[-1]
        result.target_period = int(until)
        result.value_at_target = float(at["mean"])
        result.lower_at_target = float(at["lower"])
        result.upper_at_target = float(at["upper"])
        s, mean_at = float(se[-1]), float(at["mean"])
        if target <= 0:
            above = 1.0
        elif not math.isfinite(mean_at) or mean_at <= 0:
            above = 1.0 if mean_at == math.inf else 0.0
        elif math.isnan(s):
            above = math.nan
        elif s == 0:
            above = 1.0 if at["mean"] >= target else 0.0
        else:
            above = float(1 - stats.norm.cdf((math.log(target) - math.log(mean_at)) / s))
        result.probability = above if direction == "up" or math.isnan(above) else 1 - above
    return result
