"""Safe uploads (#11): plans in words, exact replace, refusals, commit once, rollback by dataset, named people,
the sign-in throttle, strict milestones, finite metrics for zero and "down" targets, no apostrophes added."""

import json
import math

import pandas as pd
import pytest

from kpi.cli import main
from kpi.ingest.importer import read_file, read_frame
from kpi.ingest.schemas import REPLACE_KEYS
from kpi.store import identity, plan, service, storage
from metrics.forecast import year_reached
from metrics.milestones import MilestoneError, parse_milestones
from metrics.registry import load_registry

WITH_DIRECTION = "年度,区分,国・地域,人数\r\n令和5年度,受入,中国,1500\r\n令和5年度,受入,韓国,700\r\n"


@pytest.fixture
def sample(sample_engine):
    return sample_engine


def inbound_file(text: str = WITH_DIRECTION, name: str = "inbound.csv", **constants):
    return service.validate_bytes(text.encode("cp932"), "mobility", constants=constants, file_name=name)


def value(engine, indicator: str, period: int):
    values = service.current_values(engine=engine)
    row = values[(values["indicator"] == indicator) & (values["period"] == period)]
    return float(row["value"].iloc[0]) if len(row) else None


def rows_in(engine, direction: str, year: int) -> int:
    rows = storage.load("mobility", engine=engine)
    return int(((rows["direction"] == direction) & (rows["fiscal_year"] == year)).sum())


# --- the plan ------------------------------------------------------------------------------------------------------

@pytest.mark.slow  # over 3 s: a whole page run or every KPI computed twice
def test_replace_covers_exactly_the_slices_in_the_file(sample):
    outbound, outbound_rows = value(sample, "outbound_students", 2023), rows_in(sample, "outbound", 2023)
    inbound_2022 = rows_in(sample, "inbound", 2022)
    result = inbound_file()
    the_plan = plan.make_plan(result, mode="replace", engine=sample)
    assert the_plan.replace_slices() == [{"direction": "inbound", "fiscal_year": 2023}]
    sentences = the_plan.sentences("en")
    assert sentences[0].startswith("Replaces Inbound FY2023:")
    assert f"Keeps Outbound FY2023 ({outbound_rows} rows) as it is." in sentences
    assert any(s.startswith("派遣 2023年度") for s in the_plan.sentences("ja"))
    plan.commit(the_plan, result, user="hanako", engine=sample)
    assert value(sample, "outbound_students", 2023) == outbound
    assert value(sample, "international_students", 2023) == 2200
    assert rows_in(sample, "inbound", 2022) == inbound_2022


@pytest.mark.parametrize("mode, refusals", [
    pytest.param("append", ["plan.overlap_refused"], id="append-into-stored-slice-refused"),
    pytest.param("replace", [], id="replace-allowed"),
])
def test_an_append_into_stored_slices_is_refused(sample, mode, refusals):
    the_plan = plan.make_plan(inbound_file(), mode=mode, engine=sample)
    assert the_plan.refusals() == refusals
    if refusals:
        before = len(storage.history(engine=sample))
        with pytest.raises(plan.PlanRefused):
            plan.commit(the_plan, inbound_file(), user="hanako", engine=sample)
        assert len(storage.history(engine=sample)) == before


def test_an_append_into_new_periods_is_planned_as_adds(sample):
    text = "年度,区分,人数\r\n2031,受入,10\r\n2031,派遣,20\r\n"
    the_plan = plan.make_plan(inbound_file(text), mode="append", engine=sample)
    assert [line.action for line in the_plan.lines] == ["add", "add"]
    assert the_plan.refusals() == []


def test_the_same_file_again_needs_a_reason(sample):
    first = plan.make_plan(inbound_file(), mode="replace", engine=sample, nonce="upload-1")
    revision = plan.commit(first, inbound_file(), user="hanako", engine=sample)
    again = plan.make_plan(inbound_file(name="renamed.csv"), mode="replace", engine=sample, nonce="upload-2")
    assert again.refusals() == ["plan.duplicate_refused"]
    assert f"revision {revision}" in again.duplicate_sentence("en") and "hanako" in again.duplicate_sentence("en")
    assert again.refusals(reason="re-sent by the office") == []
    second = plan.commit(again, inbound_file(), user="taro", reason="re-sent by the office", engine=sample)
    assert "re-sent by the office" in storage.history(engine=sample).set_index("revision").loc[second, "note"]


