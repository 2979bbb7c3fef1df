"""Shared fixtures: a throwaway database per test, the sample data loaded into it, tiny frames."""

from __future__ import annotations

import os
import sys

import pandas as pd
import pytest

from kpi.store import identity, service, storage

# A user-visible key missing from data/i18n/messages.csv fails the test instead of showing the key.
os.environ["KPI_STRICT_I18N"] = "1"
# An exception escaping a page is raised (AppTest records it) instead of the friendly message (kpi.app.guard).
os.environ["KPI_PAGE_ERRORS"] = "raise"

# Marker rules (declared in pyproject.toml; `make test` runs everything, `make test-fast` skips slow and system):
# - system: needs a real program or process beyond Python: Chromium, PostgreSQL, LibreOffice, kaleido's Chromium,
#   a `kpi serve` process, or a process killed on purpose. Tests using the fixtures below get it automatically.
# - slow: takes more than about 3 s on a quiet machine. Every browser test is slow too (added automatically).
# - browser: drives Chromium through Playwright (implies system and slow).
SYSTEM_FIXTURES = {"chromium", "page", "app_server", "analyst_server", "postgres"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        browser = item.get_closest_marker("browser") is not None
        if browser or SYSTEM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.system)
        if browser:
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session, exitstatus):
    """A run that selected no test is a failure (exit 1 with a reason), never pytest's exit 5 that CI may skip."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("\nno test was selected: check the -m / -k expression or the test paths", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    return url


@pytest.fixture
def engine(database_url):
    engine = storage.get_engine(database_url)
    yield engine
    engine.dispose()
    storage._engines.pop(database_url, None)


@pytest.fixture(scope="session")
def sample_db_url(tmp_path_factory) -> str:
    """The bundled sample loaded once per session; tests that only read share it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sample') / 'kpi.sqlite3'}"
    service.load_sample(engine=storage.get_engine(url))
    return url


@pytest.fixture(scope="session")
def sample_snapshot(sample_db_url):
    """The sample's KPI snapshot, built once per session (read-only: tests build decks from it, never change it)."""
    from kpi.store import snapshot

    return snapshot.load(engine=storage.get_engine(sample_db_url))


@pytest.fixture
def decks(sample_snapshot):
    """Fresh decks of the sample in both languages (cheap from the snapshot; a test may trim its own copy)."""
    from kpi.publish import exports

    return {lang: exports.deck_from_snapshot(sample_snapshot, lang=lang) for lang in ("en", "ja")}


