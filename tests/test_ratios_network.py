"""Ratio KPIs across datasets, THE's five-year share and QS's research network, by hand on tiny frames."""

import math

import pandas as pd
import pytest

from kpi.ingest.institutions import institution_part, paper_institutions
from metrics.network import foreign_links, irn_index, network_by_year, partner_changes, sustained_partners
from metrics.ratios import parse_sum_spec, ratio_by_period, rolling_share


def enrolment(rows):
    return pd.DataFrame(rows, columns=["fiscal_year", "study_level", "students", "intl_students", "school"])


def staff(rows):
    return pd.DataFrame(rows, columns=["fiscal_year", "category", "headcount", "foreign_staff", "nationality"])


UG = parse_sum_spec("enrolment.intl_students:study_level=undergraduate")
UG_ALL = parse_sum_spec("enrolment.students:study_level=undergraduate")


@pytest.mark.parametrize("rows,expected", [
    pytest.param([(2023, "undergraduate", 100, 1, "A"), (2023, "undergraduate", 900, 99, "B")],
                 {2023: (100.0, 1000.0, 10.0)}, id="sum over sum, not the mean of 1 % and 11 %"),
    pytest.param([(2023, "undergraduate", 100, 5, "A"), (2023, "masters", 50, 25, "A")],
                 {2023: (5.0, 100.0, 5.0)}, id="the filter keeps other levels out of both sums"),
    pytest.param([(2023, "undergraduate", 100, 5, "A"), (2023, "undergraduate", 300, None, "B")],
                 {2023: (5.0, 100.0, 5.0)}, id="a school without an international count does not dilute the ratio"),
    pytest.param([(2022, "undergraduate", 100, None, "A"), (2023, "undergraduate", 100, 2, "A")],
                 {2023: (2.0, 100.0, 2.0)}, id="a year with no international count has no value, not zero"),
    pytest.param([(2023, "undergraduate", 0, 0, "A")], {}, id="zero denominator: no value"),
])
def test_undergraduate_ratio(rows, expected):
    out = ratio_by_period({"enrolment": enrolment(rows)}, numerator=UG, denominator=UG_ALL)
    assert {int(r.period): (r.numerator, r.denominator, r.value) for r in out.itertuples()} == expected


FACULTY = "professor,associate_professor,lecturer,assistant_professor"


@pytest.mark.parametrize("rows,spec_filter,expected", [
    pytest.param([(2023, "professor", 10, 1, None), (2023, "assistant_professor", 30, 9, None),
                  (2023, "researcher", 60, 30, None)], f"category={FACULTY}", 25.0, id="faculty only: 10 of 40"),
    pytest.param([(2023, "professor", 10, 1, None), (2023, "assistant_professor", 30, 9, None),
                  (2023, "researcher", 60, 30, None)], "", 40.0, id="everyone: 40 of 100"),
    pytest.param([(2023, "researcher", 1, None, "USA"), (2023, "researcher", 1, None, "JPN"),
                  (2023, "researcher", 1, None, "KOR"), (2023, "researcher", 1, None, "JPN")], "", 50.0,
                 id="per-person rows with a nationality: foreign unless Japan"),
])
def test_foreign_staff_ratio(rows, spec_filter, expected):
    condition = f":{spec_filter}" if spec_filter else ""
    out = ratio_by_period({"staff": staff(rows)}, numerator=parse_sum_spec(f"staff.foreign_staff{condition}"),
                          denominator=parse_sum_spec(f"staff.headcount{condition}"))
    assert out["value"].tolist() == [pytest.approx(expected)]


@pytest.mark.parametrize("text,error", [
    pytest.param("enrolment", "dataset.column", id="no column"),
    pytest.param("enrolment.students:study_level", "key=value", id="filter without '='"),
])
def test_bad_sum_spec(text, error):
    with pytest.raises(ValueError, match=error):
        parse_sum_spec(text)


def per_year(rows):
    return pd.DataFrame(rows, columns=["year", "total", "international"])


@pytest.mark.parametrize("rows,expected", [
    pytest.param([(2019, 10, 1), (2020, 10, 2), (2021, 10, 3), (2022, 10, 4), (2023, 60, 40)],
                 {2023: 50.0}, id="five years pooled: 50 of 100, not the mean of the yearly shares"),
    pytest.param([(2019, 10, 1), (2020, 10, 2), (2021, 10, 3), (2022, 10, 4)], {},
                 id="four years of data: no five-year value"),
    pytest.param([(2018, 100, 100), (2019, 10, 0), (2020, 10, 0), (2021, 10, 0), (2022, 10, 0), (2023, 10, 5)],
                 {2022: 100 * 100 / 140, 2023: 10.0}, id="window edge: 2018 counts for 2022, not for 2023"),
])
def test_rolling_five_year_share(rows, expected):
    out = rolling_share(per_year(rows))
    assert {int(r.period): pytest.approx(r.value) for r in out.itertuples()} == \
        {k: pytest.approx(v) for k, v in expected.items()}


def papers(rows):
    """rows of (id, year, 'Inst|CTY;Inst|CTY')."""
    return pd.DataFrame([(i, y, "JPN", f"Tohoku University|JPN;{inst}") for i, y, inst in rows],
                        columns=["id", "year", "countries", "institutions"])


