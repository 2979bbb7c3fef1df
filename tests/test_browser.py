"""End-to-end in Debian's Chromium against a real `kpi serve`: what a leader sees, in both languages."""

from pathlib import Path

import pytest
from tests_support import settle

from metrics.registry import load_registry

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = pytest.mark.browser
ERROR_TEXT = ("Traceback", "Error:", "Exception")


def assert_no_error_on_page(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.locator("[data-testid='stMain']").inner_text()
    for text in ERROR_TEXT:
        assert text not in body, f"{text!r} on the page"


@pytest.mark.parametrize("path", ["mobility", "research", "partnerships", "data"])
def test_every_page_opens_by_link_without_error(app_server, page, path):
    page.goto(f"{app_server.url}/{path}?lang=ja")
    settle(page)
    if path != "data":
        page.wait_for_selector(".js-plotly-plot")
    assert page.locator("[data-testid='stSidebarNav']").get_by_text("概要").count() == 1  # routed by dashboard.py
    assert_no_error_on_page(page)
    page.screenshot(path=str(ARTIFACTS / f"{path}-ja.png"), full_page=True)


def test_partner_map_draws_countries_offline(app_server, page):
    page.goto(f"{app_server.url}/partnerships?lang=en")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .choroplethlayer path")
    assert page.locator(".js-plotly-plot .choroplethlayer path").count() >= 20


def test_leader_journey_japanese_one_pillar_kpi_page_and_csv(app_server, page):
    page.goto(f"{app_server.url}/?lang=en")
    settle(page)
    page.get_by_text("日本語", exact=True).click()
    page.wait_for_selector("h1:has-text('東北大学 国際戦略 KPI')")
    settle(page)
    # filter to one pillar: deselect the other three; the verdict counts follow
    for pillar in ["教育", "産学共創", "社会・地域連携"]:
        page.get_by_test_id("stButtonGroup").get_by_role("button", name=pillar, exact=True).click()
        settle(page)
    research = int((load_registry()["pillar"] == "research").sum())  # counted from the registry, not hard-coded
    assert f"KPI {research}件" in page.get_by_test_id("stAlert").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "leader-research-only-ja.png"))
    open_first_scorecard_row(page)
    page.wait_for_selector("h1:has-text('指標')")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer")
    assert page.get_by_text("論文数").count() >= 1  # the first research KPI
    assert_no_error_on_page(page)
    page.screenshot(path=str(ARTIFACTS / "leader-kpi-page-ja.png"))
    with page.expect_download() as download:
        page.get_by_role("button", name="CSVをダウンロード").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("indicator,period,period_label,value")
    assert "papers_total,2024,2024年" in text


def open_first_scorecard_row(page) -> None:
    """Select the scorecard's first row (its row marker, left of the KPI name): the KPI's page opens."""
    grid = page.get_by_test_id("stDataFrame").last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)


def test_hostile_partner_name_shows_as_text_and_runs_nothing(analyst_server, page):
    import pandas as pd

    from kpi.store import storage

    hostile = "<img src=x onerror=alert(1)>"
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    frame = pd.DataFrame({"partner": [hostile], "country": ["USA"], "level": ["university"],
                          "start_date": pd.to_datetime(["2000-04-01"]), "source": [hostile]})
    storage.store("agreements", frame, engine=storage.get_engine(analyst_server.database_url))
    for path in ("partnerships", "data", ""):
        page.goto(f"{analyst_server.url}/{path}?lang=en")
        settle(page)
        # Every image has loaded or failed by now, so an onerror handler would already have run.
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
        assert page.locator("img[src='x']").count() == 0, path
        if path == "partnerships":
            assert page.get_by_text(hostile, exact=False).count() >= 1  # the source caption prints it as text
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
