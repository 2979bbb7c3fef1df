"""The evaluator: one row per KPI and period with actual, plan, target in force, 現状 (status) and 見通し (outlook).

Every page, `kpi values`, presentation mode, the deck and the PDF read this table (through kpi/store/snapshot.py);
nobody else decides a status. Columns (the contract is ``Evaluation`` below):

identity     indicator, pillar, unit, period_kind, direction, reference_kind
when         period (Int64; <NA> when an indicator has no data), reference_date (the day the figure describes:
             1 May census day, 31 March fiscal-year end, or the end of the fiscal / calendar year), is_latest
             (the newest period of its indicator; the scorecard is these rows), next_due (when the next figure is
             due: reference date + reporting cycle + PUBLICATION_ALLOWANCE_MONTHS), stale (latest row only: the
             next figure is overdue on ``as_of``, so the value is 要更新 and not judged as current)
actual       value, previous_period, previous_value, change, change_pct (前年度比, percent)
target       target_value, target_period, baseline_period, baseline_value, target_source, owner, owner_person — the target in
             force for that period: the earliest whose period is not before it. A target whose period has passed is
             judged once (closed_target_period, closed_target_value, closed_value, closed_value_period,
             closed_result ∈ {achieved, missed}) and the next target takes over (or none: 目標未設定).
plan         plan (the glide path's value at the period), gap_pct (percent above (+) or below (−) the plan, in the
             indicator's good direction), progress_pct (達成率: value ÷ target, inverted for a down indicator)
現状         status (a ``Status`` value), status_reason (a ``StatusReason`` value; the sentence is written by
             kpi/views/narrative.py from the reason and the numbers in the row)
見通し       latest row only (None elsewhere): outlook (an ``Outlook`` value), outlook_reason (``OutlookReason``),
             growth_needed (yearly, fraction), growth_achieved (the fitted trend's yearly growth, fraction),
             fit_first_period, fit_points, excluded_periods (shock periods left out of the fit, "2020;2021"),
             projected_value, projected_lower, projected_upper (at the target period), probability, reach_period
             (first period the target is met at growth_achieved).

The two verdicts cannot contradict each other's inputs: the projection is anchored at the latest actual and grows
at growth_achieved, so "projected to reach the target" is exactly "growth achieved ≥ growth needed".
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from metrics.forecast import Projection, parse_periods, project, required_growth, year_reached
from metrics.targets import AT_RISK_TOLERANCE, glide_path

PUBLICATION_ALLOWANCE_MONTHS = 12  # a figure may take a year after its period to be published


class Status(StrEnum):
    """現状: the latest actual against the plan (glide path) of the target in force."""

    ACHIEVED = "achieved"  # the target is met (early, or in its period)
    MISSED = "missed"  # the target's period came and the target was not met
    ON_TRACK = "on_track"  # at or better than the plan
    AT_RISK = "at_risk"  # within AT_RISK_TOLERANCE short of the plan
    BEHIND = "behind"  # further short of the plan
    STALE = "stale"  # the next figure is overdue: 要更新, not judged as current
    BEFORE_BASELINE = "before_baseline"  # the target's plan starts later
    UNDATED = "undated"  # a published target whose source states no year: shown, never judged against a plan
    NO_TARGET = "no_target"  # no target in force (目標未設定)
    NO_DATA = "no_data"


class StatusReason(StrEnum):
    TARGET_MET = "target_met"
    TARGET_MISSED = "target_missed"
    ABOVE_PLAN = "above_plan"
    NEAR_PLAN = "near_plan"
    BELOW_PLAN = "below_plan"
    OVERDUE = "overdue"
    BEFORE_BASELINE = "before_baseline"
    UNDATED = "undated"
    NO_TARGET = "no_target"
    TARGET_EXPIRED = "target_expired"  # no target in force; the last one has been judged
    NO_DATA = "no_data"


class Outlook(StrEnum):
    """見通し: the projection at the target period against the target in force."""

    MET = "met"  # already met
    LIKELY = "likely"  # growth achieved ≥ growth needed
    UNLIKELY = "unlikely"  # growth achieved < growth needed (or the target period has come and it was missed)
    UNKNOWN = "unknown"  # too little data, or growth cannot be compared (from zero, to zero)
    NO_TARGET = "no_target"


class OutlookReason(StrEnum):
    MET = "met"
    GROWTH_ENOUGH = "growth_enough"
    GROWTH_SHORT = "growth_short"
    PERIOD_OVER = "period_over"
    TOO_FEW_POINTS = "too_few_points"
    ZERO_TARGET = "zero_target"
    FROM_ZERO = "from_zero"
    UNDATED = "undated"  # no target year: no growth needed can be worked out
    NO_TARGET = "no_target"


class Evaluation(pa.DataFrameModel):
    """The evaluator's table; ``Evaluation.validate(frame)`` checks a frame against it."""

    indicator: Series[str]
    pillar: Series[str]
    unit: Series[str]
    period_kind: Series[str] = pa.Field(isin=["fiscal", "calendar"])
    direction: Series[str] = pa.Field(isin=["up", "down"])
    reference_kind: Series[str]
    period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    reference_date: Series[pa.DateTime] = pa.Field(nullable=True)
    is_latest: Series[bool]
    next_due: Series[pa.DateTime] = pa.Field(nullable=True)
    stale: Series[bool]
    value: Series[float] = pa.Field(nullable=True)
    previous_period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    previous_value: Series[float] = pa.Field(nullable=True)
    change: Series[float] = pa.Field(nullable=True)
    change_pct: Series[float] = pa.Field(nullable=True)
    target_value: Series[float] = pa.Field(nullable=True)
    target_period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    baseline_period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    baseline_value: Series[float] = pa.Field(nullable=True)
    target_source: Series[str]
    target_basis: Series[str]  # published / illustrative ('' without a target): the scorecard says which
    owner: Series[str]  # the unit (部局 or office) that owns the target in force
    owner_person: Series[str]  # optionally, the person there
    plan: Series[float] = pa.Field(nullable=True)
    gap_pct: Series[float] = pa.Field(nullable=True)
    progress_pct: Series[float] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=[s.value for s in Status])
    status_reason: Series[str] = pa.Field(isin=[s.value for s in StatusReason])
    outlook: Series[object] = pa.Field(nullable=True)
    outlook_reason: Series[object] = pa.Field(nullable=True)
    growth_needed: Series[float] = pa.Field(nullable=True)
    growth_achieved: Series[float] = pa.Field(nullable=True)
    fit_first_period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    fit_points: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    excluded_periods: Series[str]
    projected_value: Series[float] = pa.Field(nullable=True)
    projected_lower: Series[float] = pa.Field(nullable=True)
    projected_upper: Series[float] = pa.Field(nullable=True)
    probability: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    reach_period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    closed_target_period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    closed_target_value: Series[float] = pa.Field(nullable=True)
    closed_value: Series[float] = pa.Field(nullable=True)
    closed_value_period: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    closed_result: Series[str]

    class Config:
        strict = True
        ordered = True


