"""Capacity at the server: N Streamlit sessions over the websocket (no browser), one process and two replicas.

Each session speaks Streamlit's own protocol (the protobuf BackMsg/ForwardMsg of the installed package) over
`/_stcore/stream`, as the browser does: it asks for the Overview, changes the pillar filter (the `pills` widget's
state, as a click on a pill sends it), then opens the Indicator page for one KPI; each request is timed from the
rerun message sent to the script's `script_finished` message received. All N sessions connect first, then send
their requests at the same moment (everyone opens the dashboard when the meeting starts): a burst, the worst case.

Setups, all on loopback and on one throwaway PostgreSQL (Debian's, started here like tests/conftest.py does):
- one `kpi serve` process, addressed directly;
- two replicas behind Debian's nginx, run here with a configuration derived from deploy/nginx.conf (ip_hash
  sticky sessions): each session connects from its own loopback source address 127.0.k.1, so that ip_hash, which
  keys on the first three octets, spreads them as it would spread viewers on different machines.
Also printed, beside it: the server-side cost of one Overview rerun (time and memory, in-process through
streamlit.testing's AppTest) with the sample data and with 1,000,000 mobility rows, and a hello-world floor.

Bounded: N ≤ 80, each request ≤ 60 s, each step ≤ 240 s; everything it starts is stopped at the end.
Usage: python bench/load.py [--sessions 1,5,10,20,40,80] [--skip-rerun-cost] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
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

SESSIONS = (1, 5, 10, 20, 40, 80)
REQUEST_TIMEOUT_S = 60
STEP_TIMEOUT_S = 240
GOAL_P95_S = 1.0
KPI = "international_students"
PLAN_THINK_S = 30  # planning assumption: a viewer asks for a page or changes a filter every 30 s on average
PLAN_BUSY = 0.5  # a process kept half busy keeps queueing short for viewers acting at random moments


class RequestFailed(Exception):
    """A request that did not finish cleanly: no connection, an exception element, a timeout, a compile error."""


@dataclass
class Session:
    """One browser tab's worth of protocol: a websocket, the widget ids it has seen, the pages it was offered."""

    url: str
    source: str = "127.0.0.1"
    widgets: dict[str, object] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    current_page: str = ""
    charts: int = 0  # Plotly charts in the last run's output
    tables: int = 0  # dataframes (the scorecard) in the last run's output
    content: bytes = b""  # a digest of everything the last run drew, to tell that a filter changed it

    async def open(self) -> None:
        host = self.url.removeprefix("http://")
        self.ws = await connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=self.url,
                                local_addr=(self.source, 0), max_size=None, open_timeout=REQUEST_TIMEOUT_S,
                                ping_interval=None)

    async def close(self) -> None:
        await self.ws.close()

    async def rerun(self, query: str, *, page: str = "", widgets: list[WidgetState] = ()) -> float:
        """Send a rerun as the browser does; seconds until script_finished. Raises RequestFailed."""
        state = ClientState(query_string=query, widget_states=WidgetStates(widgets=list(widgets)),
                            page_script_hash=self.pages.get(page, self.current_page if not page else ""),
                            page_name=page)
        self.charts = self.tables = 0
        digest = hashlib.sha256()
        start = time.perf_counter()
        await self.ws.send(BackMsg(rerun_script=state).SerializeToString())
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                while True:
                    msg = ForwardMsg()
                    msg.ParseFromString(await self.ws.recv())
                    kind = msg.WhichOneof("type")
                    if kind == "script_finished":
                        if msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,):
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
        elif kind in ("dataframe", "table"):
            self.tables += 1
        elif kind == "button_group":
            self.widgets[element.button_group.id] = [o.content for o in element.button_group.options]

    def pill_state(self, key: str, chosen: list[int]) -> WidgetState:
        """The wire value of a multi-select `pills` widget: the chosen options' labels, as the browser sends them."""
        [(widget_id, labels)] = [(i, labels) for i, labels in self.widgets.items() if i.endswith(f"-{key}")]
        state = WidgetState(id=widget_id)
        state.string_array_value.data.extend(labels[i] for i in chosen)
        return state


