"""Faults: an import killed with SIGKILL, two imports at once, a read-only or locked database, no database."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi.store import service, storage

pytestmark = pytest.mark.system  # processes killed on purpose, locked and read-only databases
ROWS = 300_000


def kpi(*args, url: str, check: bool = False, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "KPI_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "kpi.cli", *args], env=env, capture_output=True, text=True,
                          check=check, **popen)


def state(url: str) -> tuple[int, int, str]:
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT count(*) FROM data_mobility WHERE valid_to IS NULL").fetchone()[0]
        revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
    values = kpi("values", "--json", url=url, check=True).stdout
    return rows, revisions, values


def started_writing(process: subprocess.Popen, wal: Path, limit_s: float = 600) -> bool:
    """Wait until the import writes to the database file's WAL (its transaction is under way) or ends.

    The readers before it have closed their connections (the last close checkpoints and removes the WAL), so a WAL
    that appears with frames, or changes, is the import writing. A condition with a generous bound, never a guess
    at how long Python takes to start.
    """
    def seen():
        return (wal.stat().st_size, wal.stat().st_mtime_ns) if wal.exists() else (0, 0)

    before = seen()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and process.poll() is None:
        now = seen()
        if now[0] > 0 and now != before:
            return True
        time.sleep(0.005)
    return False


@pytest.fixture
def loaded(tmp_path):
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    engine = storage.get_engine(url)
    service.load_sample(engine=engine)
    engine.dispose()  # no connection of this process stays open on the file
    storage._engines.pop(url, None)
    big = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame({"fiscal_year": rng.integers(2030, 2040, ROWS), "direction": "inbound",
                  "students": rng.integers(1, 9, ROWS)}).to_csv(big, index=False)
    return url, big


@pytest.mark.slow
def test_import_killed_mid_way_leaves_before_or_after_never_partial(loaded, capsys):
    url, big = loaded
    before = state(url)
    outcomes = []
    wal = Path(url.removeprefix("sqlite:///") + "-wal")
    for delay in (0.0, 0.5, 1.5, 3.0):
        env = {**os.environ, "KPI_DATABASE_URL": url}
        process = subprocess.Popen([sys.executable, "-m", "kpi.cli", "import", str(big), "--dataset", "mobility"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        writing = started_writing(process, wal)
        time.sleep(delay)  # how far into the writing the kill lands varies; the outcome must not
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        rows, revisions, values = state(url)
        grew = revisions - before[1]
        assert rows == before[0] + grew * ROWS, "rows and revisions must move together"
        if grew == 0:
            assert values == before[2]
        outcomes.append((delay, "finished before the kill" if finished else "killed", rows, revisions))
        assert writing or finished
        before = (rows, revisions, values)
    assert outcomes[0][1] == "killed", "the first kill lands while the import is writing"
    with capsys.disabled():
        for delay, what, rows, revisions in outcomes:
            print(f"\n[fault] SIGKILL {delay:.1f}s after the import began writing ({what}): {rows:,} current mobility rows, "
                  f"{revisions} revisions — a whole import or none")


@pytest.mark.slow
def test_two_imports_at_once_both_land(loaded, tmp_path, capsys):
    url, big = loaded
    rows_before, revisions_before, _ = state(url)
    small = tmp_path / "small.csv"
    small.write_text("fiscal_year,direction,students\n" + "2040,outbound,5\n" * 1000)
    env = {**os.environ, "KPI_DATABASE_URL": url}
    processes = [subprocess.Popen([sys.executable, "-m", "kpi.cli", "import", str(path), "--dataset", "mobility"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for path in (big, small)]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    rows, revisions, _ = state(url)
    assert (rows, revisions) == (rows_before + ROWS + 1000, revisions_before + 2)
    with capsys.disabled():
        print(f"\n[fault] two concurrent imports: rows {rows_before:,} -> {rows:,}, revisions "
              f"{revisions_before} -> {revisions}")


def test_read_only_database_is_a_clear_error(loaded):
    url, big = loaded
    read_only = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    done = kpi("import", str(big), "--dataset", "mobility", url=read_only)
    assert done.returncode == 1 and "readonly" in done.stderr.replace("-", "") and "Traceback" not in done.stderr
    assert json.loads(kpi("values", "--json", url=read_only, check=True).stdout)  # reading still works


def test_locked_database_is_a_clear_error(loaded, tmp_path):
    url, _ = loaded
    small = tmp_path / "small.csv"
    small.write_text("fiscal_year,direction,students\n2040,outbound,5\n")
    holder = sqlite3.connect(url.removeprefix("sqlite:///"))
    holder.execute("BEGIN EXCLUSIVE")
    try:
        done = subprocess.run([sys.executable, "-m", "kpi.cli", "import", str(small), "--dataset", "mobility"],
                              env={**os.environ, "KPI_DATABASE_URL": url, "KPI_SQLITE_BUSY_TIMEOUT_MS": "500"},
                              capture_output=True, text=True, check=False)
    finally:
        holder.rollback()
        holder.close()
    assert done.returncode == 1 and "locked" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_database_at_start_is_a_clear_error():
    done = kpi("history", url="postgresql+psycopg://kpi:kpi@127.0.0.1:9/kpi")
    assert done.returncode == 1 and "cannot be opened" in done.stderr and "Traceback" not in done.stderr
