"""Benchmark: `kpi import` of a 1,000,000-row long mobility CSV against pandas.read_csv(engine="pyarrow").

Prints the ratio (goal ≤ 2.0) and peak memory, measured in one run (never a timed test).
Usage: python bench/ingest.py [ROWS]
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

COUNTRIES = ["中国", "韓国", "台湾", "ベトナム", "インドネシア", "米国", "タイ", "マレーシア", "Mongolia", "Germany"]
SCHOOLS = ["Engineering", "Science", "Medicine", "Law", "Economics and Management", "Arts and Letters"]


def write_export(path: Path, rows: int) -> None:
    """A long export as the student information system writes it: Japanese headers, CRLF, UTF-8 with BOM."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "年度": rng.integers(2010, 2025, rows).astype(str),
        "区分": np.where(rng.random(rows) < 0.6, "受入", "派遣"),
        "国・地域": np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), rows)],
        "部局": np.array(SCHOOLS)[rng.integers(0, len(SCHOOLS), rows)],
        "身分": np.where(rng.random(rows) < 0.7, "正規生", "非正規生"),
        "人数": rng.integers(0, 40, rows),
    })
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


AFFILIATIONS = ["Tohoku University, Sendai, Japan", "Harvard University, Cambridge, MA, United States",
                "Tsinghua University, Beijing, China", "Seoul National University, Seoul, South Korea",
                "University of Cambridge, Cambridge, United Kingdom", "RWTH Aachen University, Aachen, Germany"]


def write_scopus(path: Path, records: int) -> None:
    """A Scopus 'CSV' export: UTF-8 with BOM, every field quoted, abstracts with line breaks."""
    rng = np.random.default_rng(2)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write('"Authors","Title","Year","Source title","DOI","Affiliations","Abstract","Document Type",'
                     '"Source","EID"\r\n')
        for number in range(records):
            picks = ["Tohoku University, Sendai, Japan"] + [AFFILIATIONS[i] for i in
                                                            rng.integers(0, len(AFFILIATIONS), rng.integers(0, 3))]
            handle.write(f'"Author {number}","Title {number}","{2015 + number % 10}","Journal","10.1/{number}",'
                         f'"{"; ".join(picks)}","First line of the abstract.\nSecond, with ""quotes"".","Article",'
                         f'"Scopus","2-s2.0-{85000000000 + number}"\r\n')


def run_import(path: Path, dataset: str, folder: Path) -> tuple[float, float]:
    env = {**os.environ, "KPI_DATABASE_URL": f"sqlite:///{folder / f'{dataset}.sqlite3'}"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kpi.cli", "import", str(path), "--dataset", dataset], env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
        raise SystemExit(f"kpi import of {path.name} failed")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = Path(tempfile.mkdtemp(prefix="kpi-ingest-"))
    path = folder / "mobility_long.csv"
    write_export(path, rows)
    size = path.stat().st_size

    start = time.perf_counter()
    floor_frame = pd.read_csv(path, engine="pyarrow")
    floor = time.perf_counter() - start
    assert len(floor_frame) == rows

    scopus = folder / "scopus.csv"
    write_scopus(scopus, 100_000)
    start = time.perf_counter()
    pd.read_csv(scopus, engine="c")
    scopus_floor = time.perf_counter() - start
    scopus_time, scopus_peak = run_import(scopus, "papers", folder)
    scopus_line = (f"Scopus export: 100,000 records, {scopus.stat().st_size / 1e6:.1f} MB; floor pandas.read_csv (C engine; "
          f"quoted line breaks) {scopus_floor:.2f} s; kpi import {scopus_time:.2f} s, ratio "
          f"{scopus_time / scopus_floor:.1f}x; peak memory {scopus_peak:,.0f} MB")
    elapsed, peak_mb = run_import(path, "mobility", folder)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"file: {rows:,} rows, {size / 1e6:.1f} MB")
    print(f"floor  pandas.read_csv(engine='pyarrow'): {floor:.2f} s")
    print(f"kpi import (validate + store in SQLite):  {elapsed:.2f} s")
    print(f"ratio  {elapsed / floor:.1f}x (goal <= 2.0: {'met' if elapsed / floor <= 2.0 else 'NOT met'})")
    print(f"peak memory of kpi import: {peak_mb:,.0f} MB")
    print(scopus_line)



if __name__ == "__main__":
    main()
