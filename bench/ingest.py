"""Benchmark, process against process: `kpi import` of a 20,000-record Scopus export (goal <= 2 s) and of a
1,000,000-row long mobility CSV, each against a whole Python process that imports pandas and reads the same file
(goal <= 3x); a 20,000-record Scopus RIS export and a 100,000-record OpenAlex file (the API's JSON Lines and the
web site's CSV), time and peak memory of each import process. Figures from one run on this machine, with its load
average (never a timed test).
Usage: python bench/ingest.py [ROWS] [SCOPUS_RECORDS] [OPENALEX_RECORDS]
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
    """A Scopus 'CSV' export: UTF-8 with BOM, every field quoted, abstracts with line breaks; affiliations name
    departments, so that (as in a real export) nearly every record's affiliation text is different."""
    rng = np.random.default_rng(2)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write('"Authors","Title","Year","Source title","DOI","Affiliations","Abstract","Document Type",'
                     '"Source","EID"\r\n')
        for number in range(records):
            picks = [f"Department {number % 4999}, Tohoku University, Sendai, Japan"] + [
                f"Lab {number % 7919}, {AFFILIATIONS[i]}" for i in rng.integers(0, len(AFFILIATIONS), rng.integers(0, 3))]
            handle.write(f'"Author {number}","Title {number}","{2015 + number % 10}","Journal","10.1/{number}",'
                         f'"{"; ".join(picks)}","First line of the abstract.\nSecond, with ""quotes"".","Article",'
                         f'"Scopus","2-s2.0-{85000000000 + number}"\r\n')


def write_scopus_ris(path: Path, records: int) -> None:
    """A Scopus RIS export: one AD line per affiliation, the EID in UR, 'Cited By' and the export date in N1."""
    rng = np.random.default_rng(3)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        for number in range(records):
            lines = ["TY  - JOUR", *[f"AU  - Author{number}-{a}, A." for a in range(1 + number % 6)],
                     f"TI  - Title {number}", f"PY  - {2015 + number % 10}", f"DO  - 10.1/{number}",
                     f"UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-{85000000000 + number}&partnerID=40",
                     f"AD  - Department {number % 4999}, Tohoku University, Sendai, Japan",
                     *[f"AD  - Lab {number % 7919}, {AFFILIATIONS[i]}"
                       for i in rng.integers(0, len(AFFILIATIONS), rng.integers(0, 3))],
                     "AB  - First line of the abstract, with a comma.", "DB  - Scopus",
                     f"N1  - Export Date: 3 December 2026; Cited By: {number % 97}", "ER  - ", ""]
            handle.write("\r\n".join(lines) + "\r\n")


OPENALEX_PLACES = [("Tohoku University", "JP"), ("Harvard University", "US"), ("Tsinghua University", "CN"),
                   ("Seoul National University", "KR"), ("University of Cambridge", "GB"), ("RWTH Aachen", "DE")]


def openalex_work(number: int, rng) -> dict:
    places = [OPENALEX_PLACES[0]] + [OPENALEX_PLACES[i] for i in rng.integers(0, 6, rng.integers(0, 4))]
    return {"id": f"https://openalex.org/W{4000000000 + number}", "doi": f"https://doi.org/10.1/{number}",
            "publication_year": 2015 + number % 10, "cited_by_count": int(number % 211),
            "authorships": [{"author": {"display_name": f"Author {number}-{k}"}, "countries": [code],
                             "institutions": [{"display_name": name, "country_code": code}]}
                            for k, (name, code) in enumerate(places)]}


def write_openalex(jsonl: Path, csv_path: Path, records: int) -> None:
    """The same works as the API's JSON Lines and as the web site's CSV ('IT|IT' codes, '|'-joined lists)."""
    import csv
    import json

    rng = np.random.default_rng(4)
    with jsonl.open("w", encoding="utf-8") as lines, csv_path.open("w", encoding="utf-8", newline="") as table:
        writer = csv.writer(table)
        writer.writerow(["id", "display_name", "publication_year", "doi", "authorships.author.display_name",
                         "authorships.countries", "authorships.institutions.display_name", "cited_by_count"])
        for number in range(records):
            work = openalex_work(number, rng)
            lines.write(json.dumps(work) + "\n")
            people = work["authorships"]
            writer.writerow([work["id"], f"Title {number}", work["publication_year"], work["doi"],
                             "|".join(a["author"]["display_name"] for a in people),
                             "|".join(a["countries"][0] for a in people),
                             "|".join(a["institutions"][0]["display_name"] for a in people), work["cited_by_count"]])


