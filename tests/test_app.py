"""One AppTest smoke test per page, in both languages, against the sample data; plus the empty state."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.registry import load_registry

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
    if page not in ("pages/data.py", "pages/targets.py", "pages/overview.py"):
        assert app.get("plotly_chart"), "charts are drawn"  # the Overview draws sparklines inside its table


@pytest.mark.slow
def test_overview_is_a_scorecard_with_both_verdicts(sample_db):
    app = open_page(PAGES[0], "en")
    [actions, scorecard] = app.dataframe
    frame = scorecard.value
    assert len(frame) == len(load_registry()) and {"now", "outlook", "progress", "trend", "when"} <= set(frame.columns)
    row = frame.set_index("id").loc["international_students"]
    assert row["latest"] == "2,145" and row["when"] == "as of 1 May 2023"  # the census day, not the load date
    assert row["target"] == "3,000 by FY2030 · illustrative"
    assert frame.set_index("id").loc["outbound_students", "target"] == "No target set (FY2017 target of 2,000: Missed)"
    ratio = frame.set_index("id").loc["intl_student_ratio_undergrad"]
    assert ratio["target"] == "20.0% (the source states no year) · published"
    assert set(actions.value["id"]) <= set(frame["id"])


@pytest.mark.slow  # over 3 s: a whole page run or every KPI computed twice
def test_overview_in_japanese_states_reference_dates_and_targets(sample_db):
    app = open_page(PAGES[0], "ja")
    assert app.title[0].value == "東北大学 国際戦略 KPI"
    row = app.dataframe[1].value.set_index("id").loc["international_students"]
    assert (row["latest"], row["when"], row["target"]) == ("2,145人", "2023年5月1日現在",
                                                           "2030年度目標 3,000人・試算値")


def test_overview_counts_follow_the_pillar_filter(sample_db):
    app = open_page(PAGES[0], "en")
    assert app.info[0].value.startswith(f"{len(load_registry())} KPIs")
    app.pills(key="pillars").set_value(["research"]).run()
    research = load_registry().query("pillar == 'research'").index
    assert app.info[0].value.startswith(f"{len(research)} KPIs")
    assert set(app.dataframe[-1].value["id"]) == set(research)


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


@pytest.fixture
def analysts(monkeypatch):
    """Two named analyst accounts (scrypt hashes only) and a fresh sign-in throttle."""
    from conftest import ANALYST_ENV

    from kpi.store import identity

    monkeypatch.setenv("KPI_ANALYSTS", ANALYST_ENV["KPI_ANALYSTS"])
    monkeypatch.setattr(identity, "THROTTLE", identity.Throttle())
    return identity


def sign_in(app: AppTest, account: str, password: str) -> AppTest:
    app.text_input(key="sign_in_name").input(account)
    app.text_input(key="sign_in_password").input(password)
    [button] = [b for b in app.button if b.label == "Sign in"]
    return button.click().run()


def test_upload_page_is_closed_without_a_configured_account(sample_db, monkeypatch):
    monkeypatch.delenv("KPI_ANALYSTS", raising=False)
    app = open_page("pages/upload.py", "en")
    assert not app.exception
    assert any("writing is disabled" in w.value for w in app.warning)


@pytest.mark.slow  # over 3 s: a whole page run or every KPI computed twice
def test_upload_page_asks_viewers_to_sign_in_by_name(sample_db, analysts):
    app = open_page("pages/upload.py", "en")
    assert not app.exception
    assert not app.get("file_uploader") and not app.selectbox  # nothing to upload or roll back
    sign_in(app, "hanako", "wrong")
    assert any("Wrong account or password" in e.value for e in app.error)
    sign_in(app, "nobody", "test-only-analyst-password")
    assert any("Wrong account or password" in e.value for e in app.error)
    sign_in(app, "hanako", "test-only-analyst-password")
    assert any("Signed in as hanako." in c.value for c in app.caption)
    assert app.selectbox  # dataset, encoding, constants, rollback


def test_targets_page_lets_only_analysts_edit(sample_db, analysts):
    app = open_page("pages/targets.py", "en")
    assert not app.exception and app.dataframe  # everyone reads the targets
    assert not [b for b in app.button if b.label == "Save targets"]
    sign_in(app, "taro", "taro-test-password")
    assert not app.exception
    assert [b for b in app.button if b.label == "Save targets"]


@pytest.mark.slow  # over 3 s: a whole page run or every KPI computed twice
def test_a_read_only_database_is_a_message_when_rolling_back(sample_db_url, monkeypatch, tmp_path, analysts):
    import shutil

    copy = tmp_path / "kpi.sqlite3"
    shutil.copy(sample_db_url.removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("KPI_DATABASE_URL", f"sqlite:///file:{copy}?mode=ro&uri=true")
    app = open_page("pages/upload.py", "en")
    sign_in(app, "hanako", "test-only-analyst-password")
    [choice] = [s for s in app.selectbox if s.key.startswith("rollback_") and s.key != "rollback_dataset"]
    choice.select_index(0).run()  # nothing is chosen for the reader (#21): the newest earlier state
    [rollback] = [b for b in app.button if b.key == "rollback"]
    rollback.click().run()
    assert not app.exception
    assert any("Nothing was stored" in e.value and "readonly" in e.value.replace("\\", "").replace("-", "")
               for e in app.error)


def test_overview_lists_targets_with_basis_and_source(sample_db):
    app = open_page(PAGES[0], "ja")
    table = app.table[0].value
    published = table[table["公表・試算"] == "公表値"]
    assert {"学部留学生比率", "外国人研究者比率", "論文数"} <= set(published["指標"])
    shown = published["出典"].str.replace(r"\\(.)", r"\1", regex=True).str.replace("\u2060", "")  # Markdown-escaped
    assert shown.str.contains("univ-journal.jp/250800").any()
    assert (table[table["指標"] == "外国人留学生数"]["公表・試算"] == "試算値").all()


@pytest.mark.parametrize("lang,index,partners", [
    pytest.param("en", "IRN index", "Sustained partner institutions (P)", id="en"),
    pytest.param("ja", "IRN指標", "継続的な海外共同研究機関数（P）", id="ja"),
])
def test_research_page_shows_the_research_network(sample_db, lang, index, partners):
    app = open_page("pages/research.py", lang)
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert float(metrics[index]) > 0 and int(metrics[partners].replace(",", "")) > 0
    assert any("(L − 1) / ln(P)" in c.value for c in app.caption)  # the older formula is named on screen
