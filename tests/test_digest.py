"""`kpi digest`: after an import and a check-in on the sample, exactly those changes; and the e-mail as a real SMTP
server on loopback received it (subject, Japanese body, the PDF attached)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import mailbox
import socket
import subprocess
import sys
import time

import pytest

from kpi import cli
from kpi.ingest.importer import read_file
from kpi.store import digest, notes, service, storage

NEW_ROW = b"indicator,fiscal_year,value,source\nintl_community_events,2024,52,Illustrative (not university figures)\n"
NOTE = "地域の国際交流事業は自治体と共催を拡大中。2025年度末までに60件を目指す"


@pytest.fixture(scope="module")
def changed(sample_db_url, tmp_path_factory):
    """A copy of the sample, then one import (FY2024 of intl_community_events) and one check-in: (base, engine).

    Shared by the module's tests, which only read it (a digest compares two evaluated snapshots: seconds each).
    """
    import sqlite3

    copy = tmp_path_factory.mktemp("digest") / "kpi.sqlite3"
    with sqlite3.connect(sample_db_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    engine = storage.get_engine(url)
    base = storage.latest_revision(engine=engine)
    result = read_file(NEW_ROW, "indicators", file_name="events_2024.csv")
    assert result.ok, result.errors
    service.import_result(result, mode="append", user="hanako", engine=engine)
    notes.record_checkin(notes.CheckIn("intl_community_events", NOTE, period=2024, due=dt.date(2026, 3, 31)),
                         user="hanako", engine=engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KPI_DATABASE_URL", url)  # what `kpi digest` reads
        yield base, engine
    engine.dispose()
    storage._engines.pop(url, None)


@pytest.fixture(scope="module")
def found(changed):
    base, engine = changed
    return digest.changes(since_revision=base, engine=engine)


def test_the_digest_lists_exactly_what_changed(found):
    assert found.figures[["indicator", "period", "after"]].values.tolist() == [["intl_community_events", 2024, 52.0]]
    assert found.figures["before"].isna().all()  # a new figure, not a revision of one
    assert found.verdicts[["indicator", "status_before"]].values.tolist() == [["intl_community_events", "stale"]]
    assert found.checkins[["indicator", "note", "author"]].values.tolist() == [["intl_community_events", NOTE,
                                                                                "hanako"]]
    assert list(found.imports["file_name"]) == ["events_2024.csv"]
    assert found.events.empty and found.targets.empty


@pytest.mark.slow
def test_nothing_changed_since_the_newest_revision(changed):
    _, engine = changed
    found = digest.changes(since_revision=storage.latest_revision(engine=engine), engine=engine)
    assert found.empty


@pytest.mark.parametrize("offset, newest", [
    pytest.param(1, True, id="tomorrow-nothing-after-the-newest"),
    pytest.param(-1, False, id="yesterday-everything-stored-today"),
])
def test_since_a_date_starts_after_the_last_revision_before_that_day(changed, offset, newest):
    _, engine = changed
    base = digest.base_for_date(dt.date.today() + dt.timedelta(days=offset), engine=engine)
    assert base == (storage.latest_revision(engine=engine) if newest else 0)


@pytest.mark.parametrize("fmt, lang, expected", [
    pytest.param("text", "ja", ["■ 新しい値・修正された値（1件）", "地域と連携した国際交流事業数 2024年度：52件（新規）",
                                "■ 追加された進捗報告（1件）", NOTE, "events_2024.csv"], id="text-ja"),
    pytest.param("text", "en", ["# New or revised figures (1)",
                                "International exchange events with the local community FY2024: 52 (new)",
                                "# Check-ins added (1)"],
                 id="text-en"),
    pytest.param("html", "ja", ['<html lang="ja">', "<h2>追加された進捗報告（1件）</h2>", NOTE], id="html-ja"),
])
@pytest.mark.slow  # each run evaluates two snapshots; test_the_digest_in_words covers the words fast
def test_the_cli_prints_the_digest(changed, capsys, fmt, lang, expected):
    base, _ = changed
    assert cli.main(["digest", "--since-revision", str(base), "--format", fmt, "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert [line for line in expected if line not in out] == []


@pytest.mark.slow  # evaluates the newest snapshot once more
def test_since_the_beginning_the_checkins_are_added_too(changed):
    """Revision 0 holds no check-ins or events (with_notes reads 0 as the newest): a digest since a date before the
    first revision, the 更新情報 page's default on a database younger than a month, lists them."""
    _, engine = changed
    assert list(digest.changes(since_revision=0, engine=engine).checkins["note"]) == [NOTE]


