"""Targets: glide paths (plans) between baseline, milestones and target; metrics.evaluate judges against them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.milestones import parse_milestones as strict_milestones

# The one place the status threshold lives (metrics.evaluate applies it; the app prints it from here).
AT_RISK_TOLERANCE = 0.05  # within 5 % short of the plan is "at risk", further is "behind"


def parse_milestones(text: str | float | None) -> list[tuple[int, float]]:
    """``2020:5;2022:7`` -> [(2020, 5.0), (2022, 7.0)]."""
    # Imports refuse malformed text (metrics.milestones); rows stored before that are read as no milestones.
    try:
        return strict_milestones(text)
    except ValueError:
        return []


def glide_points(target: pd.Series | dict) -> list[tuple[int, float]]:
    """Baseline, milestones and target as (period, value), in period order."""
    points = [(int(target["baseline_period"]), float(target["baseline_value"]))]
    points += parse_milestones(target.get("milestones"))
    points.append((int(target["target_period"]), float(target["target_value"])))
    return sorted(points)


def glide_path(target: pd.Series | dict, periods) -> np.ndarray:
    """Expected value at each period through baseline, milestones and target, flat outside them.

    Straight lines by default (counts); ``glide = compound`` grows at a steady rate between points, falling back
    to a straight line on a segment that starts or ends at zero or below.
    """
    points = glide_points(target)
    xs, ys = (np.array(v, dtype=float) for v in zip(*points))
    at = np.asarray(list(periods), dtype=float)
    linear = np.interp(at, xs, ys)
    if str(target.get("glide") or "linear") != "compound":
        return linear
    out = linear.copy()
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if y0 > 0 and y1 > 0 and x1 > x0:
            inside = (at >= x0) & (at <= x1)
            out[inside] = y0 * (y1 / y0) ** ((at[inside] - x0) / (x1 - x0))
    return out


def glide_frame(target: pd.Series | dict) -> pd.DataFrame:
    """The glide path as (period, expected) for every period from baseline to target, for charts."""
    periods = range(int(target["baseline_period"]), int(target["target_period"]) + 1)
    return pd.DataFrame({"period": list(periods), "expected": glide_path(target, periods)})
