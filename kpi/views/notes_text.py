"""Owners, check-ins and events in words, for every output (the Overview's 要対応, the Indicator page, the deck,
the PDF, the digest). Plain text: callers escape it for Markdown (kpi.text.safe_text.md) where it is rendered so.

Each function is small and separate so that it can move into the per-KPI view (issue 19) as it is.
"""

from __future__ import annotations

import pandas as pd

from kpi.store.notes import OWNER_NOTE
from kpi.text.i18n import format_date, indicator_name, note_text, period_label, source_text, t
from kpi.views.narrative import _missing, status_text


def owner_text(row, lang: str) -> str:
    """「国際交流課（山田 花子）」 / "International Office (Hanako Yamada)"; 未設定 when nobody is named."""
    # A unit named in data/i18n/sources.csv (International Strategy Office = 国際戦略室) reads in the reader's language.
    unit = "" if _missing(row.get("owner")) else source_text(str(row.get("owner")).strip(), lang)
    person = "" if _missing(row.get("owner_person")) else str(row.get("owner_person")).strip()
    if unit and person:
        return t("owner.with_person", lang, unit=unit, person=person)
    return unit or person or t("sc.owner_unset", lang)


def revision_note(note, registry, lang: str) -> str:
    """A revision's note in words: a check-in's (its KPI's id) as the KPI's name, an owner's 「協定校数の担当部署を設定」
    instead of "owner of partner_institutions", the app's own notes from the catalogue, people's as written."""
    note = "" if _missing(note) else str(note)
    if note in registry.index:
        return indicator_name(registry, note, lang)
    if note.startswith(OWNER_NOTE) and note[len(OWNER_NOTE):] in registry.index:
        return t("notes.owner_set", lang, name=indicator_name(registry, note[len(OWNER_NOTE):], lang))
    return note_text(note, lang) if note else ""


def _day(value) -> str | None:
    if _missing(value) or value == "":
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def override_text(checkin: dict | None, row, lang: str) -> str:
    """The analyst's own status, said as theirs and beside the evaluator's: 「担当部署の判断：◆ 要注意（評価は ▼ 遅れ）」."""
    if not checkin or _missing(checkin.get("status")) or not checkin.get("status"):
        return ""
    return t("notes.override", lang, status=status_text(checkin["status"], lang),
             verdict=status_text(row["status"], lang))


def checkin_text(checkin: dict | None, row, lang: str, *, with_override: bool = True) -> str:
    """The latest check-in in one line: note, by when, who and when recorded, and any status of the analyst's own."""
    if not checkin:
        return ""
    note = str(checkin["note"]).strip()
    parts = []  # when it is due and which period it is about, in brackets after the note as written
    due = _day(checkin.get("due"))
    if due:
        parts.append(t("notes.due", lang, date=format_date(due, lang)))
    if not _missing(checkin.get("period")) and row is not None and not _missing(row.get("period_kind")):
        parts.append(t("notes.about", lang, period=period_label(int(checkin["period"]), row["period_kind"], lang,
                                                                   short=True)))
    recorded = _day(checkin.get("recorded_at"))
    details = t("notes.details", lang, items=("; " if lang == "en" else "、").join(parts)) if parts else ""
    text = t("notes.checkin_line", lang, note=note, details=details, author=str(checkin["author"]),
             date=format_date(recorded, lang) if recorded else "–")
    override = override_text(checkin, row, lang) if with_override else ""
    # "… — hanako, 3 December 2026. Owner's own status: …" (not "2026 Owner's"); 「…記入） 担当部署の判断：…」
    return f"{text}{'.' if lang == 'en' else ''} {override}" if override else text


def event_period(day, period_kind: str) -> float:
    """Where a date sits on a period axis: fiscal years start in April, so 2020-04-07 is FY2020 and 2021-01-10 too.

    The position inside the period is kept (months / 12), so two events of one year do not overlap.
    """
    stamp = pd.Timestamp(day)
    if period_kind == "fiscal":
        year = stamp.year if stamp.month >= 4 else stamp.year - 1
        months = (stamp.month - 4) % 12
    else:
        year, months = stamp.year, stamp.month - 1
    return year + round(months / 12, 3)


def event_text(event: dict, lang: str) -> str:
    """「2020年4月7日 COVID-19 渡航制限」 / "7 April 2020 COVID-19 travel limits"."""
    day = _day(event.get("event_date"))
    return t("notes.event_line", lang, date=format_date(day, lang) if day else "–", label=str(event["label"]))


def events_line(events: pd.DataFrame, lang: str) -> str:
    """Every event of a chart in one line for a caption, a slide body or a PDF page ('' without events)."""
    if events is None or events.empty:
        return ""
    return t("notes.events", lang, events=t("sc.list_sep", lang).join(event_text(e, lang)
                                                                       for e in events.to_dict("records")))


