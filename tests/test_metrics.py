"""KPI arithmetic as tables of tiny frames with named edge cases."""

import datetime as dt

import pandas as pd
import pytest

from metrics.compute import (
    agreements_by_year,
    compute_values,
    indicator_by_year,
    papers_by_year,
    partner_countries,
    ratio_of_sums,
    students_by_year,
)
from metrics.evaluate import evaluate, scorecard
from metrics.registry import load_registry
from metrics.targets import glide_path


def agreements(rows):
    return pd.DataFrame(rows, columns=["partner", "country", "level", "start_date", "end_date"]).assign(
        start_date=lambda f: pd.to_datetime(f["start_date"]), end_date=lambda f: pd.to_datetime(f["end_date"]))


@pytest.mark.parametrize("name,rows,expected", [
    ("starts on 31 March: counts for that fiscal year",
     [("A", "USA", "university", "2024-03-31", None)], {2023: (1, 1)}),
    ("starts on 1 April: first counts the next fiscal year",
     [("A", "USA", "university", "2024-03-01", None), ("B", "USA", "university", "2024-04-01", None)],
     {2023: (1, 1), 2024: (2, 2)}),
    ("ends on 31 March: still active that day",
     [("A", "USA", "university", "2022-04-01", "2024-03-31"), ("B", "KOR", "university", "2024-05-01", None)],
     {2022: (1, 1), 2023: (1, 1), 2024: (1, 1)}),
    ("ends on 30 March: not active on 31 March",
     [("A", "USA", "university", "2022-04-01", "2024-03-30"), ("B", "KOR", "university", "2024-05-01", None)],
     {2022: (1, 1), 2023: (0, 0), 2024: (1, 1)}),
    ("a partner with two agreements counts once",
     [("Univ X", "USA", "university", "2020-04-01", None), (" univ  x ", "USA", "department", "2020-06-01", None)],
     {2020: (2, 1)}),
])
def test_agreements_on_31_march(name, rows, expected):
    out = agreements_by_year(agreements(rows)).set_index("fiscal_year")
    got = {int(fy): (int(r.agreements), int(r.partners)) for fy, r in out.iterrows()}
    assert got == expected, name


@pytest.mark.parametrize("name,rows,direction,expected", [
    ("sums breakdown rows", [(2023, "inbound", 10), (2023, "inbound", 5), (2023, "outbound", 7)], "inbound",
     {2023: 15}),
    ("an empty year has no value, not zero", [(2020, "inbound", 3), (2022, "inbound", 4)], "inbound",
     {2020: 3, 2022: 4}),
    ("a zero count is a value", [(2021, "outbound", 0)], "outbound", {2021: 0}),
    ("no rows in that direction", [(2021, "inbound", 5)], "outbound", {}),
])
def test_students_by_year(name, rows, direction, expected):
    mobility = pd.DataFrame(rows, columns=["fiscal_year", "direction", "students"])
    out = students_by_year(mobility, direction=direction)
    assert dict(zip(out["fiscal_year"], out["students"])) == expected, name


@pytest.mark.parametrize("name,rows,expected", [
    ("domestic only", [("a", 2023, "JPN")], {2023: (1, 0, 0.0)}),
    ("one foreign affiliation makes it international", [("a", 2023, "JPN;USA"), ("b", 2023, "JPN")],
     {2023: (2, 1, 50.0)}),
    ("a repeated id counts once", [("a", 2023, "JPN;KOR"), ("a", 2023, "JPN;KOR"), ("b", 2023, "JPN")],
     {2023: (2, 1, 50.0)}),
    ("foreign-only paper is international", [("a", 2022, "USA")], {2022: (1, 1, 100.0)}),
    ("an empty year is absent", [("a", 2020, "JPN"), ("b", 2022, "JPN;CHN")], {2020: (1, 0, 0.0), 2022: (1, 1, 100.0)}),
])
def test_papers_by_year(name, rows, expected):
    out = papers_by_year(pd.DataFrame(rows, columns=["id", "year", "countries"]))
    got = {int(r.year): (int(r.total), int(r.international), float(r.share)) for r in out.itertuples()}
    assert got == expected, name


def test_share_is_a_ratio_of_sums_not_an_average_of_ratios():
    rows = pd.DataFrame({"fiscal_year": [2023, 2023], "numerator": [1.0, 30.0], "denominator": [2.0, 100.0]})
    out = ratio_of_sums(rows, by="fiscal_year", scale=100)
    assert out["value"].iloc[0] == pytest.approx(100 * 31 / 102)  # not (50 + 30) / 2 = 40