def test_a_revision_note_says_which_kpi(found):
    from kpi.views.notes_text import revision_note

    kpi = "intl_community_events"
    assert revision_note(f"{notes.OWNER_NOTE}{kpi}", found.registry, "ja") == "地域と連携した国際交流事業数の担当部署を設定"
    assert revision_note(kpi, found.registry, "en") == "International exchange events with the local community"
    assert revision_note("bundled sample data", found.registry, "ja") == "サンプルデータ（初期登録）"


def test_the_digest_in_words(found):
    from kpi.views import digest_text

    text = digest_text.as_text(found, "ja")
    assert "■ 評価が変わったKPI（1件）" in text and "地域と連携した国際交流事業数：現状 ！ 要更新 →" in text



@pytest.mark.slow
def test_sending_without_a_server_configured_says_so_and_sends_nothing(changed, capsys, monkeypatch, tmp_path):
    base, _ = changed
    monkeypatch.setenv("KPI_SECRETS_FILE", str(tmp_path / "none.toml"))
    for name in ("KPI_SMTP_HOST", "KPI_MAIL_FROM", "KPI_DIGEST_LISTS"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["digest", "--since-revision", str(base), "--send", "--lang", "ja"]) == 1
    assert "SMTPサーバーが設定されていません" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd as its own process on loopback, delivering into a Maildir (a real server, not a mock)."""
    box = tmp_path / "maildir"
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                "-c", "aiosmtpd.handlers.Mailbox", str(box)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60  # bounds a hang; not a speed requirement
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"aiosmtpd did not start: {process.stdout.read().decode(errors='replace')}")
            time.sleep(0.1)
    yield port, box
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.system
def test_the_digest_email_arrives_at_a_real_smtp_server(changed, smtp_server, monkeypatch, capsys):
    base, _ = changed
    port, box = smtp_server
    monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KPI_SMTP_PORT", str(port))
    monkeypatch.setenv("KPI_MAIL_FROM", "kpi@example.ac.jp")
    monkeypatch.setenv("KPI_DIGEST_LISTS", json.dumps([
        {"name": "執行部", "lang": "ja", "to": ["leaders@example.ac.jp", "office@example.ac.jp"]},
        {"name": "partners", "lang": "en", "to": ["advisor@example.org"]}]))
    assert cli.main(["digest", "--since-revision", str(base), "--send", "--lang", "ja"]) == 0
    assert "宛先リスト「執行部」に送信しました（2件、ja）" in capsys.readouterr().out
    received = [email.message_from_bytes(bytes(m), policy=email.policy.default)
                for m in mailbox.Maildir(str(box), create=False)]
    by_lang = {m["Content-Language"]: m for m in received}
    assert sorted(by_lang) == ["en", "ja"]
    japanese = by_lang["ja"]
    assert japanese["Subject"].startswith("国際戦略KPI 更新情報：第")
    assert japanese["To"] == "leaders@example.ac.jp, office@example.ac.jp"
    body = japanese.get_body(preferencelist=("plain",)).get_content()
    assert NOTE in body and "地域と連携した国際交流事業数 2024年度：52件（新規）" in body
    assert "<li>" in japanese.get_body(preferencelist=("html",)).get_content()
    attachments = list(japanese.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    english = by_lang["en"].get_body(preferencelist=("plain",)).get_content()
    assert "Check-ins added (1)" in english and NOTE in english


@pytest.mark.parametrize("base, since, lang, expected", [
    pytest.param(12, None, "ja", "第12版より後", id="after-a-revision"),
    pytest.param(0, None, "ja", "最初の版から", id="from-the-start-not-after-revision-0"),
    pytest.param(0, None, "en", "since the first revision", id="from-the-start-en"),
    pytest.param(3, dt.date(2026, 11, 1), "ja", "2026年11月1日以降（第3版より後）", id="a-date"),
    pytest.param(0, dt.date(2026, 11, 1), "ja", "2026年11月1日以降（最初の版から）", id="a-date-before-everything"),
])
def test_the_start_of_a_digest_in_words(base, since, lang, expected):
    from types import SimpleNamespace

    from kpi.views import digest_text

    assert digest_text.since_text(SimpleNamespace(base_revision=base, since=since), lang) == expected
