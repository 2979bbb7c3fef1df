"""The Overview as leadership meets it in Chromium: the verdict first, every KPI a row (tests/test_browser_screens.py),
a list with the verdicts first on a phone, both languages."""

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
        if width < 640:  # the grids are hidden on a phone: the list is what is drawn
            page.wait_for_selector(".kpi-phone-list li")
        else:
            page.wait_for_function(SCORECARD_DRAWN)
        settle(page)
        steady(page)
        page.screenshot(path=str(ARTIFACTS / f"scorecard-{lang}-{width}x{height}.png"))
        assert page.locator("[data-testid='stException']").count() == 0
        verdict = page.get_by_test_id("stAlert").first.bounding_box()
        assert verdict["y"] + verdict["height"] <= height, "the verdict is on the first screen"
        main_width = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
        assert main_width <= width, "nothing off the right edge"
        if width < 640:  # a phone: the KPIs as a list, each name then its verdicts, instead of grids wider than it
            assert page.locator(".st-key-scorecard_grid").is_hidden()
            first = page.locator(".kpi-phone-list li").first.bounding_box()
            assert first["y"] + first["height"] <= height, "the first KPI's verdicts are on the first screen"
            assert first["x"] + first["width"] <= width
        else:
            # What needs action comes first: its grid starts on the first screen (its rows are as tall as their longest
            # reason or check-in, so the scorecard below may start on the second; every row of it is in view there,
            # tests/test_browser_screens.py).
            actions = page.locator(".st-key-actions_grid [data-testid='stDataFrame']").bounding_box()
            assert actions["y"] + 66 * 2 <= height, "the first KPIs needing action are on the first screen"
            assert page.locator(".kpi-phone-list").first.is_hidden()
    finally:
        context.close()
