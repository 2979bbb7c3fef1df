"""Foresight for a KPI: required vs historical growth, a fitted trend with a prediction interval, what-if years."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

MIN_POINTS_FOR_TREND = 4  # with fewer, say so instead of drawing a confident line
HISTORY_WINDOW = 5  # "the last five periods"
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


def historical_growth(series: pd.DataFrame, *, window: int = HISTORY_WINDOW) -> float:
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
    if latest_value <= 0 or sign * growth <= 0:
        return None
    years = math.log(target_value / latest_value) / math.log(1.0 + growth)
    reached = int(latest_period + math.ceil(years - 1e-9))
    return reached if reached - latest_period <= horizon else None


@dataclass
class Projection:
    """A linear trend fitted by OLS to the history, extrapolated with its prediction interval."""

    fitted_points: int
    slope_per_period: float
    frame: pd.DataFrame  # period, mean, lower, upper
    target_period: int | None = None
    value_at_target: float | None = None
    lower_at_target: float | None = None
    upper_at_target: float | None = None
    probability: float | None = None  # of meeting the target in its period

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "frame"}
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


def project(series: pd.DataFrame, *, until: int, target: float | None = None, direction: str = "up",
            window: int = 10) -> Projection | None:
    """Fit value ~ period on the last ``window`` points; None when there are too few points to say anything."""
    import statsmodels.api as sm
    from scipy import stats

    data = series.dropna(subset=["value"]).sort_values("period").tail(window)
    if len(data) < MIN_POINTS_FOR_TREND:
        return None
    x = data["period"].to_numpy(dtype=float)
    y = data["value"].to_numpy(dtype=float)
    model = sm.OLS(y, sm.add_constant(x)).fit()
    last = int(x[-1])
    future = np.arange(last, max(until, last) + 1, dtype=float)
    prediction = model.get_prediction(sm.add_constant(future, has_constant="add"))
    bands = prediction.summary_frame(alpha=1 - INTERVAL)
    frame = pd.DataFrame({"period": future.astype(int), "mean": bands["mean"].to_numpy(),
                          "lower": bands["obs_ci_lower"].to_numpy(), "upper": bands["obs_ci_upper"].to_numpy()})
    result = Projection(fitted_points=len(data), slope_per_period=float(model.params[1]), frame=frame)
    if target is not None and until >= last:
        at = frame.iloc[-1]
        se = float(np.sqrt(prediction.var_pred_mean[-1] + model.scale))
        dof = model.df_resid
        z = (target - float(at["mean"])) / se if se > 0 else math.inf * np.sign(target - float(at["mean"]))
        above = float(1 - stats.t.cdf(z, dof)) if dof > 0 else math.nan
        result.target_period = int(until)
        result.value_at_target = float(at["mean"])
        result.lower_at_target = float(at["lower"])
        result.upper_at_target = float(at["upper"])
        result.probability = above if direction == "up" else 1 - above
    return result
