"""Every journey with the keyboard alone (Tab, Enter, Space, arrows), focus drawn at each step (WCAG 2.1.1, 2.4.7).

Controls are found by role and by their name in the catalogue (kpi.text.i18n.t), never by position, and are reached by
pressing Tab: a control the keyboard cannot reach fails the test. Nothing here clicks.
"""

import re
from pathlib import Path

import pytest
from a11y_support import assert_focus_visible, axe_violations, describe, holds_focus, press_on, quiet, tab_to
from tests_support import ACCOUNT, PASSWORD, settle

from kpi.store import plan, storage
from kpi.text.i18n import dataset_name, indicator_name, t
from metrics.registry import load_registry

pytestmark = [pytest.mark.browser, pytest.mark.system]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
GOOD = "令和5年度 外国人留学生数,,\r\n年度,国・地域,人数\r\n令和5年度,中国,1500\r\n令和5年度,韓国,700\r\n"


def heading(page, text: str) -> None:
    page.get_by_role("heading", name=text, exact=True).first.wait_for(timeout=60000)


def choose_by_keys(page, combobox, option: str) -> None:
    """A select with keys: Tab onto it, type to filter, Enter picks the option once the list shows it."""
    tab_to(page, combobox)
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).wait_for(timeout=30000)
    page.keyboard.press("Enter")
    settle(page)
    combobox.element_handle().wait_for_element_state("stable")
    page.wait_for_function("([el, option]) => (el.value || el.closest('[data-testid=stSelectbox]').innerText)"
                           ".includes(option)", arg=[combobox.element_handle(), option], timeout=30000)


def no_blocking_axe_finding(page) -> None:
    found = axe_violations(page)
    assert not found, describe(found)


def test_leader_switches_language_filters_a_pillar_and_opens_an_indicator(app_server, page):
    page.goto(f"{app_server.url}/?lang=en")
    settle(page)
    heading(page, t("app_title", "en"))

    # The language switch is one group with one tab stop: Tab onto it, an arrow moves to 日本語, Space chooses it.
    tab_to(page, page.get_by_role("radio", name="English", exact=True))
    page.keyboard.press("ArrowRight")
    japanese = page.get_by_role("radio", name="日本語", exact=True)
    assert holds_focus(japanese)
    assert_focus_visible(page)
    press_on(page, japanese, "Space")
    heading(page, t("app_title", "ja"))
    settle(page)
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.get_by_role("radio", name="日本語", exact=True).get_attribute("aria-checked") == "true"

    # Pillar filter: Tab to the first pill (one tab stop for the group), Space turns Education off.
    education = page.get_by_role("button", name=t("pillar_education", "ja"), exact=True)
    verdict = page.get_by_test_id("stAlert").first.inner_text()
    tab_to(page, education)
    quiet(page)
    page.screenshot(path=str(ARTIFACTS / "keyboard-leader-pillar-ja.png"))
    press_on(page, education, "Space")
    page.wait_for_function("old => { const a = document.querySelector('[data-testid=stAlert]');"
                           " return a && a.innerText !== old; }", arg=verdict, timeout=60000)
    settle(page)
    assert education.get_attribute("aria-pressed") == "false"

    # Open an indicator: the sidebar's Indicator page by Tab and Enter, then the KPI chosen in its select by keys.
    # (The scorecard's rows are picked with the mouse only: the data grid gives no keyboard row selection.)
    indicator_page = page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("indicator_page", "ja"))
    tab_to(page, indicator_page, backwards=True)
    press_on(page, indicator_page, "Enter")
    heading(page, t("indicator_page", "ja"))
    settle(page)
    papers = indicator_name(load_registry(), "papers_total", "ja")
    choose_by_keys(page, page.get_by_role("combobox", name=t("indicator", "ja")), papers)
    page.wait_for_url(re.compile("kpi=papers_total"), timeout=60000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)

    # The chart's numbers, one keypress away: Tab to its data expander, Enter opens the table.
    data = page.locator("[data-testid='stExpander'] summary", has_text=t("a11y.chart_data", "ja")).first
    tab_to(page, data)
    press_on(page, data, "Enter")
    page.locator("details[open] [data-testid='stDataFrame']").first.wait_for(timeout=30000)
    assert_focus_visible(page)
    quiet(page)
    page.screenshot(path=str(ARTIFACTS / "keyboard-leader-chart-data-ja.png"))


