"""The strategy's own KPIs end to end: registry ratios computed from tiny datasets, published targets judged
honestly (a target without a year is shown, never planned), and `kpi values --json` carrying them."""

import datetime as dt
import json
import math

import pandas as pd
import pytest

from metrics.compute import compute_values
from metrics.evaluate import evaluate, target_basis
from metrics.registry import load_registry

FIVE_YEARS = [2019, 2020, 2021, 2022, 2023]


def tiny_datasets() -> dict[str, pd.DataFrame]:
    enrolment = pd.DataFrame(
        [(2023, "undergraduate", 100, 1), (2023, "undergraduate", 900, 19), (2023, "masters", 100, 30)],
        columns=["fiscal_year", "study_level", "students", "intl_students"])
    staff = pd.DataFrame([(2023, "professor", 10, 1, None), (2023, "researcher", 30, 9, None)],
                         columns=["fiscal_year", "category", "headcount", "foreign_staff", "nationality"])
    papers = []
    for year in FIVE_YEARS:  # every year: one domestic paper and one with each of two partners in two countries
        papers += [(f"d{year}", year, "JPN", "Tohoku University|JPN"),
                   (f"a{year}", year, "JPN;USA", "Tohoku University|JPN;Univ A|USA"),
                   (f"b{year}", year, "JPN;KOR", "Tohoku University|JPN;Univ B|KOR")]
    papers.append(("c2023", 2023, "JPN;FRA", "Tohoku University|JPN;Univ C|FRA"))  # one paper: not sustained
    return {"enrolment": enrolment, "staff": staff,
            "papers": pd.DataFrame(papers, columns=["id", "year", "countries", "institutions"])}


@pytest.mark.parametrize("indicator,period,expected", [
    pytest.param("intl_student_ratio_undergrad", 2023, 100 * 20 / 1000, id="undergraduate: 20 of 1,000"),
    pytest.param("intl_student_ratio_masters", 2023, 30.0, id="master's: 30 of 100"),
    pytest.param("intl_student_ratio", 2023, 100 * 50 / 1100, id="all levels: 50 of 1,100"),
    pytest.param("foreign_faculty_ratio", 2023, 10.0, id="faculty: researchers left out, 1 of 10"),
    pytest.param("foreign_researcher_ratio", 2023, 25.0, id="everyone: 10 of 40"),
    pytest.param("intl_coauthored_share_5y", 2023, 100 * 11 / 16, id="five years pooled: 11 of 16 papers"),
    pytest.param("intl_coauthored_share", 2023, 75.0, id="the calendar-year share beside it: 3 of 4"),
    pytest.param("irn_partners", 2023, 2, id="P: A and B have five papers each, C one"),
    pytest.param("irn_countries", 2023, 2, id="L: USA and KOR"),
    pytest.param("irn_index", 2023, 2 / math.log(2), id="IRN = L / ln P"),
])
def test_registry_ratios_and_network_from_tiny_datasets(indicator, period, expected):
    values = compute_values(tiny_datasets(), load_registry())
    got = values[(values["indicator"] == indicator) & (values["period"] == period)]["value"].tolist()
    assert got == [pytest.approx(expected)]


def test_windowed_kpis_wait_for_five_years_of_papers():
    values = compute_values(tiny_datasets(), load_registry())
    for indicator in ("intl_coauthored_share_5y", "irn_index"):
        assert values[values["indicator"] == indicator]["period"].tolist() == [2023], indicator


