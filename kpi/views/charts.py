"""Plotly figures for the app and the exports: colour-blind-safe (Okabe–Ito), bilingual, period-labelled axes."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from kpi.ingest.countries import country_name
from kpi.text.i18n import axis_ticks, format_value, period_label, school_name, t

# Okabe & Ito (2008) hues, safe for the common colour-vision deficiencies, darkened where needed so that every line,
# marker and bar stands out from the white plot at 3:1 or more (WCAG 1.4.11); the yellow, which cannot, became olive.
PLOT_BACKGROUND = "#FFFFFF"
PALETTE = ["#0072B2", "#A86800", "#008060", "#AD4F8A", "#2B8BC6", "#C45500", "#7E6F00", "#000000"]
# Status colours are also used for the status word on slides: 4.5:1 or more on white, as text needs.
STATUS_COLOURS = {"achieved": "#0072B2", "missed": "#B34E00", "on_track": "#007A5A", "at_risk": "#9A5F00",
                  "behind": "#B34E00", "off_track": "#B34E00", "stale": "#AD4F8A", "before_baseline": "#666666",
                  "no_data": "#666666", "no_target": "#666666", "undated": "#666666"}
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
    """At most ``most`` period labels, written horizontally (a slanted axis takes half a slide)."""
    periods = sorted({int(p) for p in periods})
    step = max(1, math.ceil(len(periods) / most))
    shown = periods[::-1][::step][::-1]  # count back from the latest period, which is always labelled
    fig.update_xaxes(tickvals=shown, ticktext=[period_label(p, period_kind, lang, short=True) for p in shown],
                     tickangle=0)


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
    fig = go.Figure()
    labels = [period_label(p, period_kind, lang) for p in series["period"]]
    values = [format_value(v, unit, lang) for v in series["value"]]
    fig.add_trace(go.Scatter(x=series["period"], y=series["value"], name=t("actual", lang), mode="lines+markers",
                             line={"color": PALETTE[0], "width": 2 if small else 3}, marker={"size": 4 if small else 7},
                             customdata=list(zip(labels, values)), hovertemplate="%{customdata[0]}: %{customdata[1]}"
                             "<extra></extra>"))
    periods = list(series["period"])
    shocked = series[series["period"].isin(shocks)]
    if not shocked.empty and not small:
        fig.add_trace(go.Scatter(x=shocked["period"], y=shocked["value"], mode="markers", name=t("sc.shock", lang),
                                 marker={"size": 11, "color": "white", "line": {"color": "#777777", "width": 2}},
                                 hoverinfo="skip"))
    if glide is not None and not glide.empty:
        fig.add_trace(go.Scatter(x=glide["period"], y=glide["expected"], name=t("glide_path", lang), mode="lines",
                                 line={"color": PALETTE[1], "dash": "dash", "width": 1.5 if small else 2},
                                 hoverinfo="skip"))
        periods += list(glide["period"])
    if projection is not None and not small:
        band = projection.frame
        if band["lower"].notna().any():
            fig.add_trace(go.Scatter(x=list(band["period"]) + list(band["period"])[::-1],
                                     y=list(band["upper"]) + list(band["lower"])[::-1], fill="toself", mode="lines",
                                     fillcolor="rgba(86,180,233,0.25)", line={"width": 0}, hoverinfo="skip",
                                     name=t("interval", lang)))
        fig.add_trace(go.Scatter(x=band["period"], y=band["mean"], mode="lines", name=t("projection", lang),
                                 line={"color": PALETTE[4], "dash": "dot", "width": 2},
                                 customdata=[format_value(v, unit, lang) for v in band["mean"]],
                                 hovertemplate="%{customdata}<extra></extra>"))
        periods += list(band["period"])
    for peer, part in (peers.groupby("institution") if peers is not None and not peers.empty else []):
        fig.add_trace(go.Scatter(x=part["period"], y=part["value"], mode="lines+markers", name=str(peer),
                                 line={"color": "#777777", "width": 1.5}, marker={"symbol": "square", "size": 5}))
        periods += list(part["period"])
    if target is not None and not pd.isna(target.get("target")):
        tp = int(target["target_period"])
        fig.add_trace(go.Scatter(x=[tp], y=[target["target"]], name=t("target", lang), mode="markers",
                                 marker={**TARGET_MARKER, "size": 8 if small else 14},
                                 hovertemplate=t("target_line", lang, value=format_value(target["target"], unit, lang),
                                                 period=period_label(tp, period_kind, lang)) + "<extra></extra>"))
        periods.append(tp)
    if small:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, height=90, legend=False)
    periods += event_lines(fig, events, period_kind=period_kind, lang=lang)
    _period_axis(fig, periods, period_kind, lang, most=6)  # a trend reads with fewer labels; they fit a phone
    value_axis(fig, lang, unit=unit)
    fig.update_yaxes(title_text=None)
    fig.update_xaxes(title_text=t("fiscal_year" if period_kind == "fiscal" else "year", lang))
    return _layout(fig, height=360, title=title)


EVENT_COLOUR = "#6A3D9A"


def event_lines(fig: go.Figure, events: pd.DataFrame | None, *, period_kind: str, lang: str) -> list[int]:
    """One dotted vertical line per event, all in one legend entry 出来事, with the event's words on hover and
    above the plot; returns the periods the lines need on the axis. Labels are user text: escaped here."""
    from kpi.text.safe_text import html
    from kpi.views.notes_text import event_period, event_text

    if events is None or events.empty:
        return []
    ys = [float(y) for trace in fig.data for y in (trace.y if trace.y is not None else ())
          if y is not None and not pd.isna(y) and math.isfinite(float(y))]
    low, high = min([0.0, *ys]), max([1.0, *ys])
    xs, yy, words = [], [], []
    for event in events.to_dict("records"):
        at = event_period(event["event_date"], period_kind)
        text = event_text(event, lang)
        xs += [at, at, None]
        yy += [low, high, None]
        words += [text, text, None]
        fig.add_annotation(x=at, y=1.0, yref="paper", yanchor="bottom", showarrow=False, textangle=0,
                           text=html(str(event["label"])[:24]), font={"size": 11, "color": EVENT_COLOUR})
    fig.add_trace(go.Scatter(x=xs, y=yy, mode="lines", name=t("events", lang), hovertext=words, hoverinfo="text",
                             meta={"kind": "events"},
                             line={"color": EVENT_COLOUR, "dash": "dot", "width": 1.5}))
    return [math.floor(x) for x in xs if x is not None]


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
