"""Owners, check-ins and events: stored as revisions, shown beside the verdict in every output, undone like data."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from kpi.store import notes, snapshot, storage
from kpi.views.notes_text import checkin_text, event_period, owner_text

BEHIND = "partner_institutions"  # behind plan in the bundled sample
NOTE = "渡航制限の影響が残る。短期受入プログラムを拡充中、2026年3月までに回復を見込む"


@pytest.mark.parametrize("day, kind, expected", [
    pytest.param(dt.date(2020, 4, 7), "fiscal", 2020.0, id="april-starts-the-fiscal-year"),
    pytest.param(dt.date(2021, 1, 10), "fiscal", 2020.75, id="january-belongs-to-the-previous-fiscal-year"),
    pytest.param(dt.date(2021, 3, 31), "fiscal", 2020.917, id="march-ends-it"),
    pytest.param(dt.date(2021, 1, 10), "calendar", 2021.0, id="calendar-year"),
    pytest.param(dt.date(2021, 7, 1), "calendar", 2021.5, id="calendar-mid-year"),
])
def test_an_event_sits_where_its_date_falls_on_the_period_axis(day, kind, expected):
    assert event_period(day, kind) == expected


@pytest.mark.parametrize("row, lang, expected", [
    pytest.param({"owner": "国際交流課", "owner_person": "山田 花子"}, "ja", "国際交流課（山田 花子）", id="unit-and-person-ja"),
    pytest.param({"owner": "International Office", "owner_person": ""}, "en", "International Office", id="unit-only"),
    pytest.param({"owner": "", "owner_person": None}, "ja", "未設定", id="nobody-ja"),
    pytest.param({"owner": "", "owner_person": None}, "en", "not assigned", id="nobody-en"),
])
def test_owner_in_words(row, lang, expected):
    assert owner_text(row, lang) == expected


def test_a_status_override_is_shown_beside_the_verdict_never_instead():
    row = {"status": "behind", "period_kind": "fiscal"}
    checkin = {"note": "見直し中", "status": "at_risk", "author": "hanako", "recorded_at": "2026-12-01T09:00:00+00:00",
               "due": None, "period": None}
    text = checkin_text(checkin, row, "ja")
    assert "担当部署の判断：◆ 要注意" in text and "評価結果：▼ 計画遅れ" in text
    assert "見直し中（hanako、2026年12月1日記入）" in text


@pytest.mark.parametrize("item, key", [
    pytest.param(notes.CheckIn(BEHIND, "   "), "notes.empty", id="empty-note"),
    pytest.param(notes.CheckIn("no_such_kpi", "x"), "notes.unknown_kpi", id="unknown-kpi"),
    pytest.param(notes.CheckIn(BEHIND, "x", status="great"), "notes.bad_status", id="unknown-status"),
    pytest.param(notes.CheckIn(BEHIND, "x" * (notes.NOTE_LIMIT + 1)), "notes.too_long", id="too-long"),
])
def test_a_bad_checkin_is_refused_and_stores_nothing(sample_engine, item, key):
    before = storage.latest_revision(engine=sample_engine)
    from metrics.registry import load_registry

    known = list(load_registry().index)
    with pytest.raises(notes.NoteRefused) as refused:
        notes.record_checkin(item, user="hanako", known=known, engine=sample_engine)
    assert refused.value.key == key
    assert storage.latest_revision(engine=sample_engine) == before


def _deck_texts(snap, lang: str) -> tuple[str, str, str]:
    """(slide bodies, speaker notes, PDF text) of the KPI behind plan."""
    import subprocess
    import tempfile

    from pptx import Presentation

    from kpi.publish import exports
    from kpi.text.linebreak import unglue

    deck = exports.deck_from_snapshot(snap, lang=lang)
    deck.slides = [s for s in deck.slides if s.indicator == BEHIND]
    deck.collaboration = None  # the KPI's slide is then the last
    prs = Presentation(io.BytesIO(exports.deck_pptx(deck)))
    last = prs.slides[len(prs.slides) - 1]
    # As a reader sees it: the deck's explicit line breaks and word joiners (kpi.text.linebreak) taken out.
    body = unglue("\n".join(shape.text_frame.text for shape in last.shapes if shape.has_text_frame)).replace("\v", "")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(exports.deck_pdf(deck))
        handle.flush()
        pdf = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True).stdout
    return body, unglue(last.notes_slide.notes_text_frame.text), unglue(pdf)


@pytest.mark.system  # pdftotext (poppler-utils) reads the PDF back
def test_a_checkin_and_an_event_reach_every_output_and_an_undo_removes_them(sample_engine):
    from kpi.views.narrative import action_frame

    revision = notes.record_checkin(notes.CheckIn(BEHIND, NOTE, period=2024, status="at_risk",
                                                  due=dt.date(2026, 3, 31)), user="hanako", engine=sample_engine)
    notes.record_event(dt.date(2020, 4, 7), "COVID-19 渡航制限", user="hanako", engine=sample_engine)
    record = storage.history(engine=sample_engine).set_index("revision").loc[revision]
    assert (record["dataset"], record["user"]) == ("checkins", "hanako")  # a revision: person and time

    snap = snapshot.load(engine=sample_engine)
    actions = action_frame(snap.scorecard, snap.registry, "ja", notes.latest_checkins(snap.notes["checkins"]))
    line = actions.set_index("id").loc[BEHIND]
    assert NOTE in line["checkin"] and line["now"] == "▼ 計画遅れ"  # the verdict stays the evaluator's
    body, speaker, pdf = _deck_texts(snap, "ja")
    for text in (body, speaker):
        assert NOTE in text and "COVID-19 渡航制限" in text and "担当部署の判断" in text
    assert "COVID-19" in pdf and "担当部署の判断" in pdf

    notes.undo("checkins", revision, user="hanako", engine=sample_engine)
    snap = snapshot.load(engine=sample_engine)
    assert snap.notes["checkins"].empty
    actions = action_frame(snap.scorecard, snap.registry, "ja", notes.latest_checkins(snap.notes["checkins"]))
    assert actions.set_index("id").loc[BEHIND, "checkin"] == ""
    body, speaker, pdf = _deck_texts(snap, "ja")
    assert NOTE not in body + speaker and "担当部署の判断" not in pdf
    assert "COVID-19 渡航制限" in speaker  # the event was not undone


def test_the_same_checkin_sent_twice_is_stored_once(sample_engine):
    item = notes.CheckIn(BEHIND, "一度だけ")
    base = storage.dataset_revision("checkins", engine=sample_engine)
    notes.record_checkin(item, user="hanako", engine=sample_engine, expect_base=base)
    with pytest.raises(storage.AlreadyStored):
        notes.record_checkin(item, user="hanako", engine=sample_engine, expect_base=base)
    assert len(notes.load("checkins", engine=sample_engine)) == 1


def test_an_old_targets_file_with_one_owner_column_still_imports():
    from kpi.ingest.importer import read_file

    data = ("indicator,baseline_period,baseline_value,target_period,target_value,direction,担当\n"
            "partner_institutions,2019,250,2030,320,up,国際交流課\n").encode()
    result = read_file(data, "targets", file_name="old.csv")
    assert result.ok, result.errors
    assert result.frame["owner"].iloc[0] == "国際交流課"
    assert pd.isna(result.frame["owner_person"].iloc[0])


@pytest.mark.parametrize("note", [
    pytest.param("<script>alert(1)</script>", id="html"),
    pytest.param("**bold** $x$ :red[red]", id="markdown-and-latex"),
])
def test_a_note_stays_text_in_the_digest_html_and_markdown(note):
    from kpi.store.digest import Digest
    from kpi.text.safe_text import md
    from kpi.views import digest_text
    from metrics.registry import load_registry

    checkins = pd.DataFrame([{"indicator": BEHIND, "period": None, "note": note, "status": None, "due": None,
                              "author": "hanako", "recorded_at": "2026-12-01T09:00:00+00:00"}])
    empty = pd.DataFrame()
    found = Digest(base_revision=1, revision=2, since=None, figures=empty.assign(indicator=[], period=[]),
                   verdicts=empty.assign(indicator=[]), checkins=checkins, events=empty, targets=empty, imports=empty,
                   registry=load_registry(), scorecard=pd.DataFrame({"indicator": [BEHIND], "status": ["behind"],
                                                                      "period_kind": ["fiscal"], "unit": [""]}))
    page = digest_text.as_html(found, "ja")
    assert note not in page or "<" not in note  # never raw HTML
    assert "&lt;script&gt;" in page or "<" not in note
    assert note in digest_text.as_text(found, "ja")  # plain text keeps it as typed
    line = checkin_text(checkins.iloc[0].to_dict(), {"status": "behind", "period_kind": "fiscal"}, "ja")
    assert "**" not in md(line).replace("\\*", "") and "$" not in md(line).replace("\\$", "")


@pytest.mark.parametrize("day, drawn", [
    pytest.param("2020-04-07", False, id="before-the-first-figure-not-drawn"),
    pytest.param("2023-06-01", True, id="inside-the-figures-drawn"),
    pytest.param("2024-12-31", True, id="in-the-last-period-drawn"),
    pytest.param("2027-01-01", False, id="after-the-last-period-not-drawn"),
])
def test_an_event_outside_the_periods_drawn_does_not_stretch_the_axis(day, drawn):
    """IRN's figures start in 2023: a 2020 event would squeeze them into the right-hand corner (it stays in words)."""
    from kpi.views import chart_spec

    events = pd.DataFrame({"event_date": [pd.Timestamp(day)], "label": ["COVID-19 渡航制限"]})
    spec = chart_spec.kpi(pd.DataFrame({"period": [2023, 2024], "value": [4.1, 4.3]}), unit="index",
                          period_kind="calendar", lang="ja", events=events)
    assert any(s.kind == "event" for s in spec.series) is drawn
    assert spec.x_ticks == (2023, 2024)
