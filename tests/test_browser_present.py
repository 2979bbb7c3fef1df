"""The presenter's journey in Chromium: every slide by arrow key, the deck download, data frozen during a meeting."""

from pathlib import Path

import pandas as pd
import pytest
from tests_support import settle

from kpi.publish import exports
from kpi.store import storage

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def layout(url: str) -> tuple[int, int, int]:
    """(index of the first KPI slide, number of slides, revision) of the deck the stored data gives."""
    return deck_layout(url)[:3]


def deck_layout(url: str) -> tuple[int, int, int, list[str]]:
    """The same and the kind of every slide (title, scorecard, pillar, kpi, collaboration)."""
    engine = storage.get_engine(url)
    history = storage.history(engine=engine)
    sequence = exports.build_deck(storage.load_all(engine=engine), history, lang="en").sequence()
    first_kpi = next(i for i, (kind, _) in enumerate(sequence) if kind == "kpi")
    return first_kpi, len(sequence), int(history["revision"].max()), [kind for kind, _ in sequence]


def counter(page) -> str:
    return page.get_by_text(" · ", exact=False).filter(has_text="Frozen at revision").first.inner_text()


def test_presenter_moves_through_every_slide_and_downloads_the_deck(app_server, page, sample_db_url):
    first_kpi, slides, _, kinds = deck_layout(sample_db_url)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_server.url}/?present=1&lang=en")
    settle(page)
    page.wait_for_function("() => location.search.includes('rev=')")  # the revision rides in the URL
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    first = counter(page)
    total = int(first.split(" · ")[0].split("/")[1])
    assert total == slides
    seen = []
    for number in range(1, total + 1):
        page.get_by_text(f"{number} / {total} ·").wait_for()
        assert page.locator("[data-testid='stException']").count() == 0
        seen.append(number)
        if kinds[number - 1] == "kpi":
            page.wait_for_selector(".js-plotly-plot .scatterlayer")
        elif kinds[number - 1] == "collaboration":  # the research collaboration table after the KPIs (#22)
            page.get_by_text("Collaboration type").first.wait_for()
        if number in (1, 2, 3, first_kpi + 1):
            page.screenshot(path=str(ARTIFACTS / f"present-slide-{number}.png"))
        page.keyboard.press("ArrowRight")
    assert seen == list(range(1, total + 1))
    page.get_by_text(f"1 / {total} ·").wait_for()  # wraps round to the title slide

    page.goto(f"{app_server.url}/?lang=en")
    settle(page)
    page.get_by_role("button", name="Make the slides (PowerPoint)").click()  # builds with a progress bar
    page.get_by_role("button", name="Slides (PowerPoint)", exact=True).wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Slides (PowerPoint)", exact=True).click()
    path = download.value.path()
    assert Path(path).read_bytes()[:2] == b"PK"  # a zip: the .pptx


def test_an_upload_during_the_meeting_does_not_change_the_slides(analyst_server, page):
    base = analyst_server.url
    first_kpi, slides, frozen = layout(analyst_server.database_url)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/?present=1&lang=en&slide={first_kpi}")
    settle(page)
    page.get_by_text("International students", exact=True).wait_for()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "2,145"

    engine = storage.get_engine(analyst_server.database_url)
    frame = pd.DataFrame({"fiscal_year": [2023], "direction": ["inbound"], "students": [5000]})
    new_revision = storage.store("mobility", frame, note="uploaded during the meeting", engine=engine)

    page.get_by_role("button", name="Next →").click()
    page.get_by_text(f"{first_kpi + 2} / {slides} ·").wait_for()
    page.get_by_role("button", name="← Previous").click()
    page.get_by_text(f"{first_kpi + 1} / {slides} ·").wait_for()
    page.get_by_text("International students", exact=True).wait_for()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "2,145"
    assert page.get_by_text(f"Frozen at revision {frozen}").count() == 1
    page.reload()
    settle(page)
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "2,145"  # a reload keeps the frozen revision

    page.goto(f"{base}/?present=1&lang=en&slide={first_kpi}")  # a new presentation opens at the new revision
    settle(page)
    page.get_by_text(f"Frozen at revision {new_revision}").wait_for()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "7,145"
    assert new_revision == frozen + 1


def test_auto_advance_moves_on_by_itself(app_server, page, sample_db_url):
    _, slides, _ = layout(sample_db_url)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_server.url}/?present=1&lang=ja&auto=3")
    settle(page)
    page.get_by_text(f"1 / {slides} ·").wait_for()
    page.get_by_text(f"2 / {slides} ·").wait_for()  # nobody pressed anything
    page.get_by_text(f"3 / {slides} ·").wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
