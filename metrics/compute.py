"""Indicator values from the stored datasets: one long table of (indicator, period, value)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd

from metrics import ratios
from metrics.network import network_by_year
from metrics.periods import fiscal_year_end, fiscal_year_of
from metrics.registry import parse_filter

HOME_COUNTRY = "JPN"
VALUE_COLUMNS = ["indicator", "period", "value", "numerator", "denominator"]


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in VALUE_COLUMNS}).astype(
        {"indicator": "str", "period": "int64"}
    )


def filter_rows(frame: pd.DataFrame, *, period_range: tuple[int, int] | None = None,
                period_column: str = "fiscal_year", **equals) -> pd.DataFrame:
    """Rows within ``period_range`` whose columns equal a value or fall in a list of values.

    None (or an empty list) means no filter on that column.
    """
    mask = pd.Series(True, index=frame.index)
    if period_range is not None:
        mask &= frame[period_column].between(*period_range)
    for column, value in equals.items():
        if value is None or (isinstance(value, (list, tuple, set)) and not value):
            continue
        mask &= frame[column].isin(list(value)) if isinstance(value, (list, tuple, set)) else frame[column] == value
    return frame[mask]


def students_by_year(mobility: pd.DataFrame, *, direction: str | None = None, by: list[str] | None = None,
                     filters: dict[str, str] | None = None) -> pd.DataFrame:
    """Students per fiscal year (and breakdown), summed; a year without rows has no value, not zero."""
    rows = filter_rows(mobility, direction=direction, **(filters or {}))
    keys = ["fiscal_year", *(by or [])]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "students"])
    return rows.groupby(keys, as_index=False, dropna=False, observed=True)["students"].sum()


def is_international(countries: pd.Series, *, home: str = HOME_COUNTRY) -> pd.Series:
    """True where a paper's ';'-separated affiliation countries include one outside ``home``."""
    def outside(value: str) -> bool:
        return any(code and code != home for code in str(value).split(";"))
    return countries.fillna("").map(outside).astype(bool)


def papers_by_year(papers: pd.DataFrame, *, home: str = HOME_COUNTRY) -> pd.DataFrame:
    """Per calendar year: total papers, internationally co-authored papers and their share (percent)."""
    if papers.empty:
        return pd.DataFrame(columns=["year", "total", "international", "share"])
    unique = papers.drop_duplicates("id")
    frame = pd.DataFrame({"year": unique["year"].astype("int64"),
                          "international": is_international(unique["countries"], home=home).astype("int64")})
    out = frame.groupby("year", as_index=False).agg(total=("international", "size"),
                                                    international=("international", "sum"))
    out["share"] = 100.0 * out["international"] / out["total"]
    return out


def partner_countries(papers: pd.DataFrame, *, home: str = HOME_COUNTRY, year: int | None = None) -> pd.DataFrame:
    """Co-authoring countries ranked by the number of papers they appear on (each paper once per country)."""
    rows = papers.drop_duplicates("id")
    if year is not None:
        rows = rows[rows["year"] == year]
    codes = rows["countries"].fillna("").str.split(";").explode()
    codes = codes[(codes != "") & (codes != home)]
    counts = codes.groupby(level=0).unique().explode().value_counts()
    return counts.rename_axis("country").reset_index(name="papers")


def normalise_partner(name: pd.Series) -> pd.Series:
    """Partner key that ignores stray spaces, width and case, so one institution counts once."""
    return name.fillna("").map(lambda s: " ".join(unicodedata.normalize("NFKC", s).split()).casefold())


def active_on(agreements: pd.DataFrame, day: dt.date) -> pd.Series:
    """Agreements in force on ``day``: started on or before it and not ended before it."""
    start = pd.to_datetime(agreements["start_date"])
    end = pd.to_datetime(agreements["end_date"])
    stamp = pd.Timestamp(day)
    return (start <= stamp) & (end.isna() | (end >= stamp))


def agreements_by_year(agreements: pd.DataFrame, *, through: int | None = None, by: list[str] | None = None) -> pd.DataFrame:
    """Active agreements and distinct partners on 31 March of each fiscal year.

    Years run from the first agreement's fiscal year through ``through`` (default: the fiscal year of the
    latest start date, the last event the register records; future end dates say nothing about later years).
    """
    keys = by or []
    columns = ["fiscal_year", *keys, "agreements", "partners"]
    if agreements.empty:
        return pd.DataFrame(columns=columns)
    starts = pd.to_datetime(agreements["start_date"])
    first = fiscal_year_of(starts.min().date())
    if through is None:
        through = fiscal_year_of(starts.max().date())
    frame = agreements.assign(partner_key=normalise_partner(agreements["partner"]))
    parts = []
    for year in range(first, through + 1):
        active = frame[active_on(frame, fiscal_year_end(year))]
        if keys:
            grouped = active.groupby(keys, dropna=False).agg(agreements=("partner_key", "size"),
                                                             partners=("partner_key", "nunique")).reset_index()
        else:
            grouped = pd.DataFrame({"agreements": [len(active)], "partners": [active["partner_key"].nunique()]})
        parts.append(grouped.assign(fiscal_year=year))
    return pd.concat(parts, ignore_index=True)[columns]


def ratio_of_sums(frame: pd.DataFrame, *, by: str, scale: float = 1.0) -> pd.DataFrame:
    """scale × Σ numerator / Σ denominator per group; never an average of the rows' ratios."""
    sums = frame.groupby(by, as_index=False)[["numerator", "denominator"]].sum()
    sums = sums[sums["denominator"] > 0]
    sums["value"] = scale * sums["numerator"] / sums["denominator"]
    return sums


