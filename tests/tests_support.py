"""Helpers for the browser tests."""

import re

PASSWORD = "test-only-analyst-password"


def settle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(500)


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


