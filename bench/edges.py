"""Benchmark of the hostile edges (issue 20), each case in a fresh process so that its peak memory is its own:
time and peak memory to refuse a zip bomb (over the total bound, and under it but inflating a thousand-fold), to
read a 1,048,576-row workbook, and to validate a file 20,000 columns wide; each against a floor measured in the
same run on the same file (never a timed test).
Usage: python bench/edges.py [ROWS] [COLUMNS]
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_bomb(path: Path, inflated: int) -> None:
    """A real workbook whose sheet XML carries ``inflated`` bytes of spaces (deflate: about 1,000 to 1)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet("S").write_row(0, 0, ["年度", "区分", "人数"])
    book.close()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"<sheetData>")
                with target.open(info.filename, "w", force_zip64=True) as part:
                    part.write(head + b"<sheetData>")
                    block = b" " * (16 << 20)
                    for _ in range(inflated // len(block)):
                        part.write(block)
                    part.write(tail)
            else:
                target.writestr(info.filename, data)


def write_rows(path: Path, rows: int) -> None:
    """A workbook of ``rows`` rows (header included) in three columns, as the student system exports it."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("受入")
    sheet.write_row(0, 0, ["年度", "区分", "人数"])
    for row in range(1, rows):
        sheet.write_string(row, 0, f"{2010 + row % 15}年度")
        sheet.write_string(row, 1, "受入" if row % 3 else "派遣")
        sheet.write_number(row, 2, row % 40)
    book.close()


def write_wide(path: Path, columns: int) -> None:
    header = ["fiscal_year", "direction", "students", *[f"extra column {i}" for i in range(columns - 3)]]
    row = ["2023", "inbound", "5", *["x"] * (columns - 3)]
    path.write_text("\n".join([",".join(header), *[",".join(row)] * 3]) + "\n", encoding="utf-8")


# --- one case in this process ------------------------------------------------------------------------------------

def case(kind: str, path: str) -> dict:
    """Run one measurement in this (fresh) process: floor first, then the guarded path; peak memory of each."""
    import csv

    from kpi.ingest.importer import read_file

    data = Path(path).read_bytes()
    if kind == "read":  # lazy imports (pandera's checks, the registry) paid before the clock starts
        read_file(b"fiscal_year,direction,students\n2023,inbound,5\n", "mobility")
    base = rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    if kind == "floor_zip":
        zipfile.ZipFile(io.BytesIO(data)).infolist()
        out = {}
    elif kind == "floor_calamine":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("受入").to_python()
        out = {"rows": len(rows)}
    elif kind == "floor_csv":
        out = {"cells": sum(len(r) for r in csv.reader(io.StringIO(data.decode())))}
    else:
        result = read_file(data, "mobility")
        out = {"ok": result.ok, "rows": 0 if result.frame is None else len(result.frame),
               "errors": [p.key for p in result.errors[:3]], "message": result.errors[0].text_in("en")[:160]
               if result.errors else ""}
    seconds = time.perf_counter() - started
    _, traced = tracemalloc.get_traced_memory()
    return {**out, "seconds": seconds, "traced_peak_mb": traced / 2**20, "rss_peak_mb": rss_mb(),
            "rss_growth_mb": rss_mb() - base}


def measure(kind: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--case", kind, str(path)], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, floor: dict, measured: dict) -> None:
    ratio = measured["seconds"] / max(floor["seconds"], 1e-6)
    outcome = {k: v for k, v in measured.items() if k in ("ok", "rows", "errors", "message")}
    print(f"{label}\n  floor    {floor['seconds']:8.3f} s  peak RSS {floor['rss_peak_mb']:7.0f} MB"
          f"  (Python allocations {floor['traced_peak_mb']:7.1f} MB)\n"
          f"  measured {measured['seconds']:8.3f} s  peak RSS {measured['rss_peak_mb']:7.0f} MB"
          f"  (Python allocations {measured['traced_peak_mb']:7.1f} MB)  ratio {ratio:5.1f}x\n"
          f"  result   {json.dumps(outcome, ensure_ascii=False)}")


def main(rows: int, columns: int) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        big_bomb, small_bomb = folder / "bomb-1g.xlsx", folder / "bomb-150m.xlsx"
        write_bomb(big_bomb, 1 << 30)
        write_bomb(small_bomb, 150 << 20)
        for label, path in (("zip bomb: 1 GiB of sheet XML (over the 200 MB bound)", big_bomb),
                            ("zip bomb: 150 MB of sheet XML (under the bound, 1,000-fold compressed)", small_bomb)):
            print(f"  file {path.stat().st_size / 1024:,.0f} KB")
            show(label, measure("floor_zip", path), measure("read", path))

        workbook = folder / "rows.xlsx"
        started = time.perf_counter()
        write_rows(workbook, rows)
        print(f"  wrote a {rows:,}-row workbook ({workbook.stat().st_size / 2**20:,.1f} MB) in "
              f"{time.perf_counter() - started:.0f} s")
        show(f"workbook of {rows:,} rows × 3 columns (floor: calamine's own read of the sheet)",
             measure("floor_calamine", workbook), measure("read", workbook))

        wide = folder / "wide.csv"
        write_wide(wide, columns)
        show(f"validation of a CSV {columns:,} columns wide, 3 rows (floor: the csv module splitting it)",
             measure("floor_csv", wide), measure("read", wide))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        print(json.dumps(case(sys.argv[2], sys.argv[3])))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_048_576, int(sys.argv[2]) if len(sys.argv) > 2 else 20_000)
