"""Invariant (#11): nothing an import accepts can make `kpi values`, an export or any page raise.

Targets and indicator values are generated (zero, negative, tiny and huge numbers, "down" targets, milestones),
written as the CSV an analyst would upload, and kept only when the importer accepts them.
"""

import csv
import io
import json
import math

import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from kpi.ingest.importer import read_file
from kpi.publish import exports
from kpi.store import plan, service, storage
from kpi.text import safe_text
from metrics.milestones import format_milestones
from metrics.registry import load_registry

REGISTRY = load_registry()
INDICATORS = list(REGISTRY.index)
FROM_VALUES = list(REGISTRY.index[REGISTRY["method"] == "indicator"])
TARGET_COLUMNS = ["indicator", "baseline_period", "baseline_value", "target_period", "target_value", "milestones",
                  "direction", "glide", "owner", "source"]

numbers = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-9, -1e-9, 1e12, -1e12]),
                    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))


@st.composite
def target_rows(draw):
    baseline = draw(st.integers(1990, 2040))
    target = baseline + draw(st.integers(1, 30))
    years = draw(st.lists(st.integers(baseline - 3, target + 3), max_size=3, unique=True))
    milestones = format_milestones([(y, draw(numbers)) for y in years]) if years else ""
    return {"indicator": draw(st.sampled_from(INDICATORS)), "baseline_period": baseline,
            "baseline_value": draw(numbers), "target_period": target, "target_value": draw(numbers),
            "milestones": milestones, "direction": draw(st.sampled_from(["up", "down", "増加", "減少"])),
            "glide": draw(st.sampled_from(["", "linear", "compound"])),
            "owner": draw(st.sampled_from(["", "+81 22 795 7777", "=cmd", "国際戦略室"])),
            "source": draw(st.sampled_from(["", "Illustrative", "**bold** $x$ <b>b</b>"]))}


@st.composite
def value_rows(draw):
    return {"indicator": draw(st.sampled_from(FROM_VALUES)), "fiscal_year": draw(st.integers(1990, 2040)),
            "value": draw(numbers), "source": draw(st.sampled_from(["", "Illustrative"]))}


def as_csv(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})
    return out.getvalue().encode()


def accepted(rows: list[dict], dataset: str, columns: list[str]):
    result = read_file(as_csv(rows, columns), dataset, file_name=f"{dataset}.csv")
    if not result.ok:
        reject()  # the importer refused it: nothing stored, nothing to show
    return result


WORST = [  # hand-picked: zero and negative "down" targets, a falling series to zero, milestones outside the range
    {"indicator": "intl_community_events", "baseline_period": 2015, "baseline_value": 50.0, "target_period": 2030,
     "target_value": 0.0, "milestones": "2014:60;2031:-5", "direction": "down", "glide": "compound", "owner": "",
     "source": "**bold** [x](http://evil.example) $x^2$ <b>b</b>"},
    {"indicator": "intl_industry_joint_research", "baseline_period": 2015, "baseline_value": -3.0,
     "target_period": 2016, "target_value": -1e12, "milestones": "", "direction": "down", "glide": "compound",
     "owner": "+81 22", "source": ""},
    {"indicator": "international_students", "baseline_period": 2015, "baseline_value": 0.0, "target_period": 2030,
     "target_value": 0.0, "milestones": "2020:0", "direction": "up", "glide": "compound", "owner": "", "source": ""},
]
# Milestones outside the baseline–target span are refused at import now (kpi/ingest/conflicts.py); a database
# written before that rule may still hold them, and the pages must survive it: the pages test stores WORST as it
# was accepted then, the property test starts from the same rows with their milestones inside the span.
WORST_NOW = [{**row, "milestones": "2016:45;2029:1"} if row["milestones"] == "2014:60;2031:-5" else row
             for row in WORST]
WORST_VALUES = [{"indicator": "intl_community_events", "fiscal_year": y, "value": v, "source": ""}
                for y, v in zip(range(2015, 2024), [50, 40, 30, 20, 10, 5, 3, 2, 1])]


_sample: dict = {}


def sample(url: str):
    if url not in _sample:
        engine = storage.get_engine(url)
        _sample[url] = (storage.load_all(engine=engine), storage.history(engine=engine))
    return _sample[url]


def imported(datasets, targets, values):
    """The sample data after a targets replace and an indicator-values replace, as the plan would store them."""
    after = dict(datasets)
    after["targets"] = targets.frame.reset_index(drop=True)
    after = plan.apply_slices(after, values, slices=plan.file_slices(values))
    return after


def check_everything_computes(datasets, history) -> None:
    values = service.values_with_projection(datasets)
    json.dumps(service.values_as_records(values), default=str)  # `kpi values --json`
    for lang in ("en", "ja"):
        deck = exports.build_deck(datasets, history, lang=lang)
        for slide in deck.slides:
            fig = safe_text.figure(exports.slide_figure(slide, lang))
            fig.to_json()
            assert slide.value and slide.status_text


@pytest.mark.slow
@example(targets=WORST_NOW, values=WORST_VALUES)  # a falling series and a "down" target of 0: once math domain error
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.filter_too_much])
@given(targets=st.lists(target_rows(), min_size=1, max_size=6), values=st.lists(value_rows(), min_size=1, max_size=8))
def test_nothing_an_import_accepts_breaks_values_or_exports(sample_db_url, targets, values):
    target_result = accepted(targets, "targets", TARGET_COLUMNS)
    value_result = accepted(values, "indicators", ["indicator", "fiscal_year", "value", "source"])
    datasets, history = sample(sample_db_url)
    check_everything_computes(imported(datasets, target_result, value_result), history)


@pytest.mark.slow
@pytest.mark.system
def test_pages_and_documents_survive_the_worst_accepted_targets(sample_db_url, tmp_path, monkeypatch):
    """The AppTest pass over every page and a real PDF, on targets that used to raise `math domain error`."""
    from streamlit.testing.v1 import AppTest

    from kpi.ingest import conflicts

    monkeypatch.setattr(conflicts, "find", lambda *_args: [])  # stored before milestones outside the span were refused

    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    engine = storage.get_engine(url)
    service.load_sample(engine=engine)
    for rows, dataset, columns in ((WORST, "targets", TARGET_COLUMNS),
                                   (WORST_VALUES, "indicators", ["indicator", "fiscal_year", "value", "source"])):
        result = read_file(as_csv(rows, columns), dataset, file_name=f"{dataset}.csv")
        assert result.ok, result.errors
        service.import_result(result, mode="replace", user="hypothesis", engine=engine)
    datasets, history = storage.load_all(engine=engine), storage.history(engine=engine)
    check_everything_computes(datasets, history)
    values = service.current_values(engine=engine)
    assert all(math.isfinite(v) for v in values["value"])
    pdf = exports.deck_pdf(exports.build_deck(datasets, history, lang="ja"))
    assert pdf.startswith(b"%PDF")

    monkeypatch.setenv("KPI_DATABASE_URL", url)
    entry = str(storage.PROJECT_ROOT / "dashboard.py")
    for page in ["pages/overview.py", "pages/indicator.py", "pages/mobility.py", "pages/research.py",
                 "pages/partnerships.py", "pages/targets.py", "pages/data.py"]:
        for lang in ("en", "ja"):
            app = AppTest.from_file(entry, default_timeout=90)
            app.query_params["lang"] = lang
            if page == "pages/indicator.py":
                app.query_params["kpi"] = "intl_community_events"
            app.run()
            if page != "pages/overview.py":
                app.switch_page(page).run()
            assert not app.exception, (page, lang, app.exception)
