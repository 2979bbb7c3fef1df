"""`kpi validate/import` reading options (--delimiter, --header-line, --sheet, --lang) and a light `kpi --help`."""

import io
import json
import subprocess
import sys

import pytest

from kpi.cli import DATASET_NAMES, main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dataset_names_of_the_cli_are_the_contract_s():
    from kpi.ingest.schemas import DATASETS

    assert DATASET_NAMES == tuple(DATASETS)


def test_help_does_not_import_pandas_or_the_database_layer():
    code = ("import sys; from kpi.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('pandas', 'sqlalchemy', 'pandera', 'pyarrow') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("options,ok", [
    pytest.param([], False, id="detected: the header is below the 30 lines searched"),
    pytest.param(["--header-line", "36"], True, id="header-line"),
    pytest.param(["--delimiter", "semicolon", "--header-line", "36"], True, id="delimiter-and-header-line"),
    pytest.param(["--delimiter", "tab", "--header-line", "36"], False, id="a wrong delimiter is an error, not a crash"),
])
def test_delimiter_and_header_line_options(engine, capsys, tmp_path, options, ok):
    path = tmp_path / "export.txt"
    notes = "".join(f"note {n}; with; semicolons\n" for n in range(35))
    path.write_text(notes + "fiscal_year;direction;students\n2023;inbound;5\n", "utf-8")
    code, _, err = run(capsys, "validate", str(path), "--dataset", "mobility", *options)
    assert (code == 0) == ok, err
    assert "Traceback" not in err


def test_sheet_option_and_cell_references(engine, capsys, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet("表紙").write("A1", "令和6年度")
    data = book.add_worksheet("受入")
    data.write_row(0, 0, ["年度", "区分", "人数"])
    data.write_row(1, 0, ["2023", "受入", "多数"])
    book.close()
    path = tmp_path / "students.xlsx"
    path.write_bytes(buffer.getvalue())
    code, out, _ = run(capsys, "validate", str(path), "--dataset", "mobility", "--sheet", "受入", "--json",
                       "--lang", "ja")
    report = json.loads(out)
    assert code == 1 and report["sheet"] == "受入" and report["source"] == "excel"
    assert [(e["cell"], e["message"]) for e in report["errors"]] == [("受入!C2", "「多数」は整数ではありません")]
    code, _, err = run(capsys, "validate", str(path), "--dataset", "mobility", "--sheet", "なし")
    assert code == 1 and "there is no sheet" in err


def test_lang_ja_renders_problems_and_severity_in_japanese(engine, capsys, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("年度,区分,人数\n2023,受入,abc\n", "utf-8")
    code, _, err = run(capsys, "import", str(path), "--dataset", "mobility", "--lang", "ja")
    assert code == 1 and "m.csv: エラー: 2行目「人数」列：「abc」は整数ではありません" in err


@pytest.mark.slow
@pytest.mark.parametrize("name,text", [
    pytest.param("nul", "年度,区分,人数\n" + "2023,受入,1\n" * 3000 + "2023,\x00,1\n", id="nul-after-8kb"),
    pytest.param("huge", "年度,区分,人数\n2023,受入," + "9" * 30 + "\n", id="count-beyond-64-bits"),
    pytest.param("long", "協定校名,国・地域,協定区分,締結日\n" + "A" * 300_000 + ",米国,大学間,2020-04-01\n",
                 id="cell-over-the-csv-limit"),
    pytest.param("date", "協定校名,国・地域,協定区分,締結日,終了日\nA,米国,大学間,1600-01-01,\n", id="date-before-1677"),
    pytest.param("year", "id,year,countries\nP1,0000,Japan\n", id="paper-year-0000"),
])
def test_hostile_inputs_are_messages_and_change_nothing(sample_db, capsys, tmp_path, name, text):
    dataset = {"long": "agreements", "date": "agreements", "year": "papers"}.get(name, "mobility")
    path = tmp_path / f"{name}.csv"
    path.write_text(text, "utf-8")
    _, before, _ = run(capsys, "values", "--json")
    for command in ("validate", "import"):
        code, _, err = run(capsys, command, str(path), "--dataset", dataset)
        assert code == 1 and "error" in err and "Traceback" not in err and "could not be read" not in err
    _, after, _ = run(capsys, "values", "--json")
    assert after == before
    json.loads(after)  # strict JSON: json.loads would accept NaN, so check the text too
    assert "NaN" not in after and "Infinity" not in after
