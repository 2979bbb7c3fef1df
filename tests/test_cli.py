"""The `kpi` command: validate, import, values, history, rollback and load-sample on a real SQLite file."""

import json
import subprocess
import sys

import pytest

from kpi.cli import main
from metrics.evaluate import Status

GOOD = "fiscal_year,direction,students\n2022,inbound,100\n2023,inbound,110\n"
REPLACEMENT = "fiscal_year,direction,students\n2022,inbound,90\n2023,inbound,95\n"
BAD = "fiscal_year,direction,students\n2022,inbound,100\n2023,sideways,abc\n"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, name: str = "mobility.csv", encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)
    return write


def values_json(capsys) -> str:
    code, out, _ = run(capsys, "values", "--json")
    assert code == 0
    return out


def test_validate_lists_every_located_error(engine, capsys, csv_file):
    code, out, _ = run(capsys, "validate", csv_file(BAD), "--dataset", "mobility", "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert {(e["line"], e["column"]) for e in report["errors"]} == {(3, "direction"), (3, "students")}


def test_validate_good_file_exits_zero(engine, capsys, csv_file):
    assert run(capsys, "validate", csv_file(GOOD), "--dataset", "mobility")[0] == 0


def test_set_supplies_a_constant_column(engine, capsys, csv_file):
    path = csv_file("年度,人数\n2023,7\n".encode().decode(), "inbound.csv")
    assert run(capsys, "validate", path, "--dataset", "mobility")[0] == 1
    assert run(capsys, "import", path, "--dataset", "mobility", "--set", "direction=inbound")[0] == 0
    records = json.loads(values_json(capsys))
    assert {"indicator": "international_students", "period": 2023, "value": 7.0}.items() <= records[0].items()


def test_bad_import_stores_nothing(engine, capsys, csv_file):
    assert run(capsys, "import", csv_file(GOOD), "--dataset", "mobility")[0] == 0
    before = values_json(capsys)
    code, _, err = run(capsys, "import", csv_file(BAD, "bad.csv"), "--dataset", "mobility")
    assert code == 1 and "line 3" in err and "nothing was imported" in err
    assert values_json(capsys) == before


@pytest.mark.parametrize("lang,words", [
    pytest.param("ja", ["取込計画：", "二重に計上", "--mode replace", "何も取り込んでいません"], id="ja"),
    pytest.param("en", ["plan: ", "count them twice", "--mode replace", "Nothing was imported"], id="en"),
])
def test_an_overlapping_append_is_refused_in_the_chosen_language(engine, capsys, csv_file, lang, words):
    assert run(capsys, "import", csv_file(GOOD), "--dataset", "mobility", "--lang", lang)[0] == 0
    before = values_json(capsys)
    code, out, err = run(capsys, "import", csv_file(GOOD, "again.csv"), "--dataset", "mobility", "--lang", lang)
    assert code == 1
    for word in words:
        assert word in out + err, (word, out, err)
    if lang == "ja":
        assert "error:" not in err and "rows OK" not in out
    assert values_json(capsys) == before


def test_an_import_overtaken_by_another_plans_again_and_lands(engine, capsys, csv_file, monkeypatch):
    """Two CLI imports into one dataset at once: the one whose plan went stale plans again instead of failing."""
    import pandas as pd

    from kpi.store import plan, storage

    real, calls = plan.commit, []

    def overtaken(the_plan, result, **options):
        if not calls:  # another import lands in mobility between this plan and its commit
            storage.store("mobility", pd.DataFrame({"fiscal_year": [2040], "direction": ["outbound"],
                                                    "students": [5]}), engine=engine)
        calls.append(the_plan.base_revision)
        return real(the_plan, result, **options)

    monkeypatch.setattr(plan, "commit", overtaken)
    code, out, err = run(capsys, "import", csv_file(GOOD), "--dataset", "mobility")
    assert code == 0, err
    assert len(calls) == 2 and calls[0] != calls[1]  # planned again, on the new state
    assert "changed meanwhile" in out and "imported" in out
    assert len(storage.history(engine=engine)) == 2  # the other import and this one


def test_import_replace_rollback_restores_values_exactly(engine, capsys, csv_file):
    assert run(capsys, "import", csv_file(GOOD), "--dataset", "mobility")[0] == 0
    first = values_json(capsys)
    assert run(capsys, "import", csv_file(REPLACEMENT, "r.csv"), "--dataset", "mobility", "--mode", "replace")[0] == 0
    replaced = values_json(capsys)
    assert replaced != first and '"value": 95.0' in replaced
    code, out, _ = run(capsys, "history", "--json")
    first_revision = json.loads(out)[0]["revision"]
    assert run(capsys, "rollback", str(first_revision))[0] == 0
    assert values_json(capsys) == first
    code, out, _ = run(capsys, "history", "--json")
    assert [r["action"] for r in json.loads(out)] == ["append", "replace", "rollback"]
    assert json.loads(out)[-1]["restores"] == first_revision


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["rollback", "999"], "error: there is no revision 999", id="en"),
    pytest.param(["rollback", "999", "--lang", "ja"], "エラー：第999版はありません", id="ja"),
    pytest.param(["validate", "missing.csv", "--dataset", "mobility", "--lang", "ja"], "missing.csv を読み込めません",
                 id="unreadable-file-ja"),
    pytest.param(["validate", "x.csv", "--dataset", "mobility", "--set", "oops", "--lang", "ja"], "列名=値",
                 id="bad-set-ja"),
])
def test_cli_errors_are_in_the_chosen_language(engine, capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("fiscal_year,students\n", encoding="utf-8")
    try:
        code, _, err = run(capsys, *args)
    except SystemExit as exit_:
        code, err = 1, str(exit_.code)
    assert code == 1 and message in err


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_storage_errors_carry_a_catalogue_key(lang):
    from kpi.store import storage

    error = storage.StorageError("store.no_revision", revision=7)
    assert str(error) == "there is no revision 7"
    assert error.text_in(lang) == {"en": "there is no revision 7", "ja": "第7版はありません"}[lang]


def test_values_filter_and_types(sample_db, capsys):
    code, out, _ = run(capsys, "values", "--indicator", "international_students", "--json")
    records = json.loads(out)
    assert code == 0 and {r["indicator"] for r in records} == {"international_students"}
    by_year = {r["period"]: r["value"] for r in records}
    assert by_year[2023] == 2145 and by_year[2014] == 1532  # the published figures, recomputed from the rows
    assert all(isinstance(r["period"], int) for r in records)
    assert {r["status"] for r in records} <= {s.value for s in Status}


@pytest.mark.slow
def test_load_sample_if_empty_is_idempotent(engine, capsys):
    assert run(capsys, "load-sample", "--if-empty")[0] == 0
    first = values_json(capsys)
    code, out, _ = run(capsys, "load-sample", "--if-empty")
    assert code == 0 and "already holds data" in out
    assert values_json(capsys) == first
    records = json.loads(first)
    assert {r["indicator"] for r in records} >= {"international_students", "outbound_students", "papers_total",
                                                 "intl_coauthored_papers", "intl_coauthored_share",
                                                 "partner_institutions", "agreements_active"}


@pytest.mark.slow  # two fresh interpreters importing pandas
def test_console_script_runs_as_a_process(database_url, tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("年度,区分,人数\n令和5年度,受入,１２\n".encode("cp932"))
    done = subprocess.run([sys.executable, "-m", "kpi.cli", "import", str(path), "--dataset", "mobility"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "kpi.cli", "values", "--json"], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout)[0]["value"] == 12.0


def test_values_carry_plan_target_status_outlook_and_projection(sample_db, capsys):
    records = json.loads(values_json(capsys))
    with_target = [r for r in records if r["target_value"] is not None]
    assert with_target and all({"plan", "status", "status_reason", "outlook", "growth_needed", "growth_achieved",
                                "projected_value", "reference_date", "stale"} <= r.keys() for r in with_target)
    latest = [r for r in records if r["indicator"] == "international_students" and r["is_latest"]][0]
    assert latest["target_period"] == 2030 and 0 <= latest["probability"] <= 1
    assert latest["reference_date"] == "2023-05-01"
    assert latest["projected_lower"] >= 0
    single = [r for r in records if r["indicator"] == "joint_graduate_programs"]
    assert single[0]["growth_achieved"] is None  # one data point: no trend is claimed


def test_an_oversized_file_is_refused_without_reading_it(engine, capsys, csv_file, monkeypatch):
    monkeypatch.setenv("KPI_MAX_UPLOAD_MB", "0.00001")  # 10 bytes
    code, _, err = run(capsys, "import", csv_file(GOOD), "--dataset", "mobility")
    assert code == 1 and "the limit is" in err


def test_map_option_corrects_a_header(engine, capsys, csv_file):
    path = csv_file("年度,区分,在籍者\n2023,受入,5\n", "m.csv")
    assert run(capsys, "validate", path, "--dataset", "mobility")[0] == 1
    assert run(capsys, "validate", path, "--dataset", "mobility", "--map", "在籍者=students")[0] == 0


@pytest.mark.slow
@pytest.mark.parametrize("name,text,encoding", [
    ("binary", None, None),
    ("empty", "", "utf-8"),
    ("missing column", "年度,人数\n2023,5\n", "utf-8"),
    ("text in a count", "年度,区分,人数\n2023,受入,多数\n", "cp932"),
    ("negative count", "年度,区分,人数\n2023,受入,-3\n", "utf-8"),
    ("impossible era year", "年度,区分,人数\n平成45年度,受入,3\n", "cp932"),
    ("unknown direction", "年度,区分,人数\n2023,横,3\n", "utf-8"),
])
def test_each_bad_input_exits_1_and_changes_nothing(sample_db, capsys, tmp_path, name, text, encoding):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary" if text is None else text.encode(encoding))
    before = values_json(capsys)
    for command in ("validate", "import"):
        code, _, err = run(capsys, command, str(path), "--dataset", "mobility")
        assert code == 1, (name, command)
        assert "error" in err and "Traceback" not in err
    assert values_json(capsys) == before, name
