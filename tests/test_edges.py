"""Hostile inputs at every edge (issue 20): each refused with a located message in the user's language, or read
right; never a dead process, a silently wrong figure or a traceback. One table per class, then the cases that need
a server-side stage of their own (query parameters, a read-only database, the sign-in throttle)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from kpi.ingest import ids, numbers, workbook
from kpi.ingest.importer import read_file
from kpi.store import identity, storage

EDGES = Path(__file__).parent / "data" / "edges"
HEADER = ["年度", "区分", "人数"]


def xlsx(build) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    build(book)
    book.close()
    return buffer.getvalue()


def table(book, name="受入", rows=(("令和5年度", "受入", 10),)):
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    return sheet


def only_last_cell(book):
    book.add_worksheet("S").write("XFD1048576", 1)


def first_and_last_cell(book):
    sheet = table(book)
    sheet.write("XFD1048576", 1)


def hidden_first(book):
    old = table(book, "旧", rows=(("令和5年度", "受入", 999),))
    new = table(book, "最新", rows=(("令和5年度", "受入", 10),))
    new.activate()
    old.hide()


def error_cell(error):
    def build(book):
        sheet = table(book, rows=(("令和5年度", "受入", 10),))
        sheet.write_row(2, 0, ["令和5年度", "受入"])
        sheet.write_formula("C3", "=1/0", None, error)
    return build


def zip_bomb(inflated: int = 30 * 1024 * 1024) -> bytes:
    """A real workbook whose sheet XML is padded with spaces a thousand-fold compressible."""
    good = xlsx(lambda book: table(book))
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * inflated)
            target.writestr(info.filename, data)
    return out.getvalue()


def problems(result, lang="en"):
    return [p.text_in(lang) for p in result.errors], [p.text_in(lang) for p in result.warnings]


# --- workbooks ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, key, where", [
    pytest.param(lambda: xlsx(only_last_cell), "imp.wb.too_many_cells", "XFD1048576", id="only-cell-at-XFD1048576"),
    pytest.param(lambda: xlsx(first_and_last_cell), "imp.wb.too_many_cells", "XFD1048576", id="table-and-XFD1048576"),
    pytest.param(zip_bomb, "imp.wb.bomb", "xl/worksheets/sheet1.xml", id="zip-bomb-sheet-xml"),
    pytest.param(lambda: (EDGES / "example_password.xlsx").read_bytes(), "imp.wb.password", "password",
                 id="password-xlsx-msoffcrypto"),
    pytest.param(lambda: (EDGES / "rc4cryptoapi_password.xls").read_bytes(), "imp.wb.password", "password",
                 id="password-xls-rc4-msoffcrypto"),
    pytest.param(lambda: b"PK\x03\x04" + b"\x00" * 200, "imp.workbook_unreadable", "cannot be read", id="broken-zip"),
])
def test_hostile_workbooks_are_refused_with_a_message(data, key, where):
    result = read_file(data(), "mobility")
    assert [p.key for p in result.errors] == [key] and result.frame is None
    assert where in result.errors[0].text_in("en")
    assert result.errors[0].text_in("ja") != result.errors[0].text_in("en")


def test_the_bounds_are_what_refuses(monkeypatch):
    """The bounds, not the shape of the file: a workbook under them is read, the same one over them refused."""
    data = xlsx(lambda book: table(book, rows=[("令和5年度", "受入", n) for n in range(1, 40)]))
    assert read_file(data, "mobility").ok
    monkeypatch.setattr(workbook, "MAX_CELLS", 3 * 39)
    refused = read_file(data, "mobility")
    assert [p.key for p in refused.errors] == ["imp.wb.too_many_cells"] and "C40" in refused.errors[0].text_in("en")
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED", 2000)
    assert [p.key for p in read_file(data, "mobility").errors] == ["imp.wb.too_big"]


@pytest.mark.parametrize("error", ["#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NULL!", "#NUM!"])
def test_an_excel_error_cell_is_named_at_its_cell(error):
    result = read_file(xlsx(error_cell(error)), "mobility")
    [problem] = result.errors
    assert problem.key == "imp.excel_error" and problem.cell == "受入!C3" and problem.column == "人数"
    assert f"holds the Excel error {error}" in problem.text_in("en") and "is missing" not in problem.text_in("en")
    assert f"Excelのエラー {error}" in problem.text_in("ja")


def test_a_hidden_first_sheet_is_never_read_silently():
    result = read_file(xlsx(hidden_first), "mobility")
    assert result.ok and result.sheet == "最新" and result.frame["students"].tolist() == [10]
    [warning] = result.warnings
    assert warning.key == "imp.wb.hidden_skipped" and "旧" in warning.text_in("en") and "非表示" in warning.text_in("ja")
    named = read_file(xlsx(hidden_first), "mobility", sheet="旧")
    assert named.frame["students"].tolist() == [999] and [w.key for w in named.warnings] == ["imp.wb.hidden_named"]


def test_cells_without_references_are_bounded_by_position():
    """A writer may leave out r="…": the reach is counted from the cells' positions instead."""
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<sheetData>" + b"<row>" + b"<c><v>1</v></c>" * 7 + b"</row>" * 1 + b"<row><c><v>2</v></c></row>" * 4
             + b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    scan = workbook.scan_sheet(out.getvalue(), "xl/worksheets/sheet1.xml")
    assert (scan.rows, scan.columns) == (5, 7)


