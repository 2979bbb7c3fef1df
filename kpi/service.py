"""The operations the CLI and the app share: validate, import, compute values, roll back, load the sample."""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kpi import storage
from kpi.importer import ImportResult, Problem, read_file
from kpi.schemas import REPLACE_KEYS
from metrics.compute import compute_values
from metrics.registry import load_registry, parse_filter
from metrics.targets import evaluate_values, kpi_summary

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


def validate_bytes(data: bytes, dataset: str, *, constants: dict[str, str] | None = None,
                   encoding: str | None = None, file_name: str = "", mapping: dict[str, str] | None = None
                   ) -> ImportResult:
    """Read and check an upload; one that is over the size limit gets one clear error and is not read."""
    if len(data) > max_upload_bytes():
        return too_large(len(data), dataset, file_name)
    return read_file(data, dataset, constants=constants, encoding=encoding, file_name=file_name, mapping=mapping)


def too_large(size: int, dataset: str, file_name: str) -> ImportResult:
    result = ImportResult(dataset=dataset, file_name=file_name)
    result.errors.append(Problem(f"the file is {size / 1e6:,.1f} MB; the limit is {max_upload_bytes() / 1e6:,.0f} MB "
                                 "(KPI_MAX_UPLOAD_MB)"))
    return result


def max_upload_bytes() -> int:
    """The upload size limit, 200 MB unless KPI_MAX_UPLOAD_MB says otherwise (the app's server limit matches)."""
    return int(float(os.environ.get("KPI_MAX_UPLOAD_MB", "200")) * 1_000_000)


def import_result(result: ImportResult, *, mode: str = "append", user: str | None = None, note: str = "",
                  engine=None, progress=None) -> int:
    """Store a validated result as one revision; refuses a result with errors (nothing is written)."""
    if not result.ok:
        raise ValueError(f"{len(result.errors)} error(s); nothing was stored")
    return storage.store(result.dataset, result.frame, mode=mode, user=user, file_name=result.file_name,
                         sha256=result.sha256, note=note, scope=replace_scope(result), engine=engine,
                         progress=progress)


