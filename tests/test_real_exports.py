"""Exports as Scopus, Web of Science and Excel write them: one named test per class of the issue's findings (#10)."""

import io
import json

import pytest

from kpi.ingest.importer import read_file
from metrics.compute import papers_by_year

WOS_TAGS = ("PT AU BA BE GP AF BF CA TI SO SE BS LA DT CT CY CL SP HO DE ID AB C1 C3 RP EM RI OI FU FP FX CR NR TC Z9 "
            "U1 U2 PU PI PA SN EI BN J9 JI PD PY VL IS PN SU SI MA BP EP AR DI DL D2 EA PG WC WE SC GA PM OA HC HP DA "
            "UT").split()


def wos_tab(*records: dict, encoding: str = "utf-16-le") -> bytes:
    """A Web of Science 'Tab-delimited' export: header PT<TAB>AU…, CRLF, unquoted fields; 'Win' is UTF-16LE."""
    lines = ["\t".join(WOS_TAGS)] + ["\t".join(r.get(tag, "") for tag in WOS_TAGS) for r in records]
    text = "\r\n".join(lines) + "\r\n"
    bom = {"utf-16-le": b"\xff\xfe", "utf-8-sig": b""}.get(encoding, b"")
    return bom + text.encode(encoding)


def scopus(*records: dict, header=("Authors", "Title", "Year", "Source title", "Volume", "Page start", "Page end",
                                     "DOI", "Affiliations", "Abstract", "Document Type", "Source", "EID")) -> bytes:
    """A Scopus 'CSV' export: UTF-8 with BOM, every field quoted, CRLF."""
    def quote(text: str) -> str:
        return '"' + str(text).replace('"', '""') + '"'
    lines = [",".join(map(quote, header))] + [",".join(quote(r.get(h, "")) for h in header) for r in records]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def counts(result) -> dict[int, tuple[int, int]]:
    assert result.ok, [str(p) for p in result.errors]
    return {int(r.year): (int(r.total), int(r.international)) for r in papers_by_year(result.frame).itertuples()}


# --- 1. one record refused the whole file --------------------------------------------------------------------

@pytest.mark.parametrize("affiliations,international", [
    pytest.param("", False, id="editorial-without-affiliation"),
    pytest.param("Tohoku University, Sendai, Japan; National Chung Hsing University, Taichung, Taiwan, ROC", True,
                 id="taiwan-roc"),
    pytest.param("Tohoku University, Sendai, Japan; Middle East Technical University, Ankara, Turkiye", True,
                 id="turkiye"),
    pytest.param("Khalifa University, Abu Dhabi, U Arab Emirates", True, id="u-arab-emirates"),
    pytest.param("Tohoku University, Sendai, 980-8577, Japan; email: taro.sato@tohoku.ac.jp", False,
                 id="trailing-email"),
    pytest.param("Universit&#x00E4;t Wien, Vienna, Austria; Tohoku University, Sendai, Japan", True, id="html-entity"),
    pytest.param("Somewhere Laboratory", False, id="no-country-at-all"),
])
def test_class1_a_record_without_a_usable_country_counts_and_is_a_warning(affiliations, international):
    data = scopus({"Year": "2023", "Affiliations": "Tohoku University, Sendai, Japan", "EID": "2-s2.0-1"},
                  {"Year": "2023", "Affiliations": affiliations, "EID": "2-s2.0-2"})
    result = read_file(data, "papers")
    assert counts(result) == {2023: (2, int(international))}
    lines = result.summary["without_country_lines"]
    if result.frame["countries"].iloc[1] == "":
        assert lines == [3] and any(w.line == 3 for w in result.warnings)
    else:
        assert lines == []