COLUMNS = list(Evaluation.to_schema().columns)
INT_COLUMNS = [name for name, column in Evaluation.to_schema().columns.items() if str(column.dtype) == "Int64"]
FLOAT_COLUMNS = [name for name, column in Evaluation.to_schema().columns.items() if str(column.dtype) == "float64"]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def reference_date(period: int, kind: str) -> dt.date:
    """The day a figure for ``period`` describes (the end of the span for figures counted over a year)."""
    if kind == "may_1":
        return dt.date(period, 5, 1)
    if kind in ("fy_end", "fiscal_year"):
        return dt.date(period + 1, 3, 31)
    return dt.date(period, 12, 31)


def next_due(period: int, kind: str, cycle_months: int) -> dt.date:
    """When the figure after ``period`` is due: one reporting cycle later plus the publication allowance."""
    stamp = pd.Timestamp(reference_date(period, kind)) + pd.DateOffset(months=cycle_months
                                                                        + PUBLICATION_ALLOWANCE_MONTHS)
    return stamp.date()


def target_in_force(targets: pd.DataFrame, indicator: str, period: int) -> pd.Series | None:
    """The earliest target of ``indicator`` whose period is not before ``period``; else one whose source states no
    year (undated); None: every one has passed."""
    if targets is None or targets.empty:
        return None
    own = targets[targets["indicator"] == indicator]
    rows = own[own["target_period"] >= period]
    if len(rows):
        return rows.sort_values("target_period").iloc[0]
    undated = own[own["target_period"].isna()]
    return undated.iloc[0] if len(undated) else None


