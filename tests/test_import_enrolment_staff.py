"""Enrolment (学生数調) and staff tables through the one importer: layouts, eras, census days, located errors."""

import pandas as pd
import pytest

from kpi.ingest.importer import read_file

ENROLMENT_LONG_CP932 = (
    "東北大学 学生数調（各年5月1日現在）\n"
    "年度,課程,学生数,うち留学生\n"
    "令和4年度,学部,10800,160\n"
    "令和4年度,修士課程,4400,600\n"
    "令和5年度,学部,10750,180\n"
    "令和5年度,博士課程,2700,800\n"
    "合計,,28650,1740\n"
    "※ 研究生を除く\n"
).encode("cp932")

ENROLMENT_BAD_CP932 = (
    "年度,課程,学生数,うち留学生\n"
    "令和5年度,学部,10750,180\n"
    "令和5年度,修士,abc,10\n"
    "令和5年度,短大,100,1\n"
    "平成35年度,博士,2700,800\n"
    "令和5年度,博士,2700,2800\n"
).encode("cp932")

ENROLMENT_WIDE_LEVELS = (
    "年度,学部,学部うち留学生,修士課程,修士課程うち留学生,博士課程,博士課程（うち留学生）,合計\n"
    "令和5年5月1日現在,10750,180,4400,620,2700,820,17850\n"
    "令和6年5月1日現在,10700,200,4450,,2650,830,17800\n"
).encode("cp932")

STAFF_WIDE_YEARS = (
    "職名,令和3年度,令和4年度,令和5年度\n"
    "教授,700,705,710\n"
    "准教授,650,640,x\n"
).encode("cp932")

STAFF_PER_PERSON = b"Fiscal year,Position,Nationality,Headcount\n2023,Researcher,USA,1\n2023,Researcher,Japan,1\n" \
    b"2023,Professor,Atlantis,1\n"

STAFF_EN_WIDE = b"Fiscal year,Professor,Professor (foreign),Researcher,Researcher (foreign)\n2023,710,30,900,400\n"


def test_japanese_enrolment_table_in_cp932_with_reiwa_years():
    result = read_file(ENROLMENT_LONG_CP932, "enrolment", file_name="gakuseisu.csv")
    assert result.ok, [str(p) for p in result.errors]
    assert result.encoding == "cp932"
    assert result.header_line == 2
    rows = result.frame[["fiscal_year", "study_level", "students", "intl_students"]].values.tolist()
    assert rows == [[2022, "undergraduate", 10800, 160], [2022, "masters", 4400, 600],
                    [2023, "undergraduate", 10750, 180], [2023, "doctoral", 2700, 800]]
    assert [p.line for p in result.warnings] == [7]  # the 合計 row is not counted


@pytest.mark.parametrize("line,column,text", [
    pytest.param(3, "学生数", "abc", id="not a number"),
    pytest.param(4, "課程", "短大", id="not a level"),
    pytest.param(5, "年度", "平成35年度", id="an era year that does not exist (Heisei ended in its 31st year)"),
    pytest.param(6, "うち留学生", "2800", id="more international students than students"),
])
def test_bad_enrolment_rows_are_located(line, column, text):
    result = read_file(ENROLMENT_BAD_CP932, "enrolment")
    assert not result.ok
    assert any(p.line == line and p.column == column and text in p.value for p in result.errors), \
        [str(p) for p in result.errors]


def test_enrolment_with_one_column_per_level_and_census_days():
    result = read_file(ENROLMENT_WIDE_LEVELS, "enrolment")
    assert result.ok, [str(p) for p in result.errors]
    got = {(r.fiscal_year, r.study_level): (r.students, r.intl_students) for r in result.frame.itertuples()}
    assert got[(2023, "undergraduate")] == (10750, 180)
    assert got[(2023, "doctoral")] == (2700, 820)
    assert got[(2024, "masters")][0] == 4450 and pd.isna(got[(2024, "masters")][1])  # empty: not reported
    assert any(p.column == "合計" for p in result.warnings)  # the total column is not a level


def test_staff_with_one_column_per_fiscal_year_locates_the_bad_cell():
    result = read_file(STAFF_WIDE_YEARS, "staff")
    assert [(p.line, p.column, p.value) for p in result.errors] == [(3, "令和5年度", "x")]


def test_staff_per_person_rows_with_nationality():
    result = read_file(STAFF_PER_PERSON, "staff")
    assert [(p.line, p.column, p.value) for p in result.errors] == [(4, "Nationality", "Atlantis")]
    fixed = read_file(STAFF_PER_PERSON.replace(b"Atlantis", b"Korea"), "staff")
    assert fixed.frame["nationality"].tolist() == ["USA", "JPN", "KOR"]


def test_staff_english_wide_with_foreign_columns():
    result = read_file(STAFF_EN_WIDE, "staff")
    assert result.ok, [str(p) for p in result.errors]
    assert result.frame[["category", "headcount", "foreign_staff"]].values.tolist() == [["professor", 710, 30],
                                                                              ["researcher", 900, 400]]


@pytest.mark.parametrize("data,line,column", [
    pytest.param(b'id,year,countries,institutions\np1,2023,JPN;USA,"Tohoku Univ|Japan;Harvard Univ|USA"\n'
                 b'p2,2023,JPN,Tohoku\n', 3, "institutions", id="institution without a country"),
    pytest.param(b'id,year,countries,institutions\np1,2023,JPN,Tohoku University|Narnia\n', 2, "institutions",
                 id="unknown country"),
])
def test_bad_institution_cells_are_located(data, line, column):
    result = read_file(data, "papers")
    assert [(p.line, p.column) for p in result.errors] == [(line, column)]


@pytest.mark.parametrize("data,expected", [
    pytest.param(b'EID,Year,Affiliations\n2-s2.0-1,2023,"Dept Phys, Tohoku University, Sendai, Japan; '
                 b'Harvard University, Cambridge, United States"\n',
                 "Tohoku University|JPN;Harvard University|USA", id="Scopus affiliations"),
    pytest.param(b'UT,PY,C1,C3\nWOS:1,2023,"[A] Tohoku Univ, Sendai, Japan; [B] Harvard Univ, Cambridge, MA 02138 '
                 b'USA","Tohoku University; Harvard University"\n',
                 "Tohoku University|JPN;Harvard University|USA", id="Web of Science C3 with C1"),
])
def test_institutions_derived_from_bibliographic_exports(data, expected):
    result = read_file(data, "papers")
    assert result.ok, [str(p) for p in result.errors]
    assert result.frame["institutions"].tolist() == [expected]


def test_a_located_error_reads_in_japanese():
    result = read_file(ENROLMENT_BAD_CP932, "enrolment")
    subset = next(p for p in result.errors if p.line == 6)
    assert subset.message_in("ja") == "2800人は「学生数」の2,700人を上回っています"
    assert "6" in subset.where_in("ja") and "うち留学生" in subset.where_in("ja")
