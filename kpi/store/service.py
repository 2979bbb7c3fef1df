"""The operations the CLI and the app share: validate, import, compute values, roll back, load the sample."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kpi.ingest.importer import ImportResult, Problem, read_file
from kpi.store import plan, storage
from metrics.compute import compute_values
from metrics.evaluate import evaluate
from metrics.registry import load_registry

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"


def validate_bytes(data: bytes, dataset: str, *, constants: dict[str, str] | None = None,
                   encoding: str | None = None, file_name: str = "", mapping: dict[str, str] | None = None,
                   delimiter: str | None = None, header_line: int | None = None, sheet: str | None = None
                   ) -> ImportResult:
    """Read and check an upload; one that is over the size limit gets one clear error and is not read.

    ``delimiter``, ``header_line`` (1-based) and ``sheet`` override detection (None: detect).
    """
    if len(data) > max_upload_bytes():
        return too_large(len(data), dataset, file_name)
    return read_file(data, dataset, constants=constants, encoding=encoding, file_name=file_name, mapping=mapping,
                     delimiter=delimiter, header_line=header_line, sheet=sheet)


def validate_several(files: list[tuple[bytes, str]], dataset: str, **options) -> ImportResult:
    """Several exports of one search read as one import (kpi.ingest.combine): (data, file name) each."""
    from kpi.ingest.combine import combine

    return combine([validate_bytes(data, dataset, file_name=name, **options) for data, name in files])


def too_large(size: int, dataset: str, file_name: str) -> ImportResult:
    result = ImportResult(dataset=dataset, file_name=file_name)
    result.errors.append(Problem("imp.file_too_large", params={"size": f"{size / 1e6:,.1f}",
                                                              "limit": f"{max_upload_bytes() / 1e6:,.0f}"}))
    return result


def max_upload_bytes() -> int:
    """The upload size limit, 200 MB unless KPI_MAX_UPLOAD_MB says otherwise (the app's server limit matches)."""
    return int(float(os.environ.get("KPI_MAX_UPLOAD_MB", "200")) * 1_000_000)


def import_result(result: ImportResult, *, mode: str = "append", user: str | None = None, note: str = "",
                  engine=None, progress=None) -> int:
    """Store a validated result as one revision, unchecked (the bundled sample; people go through kpi.store.plan).

    A replace replaces exactly the file's slices; a result with errors is refused (nothing is written).
    """
    if not result.ok:
        raise ValueError(f"{len(result.errors)} error(s); nothing was stored")
    return storage.store(result.dataset, result.frame, mode=mode, user=user, file_name=result.file_name,
                         sha256=result.sha256, note=note, engine=engine, progress=progress,
                         slices=plan.file_slices(result) if mode == "replace" else None)


def values_table(datasets: dict[str, pd.DataFrame], *, judged_on: dt.date | None = None) -> pd.DataFrame:
    """Every computed value with its evaluation (metrics.evaluate: plan, target in force, status, outlook)."""
    registry = load_registry()
    evaluation, _ = evaluate(compute_values(datasets, registry), datasets.get("targets"), registry,
                             as_of=judged_on or dt.date.today())
    return evaluation[evaluation["period"].notna()].reset_index(drop=True)


values_with_projection = values_table  # the projection's figures are columns of the evaluation


def current_values(*, engine=None, at_revision: int | None = None) -> pd.DataFrame:
    from kpi.store import snapshot

    return snapshot.load(engine=engine, at_revision=at_revision).values


def _plain(value):
    """A JSON-ready scalar: NaN, <NA> and NaT become null, dates ISO strings, numpy scalars Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def values_as_records(values: pd.DataFrame) -> list[dict]:
    """JSON-ready records: NaN and <NA> become null, periods are integers, dates ISO strings."""
    return [{key: _plain(value) for key, value in row.items()} for row in values.to_dict("records")]


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


PERIOD_COLUMNS = {"mobility": "fiscal_year", "papers": "year", "agreements": "start_date", "indicators": "fiscal_year",
                  "targets": "target_period", "enrolment": "fiscal_year", "staff": "fiscal_year"}


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


def apply_result(datasets: dict[str, pd.DataFrame], result: ImportResult, *, mode: str) -> dict[str, pd.DataFrame]:
    """The datasets as they would be after committing ``result`` (nothing is written)."""
    return plan.apply_slices(datasets, result, slices=plan.file_slices(result) if mode == "replace" else None)


def store_targets(result: ImportResult, *, user: str, note: str = "", expect_base: int | None = None,
                  engine=None) -> int:
    """The whole target table as edited, as one revision that replaces every current target (the audit trail).

    The same edit saved twice (a double click, a rerun) stores nothing more: its token is the table's content
    and the targets revision it was made from.
    """
    if not result.ok:
        raise ValueError("the targets have errors; nothing was stored")
    token = hashlib.sha256(f"targets|{result.sha256}|{expect_base}".encode()).hexdigest()
    return storage.store("targets", result.frame, mode="replace", user=user, file_name=result.file_name,
                         sha256=result.sha256, note=note, token=token, expect_base=expect_base, engine=engine)
