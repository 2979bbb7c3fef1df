"""One KPI as every output shows it: built once per KPI and language from the snapshot, rendered by the Overview,
the Indicator page, presentation mode, the PowerPoint deck and the PDF; none of them works out a fact of its own.

A view holds finished strings (value, its date, the change in its unit with its word, the target with its basis,
verdicts with reasons, projection, what-if), the chart spec, and the few numbers the what-if slider needs.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass, field

import pandas as pd

from kpi.store.notes import events_for, latest_checkins
from kpi.text.i18n import format_percent, format_value, indicator_name, labelled, period_label, source_text, t
from kpi.views import a11y, chart_spec, charts
from kpi.views.narrative import (
    change_amount,
    change_text,
    closed_text,
    kpi_sentence,
    needed_percent,
    outlook_text,
    outlook_why,
    reference_label,
    sentence_case,
    status_text,
    status_why,
    target_text,
    verdict_sentence,
)
from kpi.views.notes_text import checkin_text, events_line, owner_text
from metrics.compute import peer_values
from metrics.evaluate import target_in_force
from metrics.forecast import HORIZON, parse_periods, year_reached
from metrics.targets import glide_frame


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def basis_label(row, lang: str) -> str:
    """公表値 / 試算値 for a target in force (also an undated one), "" when there is none."""
    basis = row.get("target_basis")
    has_target = not _missing(row.get("target_value"))
    return t(f"pub.basis.{basis}", lang) if basis and has_target else ""


def with_basis(text: str, basis: str, lang: str) -> str:
    return t("pub.target_with_basis", lang, target=text, basis=basis) if basis else text


def what_if_start(needed: float | None, direction: str) -> float:
    """The slider's first value: the growth needed as every output writes it (narrative.needed_percent)."""
    start = needed_percent(needed, direction)
    return 0.0 if math.isnan(start) else start


@dataclass(frozen=True, eq=False)
class KpiView:
    indicator: str
    pillar: str
    lang: str
    name: str
    definition: str
    unit: str
    period_kind: str
    direction: str
    status: str
    outlook: str
    value: str  # 2,145人
    when: str  # 2023年5月1日現在
    period: str  # the same as when (the deck's older name)
    headline: str  # 2,145人（2023年5月1日現在）
    change: str  # 前年度比+3.4% / 前年比+1.7ポイント ("" without a previous figure)
    change_amount: str  # +3.4% / +1.7ポイント
    target: str  # 2030年度（令和12年度）目標 3,000人・試算値 (or 目標未設定)
    target_short: str  # 2030年度目標 3,000人・試算値 (tables: no era in brackets)
    basis: str  # 公表値 / 試算値 / ""
    target_label: str  # 2030年度目標（試算値）: a metric's label, so its value can be the figure alone
    target_amount: str  # 3,000人
    has_target: bool
    progress: str  # 達成率 71.5%
    progress_pct: str  # 71.5%
    plan: str
    status_text: str
    outlook_text: str
    status_why: str
    outlook_why: str
    why: str  # 現状 and 見通し in one sentence
    summary: str  # the KPI sentence
    closed: str
    needed: str  # 年平均+4.9%
    achieved: str
    projected_label: str
    projected: str
    projected_range: str
    source: str  # the data's sources and the target's, one line
    sources: tuple[str, ...]
    target_source: str
    as_of: str
    series: pd.DataFrame
    glide: pd.DataFrame | None
    target_row: dict | None
    projection: object
    shocks: tuple[int, ...]
    peers: pd.DataFrame
    chart: chart_spec.ChartSpec
    what_if_start: float | None  # percent a year; None without a dated target
    owner: str = ""  # 担当: unit (and person), or 未設定
    checkin: str = ""  # the latest check-in in one line, the owner's own status beside the evaluator's
    checkin_row: dict | None = None  # that check-in as stored (kpi.store.notes)
    events: pd.DataFrame | None = None  # dated events drawn on the chart (its own and those on every KPI)
    events_text: str = ""  # the same events in words (出来事：…)
    reach: tuple = field(default=())  # (latest period, value, target value, direction) for the what-if
    row: dict = field(default_factory=dict)  # the scorecard's row the strings were written from

    @property
    def verdicts(self) -> str:
        """「現状：▼ 計画遅れ　見通し：↗ 達成見込み」: both verdicts, each named (a slide's headline, a PDF page)."""
        def kept(text: str) -> str:  # 「－ 目標未設定」 never breaks between its mark and its word
            return text.replace(" ", "\u00a0")

        return (labelled("sc.col.now", kept(self.status_text), self.lang) + ("　" if self.lang == "ja" else "   ")
                + labelled("sc.col.outlook", kept(self.outlook_text), self.lang))

    @functools.cached_property
    def history(self) -> pd.DataFrame:
        """Period, reference, value, plan, target, gap and status of every figure, newest first (the Indicator page)."""
        return _history(self.series, self.row, self.lang)

    @functools.cached_property
    def description(self) -> str:
        """The chart's one-sentence text alternative (worked out when first asked for: it draws the figure)."""
        return a11y.figure_description(charts.render_kpi(self.chart), self.lang)

    def what_if(self, growth_pct: float) -> str:
        """「年平均+4.9%で推移すると、目標到達は2030年度…の見通しです。」 for a slider value in percent a year."""
        period, value, target, direction = self.reach
        reached = year_reached(period, value, target, growth_pct / 100, direction=direction)
        pct = format_percent(growth_pct, signed=True)
        if reached is None:
            return t("what_if_never", self.lang, pct=pct, years=HORIZON)
        return t("what_if_result", self.lang, pct=pct, period=period_label(reached, self.period_kind, self.lang))