# --- numbers -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, parse, expected", [
    pytest.param("1,234", numbers.parse_count, 1234, id="grouped-count"),
    pytest.param("1,234,567", numbers.parse_count, 1234567, id="grouped-million"),
    pytest.param("１，２３４", numbers.parse_count, 1234, id="full-width-digits-and-comma"),
    pytest.param("1,234.5", numbers.parse_number, 1234.5, id="grouped-decimal"),
    pytest.param("45%", numbers.parse_number, 45.0, id="percent-in-a-value-column-is-its-unit"),
    pytest.param("1,5", numbers.parse_number, "imp.num.decimal_comma", id="decimal-comma-value"),
    pytest.param("1,5", numbers.parse_count, "imp.num.decimal_comma", id="decimal-comma-count"),
    pytest.param("12,34,567", numbers.parse_count, "imp.num.grouping", id="indian-grouping"),
    pytest.param("1,2345", numbers.parse_number, "imp.num.decimal_comma", id="four-digit-group"),
    pytest.param("5%", numbers.parse_count, "imp.num.percent_in_count", id="percent-in-a-count"),
    pytest.param("5人", numbers.parse_count, "imp.num.unit_in_count", id="counter-word-in-a-count"),
    pytest.param("12件", numbers.parse_count, "imp.num.unit_in_count", id="ken-in-a-count"),
    pytest.param("1_000", numbers.parse_number, "imp.not_number", id="python-underscore"),
])
def test_numbers_accept_only_valid_grouping_and_no_unit_in_a_count(text, parse, expected):
    if isinstance(expected, str):
        with pytest.raises(numbers.CellError) as caught:
            parse(text)
        assert caught.value.key == expected
    else:
        assert parse(text) == expected


def test_a_decimal_comma_in_a_file_is_located_and_suggests_the_point():
    result = read_file("年度,区分,人数\n令和5年度,受入,\"1,5\"\n令和5年度,受入,5%\n".encode(), "mobility")
    texts = [p.text_in("en") for p in result.errors]
    assert result.frame is None and texts[0].startswith('line 2, column "人数"') and "write 1.5" in texts[0]
    assert texts[1].startswith('line 3, column "人数"') and "percentage" in texts[1]


# --- ids, conflicts, line ends, width -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, stored", [
    pytest.param("https://doi.org/10.1000/ABC.1", "10.1000/abc.1", id="https-resolver"),
    pytest.param("http://dx.doi.org/10.1000/ABC.1", "10.1000/abc.1", id="dx-resolver"),
    pytest.param("doi:10.1000/Abc.1", "10.1000/abc.1", id="doi-colon"),
    pytest.param("DOI: 10.1000/ABC.1", "10.1000/abc.1", id="doi-colon-space"),
    pytest.param("https://doi.org/10.1000%2FABC.1", "10.1000/abc.1", id="percent-encoded"),
    pytest.param("wos:000123456700001", "WOS:000123456700001", id="wos-prefix"),
    pytest.param("2-s2.0-85012345678", "2-s2.0-85012345678", id="scopus-eid-as-is"),
])
def test_ids_are_normalised_by_kind(raw, stored):
    assert ids.normalise_id(raw) == stored


