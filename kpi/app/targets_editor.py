"""The Targets editor's data: milestones edited as (indicator, year, value) pairs and put back on their targets."""

from __future__ import annotations

import pandas as pd

from metrics.milestones import format_milestones, parse_milestones

PAIR_COLUMNS = ["indicator", "year", "value"]


def milestone_pairs(targets: pd.DataFrame) -> pd.DataFrame:
    """One row per milestone of every target (a list stored before strict checking shows as none)."""
    pairs = []
    for row in targets.to_dict("records"):
        try:
            points = parse_milestones(row.get("milestones"))
        except ValueError:
            points = []
        pairs += [{"indicator": row["indicator"], "year": year, "value": value} for year, value in points]
    return pd.DataFrame(pairs, columns=PAIR_COLUMNS).astype({"year": "Int64", "value": "float64"})


def attach_milestones(rows: pd.DataFrame, pairs: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[int, str, dict]]]:
    """``rows`` with a ``milestones`` text built from ``pairs``; problems as (pair number, catalogue key, params).

    A pair belongs to its indicator's target whose baseline..target years contain it, else to that indicator's
    first target; a pair with no such target, a half-filled pair and a year given twice are problems.
    """
    rows = rows.reset_index(drop=True).copy()
    rows["milestones"] = None
    problems: list[tuple[int, str, dict]] = []
    for number, pair in enumerate(pairs.to_dict("records"), start=1):
        missing = [pd.isna(pair.get(c)) for c in PAIR_COLUMNS]
        if any(missing):
            if not all(missing):
                problems.append((number, "tg.milestone_missing", {}))
            continue
        year, same = int(pair["year"]), rows["indicator"] == pair["indicator"]
        inside = same & (pd.to_numeric(rows["baseline_period"]) <= year) & (pd.to_numeric(rows["target_period"]) >= year)
        owners = rows.index[inside] if inside.any() else rows.index[same]
        if owners.empty:
            problems.append((number, "tg.no_milestones", {}))
            continue
        at = owners[0]
        points = dict(parse_milestones(rows.at[at, "milestones"]))
        if year in points:
            problems.append((number, "tg.milestone_year_twice", {"year": year}))
            continue
        points[year] = float(pair["value"])
        rows.at[at, "milestones"] = format_milestones(points.items())
    return rows, problems
