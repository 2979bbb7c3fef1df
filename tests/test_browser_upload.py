"""The analyst's journey in Chromium: sign in, a CP932 file with an error, the corrected file, commit, rollback."""

import re
from pathlib import Path

import pytest
from tests_support import settle

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "test-only-analyst-password"
BAD = "令和5年度 外国人留学生数,,\r\n年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,abc\r\n"
GOOD = "令和5年度 外国人留学生数,,\r\n年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,700\r\n"


def international_students_2023(page, base: str) -> str:
    page.goto(f"{base}/?lang=en&kpi=international_students")
    settle(page)
    page.wait_for_selector("[data-testid='stMetricValue']")
    assert page.get_by_text("International students", exact=True).count() >= 1
    return page.get_by_test_id("stMetricValue").first.inner_text()  # the first card is international_students


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/upload?lang=en")
    settle(page)
    page.get_by_label("Analyst password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    page.get_by_text("Signed in as analyst.").wait_for()


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=re.compile(label)).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def upload(page, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("cp932"))
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    settle(page)


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
    page.get_by_text("Replace", exact=True).click()
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
