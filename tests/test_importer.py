"""The importer on files written as their source writes them (bytes), with located errors."""

import pytest

from kpi.ingest.importer import read_file

INBOUND_CP932 = (
    "令和5年度 外国人留学生数（5月1日現在）,,,,\r\n"
    ",,,,\r\n"
    "年度,区分,国・地域,人数,\r\n"
    "令和5年度,受入,中国,\"1,234\",\r\n"
    "2023年度,受入,大韓民国,１２３,\r\n"
    "FY2023,派遣,アメリカ合衆国,－,\r\n"
    "合計,,,\"1,357\",\r\n"
    "※ 出典：留学生課調べ,,,,\r\n"
).encode("cp932")


def test_cp932_title_total_and_footnote_rows():
    result = read_file(INBOUND_CP932, "mobility", file_name="inbound.csv")
    assert result.ok, result.errors
    assert result.encoding == "cp932" and result.header_line == 3
    frame = result.frame
    assert list(frame.index) == [4, 5, 6]  # file lines as a spreadsheet shows them
    assert frame["students"].tolist() == [1234, 123, 0]
    assert frame["country"].tolist() == ["CHN", "KOR", "USA"]
    assert frame["direction"].tolist() == ["inbound", "inbound", "outbound"]
    assert [w.line for w in result.warnings] == [7]  # the total row is skipped, and it agrees with the sum


def test_total_row_that_disagrees_is_a_warning():
    data = "年度,区分,人数\n2023,受入,10\n2023,受入,5\n合計,,16\n".encode()
    result = read_file(data, "mobility")
    assert result.ok
    assert any("16" in w.message and "15" in w.message and w.line == 4 for w in result.warnings)


def test_utf8_bom_and_wide_layout_with_constant_direction():
    data = "\ufeff国・地域,2021年度,2022年度,令和5年度\n中国,10,\"1,000\",-\n台湾,1,2,3\n".encode()
    result = read_file(data, "mobility", constants={"direction": "受入"})
    assert result.ok, result.errors
    assert result.layout == "wide" and result.encoding == "utf-8-sig"
    rows = {(r.fiscal_year, r.country): r.students for r in result.frame.itertuples()}
    assert rows == {(2021, "CHN"): 10, (2022, "CHN"): 1000, (2023, "CHN"): 0, (2021, "TWN"): 1, (2022, "TWN"): 2,
                    (2023, "TWN"): 3}
    assert set(result.frame["direction"]) == {"inbound"}


@pytest.mark.parametrize("name,body,line,column,needle", [
    ("text in a count", "2023,受入,中国,abc", 2, "人数", "not a whole number"),
    ("negative count", "2023,受入,中国,-5", 2, "人数", "negative"),
    ("impossible era year", "平成45年度,受入,中国,5", 2, "年度", "平成"),
    ("unknown direction", "2023,sideways,中国,5", 2, "区分", "direction"),
    ("unknown country", "2023,受入,Narnia,5", 2, "国・地域", "country"),
    ("missing count", "2023,受入,中国,", 2, "人数", "missing"),
])
def test_bad_cells_are_located(name, body, line, column, needle):
    data = f"年度,区分,国・地域,人数\n{body}\n".encode()
    result = read_file(data, "mobility")
    assert not result.ok, name
    assert [(p.line, p.column) for p in result.errors] == [(line, column)], name
    assert needle in result.errors[0].message, name


@pytest.mark.parametrize("name,data,needle", [
    ("empty file", b"", "empty"),
    ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "not a text file"),
    ("missing required column", "年度,人数\n2023,5\n".encode(), "direction"),
    ("no header", b"a,b\n1,2\n", "no header row"),
    ("undecodable bytes", b"\xff\xfe\xfd\x80\x81" * 10 + b"\n", "encoding"),
])
def test_unreadable_files_get_one_clear_error(name, data, needle):
    result = read_file(data, "mobility")
    assert not result.ok and len(result.errors) == 1, (name, result.errors)
    assert needle in result.errors[0].message, name


def test_agreements_with_japanese_headers_and_era_dates():
    data = ("協定校名,国・地域,協定区分,締結日,有効期限\n"
            "東北テスト大学 ,米国,大学間,令和元年5月1日,\n"
            "\"Univ, of Test\",韓国,部局間,2016/4/1,2026年3月31日\n").encode()
    result = read_file(data, "agreements")
    assert result.ok, result.errors
    assert result.frame["partner"].tolist() == ["東北テスト大学", "Univ, of Test"]
    assert result.frame["level"].tolist() == ["university", "department"]
    assert str(result.frame["start_date"].iloc[0].date()) == "2019-05-01"


def test_indicator_ids_are_checked_against_the_registry():
    data = b"indicator,fiscal_year,value\nno_such_kpi,2023,5\n"
    result = read_file(data, "indicators")
    assert [(p.line, p.column) for p in result.errors] == [(2, "indicator")]


@pytest.mark.parametrize("name,row,column", [
    ("target before baseline", "international_students,2025,100,2020,200,,up", "target_period"),
    ("unknown indicator", "no_such,2020,100,2025,200,,up", "indicator"),
    ("bad direction", "international_students,2020,100,2025,200,,sideways", "direction"),
    ("text as a value", "international_students,2020,many,2025,200,,up", "baseline_value"),
])
def test_target_rows_are_validated(name, row, column):
    data = f"indicator,baseline_period,baseline_value,target_period,target_value,milestones,direction\n{row}\n".encode()
    result = read_file(data, "targets")
    assert not result.ok, name
    assert (2, column) in [(p.line, p.column) for p in result.errors], (name, result.errors)


