"""Ratio KPIs across datasets: a filtered sum over a filtered sum, never an average of ratios."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

HOME_COUNTRY = "JPN"
PERIOD_COLUMN = {"papers": "year"}  # every other dataset is per fiscal year
RATIO_COLUMNS = ["period", "value", "numerator", "denominator"]


@dataclass(frozen=True)
class SumSpec:
    """``enrolment.intl_students:study_level=undergraduate`` -> sum of ``intl_students`` over undergraduate rows."""

    dataset: str
    column: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)


def parse_sum_spec(text: str) -> SumSpec:
    """``dataset.column`` with an optional ``:key=value;key=a,b`` filter (a comma lists accepted values)."""
    target, _, condition = str(text).strip().partition(":")
    dataset, dot, column = target.partition(".")
    if not dot or not dataset.strip() or not column.strip():
        raise ValueError(f"{text!r} is not 'dataset.column' or 'dataset.column:key=value'")
    filters = {}
    for part in condition.split(";"):
        if not part.strip():
            continue
        key, equals, values = part.partition("=")
        if not equals:
            raise ValueError(f"{text!r}: filter {part!r} is not key=value")
        filters[key.strip()] = tuple(v.strip() for v in values.split(",") if v.strip())
    return SumSpec(dataset.strip(), column.strip(), filters)


def with_derived_counts(dataset: str, frame: pd.DataFrame, *, home: str = HOME_COUNTRY) -> pd.DataFrame:
    """Staff rows that give a nationality instead of a foreign count: foreign = total unless the nationality is home."""
    if dataset != "staff" or "nationality" not in frame or frame.empty:
        return frame
    nationality = frame["nationality"]
    known = nationality.notna() & nationality.astype(str).str.strip().ne("") & nationality.astype(str).ne("None")
    derived = frame["headcount"].where(nationality != home, 0).where(known)
    return frame.assign(foreign_staff=frame["foreign_staff"].astype("float64").fillna(derived.astype("float64")))


def select_rows(frame: pd.DataFrame, spec: SumSpec) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, values in spec.filters.items():
        if column not in frame:
            raise ValueError(f"{spec.dataset} has no column {column!r}")
        mask &= frame[column].astype(str).isin(values)
    return frame[mask]


def ratio_by_period(datasets: dict[str, pd.DataFrame], *, numerator: SumSpec, denominator: SumSpec,
                    scale: float = 100.0) -> pd.DataFrame:
    """scale × Σ numerator ÷ Σ denominator per period, each a filtered sum of a dataset's column.

    A period has a value only where both sums exist and the denominator is above zero. When both come from the
    same dataset, the denominator counts only rows whose numerator is known: a school that did not report its
    international students must not dilute the ratio as if it had none.
    """
    parts = {}
    for role, spec in (("numerator", numerator), ("denominator", denominator)):
        frame = datasets.get(spec.dataset)
        if frame is None or frame.empty:
            return pd.DataFrame(columns=RATIO_COLUMNS)
        frame = select_rows(with_derived_counts(spec.dataset, frame), spec)
        if role == "denominator" and spec.dataset == numerator.dataset:
            frame = frame[frame[numerator.column].notna()]
        frame = frame[frame[spec.column].notna()]
        period = PERIOD_COLUMN.get(spec.dataset, "fiscal_year")
        parts[role] = frame.groupby(period)[spec.column].sum().astype("float64").rename_axis("period")
    out = pd.concat(parts, axis=1, join="inner").reset_index()
    out = out[out["denominator"] > 0]
    out["value"] = scale * out["numerator"] / out["denominator"]
    return out[RATIO_COLUMNS].astype({"period": "int64"}).reset_index(drop=True)


def rolling_share(per_year: pd.DataFrame, *, window: int = 5) -> pd.DataFrame:
    """Share of internationally co-authored papers over the ``window`` years ending each year, as THE computes it.

    ``per_year`` has year, total, international (metrics.compute.papers_by_year). A year gets a value only when
    the data reach back to the window's first year; a shorter window would not be the same indicator.
    """
    if per_year.empty:
        return pd.DataFrame(columns=RATIO_COLUMNS)
    first = int(per_year["year"].min())
    rows = []
    for end in sorted(int(y) for y in per_year["year"]):
        if end - window + 1 < first:
            continue
        inside = per_year[per_year["year"].between(end - window + 1, end)]
        total, international = float(inside["total"].sum()), float(inside["international"].sum())
        if total > 0:
            rows.append({"period": end, "value": 100.0 * international / total, "numerator": international,
                         "denominator": total})
    return pd.DataFrame(rows, columns=RATIO_COLUMNS).astype({"period": "int64", "value": "float64"}) if rows \
        else pd.DataFrame(columns=RATIO_COLUMNS)


def empty_ratio() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in RATIO_COLUMNS}).astype({"period": "int64"})
