"""The Overview as leadership meets it in Chromium: one screen at 1600×1000, verdict first on a phone, both languages."""

from pathlib import Path

import pytest
from conftest import BROWSER_TIMEOUT_MS
from tests_support import SCORECARD_DRAWN, settle, steady

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width,height", [(1600, 1000), (390, 844)])
def test_overview_fits_the_screen(app_server, chromium, lang, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/?lang={lang}")
        page.wait_for_function(SCORECARD_DRAWN)
        settle(page)
        steady(page)
        page.screenshot(path=str(ARTIFACTS / f"scorecard-{lang}-{width}x{height}.png"))
        assert page.locator("[data-testid='stException']").count() == 0
        verdict = page.get_by_test_id("stAlert").first.bounding_box()
        grids = page.get_by_test_id("stDataFrame")
        first_grid = grids.first.bounding_box()
        assert verdict["y"] + verdict["height"] <= height, "the verdict is on the first screen"
        assert first_grid["y"] + 35 * 2 <= height, "the first KPIs are on the first screen"
        if width >= 1600:
            last = grids.last.bounding_box()
            assert last["y"] + last["height"] <= height, "the whole scorecard is on one screen"
            assert page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight") <= height + 200
    finally:
        context.close()
