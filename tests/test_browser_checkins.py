"""The first analyst's journey in Japanese, in Chromium against `kpi serve` on a fresh install: the setup link the
server printed, an owner, a check-in on a KPI behind plan, an event; the Overview, the Indicator page, the deck
(rendered by LibreOffice) and the PDF show them; undoing the check-in removes it everywhere."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, Server
from tests_support import settle

from kpi.publish import exports
from kpi.store import service, snapshot, storage

pytestmark = [pytest.mark.browser, pytest.mark.system]
KPI = "partner_institutions"  # behind plan in the bundled sample
KPI_JA = "協定校数"
NOTE = "協定更新の手続きが遅れている。部局と共同で新規協定3件を交渉中、2026年3月までに締結予定"
OWNER = "国際交流課（山田 花子）"
EVENT = "COVID-19 渡航制限"
PASSWORD = "first-analyst-password"


@pytest.fixture
def fresh_server(tmp_path):
    """A server on the sample data with no analyst configured anywhere: it prints the one-time setup link."""
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    service.load_sample(engine=storage.get_engine(url))
    server = Server(url, KPI_ANALYSTS="", KPI_SETUP_LINK="1")
    server.database_url = url
    log = ARTIFACTS / f"server-{server.port}.log"
    deadline = time.monotonic() + 60  # the link is printed before Streamlit starts; this bounds a hang
    while not re.search(r"http://localhost:\d+/setup\?token=\S+", log.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
        time.sleep(0.2)
    server.setup_link = re.search(r"http://localhost:\d+/setup\?token=\S+", log.read_text(encoding="utf-8")).group(0)
    yield server
    server.stop()


def saved(page, pattern: str) -> None:
    """The flash of a write, then the rerun it asked for finished (no stale element of the run before left)."""
    page.get_by_text(re.compile(pattern)).wait_for()
    settle(page)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def grid_cells(page) -> str:
    """Every table cell on the page (the canvas grids keep an accessible table behind them)."""
    return "\n".join(page.locator("[data-testid='stDataFrame'] td").all_text_contents())


def go(page, name: str) -> None:
    """A page through the sidebar: the same browser session, so the sign-in holds."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    settle(page)


def choose_kpi(page) -> None:
    page.get_by_role("combobox", name=re.compile("指標")).click()
    page.get_by_role("option", name=KPI_JA, exact=True).click()
    settle(page)


def documents(url: str, tmp_path: Path, tag: str) -> tuple[str, str]:
    """(the deck as LibreOffice renders it, the PDF report) as text, built as the app's export buttons build them."""
    snap = snapshot.load(engine=storage.get_engine(url))
    deck = exports.deck_from_snapshot(snap, lang="ja")
    deck.slides = [s for s in deck.slides if s.indicator == KPI]
    pptx = tmp_path / f"deck-{tag}.pptx"
    pptx.write_bytes(exports.deck_pptx(deck))
    out = tmp_path / tag
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(pptx)],
                   capture_output=True, check=True, timeout=900)  # bounds a hang
    rendered = out / f"deck-{tag}.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "4", str(rendered), str(ARTIFACTS / f"checkins-deck-{tag}")],
                   check=True)
    report = tmp_path / f"report-{tag}.pdf"
    report.write_bytes(exports.deck_pdf(deck))

    def text(path: Path) -> str:
        raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        return raw.replace("\n", "").replace(" ", "")

    return text(rendered), text(report)


def flat(text: str) -> str:
    return text.replace(" ", "")


def test_first_analyst_sets_up_records_and_undoes_in_japanese(fresh_server, page, tmp_path):
    link = fresh_server.setup_link.replace("http://localhost", "http://127.0.0.1")

    # 1. The printed link: the first account, created in the browser.
    page.goto(f"{link}&lang=ja")
    settle(page)
    page.get_by_label("分析担当者アカウント", exact=True).fill("hanako")
    page.get_by_label("分析担当者パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード（確認）", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="アカウントを作成").click()
    settle(page)
    page.get_by_text("アカウント「hanako」を作成し、サインインしました。").wait_for()

    # 2. Owner, check-in and event on the KPI behind plan.
    page.get_by_role("link", name="進捗報告・出来事").click()
    settle(page)
    choose_kpi(page)
    page.get_by_role("textbox", name="担当部署", exact=True).fill("国際交流課")
    page.get_by_role("textbox", name="担当者", exact=True).fill("山田 花子")
    page.get_by_role("button", name="担当を保存").click()
    settle(page)
    saved(page, "担当をこのKPIの目標値に第")
    page.get_by_role("textbox", name="報告内容", exact=True).fill(NOTE)
    status = page.get_by_role("combobox", name=re.compile("担当部署の判断"))
    status.click()
    page.keyboard.type("要注意")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="進捗報告を保存").click()
    settle(page)
    saved(page, "進捗報告を第")
    page.get_by_role("textbox", name="日付", exact=True).fill("令和2年4月7日")
    page.get_by_role("textbox", name="出来事", exact=True).fill(EVENT)
    page.get_by_role("button", name="出来事を追加").click()
    settle(page)
    saved(page, "出来事を第")
    assert "2020年4月7日 COVID-19 渡航制限" in main_text(page)

    # 3. The Overview's 要対応 and the Indicator page show them; the chart draws the event.
    def shown_everywhere(present: bool) -> None:
        go(page, "概要")
        page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stDataFrame'] td\").length > 10")
        cells = grid_cells(page)
        assert OWNER in cells
        assert (NOTE in cells) is present
        page.screenshot(path=str(ARTIFACTS / f"checkins-overview-{'with' if present else 'without'}.png"),
                        full_page=True)
        go(page, "指標")
        choose_kpi(page)
        page.wait_for_selector(".main-svg")
        text = main_text(page)
        assert OWNER in text and "▼ 計画遅れ" in text  # the evaluator's verdict stays
        assert (NOTE in text) is present and ("担当部署の判断：◆ 要注意" in text) is present
        assert EVENT in page.locator("[data-testid='stPlotlyChart']").first.text_content()  # drawn on the chart
        page.screenshot(path=str(ARTIFACTS / f"checkins-indicator-{'with' if present else 'without'}.png"),
                        full_page=True)

    shown_everywhere(True)

    # 4. The deck (rendered by LibreOffice) and the PDF report.
    deck, report = documents(fresh_server.database_url, tmp_path, "with")
    for text in (deck, report):
        assert flat(OWNER) in text and flat(EVENT) in text
    assert flat(NOTE)[:20] in report and flat(NOTE)[:20] in deck

    # 5. Undo the check-in: gone everywhere; owner and event stay.
    go(page, "進捗報告")
    row = page.locator("[data-testid='stHorizontalBlock']").filter(has_text=re.compile("· 進捗報告 ·"))
    row.get_by_role("button", name="取り消す").click()
    settle(page)
    saved(page, "を取り消しました")
    shown_everywhere(False)
    deck, report = documents(fresh_server.database_url, tmp_path, "without")
    assert flat(NOTE)[:20] not in deck and flat(NOTE)[:20] not in report
    assert flat(EVENT) in report and "担当部署の判断" not in report

    # 6. The link is spent: a second visit is refused.
    page.goto(f"{link}&lang=ja")
    settle(page)
    page.get_by_text("この設定リンクは無効です").wait_for()
