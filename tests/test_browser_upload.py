"""The analyst's journeys in Chromium: the three ways an upload used to corrupt what leadership sees, now failing safe.

Expected figures are read from the data (the stored rows and the file), never typed in: the app must show what
the rows say.
"""

import re
from pathlib import Path

import pytest
from tests_support import ACCOUNT, choose, international_students_2023, settle, sign_in, steady, upload

from kpi.store import plan, service, storage
from kpi.text.i18n import format_value
from metrics.compute import value_diff
from metrics.registry import load_registry

pytestmark = [pytest.mark.browser, pytest.mark.system]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
BAD = "令和5年度 外国人留学生数,,\r\n年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,abc\r\n"
GOOD = "令和5年度 外国人留学生数,,\r\n年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,700\r\n"
# An inbound-only file that carries its own 区分 (direction) column: scenario 1 of issue #11.
WITH_DIRECTION = "年度,区分,国・地域,人数\r\n令和5年度,受入,中国,1500\r\n令和5年度,受入,韓国,700\r\n"
FILE_TOTAL = 1500 + 700


def value(url: str, indicator: str, period: int) -> float | None:
    """The KPI value the stored rows give now (what every page must show)."""
    values = service.current_values(engine=storage.get_engine(url))
    row = values[(values["indicator"] == indicator) & (values["period"] == period)]
    return float(row["value"].iloc[0]) if len(row) else None


def revisions(url: str):
    return storage.history(engine=storage.get_engine(url))


def slice_rows(url: str, direction: str, year: int) -> int:
    rows = storage.load("mobility", engine=storage.get_engine(url))
    return int(((rows["direction"] == direction) & (rows["fiscal_year"] == year)).sum())


def cells(grid) -> list[str]:
    """A dataframe's cells as text (its canvas has an accessible table behind it), row by row."""
    return grid.locator("td").all_text_contents()


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def commit_button(page):
    return page.get_by_role("button", name="Commit", exact=True)


def enabled(page) -> None:
    """Wait for the Commit button to be enabled: a confirmation typed is answered by a rerun that may still run."""
    page.wait_for_function("() => [...document.querySelectorAll('button')].some(b => b.innerText.trim() === 'Commit'"
                           " && !b.disabled)", timeout=60000)


def open_options(page, label: str) -> list[str]:
    """Open a select box and list its options (again if a late rerun closed it)."""
    for _ in range(5):
        page.get_by_role("combobox", name=re.compile(label)).click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5000)
            return page.get_by_role("option").all_inner_texts()
        except Exception:  # closed by a rerun that finished meanwhile: settle and open it again
            settle(page)
    raise AssertionError(f"the select box {label!r} did not open")


def pick(page, label: str, option: str) -> None:
    open_options(page, label)
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_a_replace_of_inbound_keeps_the_outbound_figure(analyst_server, page, tmp_path):
    """Scenario 1: a Replace of an inbound-only file with a 区分 column used to delete FY2023 outbound."""
    base, url = analyst_server.url, analyst_server.database_url
    outbound = value(url, "outbound_students", 2023)
    inbound_rows, outbound_rows = slice_rows(url, "inbound", 2023), slice_rows(url, "outbound", 2023)
    assert outbound and outbound_rows
    assert international_students_2023(page, base) == f"{value(url, 'international_students', 2023):,.0f}"

    sign_in(page, base)
    upload(page, tmp_path, "inbound_2023.csv", WITH_DIRECTION)
    page.get_by_text("What this import will do").wait_for()
    page.get_by_role("radio", name="Replace").click()
    page.get_by_text(f"Replaces Inbound FY2023: {inbound_rows} stored rows → 2 rows from the file.").wait_for()
    settle(page)
    assert f"Keeps Outbound FY2023 ({outbound_rows} rows) as it is." in main_text(page)
    page.screenshot(path=str(ARTIFACTS / "upload-plan-replace.png"), full_page=True)
    expected = int(revisions(url)["revision"].max()) + 1
    commit_button(page).click()
    settle(page)
    page.get_by_text(f"Student mobility: stored as revision {expected}.").wait_for()

    assert value(url, "outbound_students", 2023) == outbound  # the outbound figure survives
    assert value(url, "international_students", 2023) == FILE_TOTAL
    assert international_students_2023(page, base) == f"{FILE_TOTAL:,}"


