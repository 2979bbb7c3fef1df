"""The indicator registry (data/indicator_registry.csv): which KPIs exist and how each is computed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from metrics.forecast import parse_periods
from metrics.ratios import parse_sum_spec

REGISTRY_PATH = Path(__file__).resolve().parent.parent / "data" / "indicator_registry.csv"
PILLARS = ("education", "research", "industry", "community")
METHODS = {
    "students",
    "papers_total",
    "papers_international",
    "papers_international_share",
    "partners_active",
    "agreements_active",
    "indicator",
    # metrics/ratios.py: a filtered sum over a filtered sum (numerator, denominator), THE's five-year share, QS's IRN
    "ratio",
    "papers_international_share_5y",
    "irn",
    "irn_partners",
    "irn_countries",
}
# What date a figure describes: a census day (1 May), the fiscal-year end (31 March), the whole fiscal year or the
# calendar year. The evaluator turns it into a reference date and the date by which the next figure is due.
REFERENCE_DATES = ("may_1", "fy_end", "fiscal_year", "calendar_year")
DEFAULT_SHOCKS = "2020-2021"  # FY2020–21 (the pandemic): drawn, but left out of trend fits unless the registry says


def pillar_order(registry: pd.DataFrame) -> list[str]:
    """The one order of KPIs for every page and document: by pillar (PILLARS), then as the registry lists them."""
    return [i for pillar in PILLARS for i in registry.index[registry["pillar"] == pillar]]


def _with_defaults(registry: pd.DataFrame) -> pd.DataFrame:
    """Columns added later get their defaults, so an older registry file still loads."""
    if "reference_date" not in registry:
        registry["reference_date"] = registry["period_kind"].map({"fiscal": "fiscal_year"}).fillna("calendar_year")
    if "cycle_months" not in registry:
        registry["cycle_months"] = "12"
    if "shock_periods" not in registry:
        registry["shock_periods"] = registry["period_kind"].map({"fiscal": DEFAULT_SHOCKS}).fillna("")
    for column in ("numerator", "denominator"):
        if column not in registry:
            registry[column] = ""
    return registry


def load_registry(path: Path | str = REGISTRY_PATH) -> pd.DataFrame:
    """Read the registry and check it, so a bad edit fails loudly at start rather than as a wrong chart."""
    registry = _with_defaults(pd.read_csv(path, dtype=str, keep_default_na=False))
    problems = []
    for line, row in zip(range(2, len(registry) + 2), registry.itertuples(index=False)):
        if row.pillar not in PILLARS:
            problems.append(f"line {line}: pillar {row.pillar!r} is not one of {PILLARS}")
        if row.method not in METHODS:
            problems.append(f"line {line}: method {row.method!r} is unknown")
        if row.period_kind not in ("fiscal", "calendar"):
            problems.append(f"line {line}: period_kind must be fiscal or calendar")
        if row.direction not in ("up", "down"):
            problems.append(f"line {line}: direction must be up or down")
        if row.reference_date not in REFERENCE_DATES:
            problems.append(f"line {line}: reference_date must be one of {REFERENCE_DATES}")
        if not str(row.cycle_months).isdigit() or int(row.cycle_months) < 1:
            problems.append(f"line {line}: cycle_months must be a whole number of months (12 for yearly figures)")
        try:
            parse_periods(row.shock_periods)
        except ValueError:
            problems.append(f"line {line}: shock_periods must look like 2020-2021 or 2008;2020-2021")
        if row.method == "ratio":
            for part in ("numerator", "denominator"):
                try:
                    parse_sum_spec(getattr(row, part))
                except ValueError as exc:
                    problems.append(f"line {line}: {part}: {exc}")
    if registry["id"].duplicated().any():
        problems.append("duplicate indicator ids: " + ", ".join(registry.loc[registry["id"].duplicated(), "id"]))
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return registry.set_index("id", drop=False)


def parse_filter(text: str) -> dict[str, str]:
    """``direction=inbound;status=degree`` -> {"direction": "inbound", "status": "degree"}."""
    pairs = [part.split("=", 1) for part in text.split(";") if part.strip()]
    return {key.strip(): value.strip() for key, value in pairs}