def _per_year(rate, lang: str) -> str:
    return "–" if _missing(rate) else t("per_year", lang, pct=format_percent(100 * rate, signed=True))


def _target_short(row, lang: str) -> str:
    if _missing(row["target_period"]):
        if row.get("closed_result") and not _missing(row.get("closed_target_period")):
            return t("sc.target_closed", lang, result=t(f"eval.status.{row['closed_result']}", lang),
                     period=period_label(int(row["closed_target_period"]), row["period_kind"], lang, short=True),
                     value=format_value(row["closed_target_value"], row["unit"], lang))
        return target_text(row, lang, short=True)
    return target_text(row, lang, short=True)


def _target_label(row, basis: str, lang: str) -> str:
    if _missing(row.get("target_value")) or not basis:
        return t("sc.col.target", lang)
    if _missing(row.get("target_period")):
        return t("view.target_label_undated", lang, basis=basis)
    return t("view.target_label", lang, basis=basis,
             period=period_label(int(row["target_period"]), row["period_kind"], lang, short=True))


def _history(series: pd.DataFrame, row, lang: str) -> pd.DataFrame:
    kind, unit = row["period_kind"], row["unit"]
    return pd.DataFrame({
        "period": [period_label(int(p), kind, lang) for p in series["period"]],
        "reference": [reference_label(p, row["reference_kind"], lang) for p in series["period"]],
        "value": [format_value(v, unit, lang) for v in series["value"]],
        "plan": [format_value(v, unit, lang) for v in series["plan"]],
        "target": [target_text(r, lang) for r in series.to_dict("records")],
        "gap": ["–" if _missing(g) or not math.isfinite(g) else format_percent(g, signed=True)
                for g in series["gap_pct"]],
        "status": [status_text(s, lang) for s in series["status"]],
    }, columns=["period", "reference", "value", "plan", "target", "gap", "status"]).iloc[::-1]


def _source(sources: list[str], row, lang: str) -> str:
    data = "; ".join(source_text(s, lang) for s in sources) or t("illustrative", lang)
    if row.get("target_source"):
        data += t("pub.target_source", lang, source=source_text(row["target_source"], lang))
    return data