def test_one_doi_written_three_ways_is_one_paper():
    csv = ("id,year,countries\nhttps://doi.org/10.1000/ABC,2021,JPN;USA\n10.1000/abc,2021,JPN;USA\n"
           "doi:10.1000/Abc,2021,JPN;USA\n")
    result = read_file(csv.encode(), "papers")
    assert result.ok and set(result.frame["id"]) == {"10.1000/abc"} and result.summary["papers"] == 1
    assert [w.key for w in result.warnings] == ["imp.conflict.paper_twice"] * 2


def test_one_paper_with_two_years_names_both_lines():
    result = read_file(b"id,year,countries\n10.1000/xy,2020,JPN\nDOI:10.1000/XY,2022,JPN\n", "papers")
    [problem] = result.errors
    assert problem.line == 3 and "2022 here but 2020 on line 2" in problem.text_in("en")
    assert "2行目" in problem.text_in("ja")


TARGETS = "indicator,baseline_period,baseline_value,target_period,target_value,milestones,direction\n"


@pytest.mark.parametrize("dataset, text, key, line, says", [
    pytest.param("targets", TARGETS + "papers_total,2020,100,2030,200,,up\npapers_total,2020,100,2030,300,,up\n",
                 "imp.conflict.target_twice", 3, "on line 2", id="same-indicator-twice"),
    pytest.param("targets", TARGETS + "papers_total,2020,100,2030,200,2019:110;2025:150,up\n",
                 "imp.conflict.milestone_outside", 2, "2019", id="milestone-before-baseline"),
    pytest.param("targets", TARGETS + "papers_total,2020,100,2030,200,2031:210,up\n",
                 "imp.conflict.milestone_outside", 2, "2031", id="milestone-after-target"),
    pytest.param("indicators", "indicator,fiscal_year,value,numerator,denominator\npapers_total,2023,45,9,20\n",
                 "imp.conflict.value_and_ratio", 2, "the value counts", id="value-and-ratio-says-which-counts"),
])
def test_conflicts_inside_one_file_are_located(dataset, text, key, line, says):
    result = read_file(text.encode(), dataset)
    found = [p for p in (*result.errors, *result.warnings) if p.key == key]
    assert [p.line for p in found] == [line] and says in found[0].text_in("en")


def test_cr_only_line_ends_are_lines():
    result = read_file(b"fiscal_year,direction,students\r2023,inbound,5\r2024,inbound,7\r", "mobility")
    assert result.ok and result.frame["students"].tolist() == [5, 7] and result.frame.index.tolist() == [2, 3]


def test_a_header_longer_than_the_head_is_read_whole():
    """Thousands of columns: the header row is longer than the part read to find it, and is never cut."""
    extra = [f"column number {i} with a long name" for i in range(6000)]
    lines = [",".join(["fiscal_year", "direction", "students", *extra])] + \
        [",".join(["2023", "inbound", "5", *["x"] * len(extra)])] * 2
    result = read_file(("\n".join(lines) + "\n").encode(), "mobility")
    assert result.ok and len(result.header) == 6003 and result.frame["students"].tolist() == [5, 5]