def joint(partner: str, years: list[int], prefix: str = "p") -> list[tuple]:
    return [(f"{prefix}-{partner}-{n}", year, partner) for n, year in enumerate(years)]


@pytest.mark.parametrize("rows,end,expected", [
    pytest.param(joint("Univ A|USA", [2021, 2022]), 2023, [], id="two joint papers: not sustained"),
    pytest.param(joint("Univ A|USA", [2021, 2022, 2023]), 2023, [("Univ A", "USA", 3)], id="three: sustained"),
    pytest.param(joint("Univ A|USA", [2018, 2022, 2023]), 2023, [], id="a paper six years back is outside"),
    pytest.param(joint("Univ A|USA", [2019, 2022, 2023]), 2023, [("Univ A", "USA", 3)],
                 id="a paper in the window's first year is inside"),
    pytest.param(joint("Kyoto University|JPN", [2021, 2022, 2023]), 2023, [], id="a Japanese partner is not foreign"),
    pytest.param([("x", 2023, "Univ A|USA"), ("x", 2023, "Univ A|USA"), ("y", 2023, "Univ A|USA"),
                  ("z", 2022, "Univ A|USA;Univ A|USA")], 2023, [("Univ A", "USA", 3)],
                 id="a repeated paper or address counts once"),
])
def test_sustained_partners(rows, end, expected):
    out = sustained_partners(foreign_links(papers(rows)), end=end)
    assert [(r.institution, r.country, int(r.papers)) for r in out.itertuples()] == expected


@pytest.mark.parametrize("partners,countries,expected", [
    pytest.param(4, 2, 2 / math.log(4), id="L over ln P"),
    pytest.param(1, 1, math.nan, id="one partner: ln 1 = 0, undefined"),
    pytest.param(0, 0, math.nan, id="no partner"),
])
def test_irn_index(partners, countries, expected):
    got = irn_index(partners, countries)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_network_by_year_counts_partners_countries_and_waits_for_a_full_window():
    years = [2019, 2020, 2021, 2022, 2023]
    rows = (joint("Univ A|USA", [2019, 2020, 2021]) + joint("Univ B|USA", [2021, 2022, 2023])
            + joint("Univ C|KOR", [2023, 2023, 2023]) + joint("Univ D|FRA", [2022, 2023])
            + [(f"dom-{y}", y, "Kyoto University|JPN") for y in years])
    out = network_by_year(papers(rows))
    assert out[["period", "partners", "countries"]].values.tolist() == [[2023, 3, 2]]
    assert out["irn"].iloc[0] == pytest.approx(2 / math.log(3))


@pytest.mark.parametrize("end,expected", [
    pytest.param(2022, [], id="2018–2022 against 2017–2021: A stays"),
    pytest.param(2023, [["Univ B", "gained"], ["Univ A", "lost"]], id="2019–2023: A falls to two papers, B reaches three"),
    pytest.param(2024, [], id="2020–2024 against 2019–2023: B stays"),
])
def test_partners_gained_and_lost_year_on_year(end, expected):
    rows = joint("Univ A|USA", [2018, 2019, 2020]) + joint("Univ B|KOR", [2021, 2022, 2023])
    changes = partner_changes(foreign_links(papers(rows)), end=end)
    assert changes[["institution", "change"]].values.tolist() == expected


@pytest.mark.parametrize("address,expected", [
    pytest.param("Department of Physics, Tohoku University, Sendai, Japan", "Tohoku University", id="Scopus"),
    pytest.param("Tohoku Univ, Grad Sch Engn, Sendai, Miyagi 9808579, Japan", "Tohoku Univ", id="WoS C1"),
    pytest.param("Graduate School of Medicine, Kyoto University, Kyoto, Japan", "Kyoto University",
                 id="institution after the department"),
    pytest.param("Siemens AG, Munich, Germany", "Siemens AG", id="no university word: the first part"),
    pytest.param("College of Public Health, University of Nebraska Medical Center, Omaha, NE, United States",
                 "University of Nebraska Medical Center", id="a university before the college within it"),
    pytest.param("Tohoku University Hospital, Tohoku University, Sendai, Japan", "Tohoku University Hospital",
                 id="the first part naming a university"),
])
def test_institution_part(address, expected):
    assert institution_part(address) == expected


@pytest.mark.parametrize("addresses,organisations,expected", [
    pytest.param("Dept Phys, Tohoku University, Sendai, Japan; Dept Chem, Harvard University, Cambridge, "
                 "MA, United States", None, [("Tohoku University", "JPN"), ("Harvard University", "USA")],
                 id="Scopus affiliations"),
    pytest.param("[A] Tohoku Univ, Grad Sch Engn, Sendai 9808579, Japan; [B] Harvard Univ, Dept Chem, "
                 "Cambridge, MA 02138 USA", None, [("Tohoku University", "JPN"), ("Harvard University", "USA")],
                 id="WoS C1 abbreviations named by the alias table"),
    pytest.param("[A] Tohoku Univ, Sendai, Japan; [B] Ecole Polytech, Palaiseau, France",
                 "Tohoku University; Institut Polytechnique de Paris",
                 [("Tohoku University", "JPN"), ("Ecole Polytech", "FRA")],
                 id="C3 name without a country is left out; its address still counts"),
])
def test_paper_institutions(addresses, organisations, expected):
    assert paper_institutions(addresses, organisations=organisations) == expected
