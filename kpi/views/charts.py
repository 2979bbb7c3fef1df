"""Plotly figures for the app and the exports: colour-blind-safe (Okabe–Ito), bilingual, period-labelled axes."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from kpi.ingest.countries import country_name
from kpi.text.i18n import axis_ticks, format_value, period_label, school_name, t
from kpi.views import chart_spec

# The palette (Okabe–Ito, 3:1 on white) lives with the KPI chart's spec (kpi.views.chart_spec).
PLOT_BACKGROUND = "#FFFFFF"
PALETTE = chart_spec.PALETTE
# The target is a filled square: a shape no status or outlook icon uses (★ ✕ ▲ ◆ ▼ ！ ◇ － ○ ↗ ↘ ？).
TARGET_MARKER = {"symbol": "square", "color": PALETTE[5], "line": {"color": "#000000", "width": 1}}
FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Meiryo, sans-serif"
TOPOJSON_URL = "app/static/topojson/"  # bundled world_110m.json; plotly would otherwise fetch it from a CDN


def _layout(fig: go.Figure, *, height: int, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
                      font={"family": FONT}, title={"text": title} if title else None, colorway=PALETTE,
                      showlegend=legend, legend={"orientation": "h", "y": -0.3}, plot_bgcolor=PLOT_BACKGROUND,
                      hoverlabel={"font": {"family": FONT}})
    fig.update_yaxes(gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def _period_axis(fig: go.Figure, periods, period_kind: str, lang: str, *, most: int = 10) -> None:
    """At most ``most`` period labels, written horizontally where they fit (a slanted axis takes half a slide) and
    slanted by plotly only where they would overlap (「2014年度2015年度…」 on a phone)."""
    periods = sorted({int(p) for p in periods})
    step = max(1, math.ceil(len(periods) / most))
    shown = periods[::-1][::step][::-1]  # count back from the latest period, which is always labelled
    fig.update_xaxes(tickvals=shown, ticktext=[period_label(p, period_kind, lang, short=True) for p in shown])


def value_axis(fig: go.Figure, lang: str, *, unit: str = "", axis: str = "y", stacked: bool = False) -> None:
    """Round ticks labelled by Babel (12,000 or 1.2万, never plotly's 12k) over every trace's values."""
    sums: dict = {}
    values: list[float] = []
    for trace in fig.data:
        xs, ys = (trace.y, trace.x) if axis == "x" else (trace.x, trace.y)
        if ys is None:
            continue
        for x, y in zip(xs if xs is not None else range(len(ys)), ys):
            if y is None or (isinstance(y, float) and math.isnan(y)):
                continue
            values.append(float(y))
            sums[x] = sums.get(x, 0.0) + float(y)
    if stacked:
        values = list(sums.values())
    if not values:
        return
    ticks, labels = axis_ticks(min(values), max(values), lang, unit=unit)
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    top = ticks[-1] + (ticks[-1] - ticks[0]) * 0.04  # a marker on the top tick is drawn whole
    update(tickvals=ticks, ticktext=labels, range=[min(0, ticks[0]), top])


def kpi_trend(series: pd.DataFrame, *, unit: str, period_kind: str, lang: str, target: pd.Series | None = None,
              glide: pd.DataFrame | None = None, small: bool = False, title: str | None = None,
              projection=None, peers: pd.DataFrame | None = None, shocks: tuple[int, ...] = (),
              events: pd.DataFrame | None = None) -> go.Figure:
    """Actual values, the glide path and the target marked at its period; ``small`` for the overview sparkline.

    ``events`` (kpi.store.notes: event_date, label) are drawn as dotted vertical lines where their dates fall.

    Values in ``shocks`` (left out of the trend fit) are drawn as hollow grey markers, named in the legend.
    """
    spec = chart_spec.kpi(series, unit=unit, period_kind=period_kind, lang=lang, target=target, glide=glide,
                          projection=None if small else projection, peers=peers, shocks=() if small else shocks,
                          title=title, events=None if small else events)
    return render_kpi(spec, small=small)


def _trace(item: chart_spec.Series, *, small: bool, lang: str) -> go.Scatter:
    """One series of the spec as a plotly trace."""
    if item.kind == "band":
        return go.Scatter(x=list(item.periods) + list(item.periods)[::-1], y=list(item.values) + list(item.lower)[::-1],
                          fill="toself", mode="lines", fillcolor=item.colour, line={"width": 0}, hoverinfo="skip",
                          name=item.name)
    mode = "+".join(part for part, on in (("lines", item.width > 0), ("markers", bool(item.marker))) if on)
    trace = {"x": list(item.periods), "y": list(item.values), "name": item.name, "mode": mode}
    if item.width:
        trace["line"] = {"color": item.colour, "width": item.width * (0.7 if small else 1), "dash": item.dash or None}
    if item.marker == "hollow":
        trace["marker"] = {"size": item.marker_size, "color": "white", "line": {"color": item.colour, "width": 2}}
    elif item.marker == "square" and item.kind == "target":
        trace["marker"] = {**TARGET_MARKER, "color": item.colour, "size": 8 if small else item.marker_size}
    elif item.marker:
        trace["marker"] = {"symbol": item.marker, "size": 4 if small else item.marker_size, "color": item.colour}
    if item.kind == "target":
        trace["hovertemplate"] = t("target_line", lang, value=item.labels[0], period=item.period_labels[0]) + "<extra></extra>"
    elif item.period_labels:
        trace["customdata"] = list(zip(item.period_labels, item.labels))
        trace["hovertemplate"] = "%{customdata[0]}: %{customdata[1]}<extra></extra>"
    elif item.labels:
        trace["customdata"] = list(item.labels)
        trace["hovertemplate"] = "%{customdata}<extra></extra>"
    elif item.kind in ("shock", "glide"):
        trace["hoverinfo"] = "skip"
    return go.Scatter(**trace)


def render_kpi(spec: chart_spec.ChartSpec, *, small: bool = False, most: int = 6) -> go.Figure:
    """The spec drawn by plotly: the app's chart, presentation mode's and the PNG export's."""
    fig = go.Figure([_trace(item, small=small, lang=spec.lang) for item in spec.series if item.kind != "event"])
    if small:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, height=90, legend=False)
    shown, labels = spec.x_labels(most=most)  # a trend reads with few labels
    fig.update_xaxes(tickvals=shown, ticktext=labels, title_text=spec.x_title)  # slanted only where they overlap
    if spec.y_ticks:
        fig.update_yaxes(tickvals=list(spec.y_ticks), ticktext=list(spec.y_labels), range=list(spec.y_range))
    for item in spec.of("event"):
        fig.add_trace(_event_trace(fig, item, spec))
    fig.update_yaxes(title_text=None)
    return _layout(fig, height=360, title=spec.title)