# --- query parameters ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, field, value, key", [
    pytest.param({"rev": "abc"}, "rev", None, "q.rev_not_revision", id="rev-abc"),
    pytest.param({"rev": "1;DROP TABLE revisions"}, "rev", None, "q.rev_not_revision", id="rev-sql"),
    pytest.param({"rev": "-1"}, "rev", None, "q.rev_not_revision", id="rev-negative"),
    pytest.param({"rev": "999999"}, "rev", None, "q.rev_beyond", id="rev-beyond"),
    pytest.param({"rev": "3"}, "rev", 3, None, id="rev-good"),
    pytest.param({"auto": "abc"}, "auto", 0.0, "q.auto", id="auto-abc"),
    pytest.param({"auto": "nan"}, "auto", 0.0, "q.auto", id="auto-nan"),
    pytest.param({"auto": "0.001"}, "auto", 0.0, "q.auto", id="auto-too-fast"),
    pytest.param({"auto": "10"}, "auto", 10.0, None, id="auto-good"),
    pytest.param({"slide": "abc"}, "slide", 0, "q.slide", id="slide-abc"),
    pytest.param({"slide": "9" * 40}, "slide", 0, "q.slide", id="slide-huge"),
    pytest.param({"slide": "-2"}, "slide", -2, None, id="slide-from-the-end"),
    pytest.param({"kpi": "nonexistent"}, "kpi", None, "q.kpi", id="kpi-unknown"),
    pytest.param({"lang": "fr"}, "lang", "en", "q.lang", id="lang-unknown"),
    pytest.param({"present": "yes"}, "present", False, "q.present", id="present-not-1"),
])
def test_every_query_parameter_is_parsed_by_one_function(raw, field, value, key):
    from kpi.app import query

    parsed = query.parse(raw, latest=8, kpis=["papers_total"])
    assert getattr(parsed, field) == value
    assert [p.key for p in parsed.problems] == ([key] if key else [])
    for problem in parsed.problems:
        assert problem.text_in("ja") != problem.text_in("en") and "Traceback" not in problem.text_in("en")


@pytest.mark.parametrize("params, says", [
    pytest.param({"present": "1", "rev": "abc"}, "版番号", id="present-rev-abc"),
    pytest.param({"present": "1", "rev": "1;DROP TABLE revisions"}, "版番号", id="present-rev-sql"),
    pytest.param({"present": "1", "auto": "abc"}, "切替間隔", id="present-auto-abc"),
    pytest.param({"present": "1", "slide": "abc"}, "スライド", id="present-slide-abc"),
    pytest.param({"present": "1", "rev": "-1"}, "版番号", id="present-rev-negative-shows-data"),
    pytest.param({"present": "1", "rev": "999999"}, "最新", id="present-rev-beyond"),
])
def test_hostile_links_show_a_message_and_the_data(sample_db, params, says):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(storage.PROJECT_ROOT / "dashboard.py"), default_timeout=120)
    app.query_params["lang"] = "ja"
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception
    assert any(says in w.value for w in app.warning)
    assert not [i for i in app.info if "データがまだありません" in i.value]  # data exists: never "no data yet"
    assert app.title and app.title[0].value  # the title slide of the newest data


def test_an_unknown_kpi_in_the_link_shows_the_first_kpi_and_says_so(sample_db):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(storage.PROJECT_ROOT / "dashboard.py"), default_timeout=120)
    app.query_params["lang"] = "en"
    app.run()
    app.query_params["kpi"] = "nonexistent"
    app.switch_page("pages/indicator.py").run()
    assert not app.exception and any('no KPI called "nonexistent"' in w.value for w in app.warning)