def test_indicator_values_and_ratio_rows():
    rows = pd.DataFrame({"indicator": ["x", "x", "y", "y"], "fiscal_year": [2022, 2022, 2022, 2022],
                         "value": [2.0, 3.0, None, None], "numerator": [None, None, 1.0, 3.0],
                         "denominator": [None, None, 4.0, 4.0], "institution": [None] * 4})
    assert indicator_by_year(rows, indicator="x")["value"].tolist() == [5.0]
    assert indicator_by_year(rows, indicator="y", scale=100)["value"].tolist() == [50.0]


def test_partner_countries_counts_each_paper_once_per_country():
    papers = pd.DataFrame({"id": ["a", "b", "c"], "year": [2023] * 3, "countries": ["JPN;USA;USA", "JPN;USA;KOR", "JPN"]})
    out = partner_countries(papers)
    assert dict(zip(out["country"], out["papers"])) == {"USA": 2, "KOR": 1}


@pytest.mark.parametrize("name,target,period,expected", [
    ("at baseline", {"baseline_period": 2020, "baseline_value": 100, "target_period": 2030, "target_value": 200}, 2020, 100),
    ("halfway", {"baseline_period": 2020, "baseline_value": 100, "target_period": 2030, "target_value": 200}, 2025, 150),
    ("through a milestone", {"baseline_period": 2020, "baseline_value": 0, "target_period": 2030, "target_value": 10,
                             "milestones": "2022:8"}, 2021, 4),
    ("after the target stays flat", {"baseline_period": 2020, "baseline_value": 0, "target_period": 2030,
                                     "target_value": 10}, 2035, 10),
    ("zero baseline", {"baseline_period": 2020, "baseline_value": 0, "target_period": 2024, "target_value": 8}, 2022, 4),
])
def test_glide_path(name, target, period, expected):
    assert glide_path(target, [period])[0] == pytest.approx(expected), name


def test_registry_has_every_pillar_and_required_ids():
    registry = load_registry()
    assert set(registry["pillar"]) == {"education", "research", "industry", "community"}
    for required in ["international_students", "outbound_students", "papers_total", "intl_coauthored_papers",
                     "intl_coauthored_share", "partner_institutions", "agreements_active"]:
        assert required in registry.index


def test_compute_values_and_summary_on_tiny_datasets():
    registry = load_registry()
    datasets = {
        "mobility": pd.DataFrame({"fiscal_year": [2022, 2023, 2023], "direction": ["inbound", "inbound", "outbound"],
                                  "students": [90, 100, 5], "country": [None] * 3, "school": [None] * 3,
                                  "status": [None] * 3}),
        "papers": pd.DataFrame({"id": ["a", "b", "c", "d"], "year": [2023] * 4,
                                "countries": ["JPN;USA", "JPN", "JPN", "JPN;CHN"]}),
    }
    values = compute_values(datasets, registry)
    by = {(r.indicator, r.period): r.value for r in values.itertuples()}
    assert by[("international_students", 2023)] == 100
    assert by[("outbound_students", 2023)] == 5
    assert by[("intl_coauthored_share", 2023)] == 50.0
    targets = pd.DataFrame([{"indicator": "international_students", "baseline_period": 2020, "baseline_value": 80,
                             "target_period": 2030, "target_value": 180, "direction": "up", "milestones": None}])
    evaluation, _ = evaluate(values, targets, registry, as_of=dt.date(2024, 6, 1))
    card = scorecard(evaluation).set_index("indicator")
    row = card.loc["international_students"]
    assert (row["value"], row["previous_value"], row["plan"], row["status"]) == (100, 90, 110, "behind")
    assert row["change_pct"] == pytest.approx(100 * 10 / 90)
    assert card.loc["agreements_active", "status"] == "no_data"


@pytest.mark.parametrize("name,target,period,expected", [
    ("compound halfway is the geometric mean",
     {"baseline_period": 2020, "baseline_value": 100, "target_period": 2030, "target_value": 400, "glide": "compound"},
     2025, 200),
    ("compound with a zero baseline falls back to a line",
     {"baseline_period": 2020, "baseline_value": 0, "target_period": 2030, "target_value": 10, "glide": "compound"},
     2025, 5),
])
def test_compound_glide_path(name, target, period, expected):
    assert glide_path(target, [period])[0] == pytest.approx(expected), name


def test_peer_values_keep_other_institutions_apart_from_ours():
    from metrics.compute import peer_values

    rows = pd.DataFrame({"indicator": ["x", "x", "x", "x", "y"], "fiscal_year": [2022, 2022, 2023, 2023, 2023],
                         "value": [5.0, 7.0, 6.0, 8.0, 1.0], "numerator": [None] * 5, "denominator": [None] * 5,
                         "institution": [None, "Peer U", None, "Peer U", "Peer U"]})
    peers = peer_values(rows, indicator="x")
    assert peers.values.tolist() == [["Peer U", 2022, 7.0], ["Peer U", 2023, 8.0]]
    ours = indicator_by_year(rows, indicator="x")
    assert ours["value"].tolist() == [5.0, 6.0]  # a peer's rows never add to our values