def _projection_texts(row, lang: str) -> tuple[str, str, str]:
    if _missing(row.get("projected_value")) or _missing(row.get("target_period")):
        return "", "", ""
    unit = row["unit"]
    label = t("sc.projected", lang, period=period_label(int(row["target_period"]), row["period_kind"], lang))
    band = (t("sc.range", lang, lower=format_value(row["projected_lower"], unit, lang),
              upper=format_value(row["projected_upper"], unit, lang)) if not _missing(row.get("projected_lower"))
            else "")
    return label, format_value(row["projected_value"], unit, lang), band


def _peer_rows(snap) -> pd.DataFrame | None:
    """The indicator rows that belong to other institutions (few), so each KPI's peers are found in them."""
    rows = snap.datasets.get("indicators")
    if rows is None or rows.empty or "institution" not in rows:
        return rows
    return rows[rows["institution"].fillna("").ne("")]


def build(snap, indicator: str, lang: str, *, as_of: str = "", series: pd.DataFrame | None = None,
          peer_rows: pd.DataFrame | None = None, checkins: dict[str, dict] | None = None) -> KpiView:
    """The view of ``indicator`` from a kpi.store.snapshot.Snapshot (its scorecard row, series and targets, and its
    check-ins and events: ``checkins`` is kpi.store.notes.latest_checkins of the snapshot's, when known)."""
    registry = snap.registry
    notes = getattr(snap, "notes", None) or {}
    checkins = latest_checkins(notes.get("checkins")) if checkins is None else checkins
    events = events_for(notes.get("events"), indicator)
    spec = registry.loc[indicator]
    row = snap.scorecard.set_index("indicator").loc[indicator].to_dict() | {"indicator": indicator}
    series = snap.series(indicator) if series is None else series
    unit, kind = row["unit"], row["period_kind"]
    has_target = not _missing(row["target_period"])
    has_progress = not _missing(row.get("progress_pct"))
    target = (target_in_force(snap.datasets.get("targets"), indicator, int(row["period"]))
              if has_target and not _missing(row["period"]) else None)
    glide = glide_frame(target) if target is not None else None
    projection = snap.projections.get(indicator) if has_target else None
    shocks = tuple(parse_periods(spec["shock_periods"])) if "shock_periods" in registry.columns else ()
    peers = peer_values(_peer_rows(snap) if peer_rows is None else peer_rows, indicator=indicator,
                        scale=100.0 if unit == "percent" else 1.0)
    name = indicator_name(registry, indicator, lang)
    target_row = {"target": row["target_value"], "target_period": row["target_period"]} if has_target else None
    chart = chart_spec.kpi(series, unit=unit, period_kind=kind, lang=lang, target=target_row, glide=glide,
                           projection=projection, peers=peers, shocks=shocks, title=name, events=events)
    basis = basis_label(row, lang)
    when = reference_label(row["period"], row["reference_kind"], lang)
    value = format_value(row["value"], unit, lang)
    projected_label, projected, projected_range = _projection_texts(row, lang)
    sources = tuple(snap.sources.get(indicator, []))
    needed = row.get("growth_needed")
    return KpiView(
        indicator=indicator, pillar=row["pillar"], lang=lang, name=name,
        definition=str(spec["definition_ja" if lang == "ja" else "definition_en"]), unit=unit, period_kind=kind,
        direction=row["direction"], status=row["status"], outlook=row["outlook"] or "", value=value, when=when,
        period=when, headline=t("deck.headline", lang, value=value, period=when),
        change=change_text(row, lang), change_amount=change_amount(row, lang),
        target=with_basis(target_text(row, lang), basis, lang),
        target_short=with_basis(_target_short(row, lang), basis, lang), basis=basis, has_target=has_target,
        target_label=_target_label(row, basis, lang), target_amount=format_value(row["target_value"], unit, lang),
        # Also against a target whose source gives no year (not judged, but its 達成率 is a fact): the Overview's
        # progress bar, the KPI sentence, the deck and the PDF all show it.
        progress=t("progress", lang, pct=format_percent(row["progress_pct"], lang=lang)) if has_progress else "",
        progress_pct=format_percent(row["progress_pct"], lang=lang) if has_progress else "–",
        plan=format_value(row.get("plan"), unit, lang),
        status_text=status_text(row["status"], lang), outlook_text=outlook_text(row["outlook"], lang),
        status_why=sentence_case(status_why(row, lang)), outlook_why=sentence_case(outlook_why(row, lang)),
        why=verdict_sentence(row, lang), summary=kpi_sentence(row, registry, lang), closed=closed_text(row, lang),
        needed="–" if _missing(needed) else t("per_year", lang, pct=format_percent(
            needed_percent(needed, row["direction"]), signed=True)), achieved=_per_year(row.get("growth_achieved"), lang),
        projected_label=projected_label, projected=projected, projected_range=projected_range,
        source=_source(list(sources), row, lang), sources=sources,
        target_source=source_text(row["target_source"], lang) if row.get("target_source") else "", as_of=as_of,
        series=series, glide=glide, target_row=target_row, projection=projection, shocks=shocks, peers=peers,
        chart=chart, row=row,
        what_if_start=what_if_start(needed, row["direction"]) if has_target and not _missing(needed) else None,
        reach=(int(row["period"]), row["value"], row["target_value"], row["direction"])
        if has_target and not _missing(row["period"]) else (),
        owner=owner_text(row, lang), checkin=checkin_text(checkins.get(indicator), row, lang),
        checkin_row=checkins.get(indicator), events=events, events_text=events_line(events, lang),
    )


