"""Many viewers: 30 concurrent browser sessions against one server on loopback, bounded in count and time."""

import asyncio
import statistics
import threading
import time

import pytest

pytestmark = pytest.mark.browser
SESSIONS = 30
DEADLINE_S = 240


async def one_session(browser, url: str, number: int) -> tuple[float, int, int]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.perf_counter()
    try:
        await page.goto(f"{url}/?lang={'ja' if number % 2 else 'en'}", timeout=DEADLINE_S * 1000)
        await page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .scatterlayer').length >= 10",
                                     timeout=DEADLINE_S * 1000)
        charts = await page.locator(".js-plotly-plot").count()
        exceptions = await page.locator("[data-testid='stException']").count()
        return time.perf_counter() - start, charts, exceptions + len(errors)
    finally:
        await context.close()


async def run_sessions(url: str):
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.wait_for(
                asyncio.gather(*(one_session(browser, url, n) for n in range(SESSIONS))), timeout=DEADLINE_S)
        finally:
            await browser.close()


def test_thirty_concurrent_viewers_all_get_every_chart(app_server, capsys):
    # In a thread of its own: the sync Playwright of the other browser tests keeps an event loop on this one.
    box = []
    worker = threading.Thread(target=lambda: box.append(asyncio.run(run_sessions(app_server.url))))
    worker.start()
    worker.join(DEADLINE_S + 60)
    assert box, "the sessions did not finish in time"
    results = box[0]
    times = sorted(r[0] for r in results)
    p95 = times[int(0.95 * (len(times) - 1))]
    with capsys.disabled():
        print(f"\n[load] {SESSIONS} concurrent sessions on one server (127.0.0.1): "
              f"{sum(1 for r in results if r[1] >= 10)} got all their charts, {sum(r[2] for r in results)} errors; "
              f"time to all charts p50 {statistics.median(times):.1f}s, p95 {p95:.1f}s, max {times[-1]:.1f}s")
    assert all(charts >= 10 for _, charts, _ in results)
    assert sum(errors for _, _, errors in results) == 0