async def scenario(session: Session, lang: str) -> list[tuple[str, float | None, str]]:
    """Overview, filter to the Research pillar, Indicator page: (step, seconds or None, error).

    Each step also checks that it got what a viewer would see: the Overview's scorecard (tables or charts), an
    Overview whose content changed with the filter, then the indicator's charts."""
    seen = {}

    def overview_drawn(s: Session) -> bool:
        seen["overview"] = s.content
        return s.charts + s.tables >= 1

    steps = [("overview", lambda: session.rerun(f"lang={lang}"), overview_drawn),
             ("filter", lambda: session.rerun(f"lang={lang}", widgets=[session.pill_state("pillars", [1])]),
              lambda s: s.charts + s.tables >= 1 and s.content != seen["overview"]),
             ("indicator", lambda: session.rerun(f"kpi={KPI}&lang={lang}", page="indicator"), lambda s: s.charts >= 1)]
    results = []
    for name, request, expected in steps:
        try:
            seconds = await request()
            if not expected(session):
                raise RequestFailed(f"unexpected page: {session.charts} charts, {session.tables} tables")
            results.append((name, seconds, ""))
        except (RequestFailed, OSError, ValueError) as exc:
            results.append((name, None, str(exc) or type(exc).__name__))
            break  # the rest of this session's journey depends on the step that failed
    return results