_MEMO: dict[tuple, tuple[object, list[KpiView]]] = {}
_MEMO_SIZE = 16
_MEMO_LOCK = threading.Lock()


def build_all(snap, lang: str, *, pillars=None, as_of: str = "") -> list[KpiView]:
    """Every KPI of the snapshot's scorecard (of ``pillars``), in its order (pillar, then registry).

    Views are immutable: the list for one snapshot object, language and pillars is built once and shared (the app
    keeps one snapshot per revision and day, so every session's Overview and deck reuse it)."""
    key = (id(snap), lang, tuple(pillars or ()), as_of)
    if (hit := _MEMO.get(key)) is not None and hit[0] is snap:
        return list(hit[1])
    views = _build_all(snap, lang, pillars=pillars, as_of=as_of)
    with _MEMO_LOCK:  # sessions run in threads
        while len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = (snap, views)
    return list(views)


def _build_all(snap, lang: str, *, pillars=None, as_of: str = "") -> list[KpiView]:
    card = snap.scorecard
    shown = card[card["pillar"].isin(pillars)] if pillars else card
    values = snap.values
    parts = dict(tuple(values.groupby("indicator", sort=False)))
    empty = values.iloc[0:0]
    peer_rows = _peer_rows(snap)
    checkins = latest_checkins((getattr(snap, "notes", None) or {}).get("checkins"))
    return [build(snap, i, lang, as_of=as_of, series=parts.get(i, empty), peer_rows=peer_rows, checkins=checkins)
            for i in shown["indicator"]]


def scorecard_frame(views: list[KpiView], values: pd.DataFrame) -> pd.DataFrame:
    """The Overview's scorecard: the views' strings, progress kept numeric so the column sorts, a sparkline."""
    trends = {i: [float(v) for v in part.sort_values("period")["value"].tail(10)]
              for i, part in values.groupby("indicator")}
    rows = [{"id": v.indicator, "name": v.name, "latest": v.value, "when": v.when, "change": v.change_amount or "–",
             "target": v.target_short,
             "progress": None if _missing(v.row.get("progress_pct")) else round(float(v.row["progress_pct"]), 1),
             "now": v.status_text, "outlook": v.outlook_text, "trend": trends.get(v.indicator, [])} for v in views]
    return pd.DataFrame(rows, columns=["id", "name", "latest", "when", "change", "target", "progress", "now",
                                       "outlook", "trend"])