def test_a_repeated_append_and_a_double_click_store_nothing_more(analyst_server, page, tmp_path):
    """Scenario 2: FY2023 appended again used to double it; two clicks stored the same file twice."""
    base, url = analyst_server.url, analyst_server.database_url
    stored = value(url, "international_students", 2023)
    sign_in(page, base)
    choose(page, "direction for the whole file", "Inbound")
    upload(page, tmp_path, "inbound_2023.csv", GOOD)
    page.get_by_text("What this import will do").wait_for()
    # Append is the default, and FY2023 inbound is already stored: refused, with the way out offered.
    page.get_by_text("Not appended: this file covers periods that are already stored").wait_for()
    assert "is already stored" in main_text(page) and "would count it twice" in main_text(page)
    assert commit_button(page).is_disabled()
    page.screenshot(path=str(ARTIFACTS / "upload-append-refused.png"), full_page=True)
    assert value(url, "international_students", 2023) == stored

    page.get_by_role("button", name="Replace those slices instead").click()
    page.get_by_text("Replaces Inbound FY2023").wait_for()
    settle(page)
    assert commit_button(page).is_enabled()
    before = len(revisions(url))
    commit_button(page).dblclick()  # two clicks, as fast as a person can
    settle(page)
    page.get_by_text(re.compile(r"(Student mobility: stored as|already stored as) revision \d+")).first.wait_for()
    history = revisions(url)
    assert len(history) == before + 1, history.tail(3)
    new = int(history["revision"].max())
    assert history.iloc[-1]["user"] == ACCOUNT
    # The result screen says what was done; the same upload is not planned again (no commit button to click).
    page.locator(".st-key-upload_result").get_by_text(f"Student mobility: stored as revision {new}.").wait_for()
    settle(page)
    assert commit_button(page).count() == 0 or commit_button(page).is_disabled()
    assert value(url, "international_students", 2023) == FILE_TOTAL  # replaced once, never doubled

    # The same bytes uploaded again (another name): refused unless a reason is given.
    upload(page, tmp_path, "inbound_2023_again.csv", GOOD)
    page.get_by_role("radio", name="Replace").click()  # a new file starts as an append again
    settle(page)
    page.get_by_text(f"This exact file is already loaded: revision {new}").wait_for()
    assert commit_button(page).is_disabled()
    page.get_by_label("Reason for loading the same file again").fill("re-sent by the Global Learning Center")
    page.get_by_label("Reason for loading the same file again").press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('button')].some(b => b.innerText.trim() === 'Commit'"
                           " && !b.disabled)", timeout=60000)
    page.screenshot(path=str(ARTIFACTS / "upload-duplicate-reason.png"), full_page=True)
    assert len(revisions(url)) == before + 1