def test_an_error_escaping_a_page_is_a_sentence_without_server_paths(sample_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from kpi.app import cache

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom in /srv/secret/path/module.py")

    monkeypatch.delenv("KPI_PAGE_ERRORS")
    monkeypatch.setattr(cache, "overview", broken)  # the Overview, run through dashboard.py's guard
    app = AppTest.from_file(str(storage.PROJECT_ROOT / "dashboard.py"), default_timeout=120)
    app.query_params["lang"] = "ja"
    app.run()
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert "問題が発生しました" in error and "/srv/secret" not in error and "RuntimeError" not in error


def test_streamlits_own_traceback_display_is_off(monkeypatch):
    import tomllib

    from streamlit.web import cli as streamlit_cli

    from kpi import cli

    config = tomllib.loads((storage.PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    seen = {}
    monkeypatch.setattr(streamlit_cli, "main", lambda: seen.setdefault("argv", list(cli.sys.argv)) and 0)
    monkeypatch.setattr(cli.sys, "argv", list(cli.sys.argv))
    cli.main(["serve", "--server.port", "9"])
    assert seen["argv"][-2:] == ["--client.showErrorDetails", "none"]


# --- a database this process cannot write -------------------------------------------------------------------------

@pytest.fixture
def read_only_copy(sample_db_url, tmp_path, monkeypatch):
    """A copy of the sample that this process may read but not write (as root, permissions cannot say so: the
    check the storage makes is what is replaced)."""
    import os
    import sqlite3

    copy = tmp_path / "ro" / "kpi.sqlite3"
    copy.parent.mkdir()
    with sqlite3.connect(sample_db_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    real = os.access
    monkeypatch.setattr(storage.os, "access", lambda path, mode: False if mode == os.W_OK else real(path, mode))
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    yield url
    engine = storage._engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def test_a_read_only_database_is_read_and_writing_says_it_cannot(read_only_copy, tmp_path, capsys):
    from kpi import cli

    assert cli.main(["values", "--json", "--latest"]) == 0
    assert json.loads(capsys.readouterr().out)
    engine = storage.get_engine(read_only_copy)
    assert storage.is_read_only(engine) and "immutable=1" in str(engine.url)
    small = tmp_path / "small.csv"
    small.write_text("fiscal_year,direction,students\n2040,outbound,5\n")
    assert cli.main(["import", str(small), "--dataset", "mobility"]) == 1
    err = capsys.readouterr().err
    assert "read-only" in err and "nothing can be stored" in err and "Traceback" not in err
    with pytest.raises(storage.ReadOnly):
        storage.save_profile("p", "mobility", "sig", {}, {}, engine=engine)


# --- the sign-in throttle in the database -------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def two_engines(any_engine):
    """Two engines (two replicas' connection pools) on one database, SQLite and PostgreSQL alike."""
    second = sa.create_engine(any_engine.url)
    yield any_engine, second
    second.dispose()


def test_two_replicas_share_the_wait_and_a_restart_keeps_it(two_engines):
    first, second = two_engines
    clock = Clock()
    one, other = identity.Throttle(clock=clock, engine=first), identity.Throttle(clock=clock, engine=second)
    table = {"hanako": identity.hash_password("right")}
    keys = ["address:10.0.0.1"]
    for _ in range(identity.FREE_ATTEMPTS):
        assert identity.sign_in("hanako", "guess", keys=keys, table=table, throttle=one) in ((False, 0.0), (False, 2.0))
    assert other.wait(keys) == 2.0  # the other replica sees the first one's failures
    assert identity.sign_in("hanako", "right", keys=keys, table=table, throttle=other) == (False, 4.0)  # counted
    restarted = identity.Throttle(clock=clock, engine=sa.create_engine(first.url))
    assert restarted.wait(keys) == 4.0
    clock.now += 4.0
    assert identity.sign_in("hanako", "right", keys=keys, table=table, throttle=restarted) == (True, 0.0)
    assert one.wait(keys) == 0.0 and other.wait(keys) == 0.0


def test_thirty_quick_guesses_wait_the_longest_wait():
    """30 guesses in 74 s left a 3 s wait when attempts during a wait were not counted."""
    clock = Clock()
    throttle = identity.Throttle(clock=clock)
    table = {"hanako": identity.hash_password("right")}
    for _ in range(30):
        identity.sign_in("hanako", "guess", keys=["address:x"], table=table, throttle=throttle)
        clock.now += 74 / 30
    assert throttle.wait(["address:x"]) >= identity.MAX_WAIT_S - 74


@pytest.mark.parametrize("revision", [pytest.param("-1", id="negative"), pytest.param("999999", id="beyond"),
                                      pytest.param("0", id="zero")])
def test_the_cli_refuses_a_revision_that_does_not_exist(sample_db, capsys, revision):
    from kpi import cli

    for command in (["values", "--json"], ["export", "pdf", "--out", "/nonexistent/x.pdf"]):
        assert cli.main([*command, f"--revision={revision}"]) == 1
        err = capsys.readouterr().err
        assert f"there is no revision {revision}" in err and "Traceback" not in err


def test_the_targets_editor_refuses_the_same_indicator_twice():
    import pandas as pd

    from kpi.ingest.importer import read_frame

    rows = pd.DataFrame([{"indicator": "papers_total", "baseline_period": 2020, "baseline_value": 100,
                          "target_period": 2030, "target_value": v, "direction": "up"} for v in (200, 300)])
    result = read_frame(rows, "targets")
    assert [(p.key, p.line) for p in result.errors] == [("imp.conflict.target_twice", 2)] and result.frame is None