@dataclass
class Round:
    sessions: int
    times: list[float]
    errors: list[str]
    wall: float
    spread: str = ""  # open websockets per server process, while the sessions were connected

    def quantile(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")

    @property
    def holds(self) -> bool:
        return not self.errors and self.quantile(0.95) <= GOAL_P95_S


def websockets_on(port: int) -> int:
    """Established TCP connections whose local end is `port` (the server side of the sessions)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for line in list(handle)[1:]:
                local, state = line.split()[1], line.split()[3]
                count += state == "01" and int(local.rsplit(":", 1)[1], 16) == port
    return count


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        return next(int(line.split()[1]) / 1024 for line in handle if line.startswith("VmRSS:"))


async def one_round(url: str, n: int, *, spread: bool, servers: list[Server]) -> Round:
    """n sessions connect, then all run the scenario at once."""
    sessions = [Session(url, source=f"127.0.{k % 250}.1" if spread else "127.0.0.1") for k in range(n)]
    errors: list[str] = []
    opened = await asyncio.gather(*(s.open() for s in sessions), return_exceptions=True)
    live = [s for s, o in zip(sessions, opened) if not isinstance(o, BaseException)]
    errors += [f"connect: {o}" for o in opened if isinstance(o, BaseException)]
    per_server = "/".join(str(websockets_on(server.port)) for server in servers)
    start = time.perf_counter()
    try:
        async with asyncio.timeout(STEP_TIMEOUT_S):
            results = await asyncio.gather(*(scenario(s, "ja" if k % 2 else "en") for k, s in enumerate(live)))
    except TimeoutError:
        results, errors = [], [*errors, f"round over {STEP_TIMEOUT_S} s"]
    wall = time.perf_counter() - start
    await asyncio.gather(*(s.close() for s in live), return_exceptions=True)
    times = [seconds for journey in results for _, seconds, _ in journey if seconds is not None]
    errors += [f"{step}: {error}" for journey in results for step, _, error in journey if error]
    errors += ["step not reached"] * (3 * len(live) - sum(len(j) for j in results))
    memory = "/".join(f"{rss_mb(server.process.pid):.0f}" for server in servers)
    return Round(n, times, errors, wall, f"{per_server:>7}  {memory:>9}")


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


class Nginx:
    def __init__(self, ports: list[int]):
        self.folder = Path(tempfile.mkdtemp(prefix="kpi-bench-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = nginx_config(self.folder, ports, self.port)
        subprocess.run(["nginx", "-t", "-c", str(config), "-p", str(self.folder)], check=True, capture_output=True)
        self.process = subprocess.Popen(["nginx", "-c", str(config), "-p", str(self.folder), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.url)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_healthy(url: str, limit_s: float = 60) -> None:
    if not healthy(url, limit_s=limit_s):
        raise SystemExit(f"{url} did not answer its health check in {limit_s:.0f} s")


def warm(url: str) -> None:
    """One journey per language first, so that every process is measured with its caches filled."""
    async def both():
        for lang in ("en", "ja"):
            session = Session(url)
            await session.open()
            try:
                await scenario(session, lang)
            finally:
                await session.close()
    asyncio.run(both())


def sweep(label: str, url: str, counts: tuple[int, ...], *, spread: bool, servers: list[Server]) -> list[Round]:
    for server in servers:
        warm(server.url)
    warm(url)
    rounds = []
    print(f"\n{label}")
    print(f"  {'N':>3}  {'requests':>8}  {'p50':>7}  {'p95':>7}  {'max':>7}  {'errors':>6}  {'wall':>6}  "
          f"{'sessions':>7}  {'RSS (MB)':>9}")
    for n in counts:
        result = asyncio.run(one_round(url, n, spread=spread, servers=servers))
        rounds.append(result)
        print(f"  {n:>3}  {len(result.times):>8}  {result.quantile(0.5):>6.2f}s  {result.quantile(0.95):>6.2f}s  "
              f"{max(result.times, default=float('nan')):>6.2f}s  {len(result.errors):>6}  {result.wall:>5.1f}s  "
              f"{result.spread}", flush=True)
        for error in sorted(set(result.errors))[:3]:
            print(f"       {result.errors.count(error)}× {error}")
    print(f"  largest N with p95 ≤ {GOAL_P95_S:.0f} s and no error: {knee(rounds)}")
    return rounds


def knee(rounds: list[Round]) -> str:
    """The largest N such that it and every smaller N held p95 ≤ 1 s without error, with its p50/p95."""
    held = None
    for result in sorted(rounds, key=lambda r: r.sessions):
        if not result.holds:
            break
        held = result
    if held is None:
        return "none"
    return f"{held.sessions} (p50 {held.quantile(0.5):.2f} s, p95 {held.quantile(0.95):.2f} s)"


def floor(database_url: str) -> float:
    """Median time of a hello-world page's rerun over the same protocol (bench/hello.py, one chart)."""
    port = free_port()
    env = {**os.environ, "KPI_DATABASE_URL": database_url}
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "bench" / "hello.py"),
                                "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless",
                                "true", "--server.fileWatcherType", "none"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)

        async def reruns():
            session = Session(url)
            await session.open()
            try:
                return [await session.rerun("") for _ in range(11)][1:]
            finally:
                await session.close()
        return statistics.median(asyncio.run(reruns()))
    finally:
        process.terminate()
        process.wait(timeout=10)