def test_a_rollback_is_chosen_by_dataset_and_previewed(analyst_server, page, tmp_path):
    """Scenario 3: the bare revision list rolled back the wrong dataset and reported success."""
    base, url = analyst_server.url, analyst_server.database_url
    published = value(url, "international_students", 2023)
    outbound = value(url, "outbound_students", 2023)
    sign_in(page, base)
    choose(page, "direction for the whole file", "Inbound")
    upload(page, tmp_path, "inbound_2023.csv", GOOD)
    page.get_by_role("radio", name="Replace").click()
    page.get_by_text("Replaces Inbound FY2023").wait_for()
    settle(page)
    mistake = int(revisions(url)["revision"].max()) + 1  # the revision the commit will store (read before it)
    commit_button(page).click()
    settle(page)
    page.get_by_text(f"Student mobility: stored as revision {mistake}.").wait_for()
    history = revisions(url)
    assert int(history["revision"].max()) == mistake
    assert value(url, "international_students", 2023) == FILE_TOTAL

    # The state to go back to: the mobility revision right before the mistake (read from the history).
    engine = storage.get_engine(url)
    mobility = plan.dataset_revisions("mobility", engine=engine)
    good = int(mobility["revision"].iloc[1])
    label = plan.describe_revision(mobility.iloc[1], "en")
    pick(page, "Dataset to roll back", "Student mobility")
    options = open_options(page, "Restore the state right after")
    assert options and all(o.startswith("Revision") for o in options), options
    assert not any(o.startswith(f"Revision {mistake} ") for o in options), options  # the present is not offered
    page.get_by_role("option", name=label, exact=True).click()
    assert options[0] == label  # the newest earlier state comes first (nothing is chosen for the reader)
    settle(page)
    for _ in range(3):  # a rerun that finished just then can close the list before the choice lands: choose again
        if "goes back to its state right after" in main_text(page):
            break
        pick(page, "Restore the state right after", label)
    text = main_text(page)
    assert f"Student mobility goes back to its state right after revision {good}" in text
    page.screenshot(path=str(ARTIFACTS / "rollback-preview.png"), full_page=True)
    # The effect shown is the diff computed from the stored revisions: every changed KPI, before and after.
    expected = plan.rollback_plan("mobility", good, values_of=service.values_table, engine=engine).diff
    assert not expected.empty
    effect = cells(page.locator("[data-testid='stDataFrame']").last)
    for row in expected.itertuples(index=False):
        unit = load_registry().loc[row.indicator, "unit"]
        assert format_value(row.before, unit, "en") in effect and format_value(row.after, unit, "en") in effect, \
            (row, effect)
    assert "International students" in effect
    page.get_by_role("button", name=f"Restore Student mobility to revision {good}").click()
    settle(page)
    done = page.get_by_text(re.compile("Student mobility is back to its state after revision"))
    done.wait_for()
    settle(page)  # the rest of the page (the history table) finishes after the message
    assert "International students" in done.inner_text()
    after = revisions(url)
    assert after.iloc[-1]["action"] == "rollback" and after.iloc[-1]["dataset"] == "mobility"
    assert after.iloc[-1]["user"] == ACCOUNT
    assert value(url, "international_students", 2023) == published
    assert value(url, "outbound_students", 2023) == outbound
    # The history table on the page has the new revision on top.
    tables = [cells(grid)[:2] for grid in page.locator("[data-testid='stDataFrame']").all()]
    assert [str(int(after["revision"].max())), "Student mobility"] in tables, tables
    assert international_students_2023(page, base) == f"{published:,.0f}"


def test_the_journey_with_an_error_then_the_corrected_file(analyst_server, page, tmp_path):
    base = analyst_server.url
    sign_in(page, base)
    choose(page, "direction for the whole file", "Inbound")
    upload(page, tmp_path, "inbound_bad.csv", BAD)
    page.get_by_text("1 error(s)").wait_for()
    assert "cp932" in main_text(page)
    upload(page, tmp_path, "inbound_good.csv", GOOD)
    page.get_by_text("Preview of the normalised rows").wait_for()
    page.screenshot(path=str(ARTIFACTS / "upload-preview.png"), full_page=True)


OLD_YEAR = "年度,国・地域,人数\r\n平成24年度,中国,900\r\n平成24年度,韓国,300\r\n"  # FY2012: before the sample's years
FEW_AGREEMENTS = ("協定校名,国・地域,協定区分,締結日\r\nJourney Partner University A,CHN,大学間,2020/04/01\r\n"
                  "Journey Partner University B,KOR,部局間,2021/04/01\r\n")


def red_messages(page) -> list[str]:
    return page.locator("[data-testid='stAlertContentError']").all_inner_texts()


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= -1 and box["y"] < page.viewport_size["height"] - 40


