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

    env = {**os.environ, "KPI_DATABASE_URL": f"sqlite:///{folder / 'kpi.sqlite3'}"}
    command = [sys.executable, "-m", "kpi.cli", "import", str(path), "--dataset", "mobility"]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        raise SystemExit("kpi import failed")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"file: {rows:,} rows, {size / 1e6:.1f} MB")
    print(f"floor  pandas.read_csv(engine='pyarrow'): {floor:.2f} s")
    print(f"kpi import (validate + store in SQLite):  {elapsed:.2f} s")
    print(f"ratio  {elapsed / floor:.1f}x (goal <= 2.0: {'met' if elapsed / floor <= 2.0 else 'NOT met'})")
    print(f"peak memory of kpi import: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