def is_undated(target) -> bool:
    return target is not None and _missing(target.get("target_period"))


def target_basis(target) -> str:
    """published / illustrative: as the target row says, else illustrative unless its source names a publication."""
    basis = _text(target.get("basis")) if target is not None else ""
    if basis:
        return basis
    source = _text(target.get("source")).strip().lower() if target is not None else ""
    return "illustrative" if not source or source.startswith("illustrative") else "published"


def meets(value: float, target: float, direction: str) -> bool:
    return (value - target) * (1.0 if direction == "up" else -1.0) >= 0


def judge(value: float | None, period: int, target: pd.Series | dict | None, *, direction: str
          ) -> tuple[Status, StatusReason, float, float]:
    """(status, reason, plan, gap_pct) of one actual against the target in force for its period."""
    if _missing(value):
        return Status.NO_DATA, StatusReason.NO_DATA, math.nan, math.nan
    if target is None:
        return Status.NO_TARGET, StatusReason.NO_TARGET, math.nan, math.nan
    if is_undated(target):
        if meets(value, float(target["target_value"]), direction):
            return Status.ACHIEVED, StatusReason.TARGET_MET, math.nan, math.nan
        return Status.UNDATED, StatusReason.UNDATED, math.nan, math.nan
    goal, goal_period = float(target["target_value"]), int(target["target_period"])
    if period < int(target["baseline_period"]):
        return Status.BEFORE_BASELINE, StatusReason.BEFORE_BASELINE, math.nan, math.nan
    plan = float(glide_path(target, [period])[0])
    sign = 1.0 if direction == "up" else -1.0
    gap = sign * (value - plan)
    gap_pct = 100.0 * gap / abs(plan) if plan else (0.0 if gap == 0 else math.copysign(math.inf, gap))
    if meets(value, goal, direction):
        return Status.ACHIEVED, StatusReason.TARGET_MET, plan, gap_pct
    if period >= goal_period:
        return Status.MISSED, StatusReason.TARGET_MISSED, plan, gap_pct
    if gap >= 0:
        return Status.ON_TRACK, StatusReason.ABOVE_PLAN, plan, gap_pct
    if abs(gap) <= AT_RISK_TOLERANCE * abs(plan):
        return Status.AT_RISK, StatusReason.NEAR_PLAN, plan, gap_pct
    return Status.BEHIND, StatusReason.BELOW_PLAN, plan, gap_pct


def outlook_of(series: pd.DataFrame, *, period: int, value: float, target: pd.Series | dict | None, direction: str,
               shocks: tuple[int, ...], ceiling: float | None = None) -> tuple[dict, Projection | None]:
    """The 見通し columns of a latest row and the projection behind them."""
    out = {"outlook": Outlook.NO_TARGET.value, "outlook_reason": OutlookReason.NO_TARGET.value,
           "growth_needed": math.nan, "growth_achieved": math.nan, "fit_first_period": pd.NA, "fit_points": pd.NA,
           "excluded_periods": "", "projected_value": math.nan, "projected_lower": math.nan,
           "projected_upper": math.nan, "probability": math.nan, "reach_period": pd.NA}
    undated = is_undated(target)
    until = int(target["target_period"]) if target is not None and not undated else period
    goal = float(target["target_value"]) if target is not None else None
    projection = project(series, until=max(until, period), target=goal, direction=direction, shocks=shocks,
                         ceiling=ceiling)
    if projection is not None:
        out.update(growth_achieved=projection.growth, fit_first_period=projection.first_period,
                   fit_points=projection.fitted_points, excluded_periods=";".join(map(str, projection.excluded)))
    if target is None:
        return out, projection
    out["growth_needed"] = required_growth(period, value, until, goal) if until > period else math.nan

    def verdict(outlook: Outlook, reason: OutlookReason) -> None:
        out.update(outlook=outlook.value, outlook_reason=reason.value)

    if meets(value, goal, direction):
        verdict(Outlook.MET, OutlookReason.MET)
    elif undated:
        verdict(Outlook.UNKNOWN, OutlookReason.UNDATED)
    elif period >= until:
        verdict(Outlook.UNLIKELY, OutlookReason.PERIOD_OVER)
    elif goal <= 0:
        verdict(Outlook.UNKNOWN, OutlookReason.ZERO_TARGET)  # steady growth in percent never reaches zero
    elif value <= 0:
        verdict(Outlook.UNKNOWN, OutlookReason.FROM_ZERO)
    elif projection is None:
        verdict(Outlook.UNKNOWN, OutlookReason.TOO_FEW_POINTS)
    else:
        sign = 1.0 if direction == "up" else -1.0
        enough = sign * (projection.growth - out["growth_needed"]) >= -1e-12
        verdict(Outlook.LIKELY if enough else Outlook.UNLIKELY,
                OutlookReason.GROWTH_ENOUGH if enough else OutlookReason.GROWTH_SHORT)
        reached = year_reached(period, value, goal, projection.growth, direction=direction)
        out.update(projected_value=projection.value_at_target, projected_lower=projection.lower_at_target,
                   projected_upper=projection.upper_at_target, probability=projection.probability,
                   reach_period=reached if reached is not None else pd.NA)
    return out, projection


