"""Property tests beside tests/test_edges.py: generated workbooks, number strings and DOIs."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.ingest import ids, numbers, workbook
from kpi.ingest.importer import read_file

CELL_VALUES = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
                        st.text(max_size=12), st.sampled_from(["#REF!", "#DIV/0!", "#N/A", "1,5", "5%", "5人"]))
POSITIONS = st.tuples(st.integers(0, 60), st.integers(0, 30))


@st.composite
def workbooks(draw):
    """An .xlsx of one to three sheets (some hidden), cells at random places, some of them Excel errors."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheets = draw(st.integers(1, 3))
    hidden = draw(st.lists(st.booleans(), min_size=sheets, max_size=sheets))
    for number in range(sheets):
        sheet = book.add_worksheet(f"S{number}")
        if draw(st.booleans()):
            sheet.write_row(0, 0, ["年度", "区分", "人数"])
        cells = draw(st.dictionaries(POSITIONS, CELL_VALUES, max_size=25))
        for (row, column), value in cells.items():
            if isinstance(value, str) and value.startswith("#"):
                sheet.write_formula(row, column, "=1/0", None, value)
            else:
                sheet.write(row, column, value)
    visible = [n for n, h in enumerate(hidden) if not h] or [0]
    book.worksheets()[visible[0]].activate()
    for number, hide in enumerate(hidden):
        if hide and number != visible[0]:
            book.worksheets()[number].hide()
    book.close()
    return buffer.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_a_generated_workbook_is_read_or_refused_never_a_crash(data):
    result = read_file(data, "mobility")
    assert not [p for p in result.errors if p.key == "imp.internal"], result.errors
    assert result.ok or result.errors
    if result.sheet is not None:
        book = workbook.open_workbook(data)
        named = [p for p in result.warnings if p.key == "imp.wb.hidden_named"]
        assert result.sheet not in book.hidden or named  # a hidden sheet is read only when named


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_the_scan_finds_how_far_each_sheet_reaches(data):
    parts = workbook.sheet_parts(data)
    book = workbook.open_workbook(data)
    for name, (part, _) in parts.items():
        scan = workbook.scan_sheet(data, part)
        rows = book.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        assert scan.rows >= len(rows) and (not rows or scan.columns >= max(map(len, rows)))


@given(st.integers(0, numbers.COUNT_LIMIT))
def test_a_grouped_count_reads_back(n):
    assert numbers.parse_count(f"{n:,}") == n
    assert numbers.parse_count(f"{n:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))) == n


@given(st.integers(0, 10**9), st.integers(0, 99))
def test_a_grouped_decimal_reads_back(whole, cents):
    assert numbers.parse_number(f"{whole:,}.{cents:02d}") == pytest.approx(whole + cents / 100)


@given(st.integers(0, 10**6), st.text(alphabet="0123456789", min_size=1, max_size=6).filter(lambda t: len(t) != 3))
def test_a_comma_not_grouping_thousands_is_never_read_as_one(head, tail):
    for parse in (numbers.parse_count, numbers.parse_number):
        with pytest.raises(numbers.CellError):
            parse(f"{head},{tail}")


@given(st.text(max_size=20))
def test_any_text_is_a_number_or_a_cell_error(text):
    for parse in (numbers.parse_count, numbers.parse_number):
        try:
            parse(text)
        except numbers.CellError:
            pass


DOIS = st.builds(lambda registrant, suffix: f"10.{registrant}/{suffix}", st.integers(1000, 99999),
                 st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_()", min_size=1, max_size=20))


@given(DOIS, st.sampled_from(["", "https://doi.org/", "http://dx.doi.org/", "doi:", "DOI: ", "https://DOI.org/"]),
       st.booleans())
def test_a_doi_is_one_id_however_written(doi, prefix, upper):
    written = prefix + (doi.upper() if upper else doi)
    assert ids.normalise_id(written) == ids.normalise_id(doi, kind="doi") == doi.lower()
    assert ids.normalise_id(ids.normalise_id(written)) == doi.lower()