@pytest.fixture
def sample_engine(sample_db_url, tmp_path, monkeypatch):
    """A private, writable copy of the session's sample database (a file copy: loading the sample takes a second)."""
    import sqlite3

    copy = tmp_path / "sample-copy.sqlite3"
    with sqlite3.connect(sample_db_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # through SQLite, so pages still in the source's WAL come along
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    engine = storage.get_engine(url)
    yield engine
    engine.dispose()
    storage._engines.pop(url, None)


@pytest.fixture
def sample_db(sample_db_url, monkeypatch) -> str:
    monkeypatch.setenv("KPI_DATABASE_URL", sample_db_url)
    return sample_db_url


def frame(rows: list[dict], **dtypes) -> pd.DataFrame:
    """A tiny literal frame for table-style tests."""
    return pd.DataFrame(rows).astype(dtypes) if dtypes else pd.DataFrame(rows)


# --- real browser: Debian's Chromium via Playwright against a real server -------------------------------------

import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Streamlit's client probes the page path for its health endpoint before the root; those 404s are expected.
BENIGN_CONSOLE = ("_stcore/health", "_stcore/host-config", "Failed to load resource: the server responded with a "
                  "status of 404")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str, *, limit_s: float) -> bool:
    """Whether the Streamlit server at ``url`` answers its health check within ``limit_s`` (polled, not slept)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


class Server:
    """`kpi serve` on a free loopback port with its own database."""

    def __init__(self, database_url: str, **extra_env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "KPI_DATABASE_URL": database_url, **extra_env}
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = (ARTIFACTS / f"server-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kpi.cli", "serve", "--server.port", str(self.port), "--server.address",
             "127.0.0.1", "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT)
        if healthy(self.url, limit_s=300):  # a bound on a hang, not a speed requirement
            return
        self.stop()
        raise RuntimeError(f"streamlit did not start on port {self.port}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def app_server(sample_db_url):
    ARTIFACTS.mkdir(exist_ok=True)
    server = Server(sample_db_url)
    yield server
    server.stop()


ANALYST_PASSWORD = "test-only-analyst-password"
ANALYST_NAME = "hanako"
# Named accounts with scrypt hashes, as a deployment configures them (KPI_ANALYSTS); never a plain password.
ANALYST_ENV = {"KPI_ANALYSTS": identity.encode_for_env({ANALYST_NAME: identity.hash_password(ANALYST_PASSWORD),
                                                        "taro": identity.hash_password("taro-test-password")})}


@pytest.fixture
def analyst_server(tmp_path):
    """A server on its own copy of the sample data, with an analyst password, for journeys that write."""
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    service.load_sample(engine=storage.get_engine(url))
    ARTIFACTS.mkdir(exist_ok=True)
    server = Server(url, **ANALYST_ENV)
    server.database_url = url
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ScriptRuns:
    """Streamlit's protocol as the tab speaks it: the rerun requests it sends and the script_finished it receives.

    A page has settled when the last rerun it asked for has been answered by a finished message (then the
    script-state attribute says notRunning): a condition, not a guess at how long a rerun takes on this machine.
    """

    def __init__(self, page):
        self.sequence = 0
        self.last_request = 0
        self.last_finished = 0
        page.on("websocket", self._watch)
        page.on("domcontentloaded", self._loaded)

    def _loaded(self, _page) -> None:
        # A freshly loaded document will ask for a run as soon as its websocket opens: count that request now.
        self.sequence += 1
        self.last_request = self.sequence

    def _watch(self, ws) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framesent", self._sent)
            ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if isinstance(payload, bytes):
            message = BackMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                self.sequence += 1
                self.last_request = self.sequence

    def _received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished":
                self.sequence += 1
                self.last_finished = self.sequence

    @property
    def answered(self) -> bool:
        return self.last_finished > self.last_request


# Generous limits for every wait in a browser test: they bound a hang, they do not measure speed.
BROWSER_TIMEOUT_MS = int(os.environ.get("KPI_BROWSER_TIMEOUT_MS", "180000"))  # lower it to debug a hang quickly


@pytest.fixture
def page(chromium, request):
    """A fresh context; console errors and page exceptions are collected and fail the test at the end."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    page.runs = ScriptRuns(page)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not any(b in m.text for b in BENIGN_CONSOLE) else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # A request aborted because the test navigated away (net::ERR_ABORTED) is not a failure of the app.
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    page.problems = problems
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
    context.close()
    assert not problems, problems


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test (for its screenshot)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- a throwaway PostgreSQL from Debian's package -------------------------------------------------------------

import glob  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402


class PostgresServer:
    """initdb + pg_ctl in a temporary folder on a free loopback port (as the postgres user when run as root)."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            pytest.fail("PostgreSQL is not installed; `make test` installs Debian's postgresql package")
        self.bin = Path(bins[-1]).parent
        self.base = Path(tempfile.mkdtemp(prefix="kpi-pg-"))
        self.port = free_port()
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        data = self.base / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "kpi", "-E", "UTF8", "--locale", "C.UTF-8")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.base / "log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c synchronous_commit=off -c max_connections=200", "start")
        self.admin_url = f"postgresql+psycopg://kpi@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.prefix, str(self.bin / program), *args], check=True, capture_output=True,
                       cwd=self.base)

    def new_database(self) -> str:
        import sqlalchemy as sa

        name = f"kpi_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return f"postgresql+psycopg://kpi@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate",
                        "stop"], capture_output=True, check=False, cwd=self.base)
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    server = PostgresServer()
    yield server
    storage._engines.clear()
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.system)])
def any_engine(request, tmp_path):
    """The storage tests run on embedded SQLite and on PostgreSQL alike."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").new_database()
    engine = storage.get_engine(url)
    yield engine
    engine.dispose()
    storage._engines.pop(url, None)