def run_measured(path: Path, dataset: str, folder: Path) -> tuple[float, float]:
    """`kpi import` in its own process; (seconds, that process's peak resident memory in MB)."""
    env = {**os.environ, "KPI_DATABASE_URL": f"sqlite:///{folder / f'{dataset}-{time.monotonic_ns()}.sqlite3'}"}
    code = ("import resource, sys; from kpi.cli import main; code = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr); sys.exit(code)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "import", str(path), "--dataset", dataset], env=env,
                          capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
        raise SystemExit(f"kpi import of {path.name} failed")
    return elapsed, float(done.stderr.strip().splitlines()[-1])


def bibliographic(folder: Path, records: int, openalex_records: int) -> None:
    """New formats: time and peak memory of `kpi import` against a process that only reads the file."""
    ris = folder / "scopus.ris"
    write_scopus_ris(ris, records)
    jsonl, table = folder / "openalex.jsonl", folder / "openalex.csv"
    write_openalex(jsonl, table, openalex_records)
    floors = {ris: f"open({str(ris)!r}, encoding='utf-8-sig').read().split('ER  - ')",
              jsonl: f"import json; [json.loads(l) for l in open({str(jsonl)!r})]",
              table: f"import pandas as pd; pd.read_csv({str(table)!r}, dtype=str)"}
    for path, label in ((ris, f"Scopus RIS, {records:,} records"),
                        (jsonl, f"OpenAlex JSON Lines, {openalex_records:,} works"),
                        (table, f"OpenAlex CSV, {openalex_records:,} works")):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", floors[path]], check=True)
        floor = time.perf_counter() - start
        elapsed, peak = min((run_measured(path, "papers", folder) for _ in range(2)), key=lambda r: r[0])
        print(f"{label}, {path.stat().st_size / 1e6:.1f} MB: kpi import {elapsed:.2f} s, peak memory {peak:,.0f} MB; "
              f"floor process (read and split the file) {floor:.2f} s; ratio {elapsed / floor:.1f}x")


def run_import(path: Path, dataset: str, folder: Path) -> tuple[float, float]:
    env = {**os.environ, "KPI_DATABASE_URL": f"sqlite:///{folder / f'{dataset}-{time.monotonic_ns()}.sqlite3'}"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kpi.cli", "import", str(path), "--dataset", dataset], env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
        raise SystemExit(f"kpi import of {path.name} failed")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_floor(path: Path, engine: str) -> float:
    """A whole Python process that imports pandas and reads the file: what any import must at least cost."""
    code = f"import pandas as pd; pd.read_csv({str(path)!r}, engine={engine!r}, dtype=str, keep_default_na=False)"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def best_of(runs: int, measure) -> float:
    """The least of a few runs: the machine is shared, the minimum is the least disturbed."""
    return min(measure() for _ in range(runs))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    records = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    openalex_records = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="kpi-ingest-"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    bibliographic(folder, records, openalex_records)

    scopus = folder / "scopus.csv"
    write_scopus(scopus, records)
    scopus_floor = best_of(3, lambda: run_floor(scopus, "c"))
    scopus_time, scopus_peak = min((run_measured(scopus, "papers", folder) for _ in range(3)), key=lambda r: r[0])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kpi.ingest.importer import read_file

    data = scopus.read_bytes()
    start = time.perf_counter()
    result = read_file(data, "papers")
    in_process = time.perf_counter() - start
    assert result.ok and result.summary["papers"] == records
    print(f"Scopus export, {records:,} records, {scopus.stat().st_size / 1e6:.1f} MB: kpi import {scopus_time:.2f} s "
          f"(goal <= 2 s: {'met' if scopus_time <= 2 else 'NOT met'}); reading and checking alone {in_process:.2f} s; "
          f"floor process (import pandas, read_csv) {scopus_floor:.2f} s; ratio {scopus_time / scopus_floor:.1f}x; "
          f"peak memory {scopus_peak:,.0f} MB")

    path = folder / "mobility_long.csv"
    write_export(path, rows)
    floor = best_of(2, lambda: run_floor(path, "pyarrow"))
    elapsed, peak_mb = run_import(path, "mobility", folder)
    ratio = elapsed / floor
    print(f"mobility, {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB: kpi import (validate + store in SQLite) "
          f"{elapsed:.2f} s; floor process (import pandas, read_csv engine=pyarrow) {floor:.2f} s; ratio {ratio:.1f}x "
          f"(goal <= 3x: {'met' if ratio <= 3 else 'NOT met'}); peak memory of the imports {peak_mb:,.0f} MB")
    print(f"load average after the run {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
