"""One AppTest smoke test per page, in both languages, against the sample data; plus the empty state."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = ["pages/overview.py", "pages/indicator.py", "pages/mobility.py", "pages/research.py", "pages/partnerships.py",
         "pages/targets.py", "pages/data.py"]


def open_page(page: str, lang: str) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.query_params["lang"] = lang
    app.run()
    if page != PAGES[0]:
        app.switch_page(page).run()
    return app


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(sample_db, page, lang):
    app = open_page(page, lang)
    assert not app.exception, app.exception
    assert app.title, "every page has a title"
    if page not in ("pages/data.py", "pages/targets.py"):
        assert app.get("plotly_chart"), "charts are drawn"


def test_overview_shows_all_four_pillars_with_targets_and_status(sample_db):
    app = open_page(PAGES[0], "en")
    headers = [h.value for h in app.subheader]
    assert {"Education", "Research", "Industry Co-Creation", "Community Collaboration"} <= set(headers)
    labels = [m.label for m in app.metric]
    values = [m.value for m in app.metric]
    assert "FY2023" in labels and "2,145" in values  # the published FY2023 figure, computed from the rows
    captions = " ".join(c.value for c in app.caption)
    assert "Target 3,000 in FY2030" in captions
    assert "Illustrative" in captions


def test_overview_in_japanese_uses_era_labels(sample_db):
    app = open_page(PAGES[0], "ja")
    assert app.title[0].value == "東北大学 国際戦略 KPI"
    assert "2023年度（令和5年度）" in [m.label for m in app.metric]
    assert "2,145人" in [m.value for m in app.metric]


def test_empty_database_shows_a_message_not_a_traceback(database_url):
    app = open_page(PAGES[0], "en")
    assert not app.exception
    assert any("No data is loaded" in i.value for i in app.info)


def test_unreachable_database_is_a_message(monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("KPI_DATABASE_URL", f"sqlite:///{tmp_path / 'a-file' / 'kpi.sqlite3'}")
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert not app.exception
    assert any("cannot" in e.value for e in app.error)


def test_upload_page_is_closed_without_a_configured_password(sample_db, monkeypatch):
    monkeypatch.delenv("KPI_ANALYST_PASSWORD", raising=False)
    app = open_page("pages/upload.py", "en")
    assert not app.exception
    assert any("uploads are disabled" in w.value for w in app.warning)


def test_upload_page_asks_viewers_to_sign_in(sample_db, monkeypatch):
    monkeypatch.setenv("KPI_ANALYST_PASSWORD", "secret")
    app = open_page("pages/upload.py", "en")
    assert not app.exception
    assert not app.get("file_uploader") and not app.selectbox  # nothing to upload or roll back
    app.text_input[0].input("wrong")
    app.button[0].click().run()
    assert any("Wrong password" in e.value for e in app.error)
    app.text_input[0].input("secret")
    app.button[0].click().run()
    assert any("Signed in as analyst" in c.value for c in app.caption)
    assert app.selectbox  # dataset, encoding, constants, rollback


def test_targets_page_lets_only_analysts_edit(sample_db, monkeypatch):
    monkeypatch.setenv("KPI_ANALYST_PASSWORD", "secret")
    app = open_page("pages/targets.py", "en")
    assert not app.exception and app.dataframe  # everyone reads the targets
    assert not app.get("arrow_data_editor") and not [b for b in app.button if b.label == "Save targets"]
    app.text_input[0].input("secret")
    app.button[0].click().run()
    assert not app.exception
    assert [b for b in app.button if b.label == "Save targets"]


def test_a_read_only_database_is_a_message_when_rolling_back(sample_db_url, monkeypatch, tmp_path):
    import shutil

    copy = tmp_path / "kpi.sqlite3"
    shutil.copy(sample_db_url.removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("KPI_DATABASE_URL", f"sqlite:///file:{copy}?mode=ro&uri=true")
    monkeypatch.setenv("KPI_ANALYST_PASSWORD", "secret")
    app = open_page("pages/upload.py", "en")
    app.text_input[0].input("secret")
    app.button[0].click().run()
    [rollback] = [b for b in app.button if b.label == "Roll back"]
    rollback.click().run()
    assert not app.exception
    assert any("Nothing was stored" in e.value and "readonly" in e.value.replace("-", "") for e in app.error)
