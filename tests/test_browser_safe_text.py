"""User text stays text (#11): hostile Markdown, LaTeX and HTML in every user-text field, on every page, in both
languages and in presentation mode, shows as the characters typed: no link, no bold, no formula, no markup."""

from pathlib import Path

import pandas as pd
import pytest
from tests_support import settle, sign_in

from kpi.store import storage

pytestmark = [pytest.mark.browser, pytest.mark.system]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
MARKDOWN = "**bold** _it_ [click](http://evil.example) $x^2$ :red[red] :material/warning: # head"
HTML = "<b>Bold School</b> <a href='http://evil.example'>link</a>"
HOSTILE = f"{MARKDOWN} {HTML}"


def plant(url: str) -> None:
    """Hostile text in sources, school, institution, partner, owner, file name and note, stored as imports would."""
    engine = storage.get_engine(url)
    mobility = pd.DataFrame({"fiscal_year": [2023, 2023], "direction": ["inbound", "outbound"], "students": [1, 1],
                             "country": ["USA", "USA"], "school": [HTML, HTML], "status": ["degree", "degree"],
                             "source": [HOSTILE, HOSTILE]})
    storage.store("mobility", mobility, user=HTML, file_name=f"{MARKDOWN}.csv", note=HOSTILE, engine=engine)
    peers = pd.DataFrame({"indicator": ["joint_graduate_programs"] * 2, "fiscal_year": [2018, 2019],
                          "value": [3.0, 5.0], "numerator": [None, None], "denominator": [None, None],
                          "institution": [HTML, HTML], "source": [HOSTILE, HOSTILE]})
    storage.store("indicators", peers, note=HOSTILE, engine=engine)
    targets = storage.load("targets", engine=engine)
    targets["source"] = HOSTILE
    targets["owner"] = HTML
    storage.store("targets", targets, mode="replace", note=HOSTILE, engine=engine)
    agreements = pd.DataFrame({"partner": [HOSTILE], "country": ["USA"], "level": ["university"],
                               "start_date": pd.to_datetime(["2000-04-01"]), "end_date": [pd.NaT],
                               "source": [HOSTILE]})
    storage.store("agreements", agreements, note=HOSTILE, engine=engine)


def assert_nothing_interpreted(page, where: str) -> None:
    main = page.locator("[data-testid='stMain']")
    assert page.locator("a[href*='evil.example']").count() == 0, where
    assert page.locator(".katex, .katex-display, mjx-container").count() == 0, where
    for tag in ("b", "strong", "em", "h1", "code"):  # what **bold**, _it_, # head and <b> would have made
        texts = [text.strip() for text in main.locator(tag).all_text_contents()]
        assert not {"bold", "it", "head", "Bold School", "link"} & set(texts), (where, tag, texts)
    # Chart labels and legends: the tags are printed, not applied.
    labels = page.locator(".js-plotly-plot text").all_text_contents()
    shown = [text for text in labels if "Bold School" in text]
    assert all("<b>Bold School</b>" in text for text in shown), (where, shown)
    assert page.locator(".js-plotly-plot a").count() == 0, where
    assert page.locator("[data-testid='stException']").count() == 0, where


def visit(page, url: str) -> None:
    page.goto(url)
    page.locator("[data-testid='stMain'] h1").first.wait_for(timeout=90000)
    settle(page)
    page.wait_for_timeout(1500)  # charts draw after the script finishes


def plain(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")


PAGES = [
    pytest.param("", False, id="overview"),  # sources sit in a collapsed table there; nothing may be interpreted
    pytest.param("indicator?kpi=international_students", True, id="indicator"),
    pytest.param("indicator?kpi=joint_graduate_programs", False, id="indicator-peers"),
    pytest.param("mobility", True, id="mobility"),
    pytest.param("partnerships", True, id="partnerships"),
    pytest.param("targets", False, id="targets"),
    pytest.param("data", False, id="data"),
]


@pytest.fixture
def hostile_server(analyst_server):
    plant(analyst_server.database_url)
    return analyst_server


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_hostile_text_is_shown_as_typed_on_every_page(hostile_server, page, lang):
    base = hostile_server.url
    for path, caption in [p.values for p in PAGES]:
        joiner = "&" if "?" in path else "?"
        visit(page, f"{base}/{path}{joiner}lang={lang}")
        assert_nothing_interpreted(page, f"{path} {lang}")
        if caption:
            assert MARKDOWN in plain(page), (path, lang)  # the source caption prints it character for character
        if path in ("mobility", "indicator?kpi=joint_graduate_programs"):
            labels = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
            assert "<b>Bold School</b>" in labels, (path, labels)
    page.screenshot(path=str(ARTIFACTS / f"hostile-data-{lang}.png"), full_page=True)
    visit(page, f"{base}/mobility?lang={lang}")
    page.screenshot(path=str(ARTIFACTS / f"hostile-mobility-{lang}.png"), full_page=True)


def test_hostile_text_in_presentation_mode_and_on_the_upload_page(hostile_server, page):
    base = hostile_server.url
    seen = []
    for slide in range(10):  # title, scorecard, pillars, then the first KPI slides with their source lines
        visit(page, f"{base}/?present=1&lang=ja&slide={slide}")
        assert_nothing_interpreted(page, f"present slide {slide}")
        seen.append(MARKDOWN in plain(page))
    assert any(seen), seen
    page.screenshot(path=str(ARTIFACTS / "hostile-present.png"))
    sign_in(page, base)
    page.wait_for_timeout(1000)
    assert_nothing_interpreted(page, "upload")
