"""Several exports of one search chosen together on the Upload page read as one import (issue 22)."""

import pytest
from test_bibliographic_formats import PARTS, wos_tab
from tests_support import settle, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.system]


def test_three_wos_files_chosen_together_are_one_import(analyst_server, page, tmp_path):
    files = []
    for number, records in enumerate(PARTS, start=1):
        files.append(tmp_path / f"savedrecs({number}).txt")
        files[-1].write_bytes(wos_tab(records))
    sign_in(page, analyst_server.url)
    box = page.get_by_role("combobox", name="Dataset", exact=True)
    box.click()
    box.type("Papers")
    page.keyboard.press("Enter")
    settle(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files([str(f) for f in files])
    settle(page)
    page.get_by_text("4 papers, 2 internationally co-authored").wait_for()
    page.get_by_text("What this import will do").wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