def test_a_plan_commits_once(sample):
    """A second click or a replayed request carries the same plan: the second commit stores nothing."""
    result = inbound_file()
    the_plan = plan.make_plan(result, mode="replace", engine=sample, nonce="upload-1")
    revision = plan.commit(the_plan, result, user="hanako", engine=sample)
    before = storage.history(engine=sample)
    with pytest.raises(storage.AlreadyStored) as raised:
        plan.commit(the_plan, result, user="hanako", engine=sample)
    assert raised.value.revision == revision
    assert storage.history(engine=sample).equals(before)
    # The page's rerun after the commit sees its own revision and offers no second commit.
    rerun = plan.make_plan(result, mode="replace", engine=sample, nonce="upload-1")
    assert rerun.stored_as == revision and "plan.already_stored" in rerun.refusals()


def test_a_plan_made_before_someone_else_committed_is_stale(sample):
    result = inbound_file()
    mine = plan.make_plan(result, mode="replace", engine=sample, nonce="mine")
    other = inbound_file("年度,区分,人数\r\n2031,受入,10\r\n")
    plan.commit(plan.make_plan(other, mode="append", engine=sample), other, user="taro", engine=sample)
    with pytest.raises(storage.StalePlan):
        plan.commit(mine, result, user="hanako", engine=sample)


# --- rollback --------------------------------------------------------------------------------------------------------

@pytest.mark.slow  # over 3 s: a whole page run or every KPI computed twice
def test_rollback_is_by_dataset_and_previewed(sample):
    published = value(sample, "international_students", 2023)
    result = inbound_file()
    mistake = plan.commit(plan.make_plan(result, mode="replace", engine=sample), result, user="hanako", engine=sample)
    mobility = plan.dataset_revisions("mobility", engine=sample)
    assert list(mobility["revision"])[0] == mistake and set(mobility["dataset"]) == {"mobility"}
    good = int(mobility["revision"].iloc[1])
    preview = plan.rollback_plan("mobility", good, values_of=service.values_table, engine=sample)
    diff = preview.diff.set_index(["indicator", "period"])
    assert diff.loc[("international_students", 2023)].tolist() == [2200, published]
    assert "Revision" in plan.describe_revision(preview.record, "en") and "hanako" not in \
        plan.describe_revision(preview.record, "en")
    new = plan.commit_rollback(preview, user="taro", engine=sample)
    assert value(sample, "international_students", 2023) == published
    last = storage.history(engine=sample).iloc[-1]
    assert (last["revision"], last["dataset"], last["user"], last["restores"]) == (new, "mobility", "taro", good)
    again = plan.rollback_plan("mobility", good, values_of=service.values_table, engine=sample)
    assert again.refusals() == ["plan.rollback_nothing"]


def test_a_revision_of_another_dataset_is_refused(sample):
    targets_revision = int(plan.dataset_revisions("targets", engine=sample)["revision"].iloc[0])
    with pytest.raises(storage.StorageError, match="belongs to targets"):
        storage.rollback(targets_revision, dataset="mobility", engine=sample)


# --- people in the audit -----------------------------------------------------------------------------------------

def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_history_json_names_the_person_for_app_and_cli_writes(sample, capsys, tmp_path, monkeypatch):
    result = inbound_file()
    plan.commit(plan.make_plan(result, mode="replace", engine=sample), result, user="hanako@tohoku.example",
                engine=sample)
    path = tmp_path / "new.csv"
    path.write_text("fiscal_year,direction,students\n2031,inbound,5\n", encoding="utf-8")
    assert cli(capsys, "import", str(path), "--dataset", "mobility", "--user", "taro")[0] == 0
    monkeypatch.setattr(identity.getpass, "getuser", lambda: "os-login")
    path.write_text("fiscal_year,direction,students\n2032,inbound,5\n", encoding="utf-8")
    assert cli(capsys, "import", str(path), "--dataset", "mobility")[0] == 0
    code, out, _ = cli(capsys, "history", "--json")
    people = [r["user"] for r in json.loads(out)][-3:]
    assert code == 0 and people == ["hanako@tohoku.example", "taro", "os-login"]


