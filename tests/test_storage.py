"""Versioned storage: revisions, replace scope, rollback, atomic failure and concurrent imports."""

import threading

import pandas as pd
import pytest

from kpi.store import storage


def mobility(*rows):
    return pd.DataFrame(rows, columns=["fiscal_year", "direction", "students"])


def totals(engine):
    frame = storage.load("mobility", engine=engine)
    return frame.groupby("direction")["students"].sum().to_dict()


def test_replace_only_touches_the_files_scope(any_engine):
    storage.store("mobility", mobility((2023, "inbound", 10)), engine=any_engine)
    storage.store("mobility", mobility((2023, "outbound", 4)), engine=any_engine)
    storage.store("mobility", mobility((2023, "inbound", 12)), mode="replace", scope={"direction": ["inbound"]},
                  engine=any_engine)
    assert totals(any_engine) == {"inbound": 12, "outbound": 4}


def test_state_after_any_revision_can_be_read_back(any_engine):
    r1 = storage.store("mobility", mobility((2023, "inbound", 10)), engine=any_engine)
    storage.store("mobility", mobility((2023, "inbound", 99)), mode="replace", engine=any_engine)
    assert storage.load("mobility", at_revision=r1, engine=any_engine)["students"].tolist() == [10]
    r3 = storage.rollback(r1, engine=any_engine)
    assert storage.load("mobility", engine=any_engine)["students"].tolist() == [10]
    assert storage.history(engine=any_engine)["action"].tolist() == ["append", "replace", "rollback"]
    assert storage.latest_revision(engine=any_engine) == r3


def test_failed_import_leaves_previous_data_and_history(any_engine, monkeypatch):
    storage.store("mobility", mobility((2023, "inbound", 10)), engine=any_engine)
    monkeypatch.setattr(storage, "INSERT_CHUNK", 1)
    original = storage._rows

    def broken(dataset, frame, revision):
        for number, chunk in enumerate(original(dataset, frame, revision)):
            if number == 1:  # NOT NULL students: the second chunk fails after the first was written
                chunk = [(r[0], r[1], r[2], None, *r[4:]) for r in chunk]
            yield chunk

    monkeypatch.setattr(storage, "_rows", broken)
    with pytest.raises(Exception):  # noqa: B017 - any database error will do
        storage.store("mobility", mobility((2024, "inbound", 1), (2024, "inbound", 2)), mode="replace",
                      engine=any_engine)
    assert totals(any_engine) == {"inbound": 10}
    assert len(storage.history(engine=any_engine)) == 1


def test_concurrent_imports_both_land(any_engine):
    errors = []

    def worker(year):
        try:
            storage.store("mobility", mobility(*[(year, "inbound", 1)] * 500), engine=any_engine)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(y,)) for y in (2021, 2022, 2023, 2024)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    frame = storage.load("mobility", engine=any_engine)
    assert frame.groupby("fiscal_year")["students"].sum().to_dict() == {2021: 500, 2022: 500, 2023: 500, 2024: 500}
    assert len(storage.history(engine=any_engine)) == 4


def test_mapping_profiles_are_found_by_header_signature(any_engine):
    from kpi.ingest.importer import header_signature

    first = "年度,区分,在籍者\n2023,受入,5\n".encode("cp932")
    later = "年度,区分,在籍者\n2024,受入,7\n2024,派遣,1\n".encode("cp932")
    signature = header_signature(first, "mobility")
    assert signature == header_signature(later, "mobility")
    assert header_signature("年度,人数\n2023,5\n".encode(), "mobility") != signature
    storage.save_profile("student system", "mobility", signature, {"在籍者": "students"}, {}, engine=any_engine)
    profile = storage.find_profile("mobility", header_signature(later, "mobility"), engine=any_engine)
    assert profile["name"] == "student system" and profile["mapping"] == {"在籍者": "students"}
    assert storage.find_profile("papers", signature, engine=any_engine) is None


@pytest.mark.slow
def test_sample_load_values_and_rollback_agree_across_backends(any_engine):
    """The whole sample through the real import path, then a rollback: the same figures on either database."""
    from kpi.store import service

    revisions = service.load_sample(engine=any_engine)
    values = service.current_values(engine=any_engine)
    latest = values[(values["indicator"] == "international_students") & (values["period"] == 2023)]
    assert latest["value"].tolist() == [2145.0]
    storage.store("mobility", mobility((2023, "inbound", 1000)), engine=any_engine)
    storage.rollback(revisions[1], engine=any_engine)  # the last sample revision of mobility
    after = service.current_values(engine=any_engine)
    pd.testing.assert_frame_equal(values, after)
