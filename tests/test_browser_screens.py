"""Finished screens in Chromium: every KPI row in view on the Overview, and no raw value in any Japanese table.

Expected counts are read from the data (the sample's snapshot), never typed in.
"""

import re
from pathlib import Path

import pytest
from conftest import BROWSER_TIMEOUT_MS
from tests_support import SCORECARD_DRAWN, settle, sign_in, steady, upload

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
pytestmark = pytest.mark.browser

# A grid's inner scroller: taller content than its box means rows hidden behind a scroll bar.
INNER_SCROLL = """grid => {
    const scroller = grid.querySelector('.dvn-scroller');
    return scroller ? scroller.scrollHeight - scroller.clientHeight : 0;
}"""
RAW = re.compile(r"^(None|nan|NaN|NaT|<NA>)$|\b\d{1,2}:\d{2}:\d{2}\b|^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2})?")
JA_PAGES = ["/", "/indicator", "/mobility", "/research", "/partnerships", "/targets", "/data"]
AGREEMENTS = ("協定校名,国・地域,協定区分,締結日,有効期限\r\n"
              "Illustrative Partner University 001,CHN,大学間,2009/04/01,\r\n"
              "Illustrative Partner University 002,KOR,部局間,2012/10/15,2027/10/14\r\n")


def table_cells(page) -> list[str]:
    """Every cell the page's tables show: grids (their accessible table, drawn once in view) and static tables."""
    cells = []
    for table in page.locator("[data-testid='stDataFrame'], [data-testid='stTable']").all():
        if not table.is_visible():
            continue  # inside a closed expander
        table.scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # the grid draws its accessible rows on the next animation frames
        cells += [c.strip() for c in table.locator("td").all_inner_texts()]
    return cells


def raw_cells(cells: list[str]) -> list[str]:
    return [c for c in cells if RAW.search(c)]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_overview_shows_every_kpi_row_without_an_inner_scroll_bar(app_server, chromium, sample_snapshot, lang):
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/?lang={lang}")
        page.wait_for_function(SCORECARD_DRAWN)
        settle(page)
        steady(page)
        grid = page.locator(".st-key-scorecard_grid [data-testid='stDataFrame']")
        assert grid.evaluate(INNER_SCROLL) <= 1, "the scorecard scrolls inside itself"
        actions = page.locator(".st-key-actions_grid [data-testid='stDataFrame']")
        if actions.count():
            assert actions.evaluate(INNER_SCROLL) <= 1, "the 要対応 list scrolls inside itself"
        # The grid fills its accessible table after drawing its canvas: wait for the last row, then count them all.
        grid.locator("tbody tr").nth(len(sample_snapshot.scorecard) - 1).wait_for(state="attached")
        rows = grid.locator("tbody tr").count()
        assert rows == len(sample_snapshot.scorecard), (rows, len(sample_snapshot.scorecard))
        cells = {c.strip() for c in grid.locator("tbody tr td").all_inner_texts()}
        names = set(sample_snapshot.registry["name_ja" if lang == "ja" else "name_en"])
        assert names <= cells, names - cells
        page.screenshot(path=str(ARTIFACTS / f"overview-every-row-{lang}.png"), full_page=True)
    finally:
        context.close()


def test_no_japanese_table_shows_none_nan_nat_or_a_time_on_a_date(app_server, chromium):
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        seen = {}
        for path in JA_PAGES:
            page.goto(f"{app_server.url}{path}?lang=ja")
            settle(page)
            page.wait_for_selector("[data-testid='stDataFrame'], [data-testid='stTable']", state="attached")
            steady(page)
            seen[path] = table_cells(page)
        assert all(seen.values()), {p: len(c) for p, c in seen.items()}
        assert {p: raw_cells(c) for p, c in seen.items() if raw_cells(c)} == {}
    finally:
        context.close()


def test_the_upload_preview_shows_dates_without_a_time_and_the_mapping_in_japanese(analyst_server, page, tmp_path):
    base = analyst_server.url
    sign_in(page, base)
    page.get_by_role("radio", name="日本語", exact=True).click()
    settle(page)
    page.get_by_role("combobox", name="データセット", exact=True).click()
    page.get_by_role("option", name="学術交流協定", exact=True).click()
    settle(page)
    upload(page, tmp_path, "agreements.csv", AGREEMENTS)
    page.get_by_text("正規化後の行のプレビュー").wait_for()
    steady(page)
    cells = table_cells(page)
    assert "2009/04/01" in cells and "2027/10/14" in cells, cells
    assert raw_cells(cells) == []
    page.get_by_text("列の対応").click()
    grid = page.locator("[data-testid='stExpander'] [data-testid='stDataFrame']")
    grid.wait_for()
    page.wait_for_timeout(300)  # the grid draws its accessible rows on the next animation frames
    heads = [h.strip() for h in grid.locator("th").all_inner_texts()]
    assert "ファイルの列" in heads and "項目" in heads, heads
    mapping = [c.strip() for c in grid.locator("td").all_inner_texts()]
    assert "締結日" in mapping and "start_date" not in mapping, mapping
    assert raw_cells([c.strip() for c in mapping]) == []
    page.screenshot(path=str(ARTIFACTS / "upload-agreements-ja.png"), full_page=True)