@pytest.mark.parametrize("extra, code, says", [
    pytest.param([], 1, "use --mode replace", id="append-overlap-refused"),
    pytest.param(["--mode", "replace"], 0, "imported 2 rows", id="replace"),
])
def test_cli_import_follows_the_plan(sample, capsys, tmp_path, extra, code, says):
    path = tmp_path / "inbound.csv"
    path.write_bytes(WITH_DIRECTION.encode("cp932"))
    got, out, err = cli(capsys, "import", str(path), "--dataset", "mobility", *extra)
    assert got == code and says in out + err
    assert "plan: " in out and "Keeps Outbound FY2023" in out


def test_cli_refuses_a_loaded_file_unless_a_reason_is_given(sample, capsys, tmp_path):
    path = tmp_path / "inbound.csv"
    path.write_bytes(WITH_DIRECTION.encode("cp932"))
    assert cli(capsys, "import", str(path), "--dataset", "mobility", "--mode", "replace")[0] == 0
    code, _, err = cli(capsys, "import", str(path), "--dataset", "mobility", "--mode", "replace")
    assert code == 1 and "already loaded" in err and "--allow-duplicate" in err
    code, out, _ = cli(capsys, "import", str(path), "--dataset", "mobility", "--mode", "replace",
                       "--allow-duplicate", "re-sent")
    assert code == 0


@pytest.mark.slow  # over 3 s: a whole page run or every KPI computed twice
def test_cli_rollback_names_dataset_and_kpis(sample, capsys, tmp_path):
    path = tmp_path / "inbound.csv"
    path.write_bytes(WITH_DIRECTION.encode("cp932"))
    cli(capsys, "import", str(path), "--dataset", "mobility", "--mode", "replace")
    good = int(plan.dataset_revisions("mobility", engine=sample)["revision"].iloc[1])
    code, _, err = cli(capsys, "rollback", str(good), "--dataset", "targets")
    assert code == 1 and "belongs to mobility" in err
    code, out, _ = cli(capsys, "rollback", str(good), "--dataset", "mobility", "--user", "taro")
    assert code == 0 and "restored mobility" in out and "international_students" in out


# --- sign-in -------------------------------------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def accounts():
    return {"hanako": identity.hash_password("right-password")}


def test_passwords_are_stored_as_scrypt_hashes_only(accounts):
    stored = accounts["hanako"]
    assert stored.startswith("scrypt$") and "right-password" not in stored
    assert identity.verify_password("right-password", stored)
    assert not identity.verify_password("wrong", stored)
    assert not identity.verify_password("right-password", "plain-text-password")


@pytest.mark.parametrize("failures, wait", [
    pytest.param(4, 0.0, id="four-failures-no-wait"),
    pytest.param(5, 2.0, id="fifth-failure-waits-2s"),
    pytest.param(6, 4.0, id="sixth-waits-4s"),
    pytest.param(8, 16.0, id="eighth-waits-16s"),
    pytest.param(40, identity.MAX_WAIT_S, id="capped"),
])
def test_the_wait_grows_after_five_failures(failures, wait):
    throttle = identity.Throttle(clock=Clock())
    for _ in range(failures):
        throttle.failed(["session:a"])
    assert throttle.wait(["session:a"]) == wait


def test_a_waiting_client_is_not_even_checked_and_time_frees_it(accounts):
    clock = Clock()
    throttle = identity.Throttle(clock=clock)
    keys = ["session:a", "address:10.0.0.1"]
    for _ in range(5):
        assert identity.sign_in("hanako", "guess", throttle=throttle, keys=keys, table=accounts) [0] is False
    ok, wait = identity.sign_in("hanako", "right-password", throttle=throttle, keys=keys, table=accounts)
    assert (ok, wait) == (False, 4.0)  # the right password does not work while the wait runs, and the try counts
    # Another browser session from the same address waits too (and counts on the address); another address does not.
    assert identity.sign_in("hanako", "right-password", throttle=throttle, keys=["session:b", "address:10.0.0.1"],
                            table=accounts) == (False, 8.0)
    assert identity.sign_in("hanako", "right-password", throttle=throttle, keys=["session:c", "address:10.0.0.2"],
                            table=accounts) == (True, 0.0)
    clock.now += 8.0
    assert identity.sign_in("hanako", "right-password", throttle=throttle, keys=keys, table=accounts) == (True, 0.0)
    assert throttle.wait(keys) == 0.0


