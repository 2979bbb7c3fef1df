"""Rows of one file that contradict each other, each located at its line and naming the other line.

- papers: one paper id with two different years is an error (which year is right cannot be guessed); the same
  paper twice with one year is a warning (it is counted once).
- targets: the same indicator twice is an error (one target per indicator: which would count?); a milestone
  before the baseline period or after the target period is an error (the plan line is drawn between them).
- indicators: a row giving both a value and a numerator/denominator is a warning that says the value counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from metrics.milestones import MilestoneError, parse_milestones

LISTED = 20  # warnings of one kind listed one by one


@dataclass
class Conflict:
    key: str
    line: int
    column: str
    value: str = ""
    params: dict = field(default_factory=dict)
    error: bool = True


def find(frame: pd.DataFrame, dataset: str) -> list[Conflict]:
    checks = {"papers": _papers, "targets": _targets, "indicators": _indicators}
    return checks[dataset](frame) if dataset in checks and not frame.empty else []


def _first_lines(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """For each row, the line of the first row with the same ``by`` values."""
    lines = pd.Series(frame.index, index=frame.index)
    return lines.groupby([frame[c] for c in by], dropna=False, sort=False).transform("first")


def _papers(frame: pd.DataFrame) -> list[Conflict]:
    rows = frame[frame["id"].notna()]
    if not rows["id"].duplicated().any():
        return []
    rows = rows[rows["id"].duplicated(keep=False)]
    first = _first_lines(rows, ["id"])
    first_year = rows["year"].groupby(rows["id"], sort=False).transform("first")
    out = []
    again = rows.index[rows.index != first.to_numpy()]
    for line in again:
        year, other = rows.at[line, "year"], first_year.at[line]
        if pd.notna(year) and pd.notna(other) and year != other:
            out.append(Conflict("imp.conflict.paper_years", int(line), "year", str(year),
                                {"paper": rows.at[line, "id"], "other_line": int(first.at[line]), "other": str(other)}))
    twice = [line for line in again if not any(c.line == line for c in out)]
    for line in twice[:LISTED]:
        out.append(Conflict("imp.conflict.paper_twice", int(line), "id", str(rows.at[line, "id"]),
                            {"other_line": int(first.at[line])}, error=False))
    if len(twice) > LISTED:
        out.append(Conflict("imp.conflict.more_twice", 0, "id", "", {"n": f"{len(twice) - LISTED:,}"}, error=False))
    return out


def _targets(frame: pd.DataFrame) -> list[Conflict]:
    out = []
    named = frame[frame["indicator"].notna()]
    first = _first_lines(named, ["indicator"])
    for line in named.index[named.index != first.to_numpy()]:
        out.append(Conflict("imp.conflict.target_twice", int(line), "indicator", str(named.at[line, "indicator"]),
                            {"other_line": int(first.at[line])}))
    for line, row in frame[frame["milestones"].fillna("").astype(str).str.strip() != ""].iterrows():
        out.extend(_milestones_outside(int(line), row))
    return out


def _milestones_outside(line: int, row: pd.Series) -> list[Conflict]:
    try:
        points = parse_milestones(row["milestones"])
    except MilestoneError:
        return []  # reported by the cell's own parser
    low, high = row.get("baseline_period"), row.get("target_period")
    low = int(low) if pd.notna(low) else None
    high = int(high) if pd.notna(high) else None
    outside = [year for year, _ in points if (low is not None and year < low) or (high is not None and year > high)]
    if not outside:
        return []
    return [Conflict("imp.conflict.milestone_outside", line, "milestones", str(row["milestones"]),
                     {"years": ", ".join(map(str, outside)), "baseline": low if low is not None else "–",
                      "target": high if high is not None else "–"})]


def _indicators(frame: pd.DataFrame) -> list[Conflict]:
    both = frame["value"].notna() & (frame["numerator"].notna() | frame["denominator"].notna())
    out = []
    for line, row in frame[both].head(LISTED).iterrows():
        out.append(Conflict("imp.conflict.value_and_ratio", int(line), "value", f"{row['value']:g}",
                            {"numerator": _number(row["numerator"]), "denominator": _number(row["denominator"])},
                            error=False))
    if int(both.sum()) > LISTED:
        out.append(Conflict("imp.conflict.more_value_and_ratio", 0, "value", "",
                            {"n": f"{int(both.sum()) - LISTED:,}"}, error=False))
    return out


def _number(value) -> str:
    return "–" if pd.isna(value) else f"{value:g}"