def targets(rows):
    columns = ["indicator", "baseline_period", "baseline_value", "target_period", "target_value", "direction",
               "source", "basis", "owner", "milestones", "glide"]
    frame = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows])
    for column in ("baseline_period", "target_period"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame


PUBLISHED_NO_YEAR = {"indicator": "intl_student_ratio_undergrad", "baseline_value": 2.0, "target_value": 20.0,
                     "direction": "up", "source": "plan as reported (no year stated)", "basis": "published"}


@pytest.mark.parametrize("target,value,status,basis", [
    pytest.param(PUBLISHED_NO_YEAR, 2.0, "undated", "published", id="no year: shown, not judged against a plan"),
    pytest.param(PUBLISHED_NO_YEAR, 21.0, "achieved", "published", id="no year but reached: achieved"),
    pytest.param({**PUBLISHED_NO_YEAR, "baseline_period": 2019, "target_period": 2030, "basis": None,
                  "source": "Illustrative (not university figures)"}, 1.0, "behind", "illustrative",
                 id="dated and labelled illustrative by its source"),
])
def test_published_and_undated_targets(target, value, status, basis):
    values = pd.DataFrame({"indicator": ["intl_student_ratio_undergrad"], "period": [2023], "value": [value],
                           "numerator": [None], "denominator": [None]})
    evaluation, _ = evaluate(values, targets([target]), load_registry(), as_of=dt.date(2024, 1, 1))
    row = evaluation[evaluation["indicator"] == "intl_student_ratio_undergrad"].iloc[0]
    assert (row["status"], row["target_basis"], row["target_value"]) == (status, basis, target["target_value"])
    assert pd.isna(row["plan"]) == (target.get("target_period") is None)


@pytest.mark.parametrize("row,expected", [
    pytest.param({"basis": "published", "source": "x"}, "published", id="said in its column"),
    pytest.param({"basis": None, "source": "Illustrative (not university figures)"}, "illustrative",
                 id="no basis: the source says illustrative"),
    pytest.param({"basis": None, "source": ""}, "illustrative", id="no source: illustrative"),
    pytest.param({"basis": None, "source": "MEXT, https://tgu.mext.go.jp/"}, "published", id="a cited source"),
])
def test_target_basis(row, expected):
    assert target_basis(pd.Series(row)) == expected


def test_kpi_values_json_carries_ratios_irn_and_published_targets(sample_db, capsys):
    from kpi.cli import main

    assert main(["values", "--json", "--latest"]) == 0
    records = {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}
    for indicator in ("intl_student_ratio_undergrad", "intl_student_ratio_masters", "intl_student_ratio_doctoral",
                      "foreign_faculty_ratio", "foreign_researcher_ratio", "intl_coauthored_share_5y", "irn_index",
                      "irn_partners", "irn_countries"):
        assert isinstance(records[indicator]["value"], float), indicator
    assert 1.0 < records["intl_student_ratio_undergrad"]["value"] < 3.0  # illustrative, near the reported ~2 %
    irn = records["irn_index"]
    assert irn["value"] == pytest.approx(records["irn_countries"]["value"] / math.log(records["irn_partners"]["value"]))
    ratio = records["intl_student_ratio_undergrad"]
    assert (ratio["target_value"], ratio["target_period"], ratio["target_basis"]) == (20.0, None, "published")
    assert "univ-journal.jp/250800" in ratio["target_source"] and "no base or target year" in ratio["target_source"]
    assert records["joint_graduate_programs"]["target_basis"] == "published"
    assert records["international_students"]["target_basis"] == "illustrative"


def test_a_database_from_before_keeps_its_rows_and_accepts_targets_without_a_year(tmp_path):
    import sqlalchemy as sa

    from kpi.store import storage

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = sa.create_engine(url)
    with old.begin() as conn:  # the tables as an earlier contract created them
        conn.exec_driver_sql("CREATE TABLE data_targets (row_id INTEGER PRIMARY KEY, valid_from INTEGER NOT NULL, "
                             "valid_to INTEGER, indicator TEXT NOT NULL, baseline_period BIGINT NOT NULL, "
                             "baseline_value FLOAT NOT NULL, target_period BIGINT NOT NULL, target_value FLOAT NOT NULL, "
                             "direction TEXT NOT NULL, source TEXT)")
        conn.exec_driver_sql("CREATE INDEX ix_data_targets_valid_from ON data_targets (valid_from)")
        conn.exec_driver_sql("INSERT INTO data_targets VALUES (1, 1, NULL, 'papers_total', 2019, 10, 2030, 20, 'up', "
                             "'x')")
        conn.exec_driver_sql("CREATE TABLE data_enrolment (row_id INTEGER PRIMARY KEY, valid_from INTEGER NOT NULL, "
                             "valid_to INTEGER, fiscal_year BIGINT NOT NULL, level TEXT NOT NULL, "
                             "students BIGINT NOT NULL, international BIGINT)")
        conn.exec_driver_sql("INSERT INTO data_enrolment VALUES (1, 1, NULL, 2023, 'undergraduate', 100, 2)")
    old.dispose()
    engine = storage.get_engine(url)
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns("data_targets")}
    assert columns["target_period"]["nullable"] and columns["baseline_period"]["nullable"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT indicator, target_period FROM data_targets").all() == \
            [("papers_total", 2030)]
        assert conn.exec_driver_sql("SELECT study_level, intl_students FROM data_enrolment").all() == \
            [("undergraduate", 2)]