def test_append_replace_and_rollback_each_end_on_a_result_screen(analyst_server, page, tmp_path):
    """Issue 21: after a commit the page says what was done and plans nothing again; a replace that removes most of
    a dataset asks for the word typed and shows the largest KPI changes; a rollback's result is in view."""
    base, url = analyst_server.url, analyst_server.database_url
    engine = storage.get_engine(url)
    sign_in(page, base)

    # 1. Append a year not yet stored: the result screen, the rows before → after, no red message.
    mobility_before = len(storage.load("mobility", engine=engine))
    choose(page, "direction for the whole file", "Inbound")
    upload(page, tmp_path, "inbound_2012.csv", OLD_YEAR)
    page.get_by_text("What this import will do").wait_for()
    assert commit_button(page).is_enabled()
    revision = int(revisions(url)["revision"].max()) + 1  # the revision the commit will store (read before it)
    commit_button(page).click()
    settle(page)
    page.get_by_text(f"Student mobility: stored as revision {revision}.").wait_for()
    mobility_after = len(storage.load("mobility", engine=engine))
    assert mobility_after == mobility_before + 2
    result = page.locator(".st-key-upload_result").inner_text()
    assert f"{mobility_before:,} rows → {mobility_after:,} rows" in result, result
    assert red_messages(page) == [], red_messages(page)
    assert "What this import will do" not in main_text(page)  # the same file is not planned again
    page.screenshot(path=str(ARTIFACTS / "upload-result-append.png"), full_page=True)

    # 2. Replace agreements with a two-row file: more than half removed, so the word must be typed first.
    agreements_before = len(storage.load("agreements", engine=engine))
    pick(page, "^Dataset$", "Agreements")
    upload(page, tmp_path, "agreements_few.csv", FEW_AGREEMENTS)
    page.get_by_text("What this import will do").wait_for()
    page.get_by_role("radio", name="Replace").click()
    settle(page)
    page.get_by_text(f"leaves 2 of the {agreements_before} stored rows").wait_for()
    assert commit_button(page).is_disabled()
    page.get_by_label("Type replace to confirm the replace").fill("replace")
    page.get_by_label("Type replace to confirm the replace").press("Enter")
    settle(page)
    enabled(page)
    values_before = service.current_values(engine=engine)
    revision = int(revisions(url)["revision"].max()) + 1  # the revision the commit will store (read before it)
    commit_button(page).click()
    settle(page)
    page.get_by_text(f"Agreements: stored as revision {revision}.").wait_for()
    assert len(storage.load("agreements", engine=engine)) == 2
    result = page.locator(".st-key-upload_result")
    assert f"{agreements_before} rows → 2 rows" in result.inner_text()
    # The KPI changes, largest first, are those the stored values show (read from the data, not typed in).
    diff = value_diff(values_before, service.current_values(engine=engine))
    assert not diff.empty
    shown = cells(result.locator("[data-testid='stDataFrame']"))
    registry = load_registry()
    size = ((diff["after"] - diff["before"]).abs() / diff["before"].abs().where(diff["before"] != 0, 1)).fillna(
        float("inf"))
    biggest = diff.assign(size=size).sort_values("size", ascending=False, kind="stable").iloc[0]
    assert shown[0] == registry.loc[biggest["indicator"], "name_en"], shown[:6]
    assert red_messages(page) == []
    page.screenshot(path=str(ARTIFACTS / "upload-result-replace.png"), full_page=True)

    # 3. Roll agreements back to the state before the replace: the result is in view, nothing set up to undo it.
    good = int(plan.dataset_revisions("agreements", engine=engine)["revision"].iloc[1])
    pick(page, "Dataset to roll back", "Agreements")
    label = plan.describe_revision(plan.dataset_revisions("agreements", engine=engine).iloc[1], "en")
    for _ in range(3):  # choose again if a finishing rerun closed the list before the choice landed
        pick(page, "Restore the state right after", label)
        if page.get_by_role("button", name=f"Restore Agreements to revision {good}").count():
            break
    page.get_by_role("button", name=f"Restore Agreements to revision {good}").click()
    settle(page)
    page.get_by_text(re.compile("Agreements is back to its state after revision")).wait_for()
    steady(page)
    assert len(storage.load("agreements", engine=engine)) == agreements_before
    assert in_view(page, ".st-key-upload_result"), "the rollback's result is on screen"
    assert f"2 rows → {agreements_before} rows" in page.locator(".st-key-upload_result").inner_text()
    assert page.get_by_role("button", name=re.compile("^Restore Agreements to revision")).count() == 0
    assert red_messages(page) == []
    page.screenshot(path=str(ARTIFACTS / "upload-result-rollback.png"))
