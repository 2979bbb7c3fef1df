"""The analyst's journey in Chromium: sign in, a CP932 file with an error, the corrected file, commit, rollback."""

from pathlib import Path

import pytest
from tests_support import choose, international_students_2023, settle, sign_in, upload

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
BAD = "令和5年度 外国人留学生数,,\r\n年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,abc\r\n"
GOOD = "令和5年度 外国人留学生数,,\r\n年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,700\r\n"


def test_analyst_uploads_commits_and_rolls_back(analyst_server, page, tmp_path):
    base = analyst_server.url
    assert international_students_2023(page, base) == "2,145"

    sign_in(page, base)
    choose(page, "direction for the whole file", "Inbound")

    upload(page, tmp_path, "inbound_bad.csv", BAD)
    page.get_by_text("1 error(s)").wait_for()
    errors = page.locator("[data-testid='stDataFrame']").first
    assert errors.is_visible()
    page.screenshot(path=str(ARTIFACTS / "upload-error.png"))
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "cp932" in body

    upload(page, tmp_path, "inbound_good.csv", GOOD)
    page.get_by_text("Preview of the normalised rows").wait_for()
    page.screenshot(path=str(ARTIFACTS / "upload-preview.png"))
    page.get_by_role("radio", name="Replace").click()
    settle(page)
    page.get_by_text("What changes").wait_for()
    page.screenshot(path=str(ARTIFACTS / "upload-diff.png"))
    page.get_by_role("button", name="Commit").click()
    settle(page)
    page.get_by_text("Stored as revision 7.").wait_for()

    assert international_students_2023(page, base) == "2,200"

    sign_in(page, base)  # a new browser session signs in again
    page.get_by_role("button", name="Roll back").scroll_into_view_if_needed()
    choose(page, "Restore the dataset", "2")
    page.get_by_role("button", name="Roll back").click()
    settle(page)
    page.get_by_text("Restored as revision 8.").wait_for()
    assert international_students_2023(page, base) == "2,145"
