"""A digest (kpi.store.digest) in words: sections of plain lines, as text for a terminal or an e-mail, or as HTML
with every piece of user text escaped."""

from __future__ import annotations

import html

import pandas as pd

from kpi.text.i18n import format_date, format_datetime, format_value, indicator_name, note_text, period_label, t
from kpi.views.narrative import _missing, outlook_text, status_text
from kpi.views.notes_text import checkin_text, event_text, revision_note


def _name(digest, indicator, lang: str) -> str:
    if indicator is None or _missing(indicator) or indicator == "":
        return t("dg.every_kpi", lang)
    return indicator_name(digest.registry, indicator, lang) if indicator in digest.registry.index else str(indicator)


def _row(digest, indicator) -> dict:
    card = digest.scorecard.set_index("indicator")
    return card.loc[indicator].to_dict() if indicator in card.index else {"status": "no_data",
                                                                           "period_kind": "fiscal", "unit": ""}


def figure_lines(digest, lang: str) -> list[str]:
    lines = []
    for item in digest.figures.to_dict("records"):
        row = _row(digest, item["indicator"])
        period = period_label(int(item["period"]), row.get("period_kind", "fiscal"), lang, short=True)
        unit = row.get("unit", "")
        if _missing(item["before"]):
            key, fields = "dg.figure_new", {"value": format_value(item["after"], unit, lang)}
        elif _missing(item["after"]):
            key, fields = "dg.figure_removed", {"value": format_value(item["before"], unit, lang)}
        else:
            key, fields = "dg.figure_changed", {"before": format_value(item["before"], unit, lang),
                                                "after": format_value(item["after"], unit, lang)}
        lines.append(t(key, lang, name=_name(digest, item["indicator"], lang), period=period, **fields))
    return lines


def verdict_lines(digest, lang: str) -> list[str]:
    def status(value) -> str:
        return status_text(value, lang) if value else "–"

    return [t("dg.verdict", lang, name=_name(digest, item["indicator"], lang), before=status(item["status_before"]),
              after=status(item["status_after"]), outlook_before=outlook_text(item["outlook_before"], lang),
              outlook_after=outlook_text(item["outlook_after"], lang))
            for item in digest.verdicts.to_dict("records")]


def revision_line(record, lang: str, registry=None) -> str:
    parts = [t("plan.revision_label", lang, revision=int(record["revision"])),
             format_datetime(record["created_at"], lang), str(record["user"])]
    if record["dataset"] != "targets":
        parts.insert(1, t(f"dataset.{record['dataset']}", lang))
    parts += [str(record["file_name"])] if record["file_name"] else []
    note = str(record["note"]) if record["note"] else ""
    parts += [revision_note(note, registry, lang) if registry is not None else note_text(note, lang)] if note else []
    return " · ".join(parts)


def sections(digest, lang: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) for each kind of change that happened; none when nothing did."""
    out = [
        (t("dg.figures", lang, n=len(digest.figures)), figure_lines(digest, lang)),
        (t("dg.verdicts", lang, n=len(digest.verdicts)), verdict_lines(digest, lang)),
        (t("dg.checkins", lang, n=len(digest.checkins)),
         [f"{_name(digest, c['indicator'], lang)}：{checkin_text(c, _row(digest, c['indicator']), lang)}"
          if lang == "ja" else f"{_name(digest, c['indicator'], lang)}: {checkin_text(c, _row(digest, c['indicator']), lang)}"
          for c in digest.checkins.to_dict("records")]),
        (t("dg.events", lang, n=len(digest.events)),
         [t("dg.event", lang, name=_name(digest, e["indicator"], lang), event=event_text(e, lang))
          for e in digest.events.to_dict("records")]),
        (t("dg.targets", lang, n=len(digest.targets)), [revision_line(r, lang, digest.registry)
                                                             for r in digest.targets.to_dict("records")]),
        (t("dg.imports", lang, n=len(digest.imports)), [revision_line(r, lang, digest.registry)
                                                             for r in digest.imports.to_dict("records")]),
    ]
    return [(heading, lines) for heading, lines in out if lines]


def since_text(digest, lang: str) -> str:
    """「2026年11月1日以降（第12版より後）」; from the very beginning there is no 第0版 to be after."""
    start = "_start" if digest.base_revision <= 0 else ""
    if digest.since is not None:
        return t(f"dg.since_date{start}", lang, date=format_date(digest.since, lang), base=digest.base_revision)
    return t(f"dg.since_revision{start}", lang, base=digest.base_revision)


def subject(digest, lang: str) -> str:
    return t("dg.subject", lang, since=since_text(digest, lang), revision=digest.revision)


def as_text(digest, lang: str) -> str:
    lines = [subject(digest, lang), ""]
    found = sections(digest, lang)
    if not found:
        lines.append(t("dg.nothing", lang))
    for heading, items in found:
        lines += [f"■ {heading}" if lang == "ja" else f"# {heading}", *[f"- {item}" for item in items], ""]
    return "\n".join(lines).rstrip() + "\n"


def as_html(digest, lang: str) -> str:
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(subject(digest, lang))}'
             f"</title></head><body><h1>{html.escape(subject(digest, lang))}</h1>"]
    found = sections(digest, lang)
    if not found:
        parts.append(f"<p>{html.escape(t('dg.nothing', lang))}</p>")
    for heading, items in found:
        parts.append(f"<h2>{html.escape(heading)}</h2><ul>"
                     + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def frame_of(digest, lang: str) -> pd.DataFrame:
    """The digest as one table (section, change) for the page."""
    return pd.DataFrame([(heading, item) for heading, items in sections(digest, lang) for item in items],
                        columns=["section", "change"])
