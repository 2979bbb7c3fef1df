"""axe-core over every page in both languages: no serious or critical WCAG 2.1 A/AA finding (JIS X 8341-3 AA);
then the first control reached by Tab, photographed with its focus drawn."""

import json
from pathlib import Path

import pytest
from a11y_support import assert_focus_visible, axe_violations, describe, quiet, tab_to_control
from tests_support import settle

pytestmark = [pytest.mark.browser, pytest.mark.system]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

# path (after the host), whether the page draws charts
PAGES = [
    pytest.param("", False, id="overview"),
    pytest.param("indicator", True, id="indicator"),
    pytest.param("mobility", True, id="mobility"),
    pytest.param("research", True, id="research"),
    pytest.param("partnerships", True, id="partnerships"),
    pytest.param("targets", False, id="targets"),
    pytest.param("data", False, id="data"),
    pytest.param("upload", False, id="upload"),
    pytest.param("?present=1&slide=1", False, id="present"),
    # -2: a KPI with its chart whether or not the research collaboration slide ends the deck (it does with papers)
    pytest.param("?present=1&slide=-2", True, id="present-kpi-slide"),
]


def open_page(page, base: str, path: str, lang: str, charts: bool) -> None:
    joiner = "&" if "?" in path else "?"
    page.goto(f"{base}/{path}{joiner}lang={lang}")
    settle(page)
    page.wait_for_selector("h1", timeout=60000)
    if charts:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("path", "charts"), PAGES)
def test_page_has_no_serious_wcag_finding(app_server, page, path, charts, lang, request):
    open_page(page, app_server.url, path, lang, charts)
    found = axe_violations(page)
    name = request.node.callspec.id.replace("/", "-")
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    assert not found, describe(found)

    # The first control of the page reached by Tab, with its focus drawn (the sidebar's when the main has none).
    control = tab_to_control(page) or tab_to_control(page, "body")
    assert control, "no control reachable by Tab"
    assert_focus_visible(page)
    quiet(page)
    page.screenshot(path=str(ARTIFACTS / f"focus-{name}.png"))