# --- 2. tab-delimited read as comma-separated ----------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-8-sig", "utf-8"])
def test_class2_wos_tab_delimited_with_more_commas_than_tabs(encoding):
    abstract = ", ".join(["commas in the abstract"] * 80)
    data = wos_tab({"PT": "J", "TI": '"Quoted" title, with, commas', "AB": abstract, "CR": "Smith J, 2001, NATURE, V1",
                    "C1": "[Sato, T] Tohoku Univ, Sendai, Miyagi 9808577, Japan; [Smith, J] Harvard Univ, Cambridge, "
                          "MA 02138 USA", "PY": "2023", "UT": "WOS:000000000000001"},
                   {"PT": "J", "AB": abstract, "C1": "[Wang, L] Peking Univ, Beijing, Peoples R China",
                    "PY": "2024", "UT": "WOS:000000000000002"}, encoding=encoding)
    result = read_file(data, "papers")
    assert result.source == "wos_tab" and result.delimiter == "\t"
    assert counts(result) == {2023: (1, 1), 2024: (1, 1)}
    assert result.frame["countries"].tolist() == ["JPN;USA", "CHN"]
    if encoding == "utf-16-le":
        assert result.detected_in("en") == "Web of Science tab-delimited, UTF-16LE, 2 records"


def test_class2_generic_delimiter_is_chosen_by_consistent_widths_not_by_counting():
    text = "年度\t区分\t人数\t備考\n" + "".join(f"2023\t受入\t{n}\tcomma, comma, comma, comma, comma\n" for n in range(5))
    result = read_file(text.encode(), "mobility")
    assert result.ok and result.delimiter == "\t" and result.frame["students"].tolist() == [0, 1, 2, 3, 4]


# --- 3. header taken from a data row with year-like cells ----------------------------------------------------

def test_class3_page_numbers_and_era_like_volumes_do_not_make_a_header():
    text = ("Title,Year,Countries,Volume,Begin page,End page,Id\n"
            "A,2023,Japan,S15,2087,2101,P-0001\n"
            "B,2024,Japan;Germany,12,2001,2019,P-0002\n")
    result = read_file(text.encode(), "papers")
    assert result.header_line == 1
    assert counts(result) == {2023: (1, 0), 2024: (1, 1)}


def test_class3_wos_page_numbers_under_a_recognised_header():
    data = wos_tab({"PT": "J", "BP": "2087", "EP": "2101", "VL": "S15", "PY": "2021", "UT": "WOS:1",
                    "C1": "[A] Tohoku Univ, Sendai, Japan"})
    assert counts(read_file(data, "papers")) == {2021: (1, 0)}


# --- 4. data lost without a word -----------------------------------------------------------------------------

def test_class4_a_row_wider_than_the_header_is_a_located_error():
    # an unescaped quote in a title shifts the row: its EID lands beyond the header
    data = (b'"Title","Year","Affiliations","Source","EID"\r\n'
            b'"Fine","2023","Tohoku University, Sendai, Japan","Scopus","2-s2.0-1"\r\n'
            b'"Broken "" title", with a comma","2023","Tohoku University, Sendai, Japan","Scopus","2-s2.0-2"\r\n')
    result = read_file(data, "papers")
    assert not result.ok
    assert ("imp.row_too_wide", 3) in [(p.key, p.line) for p in result.errors]
    assert ("imp.not_an_id", 3) in [(p.key, p.line) for p in result.errors]  # 'Scopus' in the EID column


@pytest.mark.parametrize("second", [
    pytest.param("人数", id="exact"),
    pytest.param("人数 ", id="trailing-space"),
    pytest.param("ＥＩＤ", id="full-width"),
    pytest.param("\u30cf\u309a\u30fc\u30c8", id="nfd"),  # パート written with a combining mark
])
def test_class4_two_headers_that_read_the_same_are_an_error(second):
    first = {"人数": "人数", "人数 ": "人数", "ＥＩＤ": "EID", "\u30cf\u309a\u30fc\u30c8": "\u30d1\u30fc\u30c8"}[second]
    dataset = "papers" if first == "EID" else "mobility"
    if dataset == "papers":
        text = f"Year,Countries,{first},{second}\n2023,Japan,2-s2.0-1,2-s2.0-2\n"
    elif first == "人数":
        text = f"年度,区分,{first},{second}\n2023,受入,5,7\n"
    else:  # a header the contract does not read is no conflict
        text = f"年度,区分,人数,{first},{second}\n2023,受入,5,a,b\n"
    result = read_file(text.encode(), dataset)
    duplicates = [p for p in result.errors if p.key == "imp.duplicate_header"]
    if first == "\u30d1\u30fc\u30c8":
        assert result.ok and not duplicates
    else:
        assert [(p.line, p.column) for p in duplicates] == [(1, second.strip())]