@pytest.mark.parametrize("name,data,line", [
    ("blank line inside the data", "年度,区分,人数\n2023,受入,1\n\n2023,受入,x\n", 4),
    ("quoted line break before the bad row",
     "partner,country,level,start_date\n\"Two\nlines\",USA,university,2020-04-01\nB,USA,university,2020-13-01\n", 3),
    ("footnote row with fewer fields", "年度,区分,人数\n2023,受入,1\n2023,受入,x\n※ note\n", 3),
    ("CRLF and a trailing comma on every line", "年度,区分,人数,\r\n2023,受入,1,\r\n2023,受入,x,\r\n", 3),
])
def test_line_numbers_survive_every_reader_path(name, data, line):
    dataset = "agreements" if data.startswith("partner") else "mobility"
    result = read_file(data.encode(), dataset)
    assert [p.line for p in result.errors] == [line], (name, result.errors)


def test_tab_delimited_utf16_from_excel_unicode_text():
    data = "年度\t区分\t人数\r\n2023\t受入\t5\r\n".encode("utf-16")
    result = read_file(data, "mobility")
    assert result.ok and result.delimiter == "\t" and result.frame["students"].tolist() == [5]


def test_a_thousand_errors_are_listed_then_counted():
    data = ("年度,区分,人数\n" + "2023,受入,x\n" * 1500).encode()
    result = read_file(data, "mobility")
    assert len(result.errors) == 1001 and "more errors" in result.errors[-1].message


SCOPUS = (
    '\ufeff"Authors","Author full names","Title","Year","Source title","DOI","Affiliations",'
    '"Authors with affiliations","Abstract","Document Type","Source","EID"\r\n'
    '"Sato T.; Smith J.","Sato, Taro; Smith, John","Spin, currents","2023","Phys. Rev. B","10.1103/x1",'
    '"Tohoku University, Sendai, Japan; Harvard University, Cambridge, MA, United States",'
    '"Sato T., Tohoku University, Sendai, Japan","Line one,\nline two with ""quotes""","Article","Scopus",'
    '"2-s2.0-85000000001"\r\n'
    '"Suzuki H.","Suzuki, Hanako","Rice","2023","Nature","10.1038/x2","Tohoku University, Sendai, Japan",'
    '"Suzuki H., Tohoku University","Abstract","Article","Scopus","2-s2.0-85000000002"\r\n'
    '"Kim M.; Sato T.","Kim, Min; Sato, Taro","Batteries","2024","Joule","10.1016/x3",'
    '"Seoul National University, Seoul, South Korea; Tohoku University, Sendai, Japan; KAIST, Daejeon, Korea",'
    '"","Abstract","Article","Scopus","2-s2.0-85000000003"\r\n'
    # the same record again, as when two exports are merged by hand
    '"Sato T.; Smith J.","Sato, Taro; Smith, John","Spin, currents","2023","Phys. Rev. B","10.1103/x1",'
    '"Tohoku University, Sendai, Japan; Harvard University, Cambridge, MA, United States",'
    '"","Abstract","Article","Scopus","2-s2.0-85000000001"\r\n'
    '"Ito K.","Ito, Ken","Unknown place","2024","J","","Tohoku University, Sendai, Japan; Somewhere Lab",'
    '"","Abstract","Article","Scopus","2-s2.0-85000000004"\r\n'
).encode("utf-8")

WOS = (
    b"PT\tAU\tTI\tC1\tPY\tDI\tUT\r\n"
    b"J\tSato, T\tSpin\t[Sato, T] Tohoku Univ, Sendai, Miyagi 9808577, Japan.; [Smith, J] Harvard Univ, Cambridge, "
    b"MA 02138 USA.\t2023\t10.1103/x1\tWOS:000000000000001\r\n"
    b"J\tSuzuki, H\tRice\t[Suzuki, H] Tohoku Univ, Sendai, Miyagi, Japan.\t2023\t\tWOS:000000000000002\r\n"
    b"J\tWang, L\tCats\t[Wang, L] Peking Univ, Beijing, Peoples R China.; [Sato, T] Tohoku Univ, Sendai, Japan.\t2024\t"
    b"\tWOS:000000000000003\r\n"
)


def test_scopus_export_counts_papers_and_countries_by_hand():
    from metrics.compute import papers_by_year

    result = read_file(SCOPUS, "papers", file_name="scopus.csv")
    assert result.ok, result.errors
    assert result.frame["id"].tolist()[0] == "2-s2.0-85000000001"  # EID wins over DOI
    by_year = {int(r.year): (int(r.total), int(r.international)) for r in papers_by_year(result.frame).itertuples()}
    assert by_year == {2023: (2, 1), 2024: (2, 1)}  # the repeated EID counts once; Korea makes 2024's first one
    assert result.frame["countries"].tolist()[2] == "KOR;JPN"
    assert any("Somewhere Lab" in w.value for w in result.warnings)  # no country: a warning, not an error


def test_web_of_science_tab_delimited_export():
    from metrics.compute import papers_by_year

    result = read_file(WOS, "papers", file_name="savedrecs.txt")
    assert result.ok, result.errors
    assert result.frame["countries"].tolist() == ["JPN;USA", "JPN", "CHN;JPN"]
    by_year = {int(r.year): (int(r.total), int(r.international)) for r in papers_by_year(result.frame).itertuples()}
    assert by_year == {2023: (2, 1), 2024: (1, 1)}


def test_a_corrected_mapping_is_applied():
    data = "年度,区分,在籍者,人数\n2023,受入,99,5\n".encode()
    auto = read_file(data, "mobility")
    assert auto.frame["students"].tolist() == [5]
    corrected = read_file(data, "mobility", mapping={"在籍者": "students", "人数": ""})
    assert corrected.ok and corrected.frame["students"].tolist() == [99]
    assert corrected.mapping == {"年度": "fiscal_year", "区分": "direction", "在籍者": "students"}