def _closed_target(series: pd.DataFrame, targets: pd.DataFrame, indicator: str, period: int, direction: str) -> dict:
    """The most recent target whose period is before ``period``, judged once on the figure for its period."""
    out = {"closed_target_period": pd.NA, "closed_target_value": math.nan, "closed_value": math.nan,
           "closed_value_period": pd.NA, "closed_result": ""}
    if targets is None or targets.empty:
        return out
    past = targets[(targets["indicator"] == indicator) & (targets["target_period"] < period)]
    if past.empty:
        return out
    closed = past.sort_values("target_period").iloc[-1]
    goal, goal_period = float(closed["target_value"]), int(closed["target_period"])
    out.update(closed_target_period=goal_period, closed_target_value=goal)
    judged = series[series["period"] <= goal_period]
    if len(judged):
        last = judged.iloc[-1]
        out.update(closed_value=float(last["value"]), closed_value_period=int(last["period"]),
                   closed_result=Status.ACHIEVED.value if meets(float(last["value"]), goal, direction)
                   else Status.MISSED.value)
    return out


def _no_data_row(spec) -> dict:
    return {"indicator": spec.id, "period": pd.NA, "value": math.nan, "is_latest": True, "stale": False,
            "reference_date": pd.NaT, "next_due": pd.NaT, "status": Status.NO_DATA.value,
            "status_reason": StatusReason.NO_DATA.value, "outlook": Outlook.UNKNOWN.value,
            "outlook_reason": OutlookReason.TOO_FEW_POINTS.value}


def evaluate(values: pd.DataFrame, targets: pd.DataFrame | None, registry: pd.DataFrame, *,
             as_of: dt.date) -> tuple[pd.DataFrame, dict[str, Projection | None]]:
    """The evaluation of every registered KPI at every period with a value, judged on ``as_of``.

    Returns the table (see the module docstring) and each indicator's projection (for charts).
    """
    targets = targets if targets is not None else pd.DataFrame(columns=["indicator", "target_period"])
    rows: list[dict] = []
    projections: dict[str, Projection | None] = {}
    for spec in registry.itertuples(index=False):
        base = {"indicator": spec.id, "pillar": spec.pillar, "unit": spec.unit, "period_kind": spec.period_kind,
                "direction": spec.direction, "reference_kind": spec.reference_date}
        series = values[values["indicator"] == spec.id].dropna(subset=["value"]).sort_values("period")
        if series.empty:
            rows.append({**base, **_no_data_row(spec)})
            projections[spec.id] = None
            continue
        shocks = parse_periods(spec.shock_periods)
        previous: tuple[int, float] | None = None
        for index, point in enumerate(series.itertuples(index=False)):
            period, value = int(point.period), float(point.value)
            target = target_in_force(targets, spec.id, period)
            direction = (_text(target.get("direction")) or spec.direction) if target is not None else spec.direction
            status, reason, plan, gap_pct = judge(value, period, target, direction=direction)
            row = {**base, "direction": direction, "period": period, "value": value,
                   "reference_date": reference_date(period, spec.reference_date),
                   "next_due": next_due(period, spec.reference_date, int(spec.cycle_months)),
                   "is_latest": index == len(series) - 1, "stale": False,
                   "plan": plan, "gap_pct": gap_pct, "status": status.value, "status_reason": reason.value,
                   "outlook": None, "outlook_reason": None}
            if previous is not None:
                row.update(previous_period=previous[0], previous_value=previous[1], change=value - previous[1],
                           change_pct=100.0 * (value - previous[1]) / previous[1] if previous[1] else math.nan)
            if target is not None:
                goal = float(target["target_value"])
                row.update(target_value=goal, target_period=target["target_period"],
                           baseline_period=target.get("baseline_period"),
                           baseline_value=target.get("baseline_value"), target_basis=target_basis(target),
                           target_source=_text(target.get("source")), owner=_text(target.get("owner")),
                           owner_person=_text(target.get("owner_person")))
                row["progress_pct"] = _progress(value, goal, direction)
            if row["is_latest"]:
                row.update(_closed_target(series, targets, spec.id, period, direction))
                if target is None and not _missing(row["closed_target_period"]):
                    row["status_reason"] = StatusReason.TARGET_EXPIRED.value
                if as_of > row["next_due"]:
                    row.update(stale=True, status=Status.STALE.value, status_reason=StatusReason.OVERDUE.value)
                foresight, projections[spec.id] = outlook_of(
                    series, period=period, value=value, target=target, direction=direction, shocks=shocks,
                    ceiling=100.0 if spec.unit == "percent" else None)
                row.update(foresight)
            rows.append(row)
            previous = (period, value)
    return conform(pd.DataFrame(rows)), projections


