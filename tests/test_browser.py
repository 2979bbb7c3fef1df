"""End-to-end in Debian's Chromium against a real `kpi serve`: what a leader sees, in both languages."""

from pathlib import Path

import pytest
from tests_support import settle

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = pytest.mark.browser
ERROR_TEXT = ("Traceback", "Error:", "Exception")


def assert_no_error_on_page(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.locator("[data-testid='stMain']").inner_text()
    for text in ERROR_TEXT:
        assert text not in body, f"{text!r} on the page"


def test_overview_shows_charts_in_english_and_japanese(app_server, page):
    page.goto(f"{app_server.url}/?lang=en")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60000)
    assert page.locator(".js-plotly-plot").count() >= 10  # a trend per KPI and the detail chart
    for pillar in ["Education", "Research", "Industry Co-Creation", "Community Collaboration"]:
        assert page.get_by_role("heading", name=pillar).count() >= 1
    assert page.get_by_text("2,145", exact=True).count() >= 1
    assert_no_error_on_page(page)
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"), full_page=True)

    page.get_by_text("日本語", exact=True).click()
    page.wait_for_selector("h1:has-text('東北大学 国際戦略 KPI')", timeout=60000)
    settle(page)
    assert page.get_by_text("2023年度（令和5年度）").count() >= 1
    assert page.get_by_role("heading", name="産学共創").count() >= 1
    assert_no_error_on_page(page)
    page.screenshot(path=str(ARTIFACTS / "overview-ja.png"), full_page=True)


@pytest.mark.parametrize("path", ["mobility", "research", "partnerships", "data"])
def test_every_page_opens_by_link_without_error(app_server, page, path):
    page.goto(f"{app_server.url}/{path}?lang=ja")
    settle(page)
    if path != "data":
        page.wait_for_selector(".js-plotly-plot", timeout=60000)
    assert page.locator("[data-testid='stSidebarNav']").get_by_text("概要").count() == 1  # routed by dashboard.py
    assert_no_error_on_page(page)
    page.screenshot(path=str(ARTIFACTS / f"{path}-ja.png"), full_page=True)


def test_partner_map_draws_countries_offline(app_server, page):
    page.goto(f"{app_server.url}/partnerships?lang=en")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .choroplethlayer path", timeout=60000)
    assert page.locator(".js-plotly-plot .choroplethlayer path").count() >= 20
