"""Concurrent viewers stay apart: three browser sessions at once on one server, each sees its own language in full.

Correctness only (how many viewers a server holds is measured by bench/load.py, at the protocol level).
"""

import asyncio
import threading

import pytest
from tests_support import SCORECARD_DRAWN

from kpi.text.i18n import t
from metrics.registry import load_registry

pytestmark = pytest.mark.browser
LIMIT_S = 600  # a bound on a hang, not a speed requirement
# The verdict's count of KPIs in each language, as many as the registry holds (every pillar is selected).
SESSIONS = [(lang, t("deck.kpis_in_pillar", lang, n=len(load_registry()))) for lang in ("en", "ja", "en")]


async def one_session(browser, url: str, lang: str) -> dict:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(LIMIT_S * 1000)
    page = await context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        await page.goto(f"{url}/?lang={lang}")
        await page.wait_for_function(SCORECARD_DRAWN)
        return {"charts": await page.locator("[data-testid='stDataFrame'] canvas").count(),
                "exceptions": await page.locator("[data-testid='stException']").count() + len(errors),
                "title": await page.locator("h1").first.inner_text(),
                "text": await page.locator("[data-testid='stMain']").inner_text()}
    finally:
        await context.close()


async def run_sessions(url: str) -> list[dict]:
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(one_session(browser, url, lang) for lang, _ in SESSIONS))
        finally:
            await browser.close()


def test_three_concurrent_viewers_each_get_every_chart_in_their_language(app_server):
    # In a thread of its own: the sync Playwright of the other browser tests keeps an event loop on this one.
    box = []

    def work():
        try:
            box.append(asyncio.run(run_sessions(app_server.url)))
        except Exception as exc:  # reported by the test below, with its message
            box.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(LIMIT_S + 60)
    assert box, "the sessions did not finish"
    assert not isinstance(box[0], Exception), box[0]
    for (lang, kpi_name), result in zip(SESSIONS, box[0]):
        assert result["charts"] >= 2, lang  # the 要対応 and scorecard tables
        assert result["exceptions"] == 0, lang
        assert kpi_name in result["text"], lang
    assert box[0][0]["title"] != box[0][1]["title"]  # the Japanese session did not leak into the English ones
    assert box[0][0]["title"] == box[0][2]["title"]