def _text(value) -> str:
    return "" if _missing(value) else str(value)


def _progress(value: float, goal: float, direction: str) -> float:
    """達成率 in percent: value ÷ target (target ÷ value for a down indicator); NaN where it means nothing."""
    if direction == "up":
        return 100.0 * value / goal if goal > 0 else math.nan
    if value <= 0:
        return 100.0 if goal >= 0 else math.nan
    return 100.0 * goal / value if goal > 0 else math.nan


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Every contract column, in order, with its type (missing integers stay <NA>, never 2022.0)."""
    frame = frame.reindex(columns=COLUMNS)
    for column in INT_COLUMNS:
        frame[column] = pd.array([None if _missing(v) else int(v) for v in frame[column]], dtype="Int64")
    for column in FLOAT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in ("reference_date", "next_due"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("stale", "is_latest"):
        frame[column] = frame[column].fillna(False).astype(bool)
    for column in ("target_source", "target_basis", "owner", "owner_person", "excluded_periods", "closed_result"):
        frame[column] = frame[column].map(_text).astype(str)
    frame["outlook"] = frame["outlook"].astype(object).where(frame["outlook"].notna(), None)
    frame["outlook_reason"] = frame["outlook_reason"].astype(object).where(frame["outlook_reason"].notna(), None)
    return frame.reset_index(drop=True)


def scorecard(evaluation: pd.DataFrame) -> pd.DataFrame:
    """The latest row of every KPI, in registry order."""
    return evaluation[evaluation["is_latest"]].reset_index(drop=True)


def counts(card: pd.DataFrame) -> dict[str, dict[str, int]]:
    """How many KPIs stand at each status and outlook (for the headline sentence)."""
    return {"status": {s.value: int((card["status"] == s.value).sum()) for s in Status},
            "outlook": {o.value: int((card["outlook"] == o.value).sum()) for o in Outlook}}


def needs_action(card: pd.DataFrame) -> pd.DataFrame:
    """要対応: missed, behind plan, or projected to miss (an at-risk KPI on course is left to run), worst first.

    A KPI that only needs its figures updated is listed by ``needs_update`` instead.
    """
    status, outlook = card["status"], card["outlook"]
    mask = status.isin([Status.MISSED.value, Status.BEHIND.value]) | (outlook == Outlook.UNLIKELY.value)
    order = {Status.MISSED.value: 0, Status.BEHIND.value: 1, Status.AT_RISK.value: 2}
    rank = status.map(order).fillna(3) + np.where(outlook == Outlook.UNLIKELY.value, 0, 0.5)
    return card[mask].assign(_rank=rank[mask]).sort_values("_rank", kind="stable").drop(columns="_rank")


def needs_update(card: pd.DataFrame) -> pd.DataFrame:
    """要更新 and not already in ``needs_action``: the figures are overdue, nothing else is known to be wrong."""
    return card[(card["status"] == Status.STALE.value) & ~card.index.isin(needs_action(card).index)]
