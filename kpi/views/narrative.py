"""Written verdicts from the evaluator's rows by templates (no language model), in Japanese and English."""

from __future__ import annotations

import calendar
import math

import pandas as pd

from kpi.text.i18n import format_percent, format_value, indicator_name, period_label, source_text, t
from kpi.text.status import outlook_look, status_look
from metrics.evaluate import Outlook, Status
from metrics.forecast import HORIZON
from metrics.targets import AT_RISK_TOLERANCE

GOOD_STATUSES = {Status.ACHIEVED.value, Status.ON_TRACK.value}
GOOD_OUTLOOKS = {Outlook.MET.value, Outlook.LIKELY.value}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or \
        (not isinstance(value, str) and pd.isna(value))


def sentence_case(text: str) -> str:
    """A reason shown on its own starts with a capital (Japanese is unchanged)."""
    return text[:1].upper() + text[1:]


def status_text(status: str, lang: str) -> str:
    return f"{status_look(status).icon} {t('eval.status.' + status, lang)}"


def outlook_text(outlook: str | None, lang: str) -> str:
    if _missing(outlook):
        return "–"
    return f"{outlook_look(outlook).icon} {t('eval.outlook.' + outlook, lang)}"


def date_text(day, lang: str) -> str:
    """1 May 2025 / 2025年5月1日."""
    return t("sc.date", lang, year=day.year, month=day.month, day=day.day, month_name=calendar.month_name[day.month])


def reference_label(period, kind: str, lang: str) -> str:
    """What date a figure describes: 「2023年5月1日現在」 / "as of 1 May 2023", or the span it counts."""
    if _missing(period):
        return "–"
    year = int(period)
    if kind == "may_1":
        return t("eval.ref.may_1", lang, year=year)
    if kind == "fy_end":
        return t("eval.ref.fy_end", lang, year=year + 1)
    if kind == "fiscal_year":
        return t("eval.ref.fiscal_year", lang, year=year, next=year + 1)
    return t("eval.ref.calendar_year", lang, year=year)


def is_undated(row) -> bool:
    """A target in force without a year (its source states none): the evaluator sets a basis with every target."""
    return (_missing(row.get("target_period")) and not _missing(row.get("target_value"))
            and bool(row.get("target_basis")))


def target_text(row, lang: str, *, short: bool = False) -> str:
    """「2030年度（令和12年度）目標 3,000人」 / "3,000 by FY2030" (``short``: no era); 目標未設定 when none is in force."""
    if is_undated(row):  # a published target whose source states no year
        return t("pub.target_undated", lang, value=format_value(row["target_value"], row["unit"], lang))
    if _missing(row["target_period"]):
        return t("eval.status.no_target", lang)
    return t("sc.target_text", lang, value=format_value(row["target_value"], row["unit"], lang),
             period=period_label(int(row["target_period"]), row["period_kind"], lang, short=short))


def target_with_basis(row, lang: str, *, short: bool = False) -> str:
    """The target and whether it is published or an illustrative placeholder: 「20%（出典に目標年の記載なし）・公表値」."""
    text = target_text(row, lang, short=short)
    basis = row.get("target_basis")
    return t("pub.target_with_basis", lang, target=text, basis=t(f"pub.basis.{basis}", lang)) if basis else text


