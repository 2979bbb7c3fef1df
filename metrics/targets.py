"""Targets: glide paths between baseline, milestones and target, and the status of each KPI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from metrics.forecast import historical_growth, project, required_growth, year_reached

# The one place the status thresholds live; the app prints them from here.
AT_RISK_TOLERANCE = 0.05  # within 5 % short of the glide path is "at risk", further is "off track"
STATUSES = ("achieved", "on_track", "at_risk", "off_track", "no_data")


def parse_milestones(text: str | float | None) -> list[tuple[int, float]]:
    """``2020:5;2022:7`` -> [(2020, 5.0), (2022, 7.0)]."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return []
    points = []
    for part in str(text).split(";"):
        period, value = part.split(":")
        points.append((int(period), float(value)))
    return sorted(points)


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


def status_of(value: float | None, *, expected: float, target: float, direction: str,
              period: int, target_period: int) -> str:
    """achieved / on_track / at_risk / off_track / no_data for one actual value against its glide path."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no_data"
    sign = 1.0 if direction == "up" else -1.0
    if sign * (value - target) >= 0:
        return "achieved"
    if period >= target_period:
        return "off_track"
    if sign * (value - expected) >= 0:
        return "on_track"
    if abs(value - expected) <= AT_RISK_TOLERANCE * abs(expected):
        return "at_risk"
    return "off_track"


def target_for(targets: pd.DataFrame, indicator: str, period: int | None) -> pd.Series | None:
    """The target that applies: the earliest not yet past at ``period``, else the latest one."""
    rows = targets[targets["indicator"] == indicator].sort_values("target_period")
    if rows.empty:
        return None
    if period is not None and not pd.isna(period):
        ahead = rows[rows["target_period"] >= period]
        if not ahead.empty:
            return ahead.iloc[0]
    return rows.iloc[-1]


def _foresight(series: pd.DataFrame, row: dict, *, direction: str) -> dict:
    """Required vs historical growth, the year reached at historical growth, and the projection to the target."""
    out = {"historical_growth": historical_growth(series), "required_growth": math.nan, "reach_year": None,
           "projection": None}
    if row["target_period"] is None or row["period"] is None:
        return out
    out["required_growth"] = required_growth(row["period"], row["value"], row["target_period"], row["target"])
    out["reach_year"] = year_reached(row["period"], row["value"], row["target"], out["historical_growth"],
                                     direction=direction)
    out["projection"] = project(series, until=max(row["target_period"], row["period"]), target=row["target"],
                                direction=direction)
    return out


def kpi_summary(values: pd.DataFrame, targets: pd.DataFrame | None, registry: pd.DataFrame) -> pd.DataFrame:
    """One row per registered indicator: latest value, change on the previous period, target and status."""
    rows = []
    targets = targets if targets is not None else pd.DataFrame(columns=["indicator", "target_period"])
    for spec in registry.itertuples(index=False):
        series = values[values["indicator"] == spec.id].sort_values("period")
        latest = series.iloc[-1] if len(series) else None
        previous = series.iloc[-2] if len(series) > 1 else None
        period = int(latest["period"]) if latest is not None else None
        target = target_for(targets, spec.id, period)
        row = {"indicator": spec.id, "pillar": spec.pillar, "unit": spec.unit, "period_kind": spec.period_kind,
               "period": period, "value": float(latest["value"]) if latest is not None else math.nan,
               "previous_period": int(previous["period"]) if previous is not None else None,
               "previous_value": float(previous["value"]) if previous is not None else math.nan,
               "target": math.nan, "target_period": None, "expected": math.nan, "target_source": "",
               "status": "no_data" if latest is None else "no_target"}
        row["change"] = row["value"] - row["previous_value"]
        row["change_pct"] = (100.0 * row["change"] / row["previous_value"]
                             if row["previous_value"] not in (0.0,) and not math.isnan(row["previous_value"])
                             else math.nan)
        if target is not None:
            direction = str(target.get("direction") or spec.direction)
            row.update(target=float(target["target_value"]), target_period=int(target["target_period"]),
                       target_source=str(target.get("source") or ""))
            if latest is not None:
                row["expected"] = float(glide_path(target, [period])[0])
                row["status"] = status_of(row["value"], expected=row["expected"], target=row["target"],
                                          direction=direction, period=period,
                                          target_period=row["target_period"])
        row["progress_pct"] = (100.0 * row["value"] / row["target"]
                               if row["target"] and not math.isnan(row["target"]) else math.nan)
        row.update(_foresight(series, row, direction=str(target.get("direction") or spec.direction)
                              if target is not None else spec.direction))
        rows.append(row)
    summary = pd.DataFrame(rows)
    for column in ("period", "previous_period", "target_period"):
        summary[column] = pd.array(summary[column].tolist(), dtype="Int64")  # missing stays <NA>, never 2022.0
    return summary


def evaluate_values(values: pd.DataFrame, targets: pd.DataFrame | None, registry: pd.DataFrame) -> pd.DataFrame:
    """Add target, target_period, glide_path and status to every value whose indicator has a target."""
    out = values.copy()
    out["target"] = np.nan
    out["target_period"] = pd.array([None] * len(out), dtype="Int64")
    out["glide_path"] = np.nan
    out["status"] = None
    if targets is None or targets.empty or out.empty:
        return out
    for index, row in out.iterrows():
        target = target_for(targets, row["indicator"], int(row["period"]))
        if target is None or int(row["period"]) < int(target["baseline_period"]):
            continue  # no target applies before its baseline
        direction = str(target.get("direction") or registry.loc[row["indicator"], "direction"])
        expected = float(glide_path(target, [row["period"]])[0])
        out.at[index, "target"] = float(target["target_value"])
        out.at[index, "target_period"] = int(target["target_period"])
        out.at[index, "glide_path"] = expected
        out.at[index, "status"] = status_of(float(row["value"]), expected=expected,
                                            target=float(target["target_value"]), direction=direction,
                                            period=int(row["period"]), target_period=int(target["target_period"]))
    return out


def glide_frame(target: pd.Series | dict) -> pd.DataFrame:
    """The glide path as (period, expected) for every period from baseline to target, for charts."""
    periods = range(int(target["baseline_period"]), int(target["target_period"]) + 1)
    return pd.DataFrame({"period": list(periods), "expected": glide_path(target, periods)})