def test_unknown_names_cost_a_hash_like_known_ones(accounts, monkeypatch):
    calls = []
    real = identity.hashlib.scrypt
    monkeypatch.setattr(identity.hashlib, "scrypt", lambda *a, **k: calls.append(1) or real(*a, **k))
    compared = []
    monkeypatch.setattr(identity.hmac, "compare_digest", lambda a, b: compared.append(1) or a == b)
    assert not identity.check_account("nobody", "right-password", accounts)
    assert not identity.check_account("hanako", "wrong", accounts)
    assert identity.check_account("HANAKO", "right-password", accounts)
    assert len(calls) == 3 and len(compared) == 3


@pytest.mark.parametrize("raw, names", [
    pytest.param("hanako=scrypt$1$1$1$00$00,taro=scrypt$1$1$1$00$00", ["hanako", "taro"], id="pairs"),
    pytest.param('{"Hanako": "scrypt$1$1$1$00$00"}', ["hanako"], id="json"),
    pytest.param("", [], id="none"),
])
def test_accounts_from_the_environment(monkeypatch, raw, names):
    monkeypatch.setenv("KPI_ANALYSTS", raw)
    assert sorted(identity.accounts()) == names


# --- milestones, zero and "down" targets ------------------------------------------------------------------------

TARGETS_HEADER = "indicator,baseline_period,baseline_value,target_period,target_value,milestones,direction\n"


@pytest.mark.parametrize("milestones, where", [
    pytest.param("2025:30;", "character 9", id="2025:30;"),
    pytest.param("abc", "character 1", id="abc"),
    pytest.param("FY2027:1", "character 1", id="FY2027:1"),
    pytest.param("2025:;2026:4", "character 6", id="missing-value"),
    pytest.param("2025:1;2025:2", "character 8", id="year-twice"),
    pytest.param("2025:inf", "character 6", id="infinite"),
])
def test_malformed_milestones_are_refused_with_line_and_column(milestones, where):
    data = (TARGETS_HEADER + f"international_students,2020,100,2030,200,{milestones},up\n").encode()
    result = read_file(data, "targets")
    assert not result.ok
    [problem] = result.errors
    assert (problem.line, problem.column) == (2, "milestones") and where in problem.message


def test_2025_30_semicolon_is_refused():
    with pytest.raises(MilestoneError) as raised:
        parse_milestones("2025:30;")
    assert raised.value.position == 9


@pytest.mark.parametrize("text, points", [
    pytest.param("2025:30;2027:40", [(2025, 30.0), (2027, 40.0)], id="two"),
    pytest.param(" 2027:40 ; 2025:-3.5 ", [(2025, -3.5), (2027, 40.0)], id="spaces-and-negative"),
    pytest.param("", [], id="empty"),
    pytest.param(None, [], id="none"),
])
def test_well_formed_milestones(text, points):
    assert parse_milestones(text) == points


def falling(values: list[float], start: int = 2018) -> pd.DataFrame:
    return pd.DataFrame({"indicator": "international_students", "period": range(start, start + len(values)),
                         "value": values})


@pytest.mark.parametrize("target_value, series", [
    pytest.param(0.0, [50, 40, 30, 20, 10], id="down-to-zero"),
    pytest.param(-5.0, [50, 40, 30, 20, 10], id="down-to-negative"),
    pytest.param(0.0, [3, 2, 1, 0, 0], id="already-zero"),
    pytest.param(10.0, [0, 0, 0, 0, 0], id="flat-zero"),
])
def test_a_down_target_of_zero_never_raises(target_value, series):
    targets = pd.DataFrame([{"indicator": "international_students", "baseline_period": 2018, "baseline_value": 50.0,
                             "target_period": 2030, "target_value": target_value, "milestones": None,
                             "direction": "down", "glide": "compound", "owner": None, "source": None}])
    import datetime as dt

    from metrics.evaluate import evaluate

    evaluation, _ = evaluate(falling(series), targets, load_registry(), as_of=dt.date(2024, 6, 1))
    row = evaluation[(evaluation["indicator"] == "international_students") & evaluation["is_latest"]].iloc[0]
    assert row["status"] not in ("no_target", "no_data")
    for column, value in row.items():
        assert not (isinstance(value, float) and math.isinf(value)), column