def overview_reruns(database_url: str, runs: int = 5) -> None:
    """In this process (a child of the bench): first Overview rerun, then warm ones, then one under tracemalloc."""
    import resource
    import tracemalloc

    from streamlit.testing.v1 import AppTest

    os.environ["KPI_DATABASE_URL"] = database_url
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    app.query_params["lang"] = "en"
    start = time.perf_counter()
    app.run()
    cold = time.perf_counter() - start
    if app.exception or not (app.get("plotly_chart") or app.dataframe):
        raise SystemExit(f"the Overview did not render: {app.exception}")
    warm_times = []
    for _ in range(runs):
        start = time.perf_counter()
        app.run()
        warm_times.append(time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    app.run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{cold:.3f} {statistics.median(warm_times):.3f} {peak / 2**20:.1f} {rss:.0f}")


def rerun_cost(rows: int) -> None:
    """Time and memory of one Overview rerun with the sample and with `rows` mobility rows (SQLite, in-process)."""
    from ingest import write_export

    from kpi.store import service, storage

    folder = Path(tempfile.mkdtemp(prefix="kpi-bench-rerun-"))
    try:
        sample = f"sqlite:///{folder / 'sample.sqlite3'}"
        service.load_sample(engine=storage.get_engine(sample))
        big = f"sqlite:///{folder / 'big.sqlite3'}"
        service.load_sample(engine=storage.get_engine(big))
        write_export(folder / "mobility.csv", rows)
        subprocess.run([sys.executable, "-m", "kpi.cli", "import", str(folder / "mobility.csv"), "--dataset",
                        "mobility", "--mode", "replace"], check=True, env={**os.environ, "KPI_DATABASE_URL": big},
                       capture_output=True)
        plans = []
        print("\nserver-side cost of one Overview rerun (streamlit.testing AppTest in a fresh process, SQLite):")
        print(f"  {'data':<34} {'first rerun':>11} {'warm rerun':>10} {'rerun peak alloc':>16} {'process peak RSS':>16}")
        for label, url in (("sample", sample), (f"sample + {rows:,} mobility rows", big)):
            done = subprocess.run([sys.executable, __file__, "--overview-reruns", url], check=True, cwd=ROOT,
                                  capture_output=True, text=True, timeout=STEP_TIMEOUT_S * 2)
            cold, warm_s, peak, rss = (float(x) for x in done.stdout.split()[-4:])
            print(f"  {label:<34} {cold:>10.2f}s {warm_s * 1000:>8.0f}ms {peak:>13.0f} MB {rss:>13.0f} MB")
            plans.append(f"{label}: {PLAN_BUSY * PLAN_THINK_S / warm_s:.0f}")
        print(f"  on paper, viewers per process (≈ per core) acting every {PLAN_THINK_S:.0f} s on average with the "
              f"process {PLAN_BUSY:.0%} busy: " + "; ".join(plans))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def interrupt(*_) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default=",".join(map(str, SESSIONS)),
                        help="comma-separated session counts (each ≤ 80)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="mobility rows for the rerun cost")
    parser.add_argument("--skip-rerun-cost", action="store_true")
    parser.add_argument("--setups", default="single,replicas", help="single, replicas or both (comma-separated)")
    parser.add_argument("--overview-reruns", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.overview_reruns:
        return overview_reruns(args.overview_reruns)
    counts = tuple(int(n) for n in args.sessions.split(","))
    if any(not 1 <= n <= 80 for n in counts):
        parser.error("session counts are between 1 and 80")
    if shutil.which("nginx") is None and "replicas" in args.setups:
        raise SystemExit("nginx is not installed: `make bench` installs Debian's nginx-light")

    from kpi.store import service, storage

    # A SIGTERM unwinds like Ctrl-C, so the servers, nginx and PostgreSQL started below are stopped too.
    signal.signal(signal.SIGTERM, interrupt)
    ARTIFACTS.mkdir(exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the "
          f"start, Python {platform.python_version()}; client, servers, nginx and PostgreSQL share it")
    postgres = PostgresServer()
    started: list = []
    knees = {}
    try:
        database = postgres.new_database()
        service.load_sample(engine=storage.get_engine(database))
        storage.get_engine(database).dispose()
        print(f"floor: a hello-world page's rerun over the same protocol, median of 10: "
              f"{floor(database) * 1000:.0f} ms")
        if "single" in args.setups:
            server = Server(database)
            started.append(server)
            knees["one process"] = knee(sweep("one server process (kpi serve), direct", server.url, counts,
                                              spread=False, servers=[server]))
            server.stop()
            started.remove(server)
        if "replicas" in args.setups:
            replicas = [Server(database) for _ in range(2)]
            started += replicas
            proxy = Nginx([r.port for r in replicas])
            started.append(proxy)
            knees["two replicas"] = knee(sweep("two replicas behind nginx (deploy/nginx.conf, ip_hash), one "
                                               "PostgreSQL", proxy.url, counts, spread=True, servers=replicas))
    finally:
        for thing in reversed(started):
            thing.stop()
        postgres.stop()
    print(f"\nknee (N sessions acting at once, p95 ≤ {GOAL_P95_S:.0f} s): "
          + "; ".join(f"{name} {value}" for name, value in knees.items())
          + f"; load average {os.getloadavg()[0]:.1f} at the end")
    if not args.skip_rerun_cost:
        rerun_cost(args.rows)


if __name__ == "__main__":
    main()