def values_table(datasets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every computed value with its target, glide path and status where a target exists (no projection)."""
    registry = load_registry()
    values = compute_values(datasets, registry)
    return evaluate_values(values, datasets.get("targets"), registry)


def values_with_projection(datasets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """values_table plus, on every value that has a target, the indicator's projection to its target period."""
    registry = load_registry()
    values = values_table(datasets)
    summary = kpi_summary(values, datasets.get("targets"), registry).set_index("indicator")
    projections = {i: (p.as_dict() if p is not None else None) for i, p in summary["projection"].items()}
    values["projection"] = [projections.get(i) if pd.notna(t) else None
                            for i, t in zip(values["indicator"], values["target"])]
    return values


def current_values(*, engine=None, at_revision: int | None = None) -> pd.DataFrame:
    return values_with_projection(storage.load_all(engine=engine, at_revision=at_revision))


def values_as_records(values: pd.DataFrame) -> list[dict]:
    """JSON-ready records: NaN becomes null, periods are integers."""
    records = []
    for row in values.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        records.append(clean)
    return records


@dataclass
class SampleFile:
    file: str
    dataset: str
    constants: dict[str, str]
    source: str


def sample_manifest() -> list[SampleFile]:
    with (SAMPLE_DIR / "manifest.csv").open(encoding="utf-8") as handle:
        return [SampleFile(row["file"], row["dataset"],
                           dict(p.split("=", 1) for p in row["set"].split(";") if p), row["source"])
                for row in csv.DictReader(handle)]


def load_sample(*, engine=None, user: str = "sample") -> list[int]:
    """Import every bundled sample file (each one revision); sources come from data/sample/manifest.csv."""
    revisions = []
    for item in sample_manifest():
        constants = dict(item.constants)
        if item.source:
            constants["source"] = item.source
        data = (SAMPLE_DIR / item.file).read_bytes()
        result = read_file(data, item.dataset, constants=constants, file_name=item.file)
        if not result.ok:
            raise ValueError(f"bundled sample {item.file} is invalid: " + "; ".join(map(str, result.errors[:5])))
        revisions.append(import_result(result, mode="replace", user=user, note="bundled sample data",
                                       engine=engine))
    return revisions


def indicator_sources(datasets: dict[str, pd.DataFrame], registry: pd.DataFrame) -> dict[str, list[str]]:
    """The distinct ``source`` texts of the rows behind each indicator (for captions and the Data page)."""
    out = {}
    for spec in registry.itertuples(index=False):
        rows = datasets.get(spec.dataset)
        if rows is None or rows.empty:
            out[spec.id] = []
            continue
        if spec.dataset == "mobility":
            for key, value in parse_filter(spec.filter).items():
                rows = rows[rows[key] == value]
        elif spec.dataset == "indicators":
            rows = rows[rows["indicator"] == spec.id]
        out[spec.id] = sorted({str(s) for s in rows["source"].dropna() if str(s).strip()})
    return out


def is_illustrative(sources: list[str]) -> bool:
    """Rows without a named source, or labelled illustrative, must not pass as the university's figures."""
    return not sources or any(s.lower().startswith("illustrative") for s in sources)


PERIOD_COLUMNS = {"mobility": "fiscal_year", "papers": "year", "agreements": "start_date", "indicators": "fiscal_year",
                  "targets": "target_period"}


def dataset_overview(datasets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per dataset: rows stored, first and last period, and the sources named in the rows."""
    rows = []
    for name, frame in datasets.items():
        column = frame[PERIOD_COLUMNS[name]].dropna()
        fmt = (lambda v: f"{v:%Y-%m-%d}") if name == "agreements" else (lambda v: str(int(v)))
        rows.append({"dataset": name, "rows": len(frame), "first": fmt(column.min()) if len(column) else "",
                     "last": fmt(column.max()) if len(column) else "",
                     "sources": "; ".join(sorted({str(s) for s in frame["source"].dropna()}))})
    return pd.DataFrame(rows)


def replace_scope(result: ImportResult) -> dict[str, list]:
    """What a replace removes: rows matching the file's constant columns and the periods (keys) it covers."""
    scope = {k: [v] for k, v in result.constants.items() if k != "source"}
    for column in REPLACE_KEYS[result.dataset]:
        scope[column] = sorted(result.frame[column].dropna().unique().tolist())
    return scope


def kept_rows(current: pd.DataFrame, result: ImportResult, *, mode: str) -> pd.DataFrame:
    """Stored rows that survive a commit: all for append; for replace, those outside the file's scope."""
    if mode != "replace":
        return current
    inside = pd.Series(True, index=current.index)
    for column, values in replace_scope(result).items():
        inside &= current[column].isin(values)
    return current[~inside]


def apply_result(datasets: dict[str, pd.DataFrame], result: ImportResult, *, mode: str) -> dict[str, pd.DataFrame]:
    """The datasets as they would be after committing ``result`` (nothing is written)."""
    current = datasets[result.dataset]
    kept = kept_rows(current, result, mode=mode)
    incoming = result.frame.reset_index(drop=True).reindex(columns=current.columns)
    after = dict(datasets)
    after[result.dataset] = pd.concat([kept, incoming], ignore_index=True) if len(kept) else incoming
    return after


def value_diff(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """KPI values that a commit would add, change or remove: indicator, period, before, after."""
    keys = ["indicator", "period"]
    merged = before[[*keys, "value"]].merge(after[[*keys, "value"]], on=keys, how="outer",
                                            suffixes=("_before", "_after"))
    changed = ~((merged["value_before"] - merged["value_after"]).abs() < 1e-9)
    return merged[changed].rename(columns={"value_before": "before", "value_after": "after"}) \
        .sort_values(keys, ignore_index=True)


def store_targets(result: ImportResult, *, user: str = "analyst", note: str = "") -> int:
    """The whole target table as edited, as one revision that replaces every current target (the audit trail)."""
    if not result.ok:
        raise ValueError("the targets have errors; nothing was stored")
    return storage.store("targets", result.frame, mode="replace", user=user, file_name=result.file_name,
                         sha256=result.sha256, note=note)