@pytest.mark.parametrize("args", [
    pytest.param((2024, 10.0, 0.0, -0.2), id="target-zero"),
    pytest.param((2024, 10.0, -1.0, -0.2), id="target-negative"),
    pytest.param((2024, 10.0, 0.0, -1.0), id="growth-minus-100pc"),
])
def test_year_reached_is_none_where_a_log_is_undefined(args):
    assert year_reached(*args, direction="down") is None


def test_targets_saved_unedited_keep_plus_81_without_apostrophe(sample):
    """The editor's table goes to the importer's parsers directly: no formula-safe CSV, no apostrophe."""
    targets = storage.load("targets", engine=sample)
    targets.loc[0, "owner"] = "+81 22 795 7777"
    targets.loc[1, "owner"] = "-Office"
    targets.loc[2, "source"] = "=see report; @office"
    service.store_targets(read_frame(targets, "targets"), user="hanako", engine=sample)
    stored = storage.load("targets", engine=sample)
    result = read_frame(stored, "targets")  # opened in the editor and saved without a change
    assert result.ok, result.errors
    service.store_targets(result, user="hanako", expect_base=storage.dataset_revision("targets", engine=sample),
                          engine=sample)
    again = storage.load("targets", engine=sample)
    assert list(again["owner"][:2]) == ["+81 22 795 7777", "-Office"]
    assert again.loc[2, "source"] == "=see report; @office"
    assert again.astype(str).equals(stored.astype(str))


def test_a_targets_save_is_stored_once(sample):
    targets = storage.load("targets", engine=sample)
    base = storage.dataset_revision("targets", engine=sample)
    result = read_frame(targets, "targets")
    revision = service.store_targets(result, user="hanako", expect_base=base, engine=sample)
    with pytest.raises(storage.AlreadyStored) as raised:
        service.store_targets(result, user="hanako", expect_base=base, engine=sample)
    assert raised.value.revision == revision


# --- the Targets editor ----------------------------------------------------------------------------------------------

TWO_TARGETS = pd.DataFrame([
    {"indicator": "papers_total", "baseline_period": 2020, "baseline_value": 10.0, "target_period": 2025,
     "target_value": 20.0},
    {"indicator": "papers_total", "baseline_period": 2025, "baseline_value": 20.0, "target_period": 2030,
     "target_value": 40.0},
])


@pytest.mark.parametrize("pairs, milestones, problems", [
    pytest.param([("papers_total", 2022, 12.0), ("papers_total", 2028, 30.0)], ["2022:12", "2028:30"], [],
                 id="each-pair-on-the-target-containing-its-year"),
    pytest.param([("papers_total", 2040, 50.0)], ["2040:50", None], [], id="outside-every-range-first-target"),
    pytest.param([("papers_total", 2022, 12.0), ("papers_total", 2022, 13.0)], ["2022:12", None],
                 [(2, "tg.milestone_year_twice", {"year": 2022})], id="year-twice"),
    pytest.param([("papers_total", None, 12.0)], [None, None], [(1, "tg.milestone_missing", {})], id="half-filled"),
    pytest.param([("intl_coauthored_share", 2022, 1.0)], [None, None], [(1, "tg.no_milestones", {})],
                 id="indicator-without-target"),
    pytest.param([(None, None, None)], [None, None], [], id="empty-row-ignored"),
])
def test_milestone_pairs_go_back_on_their_targets(pairs, milestones, problems):
    from kpi.app.targets_editor import attach_milestones

    frame = pd.DataFrame(pairs, columns=["indicator", "year", "value"])
    rows, found = attach_milestones(TWO_TARGETS, frame)
    assert list(rows["milestones"]) == milestones and found == problems