def target_sources_frame(card: pd.DataFrame, registry: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every target in force with its basis and source, published ones first (the scorecard's 目標の出典)."""
    rows = [{"name": indicator_name(registry, row["indicator"], lang), "target": target_text(row, lang),
             "basis": t(f"pub.basis.{row['target_basis']}", lang), "source": source_text(row["target_source"], lang),
             "_order": 0 if row["target_basis"] == "published" else 1}
            for row in card.to_dict("records") if row.get("target_basis")]
    frame = pd.DataFrame(rows, columns=["name", "target", "basis", "source", "_order"])
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _pct(value: float) -> str:
    return format_percent(abs(value)) if not _missing(value) else "–"


def _rate(value: float) -> str:
    return format_percent(100 * value, signed=True) if not _missing(value) else "–"


def status_why(row, lang: str) -> str:
    """The one-line reason behind 現状, from the row's reason code and numbers."""
    reason = row["status_reason"]
    kind, unit = row["period_kind"], row["unit"]
    if reason in ("above_plan", "near_plan", "below_plan"):
        return t(f"eval.why.{reason}", lang, gap=_pct(row["gap_pct"]), tol=format_percent(100 * AT_RISK_TOLERANCE))
    if reason in ("target_met", "target_missed"):
        return t(f"eval.why.{reason}", lang, target=format_value(row["target_value"], unit, lang),
                 period=period_label(int(row["period"]), kind, lang), value=format_value(row["value"], unit, lang))
    if reason == "overdue":
        return t("eval.why.overdue", lang, reference=reference_label(row["period"], row["reference_kind"], lang),
                 due=date_text(pd.Timestamp(row["next_due"]), lang))
    if reason == "before_baseline":
        return t("eval.why.before_baseline", lang, period=period_label(int(row["baseline_period"]), kind, lang))
    if reason == "target_expired":
        return closed_text(row, lang) + t("eval.why.no_next", lang)
    return t(f"eval.why.{reason}", lang)


def closed_text(row, lang: str) -> str:
    """The last target whose period has passed, judged once: 「2017年度目標 2,000人は未達（2017年度 1,512人）」."""
    if _missing(row.get("closed_target_period")):
        return ""
    kind, unit = row["period_kind"], row["unit"]
    result = row["closed_result"] or "no_data"
    value = (t("sc.closed_value", lang, period=period_label(int(row["closed_value_period"]), kind, lang),
               value=format_value(row["closed_value"], unit, lang))
             if not _missing(row.get("closed_value_period")) else "")
    return t("sc.closed", lang, period=period_label(int(row["closed_target_period"]), kind, lang),
             target=format_value(row["closed_target_value"], unit, lang),
             result=t(f"eval.status.{result}", lang), value=value)


def growth_window(row, lang: str) -> str:
    """「過去7年（2020〜2021年度を除く）」 / "the last 7 years (excluding FY2020–FY2021)"."""
    if _missing(row.get("fit_first_period")):
        return ""
    years = int(row["period"]) - int(row["fit_first_period"])
    excluded = [int(p) for p in str(row.get("excluded_periods") or "").split(";") if p]
    text = t("sc.window", lang, years=years)
    if excluded:
        text += t("sc.window_excluding", lang, periods=span_label(excluded, row["period_kind"], lang))
    return text


def span_label(periods: list[int], kind: str, lang: str) -> str:
    """2020〜2021年度 / FY2020–FY2021: the years from the first to the last of ``periods`` as one range."""
    first, last = period_label(min(periods), kind, lang, short=True), period_label(max(periods), kind, lang, short=True)
    if first == last:
        return first
    if lang == "ja" and kind == "fiscal":
        return f"{min(periods)}〜{max(periods)}年度"
    return f"{first}〜{last}" if lang == "ja" else f"{first}–{last}"


def needed_percent(needed, direction: str = "up") -> float:
    """The growth needed in percent a year at one decimal, rounded *towards reaching the target* (+4.91 % is +5.0 %,
    not +4.9 %, which would reach it a year late): the figure the page, the slides and the what-if slider share."""
    if _missing(needed) or not math.isfinite(needed):
        return math.nan
    sign = 1.0 if direction == "up" else -1.0
    return sign * math.ceil(round(sign * needed * 1000, 6)) / 10


def outlook_why(row, lang: str) -> str:
    """The one-line reason behind 見通し."""
    reason = row.get("outlook_reason")
    if _missing(reason):
        return ""
    if reason in ("growth_enough", "growth_short"):
        needed = needed_percent(row["growth_needed"], row.get("direction") or "up")
        return t(f"eval.why.{reason}", lang, achieved=_rate(row["growth_achieved"]),
                 needed=format_percent(needed, signed=True), window=growth_window(row, lang))
    return t(f"eval.why.{reason}", lang)


def verdict_sentence(row, lang: str) -> str:
    """現状 and 見通し in one sentence, joined by "but" when they point different ways.

    e.g. 「計画より5.3%下回るが、過去7年（2020〜2021年度を除く）の年平均成長率+4.3%は必要な+3.1%を上回る。」
    """
    now, ahead = status_why(row, lang), outlook_why(row, lang)
    if not ahead or ahead == now or row["status"] in (Status.NO_DATA.value, Status.NO_TARGET.value):
        text = now + t("sc.stop", lang)
    else:
        differ = (row["status"] in GOOD_STATUSES) != (row["outlook"] in GOOD_OUTLOOKS)
        joiner = t("sc.but" if differ and row["status"] != Status.STALE.value else "sc.and", lang)
        text = now + joiner + ahead + t("sc.stop", lang)
    return text[:1].upper() + text[1:]


def change_amount(row, lang: str) -> str:
    """The change on the previous period in its unit: points for a percentage (+1.7ポイント), % for a count (+3.4%)."""
    if _missing(row.get("previous_value")) or _missing(row.get("change")):
        return ""
    if row["unit"] == "percent":
        return format_value(row["change"], "percent", lang, signed=True)
    return format_percent(row["change_pct"], signed=True, lang=lang) if not _missing(row.get("change_pct")) else ""


def change_text(row, lang: str) -> str:
    """「前年度比+3.4%」 for a fiscal-year KPI, 「前年比+1.7ポイント」 for a calendar-year one ("" without a previous)."""
    amount = change_amount(row, lang)
    kind = "calendar" if row["period_kind"] == "calendar" else "fiscal"
    return t(f"view.change.{kind}", lang, change=amount) if amount else ""


def kpi_sentence(row, registry: pd.DataFrame, lang: str) -> str:
    """e.g. 外国人留学生数：2,145人（2023年5月1日現在、前年度比+3.4%）、2030年度（令和12年度）目標 3,000人の71.5%。…"""
    name = indicator_name(registry, row["indicator"], lang)
    if _missing(row["period"]):
        return t("sc.sentence_no_data", lang, name=name)
    unit = row["unit"]
    when = reference_label(row["period"], row["reference_kind"], lang)
    change = change_text(row, lang)
    head = t("view.sentence_head" if change else "sc.sentence_head_plain", lang, name=name,
             value=format_value(row["value"], unit, lang), when=when, change=change)
    if _missing(row["target_period"]) and not is_undated(row):
        return head + t("sc.stop", lang) + t("sc.space", lang) + verdict_sentence(row, lang)
    text = head + t("sc.sentence_target", lang, target=target_text(row, lang),
                    progress=format_percent(row["progress_pct"]))
    text += verdict_sentence(row, lang)
    if row.get("outlook") == Outlook.UNLIKELY.value and not _missing(row.get("growth_achieved")):
        reach = row.get("reach_period")
        text += (t("sc.reach", lang, period=period_label(int(reach), row["period_kind"], lang)) if not _missing(reach)
                 else t("sc.reach_never", lang, years=HORIZON))
    return text


def strategy_sentence(card: pd.DataFrame, lang: str) -> str:
    """One line for the KPIs shown: how many stand where now, and how many are on course."""
    def listed(column: str, order, label) -> str:
        counts = card[column].value_counts()
        parts = [t("sc.count", lang, label=label(v), n=int(counts[v])) for v in order if counts.get(v, 0)]
        return t("sc.list_sep", lang).join(parts) or "–"

    return t("sc.headline", lang, n=len(card),
             now=listed("status", [s.value for s in Status], lambda s: status_text(s, lang)),
             outlook=listed("outlook", [o.value for o in Outlook], lambda o: outlook_text(o, lang)))


def action_frame(card: pd.DataFrame, registry: pd.DataFrame, lang: str,
                 checkins: dict[str, dict] | None = None) -> pd.DataFrame:
    """要対応: what is behind or off course, why, whose it is and the owner's latest check-in (kpi.store.notes)."""
    from kpi.views.notes_text import checkin_text, owner_text
    from metrics.evaluate import needs_action

    rows = [{"id": row["indicator"], "name": indicator_name(registry, row["indicator"], lang),
             "now": status_text(row["status"], lang), "outlook": outlook_text(row["outlook"], lang),
             "why": verdict_sentence(row, lang), "owner": owner_text(row, lang),
             "checkin": checkin_text((checkins or {}).get(row["indicator"]), row, lang)}
            for row in needs_action(card).to_dict("records")]
    return pd.DataFrame(rows, columns=["id", "name", "now", "outlook", "why", "owner", "checkin"])


def update_line(card: pd.DataFrame, registry: pd.DataFrame, lang: str) -> str:
    """要更新: the KPIs whose figures are overdue but not otherwise in trouble, named in one line."""
    from metrics.evaluate import needs_update

    names = [indicator_name(registry, i, lang) for i in needs_update(card)["indicator"]]
    return t("sc.update_line", lang, names=t("sc.list_sep", lang).join(names)) if names else ""


def kpi_name(registry: pd.DataFrame, indicator, lang: str) -> str:
    """The KPI's name; a targets row for a KPI the registry does not know (yet) shows its id rather than raising."""
    return indicator_name(registry, indicator, lang) if indicator in registry.index else str(indicator or "")


def _year_value(period, value, kind: str, unit: str, lang: str) -> str:
    """「2030年度：3,000人」 / "FY2030: 3,000" (a target or a baseline); the value alone when no year is given."""
    shown = format_value(value, unit, lang)
    if _missing(period):
        return shown
    return t("tg.year_value", lang, period=period_label(int(period), kind, lang, short=True), value=shown)


def targets_frame(targets: pd.DataFrame, registry: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The Targets page's table in words, one KPI a row and narrow enough for a 1366 px screen: baseline, target and
    milestones each as 「年度：値」 in the KPI's unit, the direction with the path, the owner with the person.
    Sources and their basis are :func:`targets_source_frame` (long texts, a table of their own)."""
    from kpi.views.notes_text import owner_text
    from metrics.targets import parse_milestones

    rows = []
    for row in targets.to_dict("records"):
        known = row["indicator"] in registry.index
        kind = registry.loc[row["indicator"], "period_kind"] if known else "fiscal"
        unit = registry.loc[row["indicator"], "unit"] if known else ""
        path = [t(f"tg.{row['direction']}", lang)] if row.get("direction") in ("up", "down") else []
        path += [t(f"tg.{row['glide']}", lang)] if row.get("glide") in ("linear", "compound") else []
        rows.append({
            "indicator": kpi_name(registry, row["indicator"], lang),
            "baseline": _year_value(row.get("baseline_period"), row.get("baseline_value"), kind, unit, lang),
            "target": _year_value(row.get("target_period"), row.get("target_value"), kind, unit, lang),
            "milestones": t("sc.list_sep", lang).join(_year_value(year, value, kind, unit, lang)
                                                      for year, value in parse_milestones(row.get("milestones"))) or "–",
            "path": t("sc.list_sep", lang).join(path) or "–",
            "owner": owner_text(row, lang)})
    return pd.DataFrame(rows, columns=["indicator", "baseline", "target", "milestones", "path", "owner"])


def targets_source_frame(targets: pd.DataFrame, registry: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each target's basis (公表値 / 試算値) and source, in the reader's language."""
    rows = [{"indicator": kpi_name(registry, row["indicator"], lang),
             "basis": t(f"pub.basis.{row['basis']}", lang) if row.get("basis") in ("published", "illustrative") else "–",
             "source": source_text(row["source"], lang) if isinstance(row.get("source"), str) and row["source"] else "–"}
            for row in targets.to_dict("records")]
    return pd.DataFrame(rows, columns=["indicator", "basis", "source"])
