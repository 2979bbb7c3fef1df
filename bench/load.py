"""Capacity at the server: N Streamlit sessions over the websocket (no browser), each figure beside Streamlit's floor.

Each session speaks Streamlit's own protocol (the protobuf BackMsg/ForwardMsg of the installed package) over
`/_stcore/stream`, as the browser does. Two servers run side by side on the same machine and Streamlit:
- the floor: a hello-world page (bench/hello.py: a title and one small chart), `streamlit run`, same config;
- the app: `kpi serve` on a throwaway PostgreSQL (Debian's, started here as tests/conftest.py does) with the sample.
For each N, N sessions connect; then all open the first page at the same instant (a meeting where everyone opens the
link together: a burst, the worst case), then all rerun it at once. On the app they then change the Overview's
pillar filter at once (the pills widget's state, sent as a click sends it, with the fragment's id when the filter
lives in a fragment), then open the Indicator page at once. Each request is timed from the rerun message sent to
its `script_finished`, its bytes on the websocket counted, and checked: no exception element, the Overview's
scorecard drawn, then drawn differently after the filter, then the indicator's chart; the floor's chart.
The floor's and the app's rounds alternate (each N at least three times, small N until each step has ten
requests), so both meet the same load from the other engineers on this machine: the ratio app / floor is what
counts, and the load average is printed at the start and end of each measurement.

The app's runs take turns (kpi/app/turns.py); the same sweep without turns (KPI_TURN_WAIT_S=0, every run at
once, as Streamlit schedules them) shows what that adds. Then two replicas of the app behind Debian's nginx,
configured from deploy/nginx.conf (ip_hash sticky sessions; each session from its own loopback source address
127.0.k.1, so that ip_hash, which keys on the first three octets, spreads them as it would spread viewers on
different machines), on the same PostgreSQL, against the floor.

Last, in-process (streamlit.testing AppTest, a fresh process each, SQLite): the server-side time of a run of the
Overview, the Indicator page and Student mobility, beside the hello-world page's, with the sample data and with
1,000,000 mobility rows.

Usage: python bench/load.py            N = 1, 5, 10, 20; replicas N = 1, 5, 10, 20, 40; in-process at 1,000,000 rows
       python bench/load.py --quick    N = 1, 5, 10; replicas N = 5, 10; in-process on the sample only (minutes)
Bounded: N ≤ 80, each request ≤ 60 s, each step ≤ 240 s; everything it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from conftest import ARTIFACTS, PostgresServer, Server, free_port, healthy  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

SESSIONS, REPLICA_SESSIONS = (1, 5, 10, 20), (1, 5, 10, 20, 40)
QUICK_SESSIONS, QUICK_REPLICA_SESSIONS = (1, 5, 10), (5, 10)
SAMPLES, ROUNDS = 10, 3  # a round of N sessions is repeated ceil(10 / N) times and at least 3 times, the floor's and
# the app's rounds alternating, so that one busy moment of the shared machine does not decide a ratio
REQUEST_TIMEOUT_S = 60
STEP_TIMEOUT_S = 240
GOAL_P95_S = 1.0
GOAL_RATIO_AT_10 = 1.5
KPI = "international_students"
FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
PLAN_THINK_S = 30  # planning assumption: a viewer asks for a page or changes a filter every 30 s on average
PLAN_BUSY = 0.5  # a process kept half busy keeps queueing short for viewers acting at random moments


class RequestFailed(Exception):
    """A request that did not finish cleanly: no connection, an exception element, a timeout, a compile error."""


@dataclass
class Session:
    """One browser tab's worth of protocol: a websocket, the widget ids it has seen, the pages it was offered."""

    url: str
    source: str = "127.0.0.1"
    widgets: dict[str, list[str]] = field(default_factory=dict)  # button-group id -> option labels
    fragments: dict[str, str] = field(default_factory=dict)  # widget id -> id of the fragment that drew it
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    current_page: str = ""
    charts: int = 0  # Plotly charts in the last run's output
    tables: int = 0  # dataframes (the scorecard) in the last run's output
    received: int = 0  # bytes the last run sent down the websocket
    content: bytes = b""  # a digest of everything the last run drew, to tell that a filter changed it

    async def open(self) -> None:
        host = self.url.removeprefix("http://")
        self.ws = await connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=self.url,
                                local_addr=(self.source, 0), max_size=None, open_timeout=REQUEST_TIMEOUT_S,
                                ping_interval=None)

    async def close(self) -> None:
        await self.ws.close()

    async def rerun(self, query: str, *, page: str = "", widgets: list[WidgetState] = (), fragment: str = "") -> float:
        """Send a rerun as the browser does; seconds until script_finished. Raises RequestFailed."""
        state = ClientState(query_string=query, widget_states=WidgetStates(widgets=list(widgets)),
                            page_script_hash=self.pages.get(page, self.current_page if not page else ""),
                            page_name=page, fragment_id=fragment)
        self.charts = self.tables = self.received = 0
        digest = hashlib.sha256()
        start = time.perf_counter()
        await self.ws.send(BackMsg(rerun_script=state).SerializeToString())
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                while True:
                    data = await self.ws.recv()
                    self.received += len(data)
                    msg = ForwardMsg()
                    msg.ParseFromString(data)
                    kind = msg.WhichOneof("type")
                    if kind == "script_finished":
                        if msg.script_finished in FINISHED:
                            self.content = digest.digest()
                            return time.perf_counter() - start
                        if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            raise RequestFailed(f"script finished with status {msg.script_finished}")
                    elif kind == "navigation":
                        self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                        self.current_page = msg.navigation.page_script_hash
                    elif kind == "delta":
                        self._read_delta(msg.delta)
                        digest.update(msg.delta.SerializeToString())
                    elif kind == "page_not_found":
                        raise RequestFailed(f"page not found: {page}")
        except TimeoutError as exc:
            raise RequestFailed(f"no script_finished within {REQUEST_TIMEOUT_S} s") from exc

    def _read_delta(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            raise RequestFailed(f"exception on the page: {element.exception.type}: {element.exception.message}")
        if kind == "plotly_chart":
            self.charts += 1
        elif kind in ("dataframe", "table", "arrow_data_frame"):
            self.tables += 1
        elif kind == "button_group":
            self.widgets[element.button_group.id] = [o.content for o in element.button_group.options]
            self.fragments[element.button_group.id] = delta.fragment_id

    def pill_click(self, key: str, chosen: list[int]) -> dict:
        """A click on a multi-select `pills` widget: its wire value (the chosen options' labels) and, when the
        widget lives in a fragment, the fragment to rerun, as the browser sends them."""
        [(widget_id, labels)] = [(i, labels) for i, labels in self.widgets.items() if i.endswith(f"-{key}")]
        state = WidgetState(id=widget_id)
        state.string_array_value.data.extend(labels[i] for i in chosen)
        return {"widgets": [state], "fragment": self.fragments.get(widget_id, "")}


@dataclass(frozen=True)
class Step:
    name: str
    request: object  # (session, lang) -> awaitable seconds
    drawn: object  # (session, seen) -> whether the page is what a viewer would see


def _overview(session: Session, seen: dict) -> bool:
    seen["overview"] = session.content
    return session.charts + session.tables >= 1


APP_STEPS = (
    Step("first", lambda s, lang: s.rerun(f"lang={lang}"), _overview),
    Step("rerun", lambda s, lang: s.rerun(f"lang={lang}"), _overview),
    Step("filter", lambda s, lang: s.rerun(f"lang={lang}", **s.pill_click("pillars", [1])),
         lambda s, seen: s.tables >= 1 and s.content != seen["overview"]),
    Step("indicator", lambda s, lang: s.rerun(f"kpi={KPI}&lang={lang}", page="indicator"),
         lambda s, seen: s.charts >= 1),
)
FLOOR_STEPS = (
    Step("first", lambda s, lang: s.rerun(""), lambda s, seen: s.charts >= 1),
    Step("rerun", lambda s, lang: s.rerun(""), lambda s, seen: s.charts >= 1),
)


@dataclass
class Sample:
    """One server's requests at one N: seconds and bytes per step, and what went wrong."""

    times: dict[str, list[float]] = field(default_factory=dict)
    received: dict[str, list[int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def quantile(self, step: str, q: float) -> float:
        ordered = sorted(self.times.get(step, []))
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")

    def holds(self, steps: tuple[str, ...]) -> bool:
        return not self.errors and all(self.quantile(s, 0.95) <= GOAL_P95_S for s in steps)

    def add(self, other: Sample) -> None:
        for step, values in other.times.items():
            self.times.setdefault(step, []).extend(values)
        for step, values in other.received.items():
            self.received.setdefault(step, []).extend(values)
        self.errors += other.errors


async def _step(session: Session, step: Step, lang: str, seen: dict) -> tuple[float | None, str]:
    try:
        seconds = await step.request(session, lang)
        if not step.drawn(session, seen):
            raise RequestFailed(f"unexpected page: {session.charts} charts, {session.tables} tables")
        return seconds, ""
    except (RequestFailed, OSError, ValueError) as exc:
        return None, str(exc) or type(exc).__name__


async def one_round(url: str, n: int, steps: tuple[Step, ...], *, spread: bool) -> Sample:
    """n sessions connect, then take each step all at once; a session that fails a step takes no further step."""
    sessions = [Session(url, source=f"127.0.{k % 250}.1" if spread else "127.0.0.1") for k in range(n)]
    sample = Sample()
    opened = await asyncio.gather(*(s.open() for s in sessions), return_exceptions=True)
    live = [(k, s, {}) for k, (s, o) in enumerate(zip(sessions, opened)) if not isinstance(o, BaseException)]
    sample.errors += [f"connect: {o}" for o in opened if isinstance(o, BaseException)]
    try:
        for step in steps:
            try:
                async with asyncio.timeout(STEP_TIMEOUT_S):
                    done = await asyncio.gather(*(_step(s, step, "ja" if k % 2 else "en", seen)
                                                  for k, s, seen in live))
            except TimeoutError:
                sample.errors.append(f"{step.name}: round over {STEP_TIMEOUT_S} s")
                break
            sample.times[step.name] = [seconds for seconds, _ in done if seconds is not None]
            sample.received[step.name] = [s.received for (_, s, _), (seconds, _) in zip(live, done) if seconds]
            sample.errors += [f"{step.name}: {error}" for _, error in done if error]
            live = [entry for entry, (seconds, _) in zip(live, done) if seconds is not None]
    finally:
        await asyncio.gather(*(s.close() for _, s, _ in live), return_exceptions=True)
    return sample


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        return next(int(line.split()[1]) / 1024 for line in handle if line.startswith("VmRSS:"))


def nginx_config(folder: Path, ports: list[int], listen: int) -> Path:
    """deploy/nginx.conf with its upstream servers and listen address rewritten for loopback, in a full config."""
    shipped = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in ports)
    derived, count = re.subn(r"(?:    server 127\.0\.0\.1:\d+;\n)+", servers, shipped)
    derived, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", derived)
    if (count, listens) != (1, 1) or "ip_hash;" not in derived:
        raise SystemExit("deploy/nginx.conf no longer has the upstream block / listen line this bench rewrites")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir(exist_ok=True)
    temp = "".join(f"    {sub}_temp_path {folder / sub};\n" for sub in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                          "scgi"))
    path = folder / "nginx.conf"
    path.write_text(f"worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
                    f"{'user root;' if os.geteuid() == 0 else ''}\nevents {{ worker_connections 4096; }}\n"
                    f"http {{\n    access_log off;\n{temp}{derived}\n}}\n")
    return path


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


class Nginx:
    def __init__(self, ports: list[int]):
        self.folder = Path(tempfile.mkdtemp(prefix="kpi-bench-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = nginx_config(self.folder, ports, self.port)
        binary = nginx_binary()
        subprocess.run([binary, "-t", "-c", str(config), "-p", str(self.folder)], check=True, capture_output=True)
        self.process = subprocess.Popen([binary, "-c", str(config), "-p", str(self.folder), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.url)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


class Floor(Server):
    """The hello-world page served by `streamlit run` exactly as `kpi serve` serves the app (same flags, config)."""

    def __init__(self):  # noqa: D107 — Server's start, with another command
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = (ARTIFACTS / f"floor-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "bench" / "hello.py"), "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--server.fileWatcherType", "none"], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_healthy(self.url)


def wait_healthy(url: str, limit_s: float = 120) -> None:
    if not healthy(url, limit_s=limit_s):
        raise SystemExit(f"{url} did not answer its health check in {limit_s:.0f} s")


def warm(url: str, steps: tuple[Step, ...]) -> None:
    """One session per language first, so that every process is measured with its caches filled."""
    for _ in ("en", "ja"):
        sample = asyncio.run(one_round(url, 2, steps, spread=False))
        if sample.errors:
            raise SystemExit(f"warming {url} failed: {sample.errors[0]}")


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def measure(n: int, app_url: str, floor_url: str, *, spread: bool) -> tuple[Sample, Sample, str]:
    """The floor's and the app's rounds of n sessions, alternating, until each step has SAMPLES requests."""
    floor, app = Sample(), Sample()
    before = load()
    for repeat in range(max(ROUNDS, math.ceil(SAMPLES / n))):
        order = [(floor, floor_url, FLOOR_STEPS, False), (app, app_url, APP_STEPS, spread)]
        for into, url, steps, spreading in order if repeat % 2 == 0 else order[::-1]:
            into.add(asyncio.run(one_round(url, n, steps, spread=spreading)))
    return floor, app, f"{before}→{load()}"


def figure(sample: Sample, step: str) -> str:
    if not sample.times.get(step):
        return f"{'–':>13}"
    return f"{sample.quantile(step, 0.5):>5.2f} / {sample.quantile(step, 0.95):>5.2f}"


def ratio(app: Sample, floor: Sample, step: str, q: float) -> float:
    return app.quantile(step, q) / floor.quantile(step, q) if floor.times.get(step) else float("nan")


def kb(sample: Sample, step: str) -> str:
    values = sample.received.get(step)
    return f"{statistics.median(values) / 1024:>6.1f}" if values else f"{'–':>6}"


def print_rows(n: int, floor: Sample, app: Sample, loads: str, memory: str) -> None:
    for k, step in enumerate(s.name for s in APP_STEPS):
        head = f"  {n:>3}  {loads:>9}" if k == 0 else f"  {'':>3}  {'':>9}"
        in_floor = step in floor.times
        print(f"{head}  {step:<9}  {figure(floor, step)}  {figure(app, step)}  "
              + (f"{ratio(app, floor, step, 0.5):>5.2f}×  {ratio(app, floor, step, 0.95):>5.2f}×" if in_floor
                 else f"{'':>6}  {'':>6}")
              + f"  {kb(floor, step)}  {kb(app, step)}" + (f"  {memory}" if k == 0 else ""), flush=True)
    errors = floor.errors + app.errors
    for error in sorted(set(errors))[:3]:
        print(f"       {errors.count(error)}× {error}")


def knee(samples: dict[int, Sample], steps: tuple[str, ...]) -> tuple[int, str]:
    """The largest N such that it and every smaller N held p95 ≤ 1 s on ``steps`` without error, as text."""
    held = None
    for n in sorted(samples):
        if not samples[n].holds(steps):
            break
        held = n
    if held is None:
        return 0, "none"
    return held, f"{held} (p95 {max(samples[held].quantile(s, 0.95) for s in steps):.2f} s)"


def sweep(label: str, app_url: str, floor_url: str, counts: tuple[int, ...], *, spread: bool,
          servers: list[Server]) -> tuple[dict[int, Sample], dict[int, Sample]]:
    warm(floor_url, FLOOR_STEPS)
    for server in servers:
        warm(server.url, APP_STEPS)
    if spread:
        warm(app_url, APP_STEPS)
    floors, apps = {}, {}
    print(f"\n{label}: seconds p50 / p95 from the rerun request to script_finished; ratio app / floor; median KB "
          f"sent per request; load average at the start → end of the N's measurement")
    print(f"  {'N':>3}  {'load':>9}  {'step':<9}  {'floor':>13}  {'app':>13}  {'p50':>6}  {'p95':>6}  "
          f"{'KB fl':>6}  {'KB app':>6}  app RSS MB")
    for n in counts:
        floors[n], apps[n], loads = measure(n, app_url, floor_url, spread=spread)
        memory = "/".join(f"{rss_mb(server.process.pid):.0f}" for server in servers)
        print_rows(n, floors[n], apps[n], loads, memory)
    return floors, apps


def verdict(floors: dict[int, Sample], apps: dict[int, Sample]) -> dict[str, int]:
    """The issue's goals for one process: the app's knee equal to the floor's, p50 at N = 10 within 1.5×."""
    knees = {}
    for step in ("first", "rerun"):
        (floor_n, floor_text), (app_n, app_text) = knee(floors, (step,)), knee(apps, (step,))
        knees[step] = app_n
        print(f"  knee, {step} page (largest N with p95 ≤ {GOAL_P95_S:.0f} s, no error): floor {floor_text}, "
              f"app {app_text} — {'met' if app_n >= floor_n else 'not met'}")
        if 10 in apps:
            r = ratio(apps[10], floors[10], step, 0.5)
            print(f"  p50 at N = 10, {step} page: {r:.2f}× the floor's (goal ≤ {GOAL_RATIO_AT_10}×) — "
                  f"{'met' if r <= GOAL_RATIO_AT_10 else 'not met'}")
    all_n, all_text = knee(apps, tuple(s.name for s in APP_STEPS))
    knees["all"] = all_n
    print(f"  knee, every step of the app (first, rerun, filter, indicator): {all_text}")
    return knees


def page_runs(database_url: str, runs: int = 7) -> None:
    """In this process (a child of the bench): per page, the first run (building the snapshot for the first page),
    the median of warm reruns and the bytes allocated at most during one rerun (tracemalloc)."""
    import tracemalloc

    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest

    # A served process compiles each page once (one ScriptCache per runtime); AppTest compiles it on every run.
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    os.environ["KPI_DATABASE_URL"] = database_url
    results = []
    for label, script, page in (("hello", ROOT / "bench" / "hello.py", None),
                                ("overview", ROOT / "dashboard.py", None),
                                ("indicator", ROOT / "dashboard.py", "pages/indicator.py"),
                                ("mobility", ROOT / "dashboard.py", "pages/mobility.py")):
        app = AppTest.from_file(str(script), default_timeout=600)
        app.query_params["lang"] = "en"
        if page:
            app.switch_page(page)
        start = time.perf_counter()
        app.run()
        cold = time.perf_counter() - start
        if app.exception or not (app.get("plotly_chart") or app.dataframe):
            raise SystemExit(f"{label} did not render: {app.exception}")
        warm_times = []
        for _ in range(runs):
            start = time.perf_counter()
            app.run()
            warm_times.append(time.perf_counter() - start)
        tracemalloc.start()
        app.run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append(f"{label}={cold:.3f},{statistics.median(warm_times):.4f},{peak / 2**20:.1f}")
    print(" ".join(results))


def in_process(rows: int) -> None:
    """The server-side time of a run per page, in a fresh process per database (SQLite), beside the floor's."""
    from ingest import write_export

    from kpi.store import service, storage

    folder = Path(tempfile.mkdtemp(prefix="kpi-bench-rerun-"))
    try:
        databases = [("sample", f"sqlite:///{folder / 'sample.sqlite3'}")]
        service.load_sample(engine=storage.get_engine(databases[0][1]))
        if rows:
            big = f"sqlite:///{folder / 'big.sqlite3'}"
            service.load_sample(engine=storage.get_engine(big))
            write_export(folder / "mobility.csv", rows)
            subprocess.run([sys.executable, "-m", "kpi.cli", "import", str(folder / "mobility.csv"), "--dataset",
                            "mobility", "--mode", "replace"], check=True, capture_output=True,
                           env={**os.environ, "KPI_DATABASE_URL": big})
            databases.append((f"sample + {rows:,} mobility rows", big))
        print("\nserver-side time of one run, in-process (streamlit.testing AppTest, a fresh process per database, "
              "SQLite): first run of the process (the app's builds the snapshot) / median warm rerun / peak bytes "
              "allocated during one rerun; ratio of the warm rerun to the hello-world page's")
        for label, url in databases:
            before = load()
            done = subprocess.run([sys.executable, __file__, "--page-runs", url], check=True, cwd=ROOT,
                                  capture_output=True, text=True, timeout=STEP_TIMEOUT_S * 4)
            figures = dict(item.split("=") for item in done.stdout.split()[-4:])
            floor_warm = float(figures["hello"].split(",")[1])
            print(f"  {label} (load average {before}→{load()}):")
            for page, text in figures.items():
                cold, warm_s, peak = (float(x) for x in text.split(","))
                print(f"    {page:<10} {cold:>7.2f} s  {warm_s * 1000:>6.0f} ms  {peak:>5.1f} MB  "
                      f"{warm_s / floor_warm:>5.1f}×")
            overview = float(figures["overview"].split(",")[1])
            print(f"    on paper, viewers per process (≈ per core) acting every {PLAN_THINK_S:.0f} s on average with "
                  f"the process {PLAN_BUSY:.0%} busy: {PLAN_BUSY * PLAN_THINK_S / overview:.0f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def interrupt(*_) -> None:
    raise KeyboardInterrupt


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer N and no million-row run: a few minutes")
    parser.add_argument("--sessions", help="comma-separated session counts for one process (each ≤ 80)")
    parser.add_argument("--replica-sessions", help="comma-separated session counts for two replicas (each ≤ 80)")
    parser.add_argument("--rows", type=int, help="mobility rows for the in-process run (0: sample only)")
    parser.add_argument("--setups", default="single,no-turns,replicas,in-process",
                        help="which of single, no-turns, replicas, in-process (comma-separated)")
    parser.add_argument("--page-runs", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counts = lambda text, default: tuple(int(n) for n in text.split(",")) if text else default  # noqa: E731
    args.counts = counts(args.sessions, QUICK_SESSIONS if args.quick else SESSIONS)
    args.replica_counts = counts(args.replica_sessions, QUICK_REPLICA_SESSIONS if args.quick else REPLICA_SESSIONS)
    args.rows = args.rows if args.rows is not None else 0 if args.quick else 1_000_000
    if any(not 1 <= n <= 80 for n in (*args.counts, *args.replica_counts)):
        parser.error("session counts are between 1 and 80")
    return args


def served(args: argparse.Namespace) -> None:
    """One process, then two replicas behind nginx, on one PostgreSQL, each beside the floor."""
    from kpi.store import service, storage

    postgres = PostgresServer()
    started: list = []
    knees = {}
    try:
        database = postgres.new_database()
        service.load_sample(engine=storage.get_engine(database))
        storage.get_engine(database).dispose()
        floor = Floor()
        started.append(floor)
        if "single" in args.setups:
            server = Server(database)
            started.append(server)
            floors, apps = sweep("one server process (kpi serve), direct", server.url, floor.url, args.counts,
                                 spread=False, servers=[server])
            knees["one process"] = verdict(floors, apps)
            server.stop()
            started.remove(server)
        if "no-turns" in args.setups:  # what taking turns (kpi/app/turns.py) adds: every run at once, as Streamlit does
            server = Server(database, KPI_TURN_WAIT_S="0")
            started.append(server)
            floors, apps = sweep("one server process without turns (KPI_TURN_WAIT_S=0: every run at once)", server.url,
                                 floor.url, args.counts, spread=False, servers=[server])
            verdict(floors, apps)
            server.stop()
            started.remove(server)
        if "replicas" in args.setups and nginx_binary() is None:
            print("\ntwo replicas: skipped, nginx is not installed (`make bench-deps` installs Debian's nginx-light)")
        elif "replicas" in args.setups:
            replicas = [Server(database) for _ in range(2)]
            started += replicas
            proxy = Nginx([r.port for r in replicas])
            started.append(proxy)
            floors, apps = sweep("two replicas behind nginx (deploy/nginx.conf, ip_hash), one PostgreSQL", proxy.url,
                                 floor.url, args.replica_counts, spread=True, servers=replicas)
            knees["two replicas"] = verdict(floors, apps)
    finally:
        for thing in reversed(started):
            thing.stop()
        postgres.stop()
    if len(knees) == 2:
        single, double = knees["one process"]["all"], knees["two replicas"]["all"]
        print(f"\ntwo replicas' knee {double} vs one process's {single}: "
              f"{'doubled' if double >= 2 * max(single, 1) else 'not doubled'}")


def main() -> None:
    args = parse()
    if args.page_runs:
        return page_runs(args.page_runs)
    args.setups = set(args.setups.split(","))
    # A SIGTERM unwinds like Ctrl-C, so the servers, nginx and PostgreSQL started below are stopped too.
    signal.signal(signal.SIGTERM, interrupt)
    ARTIFACTS.mkdir(exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load()} at the start, Python "
          f"{platform.python_version()}; client, servers, nginx and PostgreSQL share it")
    if args.setups & {"single", "no-turns", "replicas"}:
        served(args)
    if "in-process" in args.setups:
        in_process(args.rows)
    print(f"\nload average {load()} at the end")


if __name__ == "__main__":
    main()