def test_analyst_signs_in_uploads_commits_and_rolls_back_by_keyboard(analyst_server, page, tmp_path):
    page.goto(f"{analyst_server.url}/upload?lang=ja")
    settle(page)
    heading(page, t("upload", "ja"))

    tab_to(page, page.get_by_label(t("id.account", "ja")))
    page.keyboard.type(ACCOUNT)
    tab_to(page, page.get_by_label(t("password", "ja")))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # submits the sign-in form
    page.get_by_text(t("id.signed_in_as", "ja", name=ACCOUNT)).wait_for(timeout=60000)
    settle(page)
    no_blocking_axe_finding(page)

    # The direction of the whole file: a select, opened and chosen with keys (type to filter, Enter to pick).
    label = t("constant_for_file", "ja", column=t("col.direction", "ja"))
    direction = page.get_by_role("combobox", name=re.compile(re.escape(label)))
    choose_by_keys(page, direction, t("inbound", "ja"))

    path = tmp_path / "inbound.csv"
    path.write_bytes(GOOD.encode("cp932"))
    browse = page.get_by_test_id("stFileUploaderDropzone").locator("button").first  # not the label's help icon
    tab_to(page, browse)
    quiet(page)
    page.screenshot(path=str(ARTIFACTS / "keyboard-analyst-upload-ja.png"))
    with page.expect_file_chooser(timeout=60000) as chooser:
        press_on(page, browse, "Enter")
    chooser.value.set_files(str(path))
    settle(page)
    page.get_by_text(t("preview", "ja")).wait_for(timeout=60000)

    tab_to(page, page.get_by_role("radio", name=t("append", "ja"), exact=True))
    page.keyboard.press("ArrowRight")  # to Replace, then Space chooses it
    press_on(page, page.get_by_role("radio", name=t("replace", "ja"), exact=True), "Space")
    settle(page)
    assert page.get_by_role("radio", name=t("replace", "ja"), exact=True).get_attribute("aria-checked") == "true"
    no_blocking_axe_finding(page)

    engine = storage.get_engine(analyst_server.database_url)
    stored = int(storage.history(engine=engine)["revision"].max()) + 1  # the next revision, read from the data
    mobility = dataset_name("mobility", "ja")
    commit = page.get_by_role("button", name=t("commit", "ja"), exact=True)
    tab_to(page, commit)
    press_on(page, commit, "Enter")
    page.get_by_text(t("plan.committed", "ja", dataset=mobility, revision=stored)).wait_for(timeout=60000)
    settle(page)

    # Roll mobility back to the state before the upload: the dataset by keys, then the newest earlier revision.
    choose_by_keys(page, page.get_by_role("combobox", name=t("rb.dataset", "ja"), exact=True), mobility)
    earlier = plan.dataset_revisions("mobility", engine=engine).iloc[1]
    good = int(earlier["revision"])
    # Nothing is chosen for the reader (#21): the state to restore is picked by keys too, by its label.
    choose_by_keys(page, page.get_by_role("combobox", name=t("rb.revision", "ja"), exact=True),
                   plan.describe_revision(earlier, "ja"))
    roll_back = page.get_by_role("button", name=t("rb.confirm", "ja", dataset=mobility, revision=good), exact=True)
    tab_to(page, roll_back)
    quiet(page)
    page.screenshot(path=str(ARTIFACTS / "keyboard-analyst-rollback-ja.png"))
    press_on(page, roll_back, "Space")
    page.get_by_text(re.compile(re.escape(t("rb.done", "ja", dataset=mobility, revision=good, new=stored + 1,
                                            kpis="@")).split("@")[0])).wait_for(timeout=60000)


def test_presenter_moves_with_arrows_and_slide_buttons(app_server, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_server.url}/?present=1&lang=ja")
    settle(page)
    page.get_by_text(re.compile(r"^1 / \d+ ·")).wait_for(timeout=60000)
    total = int(re.search(r"1 / (\d+)", page.get_by_text(re.compile(r"^1 / \d+ ·")).inner_text()).group(1))

    def on_slide(number: int) -> None:
        page.get_by_text(t("slide_of", "ja", n=number, total=total) + " ·").wait_for(timeout=30000)

    page.keyboard.press("ArrowRight")
    on_slide(2)  # the scorecard slide: a table
    page.get_by_role("heading", name=t("deck.scorecard", "ja")).wait_for(timeout=30000)
    next_button = page.get_by_role("button", name=re.compile(re.escape(t("next", "ja"))))
    tab_to(page, next_button)
    quiet(page)
    page.screenshot(path=str(ARTIFACTS / "keyboard-presenter-next-ja.png"))
    press_on(page, next_button, "Enter")
    on_slide(3)
    previous = page.get_by_role("button", name=re.compile(re.escape(t("previous", "ja"))))
    tab_to(page, previous, backwards=True)
    press_on(page, previous, "Space")
    on_slide(2)
    page.keyboard.press("ArrowLeft")
    on_slide(1)
