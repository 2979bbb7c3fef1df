"""A genuine Web of Science export (UTF-16LE, tab-delimited) and an Excel workbook on the Upload page, in Chromium,
in Japanese and English: the detection, the hand-count summary and located problems, screenshots in artifacts/."""

import io
from pathlib import Path

import pytest
from tests_support import ACCOUNT, PASSWORD, settle

from kpi.text.i18n import dataset_name, t

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
EXPORTS = Path(__file__).resolve().parent / "exports"


def sign_in(page, base: str, lang: str) -> None:
    """A named analyst account, in the page's language (labels from the catalogue)."""
    page.goto(f"{base}/upload?lang={lang}")
    settle(page)
    page.get_by_label(t("id.account", lang)).fill(ACCOUNT)
    page.get_by_label(t("password", lang)).fill(PASSWORD)
    page.get_by_role("button", name=t("sign_in", lang)).click()
    settle(page)
    page.get_by_text(t("id.signed_in_as", lang, name=ACCOUNT)).wait_for()


def choose_dataset(page, lang: str, dataset: str) -> None:
    page.get_by_role("combobox", name={"en": "Dataset", "ja": "データセット"}[lang], exact=True).click()
    page.get_by_role("option", name=dataset_name(dataset, lang), exact=True).click()
    settle(page)


def put_file(page, path: Path) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    settle(page)


@pytest.mark.parametrize("lang,expected", [
    ("ja", ["Web of Science タブ区切り、UTF-16LE、212件", "論文212件（うち国際共著182件、国の分からないもの30件）"]),
    ("en", ["Web of Science tab-delimited, UTF-16LE, 212 records",
            "212 papers, 182 internationally co-authored, 30 without a country"]),
])
def test_wos_export_on_the_upload_page(analyst_server, page, lang, expected):
    sign_in(page, analyst_server.url, lang)
    choose_dataset(page, lang, "papers")
    put_file(page, EXPORTS / "wos_tab_utf16le_labnetwork_transcoded.txt")
    main = page.locator("[data-testid='stMain']")
    for text in expected:
        page.get_by_text(text, exact=False).first.wait_for()
    warnings = {"ja": "所属機関の記載がありません", "en": "this paper has no affiliation"}[lang]
    # the record-level warnings are listed (grid cells are drawn on a canvas: present, not "visible")
    page.get_by_text(warnings, exact=False).first.wait_for(state="attached")
    page.screenshot(path=str(ARTIFACTS / f"upload-wos-{lang}.png"), full_page=True)
    assert "Traceback" not in main.inner_text()
    assert not page.problems, page.problems


def test_excel_error_is_located_by_cell_in_japanese(analyst_server, page, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("受入")
    sheet.write("A1", "令和5年度 外国人留学生数（5月1日現在）")
    sheet.write_row(2, 0, ["年度", "区分", "国・地域", "人数"])
    sheet.write_row(3, 0, ["令和5年度", "受入", "中国", 1500])
    sheet.write_row(4, 0, ["令和5年度", "受入", "その他", "abc"])
    book.close()
    path = tmp_path / "留学生数.xlsx"
    path.write_bytes(buffer.getvalue())
    sign_in(page, analyst_server.url, "ja")
    put_file(page, path)
    page.get_by_text("受入!D5").first.wait_for(state="attached")
    page.get_by_text("「abc」は整数ではありません").first.wait_for(state="attached")
    page.screenshot(path=str(ARTIFACTS / "upload-xlsx-ja.png"), full_page=True)
    assert not page.problems, page.problems
