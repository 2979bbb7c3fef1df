"""Benchmark the app as users meet it, against a hello-world Streamlit page served the same way, in one run.

- time from navigation to the last chart drawn on the Overview, cold (fresh browser context) and warm (reload);
- time from changing a filter on Student mobility to the charts updated, at the sample and at 1,000,000 rows;
- server memory per open session.
Prints ratios (never a timed test). Usage: python bench/page.py [--rows N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

from kpi import service, storage  # noqa: E402

RUNS = 5


def serve(script: str, url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "KPI_DATABASE_URL": url}
    command = [sys.executable, "-m", "kpi.cli", "serve"] if script == "dashboard" else [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "bench" / "hello.py")]
    process = subprocess.Popen([*command, "--server.port", str(port), "--server.address", "127.0.0.1",
                                "--server.headless", "true", "--server.fileWatcherType", "none"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return process, f"http://127.0.0.1:{port}"


def until_charts(page, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {count}",
                           timeout=120000)


def page_load(browser, url: str, charts: int) -> tuple[float, float]:
    """(cold, warm): median seconds from navigation to the last chart drawn."""
    cold, warm = [], []
    for _ in range(RUNS):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        until_charts(page, charts)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        page.reload()
        until_charts(page, charts)
        warm.append(time.perf_counter() - start)
        context.close()
    return statistics.median(cold), statistics.median(warm)


def filter_latency(browser, url: str) -> float:
    """Median seconds from removing 'Outbound' from the direction filter to the first chart showing one series."""
    times = []
    for _ in range(RUNS):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/mobility?lang=en")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .legend .traces').length >= 2",
                               timeout=120000)
        page.wait_for_timeout(500)
        remove = page.get_by_role("button", name="Remove Outbound")
        if remove.count() == 0:
            remove = page.locator("[data-testid='stMultiSelect'] span:has-text('Outbound') [role='button']").first
        start = time.perf_counter()
        remove.click()
        page.wait_for_function("() => { const p = document.querySelector('.js-plotly-plot');"
                               " return p && p.querySelectorAll('.legend .traces').length === 0 ||"
                               " p.querySelectorAll('.barlayer .trace').length === 1; }", timeout=120000)
        times.append(time.perf_counter() - start)
        context.close()
    return statistics.median(times)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory_per_session(browser, process: subprocess.Popen, url: str, sessions: int = 10) -> float:
    contexts = []
    page = browser.new_page()
    page.goto(url)
    until_charts(page, 10)
    before = rss_mb(process.pid)
    for _ in range(sessions):
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(url)
        until_charts(tab, 10)
        contexts.append(context)
    after = rss_mb(process.pid)
    for context in contexts:
        context.close()
    page.close()
    return (after - before) / sessions


def big_database(rows: int) -> str:
    folder = Path(tempfile.mkdtemp(prefix="kpi-bench-page-"))
    url = f"sqlite:///{folder / 'kpi.sqlite3'}"
    service.load_sample(engine=storage.get_engine(url))
    sys.path.insert(0, str(ROOT / "bench"))
    from ingest import write_export

    path = folder / "mobility.csv"
    write_export(path, rows)
    subprocess.run([sys.executable, "-m", "kpi.cli", "import", str(path), "--dataset", "mobility"], check=True,
                   env={**os.environ, "KPI_DATABASE_URL": url}, capture_output=True)
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sample = f"sqlite:///{Path(tempfile.mkdtemp(prefix='kpi-bench-page-')) / 'kpi.sqlite3'}"
    service.load_sample(engine=storage.get_engine(sample))
    big = big_database(args.rows)
    servers = {name: serve(script, url) for name, script, url in
               [("hello", "hello", sample), ("sample", "dashboard", sample), ("big", "dashboard", big)]}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            hello_cold, hello_warm = page_load(browser, servers["hello"][1], 1)
            app_cold, app_warm = page_load(browser, f"{servers['sample'][1]}/?lang=en", 10)
            filter_sample = filter_latency(browser, servers["sample"][1])
            filter_big = filter_latency(browser, servers["big"][1])
            per_session = memory_per_session(browser, servers["sample"][0], f"{servers['sample'][1]}/?lang=en")
            browser.close()
    finally:
        for process, _ in servers.values():
            process.terminate()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"browser and servers share it; medians of {RUNS}")
    print(f"floor  hello-world page: cold {hello_cold:.2f} s, warm {hello_warm:.2f} s")
    print(f"Overview to last chart: cold {app_cold:.2f} s = {app_cold / hello_cold:.1f}x floor (goal <= 2.5x: "
          f"{'met' if app_cold / hello_cold <= 2.5 else 'NOT met'}); warm {app_warm:.2f} s = "
          f"{app_warm / hello_warm:.1f}x floor (goal <= 1.5x: {'met' if app_warm / hello_warm <= 1.5 else 'NOT met'})")
    print(f"filter change to charts updated: sample {filter_sample * 1000:.0f} ms, {args.rows:,} mobility rows "
          f"{filter_big * 1000:.0f} ms (goal <= 300 ms: "
          f"{'met' if max(filter_sample, filter_big) <= 0.3 else 'NOT met'})")
    print(f"server memory per open Overview session: {per_session:.1f} MB")


if __name__ == "__main__":
    main()