EVENT_COLOUR = chart_spec.EVENT_COLOUR


def _event_trace(fig: go.Figure, item: chart_spec.Series, spec: chart_spec.ChartSpec) -> go.Scatter:
    """The spec's events as one dotted vertical line each, all in one legend entry 出来事, with the event's words on
    hover and its short label above the plot. Labels are user text: escaped here."""
    from kpi.text.safe_text import html

    low, high = spec.y_range
    xs, ys, words = [], [], []
    for at, text, label in zip(item.periods, item.labels, item.period_labels):
        xs += [at, at, None]
        ys += [low, high, None]
        words += [text, text, None]
        fig.add_annotation(x=at, y=1.0, yref="paper", yanchor="bottom", showarrow=False, textangle=0,
                           text=html(label), font={"size": 11, "color": item.colour})
    return go.Scatter(x=xs, y=ys, mode="lines", name=item.name, hovertext=words, hoverinfo="text",
                      meta={"kind": "events"}, line={"color": item.colour, "dash": item.dash, "width": item.width})


def bars_by_year(frame: pd.DataFrame, *, value: str, colour: str | None, period_kind: str, lang: str,
                 colour_label=lambda v: v, title: str | None = None, value_label: str | None = None,
                 stacked: bool = True) -> go.Figure:
    """Bars per period, optionally split by a category (stacked or grouped)."""
    fig = go.Figure()
    groups = [(None, frame)] if colour is None else list(frame.groupby(colour, sort=True))
    for index, (key, part) in enumerate(groups):
        name = colour_label(key) if key is not None else value_label
        labels = [period_label(p, period_kind, lang) for p in part["period"]]
        fig.add_trace(go.Bar(x=part["period"], y=part[value], name=name, marker_color=PALETTE[index % len(PALETTE)],
                             customdata=labels, hovertemplate="%{customdata}: %{y:,.0f}<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="stack" if stacked else "group")
    _period_axis(fig, frame["period"], period_kind, lang)
    value_axis(fig, lang, stacked=stacked)
    fig.update_yaxes(title_text=value_label)
    return _layout(fig, height=380, title=title, legend=colour is not None)


def line_by_year(frame: pd.DataFrame, *, value: str, period_kind: str, lang: str, unit: str,
                 title: str | None = None, value_label: str | None = None) -> go.Figure:
    fig = go.Figure(go.Scatter(x=frame["period"], y=frame[value], mode="lines+markers", name=value_label,
                               line={"color": PALETTE[2], "width": 3},
                               customdata=[format_value(v, unit, lang) for v in frame[value]],
                               hovertemplate="%{customdata}<extra></extra>"))
    _period_axis(fig, frame["period"], period_kind, lang)
    value_axis(fig, lang, unit=unit)
    fig.update_yaxes(title_text=value_label, rangemode="tozero")
    return _layout(fig, height=380, title=title, legend=False)


def ranked_bars(frame: pd.DataFrame, *, category: str, value: str, lang: str, title: str | None = None,
                value_label: str | None = None, countries: bool = True) -> go.Figure:
    """Horizontal bars, largest on top; country codes shown as names in the chosen language."""
    frame = frame.sort_values(value, ascending=True)
    names = [country_name(c, lang) if countries else school_name(c, lang) if category == "school" else c
             for c in frame[category]]
    fig = go.Figure(go.Bar(x=frame[value], y=names, orientation="h", marker_color=PALETTE[0],
                           hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    fig.update_xaxes(title_text=value_label, gridcolor="#e5e5e5")
    value_axis(fig, lang, axis="x")
    return _layout(fig, height=max(260, 28 * len(frame) + 80), title=title, legend=False)


def world_map(frame: pd.DataFrame, *, value: str, lang: str, title: str | None = None,
              value_label: str | None = None) -> go.Figure:
    """Choropleth by ISO alpha-3; draw with ``config={"topojsonURL": TOPOJSON_URL}`` so it renders offline."""
    names = [country_name(c, lang) for c in frame["country"]]
    fig = go.Figure(go.Choropleth(locations=frame["country"], z=frame[value], locationmode="ISO-3", text=names,
                                  colorscale=[[0, "#deebf7"], [1, "#08519c"]], marker_line_color="white",
                                  colorbar={"title": {"text": value_label or ""}},
                                  hovertemplate="%{text}: %{z:,.0f}<extra></extra>"))
    fig.update_geos(showframe=False, showcoastlines=False, projection_type="natural earth",
                    showcountries=True, countrycolor="#bbbbbb", showland=True, landcolor="#f2f2f2")
    return _layout(fig, height=420, title=title, legend=False)
