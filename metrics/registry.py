"""The indicator registry (data/indicator_registry.csv): which KPIs exist and how each is computed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
}


def load_registry(path: Path | str = REGISTRY_PATH) -> pd.DataFrame:
    """Read the registry and check it, so a bad edit fails loudly at start rather than as a wrong chart."""
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
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
    if registry["id"].duplicated().any():
        problems.append("duplicate indicator ids: " + ", ".join(registry.loc[registry["id"].duplicated(), "id"]))
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return registry.set_index("id", drop=False)


def parse_filter(text: str) -> dict[str, str]:
    """``direction=inbound;status=degree`` -> {"direction": "inbound", "status": "degree"}."""
    pairs = [part.split("=", 1) for part in text.split(";") if part.strip()]
    return {key.strip(): value.strip() for key, value in pairs}