def indicator_by_year(indicators: pd.DataFrame, *, indicator: str, scale: float = 1.0,
                      institution: str | None = None) -> pd.DataFrame:
    """Values of one indicator from the generic dataset: summed values, or a ratio of sums."""
    rows = indicators[indicators["indicator"] == indicator]
    if "institution" in rows:
        rows = rows[rows["institution"].fillna("") == (institution or "")]
    if rows.empty:
        return pd.DataFrame(columns=["fiscal_year", "value", "numerator", "denominator"])
    if rows["value"].notna().all():
        out = rows.groupby("fiscal_year", as_index=False)["value"].sum()
        return out.assign(numerator=np.nan, denominator=np.nan)
    return ratio_of_sums(rows, by="fiscal_year", scale=scale)


def compute_values(datasets: dict[str, pd.DataFrame], registry: pd.DataFrame) -> pd.DataFrame:
    """Every value of every registered indicator: columns indicator, period, value, numerator, denominator."""
    parts = []
    papers = datasets.get("papers")
    per_year = papers_by_year(papers) if papers is not None else None
    agreements = datasets.get("agreements")
    per_fy = agreements_by_year(agreements) if agreements is not None else None
    for spec in registry.itertuples(index=False):
        scale = 100.0 if spec.unit == "percent" else 1.0
        if spec.method in RATIO_METHODS:
            part = ratio_values(spec, datasets)
        elif spec.method == "students" and datasets.get("mobility") is not None:
            filters = parse_filter(spec.filter)
            direction = filters.pop("direction", None)
            data = students_by_year(datasets["mobility"], direction=direction, filters=filters)
            part = pd.DataFrame({"period": data["fiscal_year"], "value": data["students"]})
        elif spec.method.startswith("papers_") and per_year is not None:
            part = pd.DataFrame({"period": per_year["year"]})
            if spec.method == "papers_total":
                part["value"] = per_year["total"]
            elif spec.method == "papers_international":
                part["value"] = per_year["international"]
            else:
                part = part.assign(value=per_year["share"], numerator=per_year["international"],
                                   denominator=per_year["total"])
        elif spec.method in ("partners_active", "agreements_active") and per_fy is not None:
            column = "partners" if spec.method == "partners_active" else "agreements"
            part = pd.DataFrame({"period": per_fy["fiscal_year"], "value": per_fy[column]})
        elif spec.method == "indicator" and datasets.get("indicators") is not None:
            data = indicator_by_year(datasets["indicators"], indicator=spec.id, scale=scale)
            part = data.rename(columns={"fiscal_year": "period"})
        else:
            continue
        parts.append(part.assign(indicator=spec.id))
    if not parts:
        return _empty_values()
    values = pd.concat([p for p in parts if not p.empty] or [_empty_values()], ignore_index=True)
    values = values.reindex(columns=VALUE_COLUMNS)
    values["period"] = values["period"].astype("int64")
    values["value"] = values["value"].astype("float64")
    return values.sort_values(["indicator", "period"], ignore_index=True)


def totals_by(frame: pd.DataFrame, *, by: str, value: str, top: int | None = None) -> pd.DataFrame:
    """Sum of ``value`` per ``by`` category, largest first (the ``top`` largest when given)."""
    totals = frame.groupby(by, as_index=False, observed=True)[value].sum().sort_values(value, ascending=False,
                                                                                       ignore_index=True)
    return totals.head(top) if top else totals


def peer_values(indicators: pd.DataFrame | None, *, indicator: str, scale: float = 1.0) -> pd.DataFrame:
    """Other institutions' values of an indicator (rows with an ``institution``), for drawing beside ours."""
    columns = ["institution", "period", "value"]
    if indicators is None or indicators.empty or "institution" not in indicators:
        return pd.DataFrame(columns=columns)
    rows = indicators[(indicators["indicator"] == indicator) & indicators["institution"].fillna("").ne("")]
    parts = [indicator_by_year(part, indicator=indicator, scale=scale, institution=name).assign(institution=name)
             for name, part in rows.groupby("institution")]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).rename(columns={"fiscal_year": "period"})[columns]


def value_diff(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """KPI values that a commit would add, change or remove: indicator, period, before, after."""
    keys = ["indicator", "period"]
    merged = before[[*keys, "value"]].merge(after[[*keys, "value"]], on=keys, how="outer",
                                            suffixes=("_before", "_after"))
    changed = ~((merged["value_before"] - merged["value_after"]).abs() < 1e-9)
    return merged[changed].rename(columns={"value_before": "before", "value_after": "after"}) \
        .sort_values(keys, ignore_index=True)


# Registry methods computed here : ratios across datasets and the rankings' views.
RATIO_METHODS = ("ratio", "papers_international_share_5y", "irn", "irn_partners", "irn_countries")


def ratio_values(spec, datasets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """period, value, numerator, denominator of one registry row whose method is in RATIO_METHODS."""
    method = spec.method
    papers = datasets.get("papers")
    if method == "ratio":
        scale = 100.0 if spec.unit == "percent" else 1.0
        return ratios.ratio_by_period(datasets, numerator=ratios.parse_sum_spec(spec.numerator),
                               denominator=ratios.parse_sum_spec(spec.denominator), scale=scale)
    if papers is None or papers.empty:
        return ratios.empty_ratio()
    if method == "papers_international_share_5y":
        return ratios.rolling_share(papers_by_year(papers))
    network = network_by_year(papers)
    column = {"irn": "irn", "irn_partners": "partners", "irn_countries": "countries"}[method]
    out = pd.DataFrame({"period": network["period"], "value": network[column].astype("float64")})
    return out.dropna(subset=["value"])