# --- 5. tracebacks -------------------------------------------------------------------------------------------

def test_class5_a_cell_longer_than_the_csv_field_limit():
    long_abstract = "x" * 200_000
    data = scopus({"Year": "2023", "Affiliations": "Tohoku University, Sendai, Japan", "Abstract": long_abstract,
                   "EID": "2-s2.0-1"})
    assert counts(read_file(data, "papers")) == {2023: (1, 0)}
    text = "協定校名,国・地域,協定区分,締結日\n" + "A" * 200_000 + ",米国,大学間,2020-04-01\n"
    result = read_file(text.encode(), "agreements")
    assert [(p.key, p.line, p.column) for p in result.errors] == [("imp.too_long", 2, "協定校名")]


@pytest.mark.parametrize("start,end,key", [
    pytest.param("2020-04-01", "9999-12-31", None, id="open-ended-9999"),
    pytest.param("1600-01-01", "", "imp.date_range", id="before-1900"),
    pytest.param("2020-04-01", "2300-01-01", "imp.date_range", id="after-2262"),
    pytest.param("9999-12-31", "", "imp.date_range", id="start-9999"),
    pytest.param("2020-04-01", "2019-03-31", "imp.end_before_start", id="ends-before-it-starts"),
])
def test_class5_and_7_agreement_dates_have_bounds(start, end, key):
    data = f"partner,country,level,start_date,end_date\nU,USA,university,{start},{end}\n".encode()
    result = read_file(data, "agreements")
    if key is None:
        assert result.ok and result.frame["end_date"].isna().all()
    else:
        assert [(p.key, p.line) for p in result.errors] == [(key, 2)]


@pytest.mark.parametrize("count", ["9223372036854775808", "99999999999999999999999", "1" + "0" * 400])
def test_class5_counts_beyond_64_bits_are_located_errors(count):
    result = read_file(f"年度,区分,人数\n2023,受入,{count}\n".encode(), "mobility")
    assert [(p.key, p.line, p.column) for p in result.errors] == [("imp.too_large", 2, "人数")]


def test_class5_nul_bytes_after_the_first_8_kb():
    text = "年度,区分,人数\n" + "2023,受入,1\n" * 2000 + "2023,受\x00入,1\n"
    result = read_file(text.encode(), "mobility")
    assert [(p.key, p.line) for p in result.errors] == [("imp.nul", 2002)]


# --- 6. standard Japanese rows ---------------------------------------------------------------------------------

def test_class6_other_and_unknown_are_an_explicit_bucket():
    from kpi.ingest.countries import OTHER, country_name

    text = "年度,区分,国・地域,人数\n2023,受入,中国,10\n2023,受入,その他,3\n2023,受入,不明,1\n2023,受入,無国籍,1\n"
    result = read_file(text.encode("cp932"), "mobility")
    assert result.ok
    assert result.frame.groupby("country")["students"].sum().to_dict() == {"CHN": 10, OTHER: 5}
    assert (country_name(OTHER, "ja"), country_name(OTHER, "en")) == ("その他", "Other")


# --- 7. implausible values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", ["0000", "9999", "1899", "2999"])
def test_class7_paper_years_outside_1900_to_next_year(year):
    result = read_file(f"id,year,countries\nP1,{year},Japan\n".encode(), "papers")
    assert [(p.key, p.line, p.column) for p in result.errors] == [("imp.year_range", 2, "year")]


def test_class7_values_that_would_overflow_a_sum_are_refused():
    text = "indicator,fiscal_year,value\n" + "".join(f"joint_graduate_programs,{y},1e308\n" for y in (2021, 2022))
    result = read_file(text.encode(), "indicators")
    assert {p.key for p in result.errors} == {"imp.too_large"}


