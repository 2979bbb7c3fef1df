"""The Overview, `kpi values --json` and the deck say the same status and outlook for every KPI."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpi.cli import main
from kpi.publish import exports
from kpi.store import storage
from kpi.views.narrative import outlook_text, status_text
from metrics.registry import load_registry

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.mark.slow
def test_overview_cli_and_deck_agree_on_every_kpi(sample_db, capsys):
    app = AppTest.from_file(ENTRY, default_timeout=90)
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[-1].value.set_index("id")
    overview = {i: (row["now"], row["outlook"]) for i, row in table.iterrows()}

    assert main(["values", "--json", "--latest"]) == 0
    records = json.loads(capsys.readouterr().out)
    cli = {r["indicator"]: (status_text(r["status"], "en"), outlook_text(r["outlook"], "en")) for r in records}

    engine = storage.get_engine(sample_db)
    deck = exports.build_deck(storage.load_all(engine=engine), storage.history(engine=engine), lang="en")
    slides = {s.indicator: (s.status_text, s.outlook_text) for s in deck.slides}

    assert set(overview) == set(load_registry().index)  # every registered KPI, however many the registry holds
    assert overview == cli == slides
    assert len(set(overview.values())) >= 4  # a real mix of verdicts is compared, not one repeated