def test_stored_milestones_are_listed_as_pairs():
    from kpi.app.targets_editor import milestone_pairs

    targets = TWO_TARGETS.assign(milestones=["2022:12;2023:15", "broken;"])
    assert milestone_pairs(targets).values.tolist() == [["papers_total", 2022, 12.0], ["papers_total", 2023, 15.0]]


@pytest.mark.slow  # over 3 s: a whole page run or every KPI computed twice
def test_the_targets_page_saves_unedited_targets_as_typed_and_in_the_persons_name(sample, monkeypatch):
    from conftest import ANALYST_ENV, ANALYST_PASSWORD
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KPI_ANALYSTS", ANALYST_ENV["KPI_ANALYSTS"])
    monkeypatch.setattr(identity, "THROTTLE", identity.Throttle())
    targets = storage.load("targets", engine=sample)
    targets.loc[0, "owner"] = "+81 22 795 7777"
    service.store_targets(read_frame(targets, "targets"), user="setup", engine=sample)
    before = storage.load("targets", engine=sample)

    app = AppTest.from_file(str(storage.PROJECT_ROOT / "dashboard.py"), default_timeout=90)
    app.query_params["lang"] = "ja"
    app.run()
    app.switch_page("pages/targets.py").run()
    app.text_input(key="sign_in_name").input("hanako")
    app.text_input(key="sign_in_password").input(ANALYST_PASSWORD)
    [sign] = [b for b in app.button if b.label == "サインイン"]
    sign.click().run()
    assert not app.error, [e.value for e in app.error]
    [save] = [b for b in app.button if b.key == "save_targets"]
    save.click().run()
    assert not app.exception
    last = storage.history(engine=sample).iloc[-1]
    assert (last["dataset"], last["user"]) == ("targets", "hanako")
    after = storage.load("targets", engine=sample)
    assert after.loc[0, "owner"] == "+81 22 795 7777"
    assert after.astype(str).equals(before.astype(str))


@pytest.mark.system
def test_two_commits_of_one_plan_at_once_store_one_revision(any_engine):
    """Both race past the in-transaction check on PostgreSQL; the unique plan token stops the second."""
    from concurrent.futures import ThreadPoolExecutor

    service.load_sample(engine=any_engine)
    result = inbound_file()
    the_plan = plan.make_plan(result, mode="replace", engine=any_engine, nonce="double-click")
    before = len(storage.history(engine=any_engine))

    def attempt(_):
        try:
            return plan.commit(the_plan, result, user="hanako", engine=any_engine)
        except storage.AlreadyStored as done:
            return ("already", done.revision)

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(attempt, range(4)))
    stored = [o for o in outcomes if isinstance(o, int)]
    assert len(stored) == 1 and all(o == ("already", stored[0]) for o in outcomes if o not in stored)
    assert len(storage.history(engine=any_engine)) == before + 1


def test_a_plan_that_landed_between_the_checks_is_already_stored_not_stale(engine, monkeypatch):
    """The PostgreSQL race made deterministic: the same plan commits (elsewhere) after this commit's token check
    and before its base check; the answer is "already stored", never "the data changed"."""
    service.load_sample(engine=engine)
    result = inbound_file()
    the_plan = plan.make_plan(result, mode="replace", engine=engine, nonce="double-click")
    real = storage._dataset_revision

    def meanwhile(conn, dataset):
        landed = storage._new_revision(conn, dataset, "replace", user="hanako", file_name="", sha256="",
                                       row_count=0, note="", token=the_plan.token)
        monkeypatch.setattr(storage, "_dataset_revision", real)
        return landed

    monkeypatch.setattr(storage, "_dataset_revision", meanwhile)
    with pytest.raises(storage.AlreadyStored):
        plan.commit(the_plan, result, user="hanako", engine=engine)


@pytest.mark.parametrize("dataset", list(REPLACE_KEYS))
def test_every_dataset_has_slice_keys_among_its_columns(dataset):
    from kpi.ingest.schemas import DATASETS

    assert set(REPLACE_KEYS) == set(DATASETS)
    assert set(REPLACE_KEYS[dataset]) <= {c.name for c in DATASETS[dataset]}
