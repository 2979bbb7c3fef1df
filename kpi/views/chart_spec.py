"""The KPI chart specified once: actual, plan (glide path), target, projection with its band, shock periods, peers,
their colours, line styles, names and the axes' ticks and labels. Three renderers draw it: plotly
(kpi.views.charts.render_kpi), the native PowerPoint chart (kpi.publish.exports._kpi_chart) and the PDF's vector
drawing (kpi.publish.pdf_chart.draw); none of them decides a colour, a name or a tick of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from kpi.text.i18n import axis_ticks, format_value, period_label, t

# Okabe & Ito (2008) hues, safe for the common colour-vision deficiencies, darkened where needed so that every line,
# marker and bar stands out from the white plot at 3:1 or more (WCAG 1.4.11); the yellow, which cannot, became olive.
PALETTE = ["#0072B2", "#A86800", "#008060", "#AD4F8A", "#2B8BC6", "#C45500", "#7E6F00", "#000000"]
BAND_FILL = "rgba(86,180,233,0.25)"
PEER_COLOUR, SHOCK_COLOUR = "#777777", "#777777"
EVENT_COLOUR = "#6A3D9A"  # dated events (kpi.store.notes): dotted vertical lines, a hue no series uses


@dataclass(frozen=True)
class Series:
    """One thing drawn: kind is actual, shock, glide, band, projection, peer, target or event.

    An event series holds every dated event of the chart: ``periods`` where each falls on the axis (inside its
    period: months / 12), ``values`` the height of a marker where a category chart (PowerPoint) cannot draw a
    vertical line, ``labels`` each event in words and ``period_labels`` its short label drawn above the plot.
    """

    kind: str
    name: str
    periods: tuple[float, ...]
    values: tuple[float | None, ...]
    colour: str
    width: float = 0.0  # line width in screen pixels; 0: no line
    dash: str = ""  # "", "dash" or "dot"
    marker: str = ""  # "", "circle", "square" or "hollow" (a white circle with a grey ring)
    marker_size: float = 0.0
    lower: tuple[float | None, ...] = ()  # a band's lower edge (values is its upper)
    labels: tuple[str, ...] = ()  # each point's value as text (hover, alt text)
    period_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartSpec:
    unit: str
    period_kind: str
    lang: str
    title: str | None
    series: tuple[Series, ...]
    x_title: str
    x_ticks: tuple[int, ...]  # every period drawn (renderers thin the labels to what fits)
    y_ticks: tuple[float, ...]
    y_labels: tuple[str, ...]

    def of(self, kind: str) -> list[Series]:
        return [s for s in self.series if s.kind == kind]

    @property
    def periods(self) -> list[int]:
        return list(self.x_ticks)

    def x_labels(self, *, most: int) -> tuple[list[int], list[str]]:
        """At most ``most`` period labels, counted back from the latest (always labelled), written short."""
        step = max(1, math.ceil(len(self.x_ticks) / most))
        shown = list(self.x_ticks)[::-1][::step][::-1]
        return shown, [period_label(p, self.period_kind, self.lang, short=True) for p in shown]

    @property
    def y_range(self) -> tuple[float, float]:
        if not self.y_ticks:
            return 0.0, 1.0
        top = self.y_ticks[-1] + (self.y_ticks[-1] - self.y_ticks[0]) * 0.04  # a marker on the top tick is whole
        return min(0.0, self.y_ticks[0]), top


def _floats(values) -> tuple[float | None, ...]:
    out = []
    for v in values:
        try:
            number = float(v)
        except (TypeError, ValueError):
            number = math.nan
        out.append(number if math.isfinite(number) else None)
    return tuple(out)


def _ints(values) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def _actual(series: pd.DataFrame, unit: str, kind: str, lang: str) -> Series:
    return Series("actual", t("actual", lang), _ints(series["period"]), _floats(series["value"]), PALETTE[0],
                  width=3, marker="circle", marker_size=7,
                  labels=tuple(format_value(v, unit, lang) for v in series["value"]),
                  period_labels=tuple(period_label(int(p), kind, lang) for p in series["period"]))


def _projection(projection, unit: str, lang: str) -> list[Series]:
    band = projection.frame
    out = []
    if band["lower"].notna().any():
        out.append(Series("band", t("interval", lang), _ints(band["period"]), _floats(band["upper"]), BAND_FILL,
                          lower=_floats(band["lower"])))
    out.append(Series("projection", t("projection", lang), _ints(band["period"]), _floats(band["mean"]), PALETTE[4],
                      width=2, dash="dot", labels=tuple(format_value(v, unit, lang) for v in band["mean"])))
    return out


def _target(target, unit: str, kind: str, lang: str) -> Series | None:
    if target is None or pd.isna(target.get("target")) or pd.isna(target.get("target_period")):
        return None
    period = int(target["target_period"])
    return Series("target", t("target", lang), (period,), _floats([target["target"]]), PALETTE[5], marker="square",
                  marker_size=14, labels=(format_value(target["target"], unit, lang),),
                  period_labels=(period_label(period, kind, lang),))


def _events(events: pd.DataFrame | None, actual: Series, top: float, kind: str, lang: str, *,
            span: tuple[int, int]) -> Series | None:
    """The events inside the periods drawn (``span``, first and last): one before the first figure would stretch
    the axis and squeeze the figures into a corner; it is still listed in words beside the chart."""
    from kpi.views.notes_text import event_period, event_text

    if events is None or events.empty:
        return None
    rows = [e for e in events.to_dict("records") if span[0] <= math.floor(event_period(e["event_date"], kind)) <= span[1]]
    if not rows:
        return None
    at = tuple(event_period(e["event_date"], kind) for e in rows)
    heights = {p: v for p, v in zip(actual.periods, actual.values) if v is not None}
    return Series("event", t("events", lang), at, tuple(heights.get(math.floor(x), top) for x in at),
                  EVENT_COLOUR, width=1.5, dash="dot", marker="triangle", marker_size=12,
                  labels=tuple(event_text(e, lang) for e in rows),
                  period_labels=tuple(" ".join(str(e["label"]).split())[:24] for e in rows))


def kpi(series: pd.DataFrame, *, unit: str, period_kind: str, lang: str, target=None, glide=None, projection=None,
        peers: pd.DataFrame | None = None, shocks=(), title: str | None = None,
        events: pd.DataFrame | None = None) -> ChartSpec:
    """The KPI chart: what each output draws for ``series`` (period, value) and its target, plan and projection."""
    series = series[["period", "value"]]  # a values frame carries fifty columns; filtering them all is slow
    drawn: list[Series] = [_actual(series, unit, period_kind, lang)]
    shocked = series[series["period"].isin(list(shocks))]
    if not shocked.empty:
        drawn.append(Series("shock", t("sc.shock", lang), _ints(shocked["period"]), _floats(shocked["value"]),
                            SHOCK_COLOUR, marker="hollow", marker_size=11))
    if glide is not None and not glide.empty:
        drawn.append(Series("glide", t("glide_path", lang), _ints(glide["period"]), _floats(glide["expected"]),
                            PALETTE[1], width=2, dash="dash"))
    if projection is not None:
        drawn += _projection(projection, unit, lang)
    for peer, part in (peers.groupby("institution") if peers is not None and not peers.empty else []):
        drawn.append(Series("peer", str(peer), _ints(part["period"]), _floats(part["value"]), PEER_COLOUR, width=1.5,
                            marker="square", marker_size=5))
    if (target_series := _target(target, unit, period_kind, lang)) is not None:
        drawn.append(target_series)
    values = [v for s in drawn if s.kind != "band" for v in s.values if v is not None]
    values += [v for s in drawn if s.kind == "band" for v in (*s.values, *s.lower) if v is not None]
    ticks, labels = axis_ticks(min(values), max(values), lang, unit=unit) if values else ([], [])
    periods = sorted({math.floor(p) for s in drawn for p in s.periods})
    span = (periods[0], periods[-1]) if periods else (0, -1)
    if (marked := _events(events, drawn[0], float(ticks[-1]) if len(ticks) else 1.0, period_kind, lang,
                          span=span)) is not None:
        drawn.append(marked)
    return ChartSpec(unit=unit, period_kind=period_kind, lang=lang, title=title, series=tuple(drawn),
                     x_title=t("fiscal_year" if period_kind == "fiscal" else "year", lang), x_ticks=tuple(periods),
                     y_ticks=tuple(float(v) for v in ticks), y_labels=tuple(labels))
