"""Helpers for the browser tests."""

import re
import time

PASSWORD = "test-only-analyst-password"
ACCOUNT = "hanako"
LIMIT_S = 180  # a bound on a hang, not a speed requirement


def settle(page) -> None:
    """Wait until Streamlit has answered the tab's last rerun request and shows the result (conditions, not sleeps).

    The `page` fixture counts the rerun requests the tab sends over the websocket and the script_finished messages
    it receives; the frontend then marks the app element notRunning and drops its status widget.
    """
    runs = getattr(page, "runs", None)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")
    if runs is not None:
        deadline = time.monotonic() + LIMIT_S
        while not runs.answered:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no script_finished for the last rerun request within {LIMIT_S} s")
            page.wait_for_timeout(50)  # lets Playwright deliver websocket events; the loop waits on a condition
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def steady(page) -> None:
    """Wait until fonts are loaded and the main area's layout stops moving (same size at two looks 250 ms apart)."""
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_function("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        const now = main ? `${main.scrollWidth}x${main.scrollHeight}:${document.querySelectorAll('.main-svg').length}` : '';
        const same = window.__kpiLayout === now;
        window.__kpiLayout = now;
        return main && same;
    }""", polling=250)


def international_students_2023(page, base: str) -> str:
    page.goto(f"{base}/indicator?lang=en&kpi=international_students")
    settle(page)
    # This KPI's page, not a default one (the chart's title repeated for phones is hidden on a wide screen).
    page.locator(":text-is('International students'):visible").first.wait_for()
    # The latest value's metric, told by its label (the reference date), not by being first on the page: in one full
    # run under load another metric ("+5.0% a year") was the first one drawn when the page was read.
    latest = page.get_by_test_id("stMetric").filter(has_text="as of 1 May 2023").first
    latest.wait_for()
    return latest.get_by_test_id("stMetricValue").inner_text()


def sign_in(page, base: str, *, account: str = ACCOUNT, password: str = PASSWORD) -> None:
    page.goto(f"{base}/upload?lang=en")
    settle(page)
    page.get_by_label("Analyst account").fill(account)
    page.get_by_label("Analyst password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    page.get_by_text(f"Signed in as {account}.").wait_for()


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=re.compile(label)).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def upload(page, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("cp932"))
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    settle(page)




SCORECARD_DRAWN = ("() => document.querySelectorAll(\"[data-testid='stDataFrame'] canvas\").length >= 2 && "
                   "document.querySelector(\"[data-testid='stAlert']\") !== null")