def test_class7_values_json_is_strict_even_for_infinity():
    from kpi.cli import dumps

    text = dumps([{"indicator": "x", "value": float("inf"), "target": float("nan"), "nested": [float("-inf")]}])
    assert json.loads(text) == [{"indicator": "x", "value": None, "target": None, "nested": [None]}]


# --- recognised sources, Excel, options ------------------------------------------------------------------------

PLAIN = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Sato, T
   Smith, J
TI Spin, currents
   continued on a second line
C1 [Sato, Taro] Tohoku Univ, Sendai, Miyagi 9808577, Japan.
   [Smith, John] Harvard Univ, Cambridge, MA 02138 USA.
PY 2023
BP 2087
UT WOS:000000000000001
ER

PT J
AU Suzuki, H
TI Editorial
PY 2023
UT WOS:000000000000002
ER

PT J
AU Kaya, A
C1 [Kaya, A] Middle East Tech Univ, Ankara, Turkiye.
PY
EA JAN 2024
UT WOS:000000000000003
ER

EF
"""


def test_wos_plain_text_records():
    result = read_file(PLAIN.replace("\n", "\r\n").encode("utf-8-sig"), "papers")
    assert result.source == "wos_plain"
    assert counts(result) == {2023: (2, 1), 2024: (1, 1)}  # PY empty: the early-access year
    assert list(result.frame.index) == [3, 15, 22]  # each record named by its PT line
    assert result.summary["without_country_lines"] == [15]


def test_scopus_older_vintage_without_affiliations_column_uses_authors_with_affiliations():
    header = ("Authors", "Title", "Year", "Source title", "Authors with affiliations", "Source", "EID")
    data = scopus({"Year": "2014", "Authors with affiliations": "Sato T., Tohoku University, Sendai, Japan; Lee K., "
                   "Seoul National University, Seoul, South Korea", "EID": "2-s2.0-84900000001"}, header=header)
    result = read_file(data, "papers")
    assert result.source == "scopus_csv" and counts(result) == {2014: (1, 1)}


def test_excel_errors_are_located_by_sheet_and_cell():
    xlsxwriter = pytest.importorskip("xlsxwriter")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet("Notes").write("A1", "read me")
    sheet = book.add_worksheet("Sheet1")
    sheet.write("A1", "令和6年度 外国人留学生数")
    sheet.write_row(2, 0, ["年度", "区分", "人数", "国・地域"])
    sheet.write_row(3, 0, ["令和5年度", "受入", 12, "中国"])
    sheet.write_row(4, 0, ["2023", "受入", 5.0, "その他"])
    sheet.write_row(11, 0, ["2023", "受入", "abc", "韓国"])
    book.close()
    result = read_file(buffer.getvalue(), "mobility", file_name="students.xlsx")
    assert result.sheet == "Sheet1" and result.header_line == 3
    assert [p.cell for p in result.errors] == ["Sheet1!C12"]
    assert result.errors[0].text_in("ja") == "セルSheet1!C12「人数」列：「abc」は整数ではありません"
    fixed = read_file(buffer.getvalue(), "mobility", sheet="Notes")
    assert [p.key for p in fixed.errors] == ["imp.no_header"]


def test_delimiter_and_header_line_override_detection():
    text = "note;with;semicolons\nfiscal_year;direction;students\n2023;inbound;5\n"
    result = read_file(text.encode(), "mobility", delimiter=";", header_line=2)
    assert result.ok and result.frame["students"].tolist() == [5]
    beyond = read_file(text.encode(), "mobility", header_line=99)
    assert [p.key for p in beyond.errors] == ["imp.header_line_beyond"]


def test_problems_are_rendered_in_japanese_as_an_administrator_reads_them():
    result = read_file("年度,区分,人数\n2023,受入,abc\n".encode(), "mobility")
    problem = result.errors[0]
    assert problem.text_in("ja") == "2行目「人数」列：「abc」は整数ではありません"
    assert str(problem) == 'line 2, column "人数": "abc" is not a whole number'
    assert result.problems_frame("ja")["severity"].tolist() == ["エラー"]


@pytest.mark.parametrize("header", [
    pytest.param("国・地域,2021年度,2022年度,令和5年度", id="ascending"),
    pytest.param("国・地域,令和5年度,2022年度,2021年度", id="descending"),
])
def test_wide_year_headers_in_either_order_are_still_a_header(header):
    data = f"{header}\n中国,1,2,3\n".encode()
    result = read_file(data, "mobility", constants={"direction": "受入"})
    assert result.ok and result.layout == "wide" and int(result.frame["students"].sum()) == 6


def test_generic_comma_table_with_tabs_and_semicolons_in_quoted_text():
    text = "年度,区分,人数,備考\n" + "".join(f'2023,受入,{n},"a\tb\tc; d; e; f\tg"\n' for n in range(4))
    result = read_file(text.encode(), "mobility")
    assert result.ok and result.delimiter == "," and result.frame["students"].tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("data,encoding", [
    pytest.param("年度,区分,人数\n2023,受入,5\n2023,受入,7\n".encode(), "utf-8-sig", id="sig-chosen-no-bom"),
    pytest.param("\ufeff年度,区分,人数\n2023,受入,5\n2023,受入,7\n".encode(), "utf-8", id="utf8-chosen-with-bom"),
    pytest.param("\ufeff年度,区分,人数\n2023,受入,5\n2023,受入,7\n".encode(), None, id="detected"),
])
def test_the_body_is_read_from_the_right_byte_whatever_the_encoding_choice(data, encoding):
    result = read_file(data, "mobility", encoding=encoding)
    assert result.ok and result.frame["students"].tolist() == [5, 7] and list(result.frame.index) == [2, 3]


def test_every_importer_message_has_the_same_placeholders_in_both_languages():
    import string

    from kpi.text.i18n import catalogue

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    entries = {key: entry for key, entry in catalogue().items() if key.startswith("imp.")}
    assert len(entries) > 60
    assert {key: (fields(e["en"]), fields(e["ja"])) for key, e in entries.items()
            if fields(e["en"]) != fields(e["ja"])} == {}


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_web_of_science_files_with_any_line_end(line_end):
    plain = read_file(PLAIN.replace("\n", line_end).encode(), "papers")
    assert counts(plain) == {2023: (2, 1), 2024: (1, 1)} and list(plain.frame.index) == [3, 15, 22]
    tab = wos_tab({"PT": "J", "PY": "2023", "UT": "WOS:1", "C1": "[A] Tohoku Univ, Sendai, Japan"},
                  {"PT": "J", "PY": "2023", "UT": "WOS:2", "C1": "[B] Univ Oxford, Oxford, England"}, encoding="utf-8")
    tab = tab.decode().replace("\r\n", line_end).encode()
    assert counts(read_file(tab, "papers")) == {2023: (2, 1)}


def test_scopus_export_with_few_fields_ticked_is_still_recognised():
    data = scopus({"Year": "2022", "Affiliations": "Tohoku University, Sendai, Japan; Note: University of Oxford, "
                   "Oxford, United Kingdom", "EID": "2-s2.0-1", "Title": "Note: a short communication"},
                  header=("Title", "Year", "Affiliations", "EID"))
    result = read_file(data, "papers")
    assert result.source == "scopus_csv" and counts(result) == {2022: (1, 1)}  # a title 'Note: …' is no footnote


def test_a_note_beside_an_excel_table_is_a_located_warning_not_lost_silently():
    xlsxwriter = pytest.importorskip("xlsxwriter")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, ["年度", "区分", "人数"])
    sheet.write_row(1, 0, ["2023", "受入", 5])
    sheet.write("F2", "※ 5月1日現在")
    book.close()
    result = read_file(buffer.getvalue(), "mobility")
    assert result.ok and result.frame["students"].tolist() == [5]
    assert [(w.key, w.cell) for w in result.warnings] == [("imp.cell_without_header", "Sheet1!F2")]
    assert result.warnings[0].text_in("ja") == "セルSheet1!F2：「※ 5月1日現在」の上に見出しがないため、読み込みません"
