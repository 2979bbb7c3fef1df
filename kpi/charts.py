"""Plotly figures for the app and the exports: colour-blind-safe (Okabe–Ito), bilingual, period-labelled axes."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from kpi.countries import country_name
from kpi.i18n import format_value, period_label, t

# Okabe & Ito (2008) palette, safe for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STATUS_COLOURS = {"achieved": "#0072B2", "on_track": "#009E73", "at_risk": "#E69F00", "off_track": "#D55E00",
                  "no_data": "#999999", "no_target": "#999999"}
FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Meiryo, sans-serif"
TOPOJSON_URL = "app/static/topojson/"  # bundled world_110m.json; plotly would otherwise fetch it from a CDN


def _layout(fig: go.Figure, *, height: int, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
                      font={"family": FONT}, title={"text": title} if title else None, colorway=PALETTE,
                      showlegend=legend, legend={"orientation": "h", "y": -0.3}, plot_bgcolor="white",
                      hoverlabel={"font": {"family": FONT}})
    fig.update_yaxes(gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def _period_axis(fig: go.Figure, periods, period_kind: str, lang: str) -> None:
    periods = sorted({int(p) for p in periods})
    step = max(1, math.ceil(len(periods) / 10))
    shown = periods[::step]
    fig.update_xaxes(tickvals=shown, ticktext=[period_label(p, period_kind, lang, short=True) for p in shown])


def kpi_trend(series: pd.DataFrame, *, unit: str, period_kind: str, lang: str, target: pd.Series | None = None,
              glide: pd.DataFrame | None = None, small: bool = False, title: str | None = None,
              projection=None, peers: pd.DataFrame | None = None) -> go.Figure:
    """Actual values, the glide path and the target marked at its period; ``small`` for the overview sparkline."""
    fig = go.Figure()
    labels = [period_label(p, period_kind, lang) for p in series["period"]]
    values = [format_value(v, unit, lang) for v in series["value"]]
    fig.add_trace(go.Scatter(x=series["period"], y=series["value"], name=t("actual", lang), mode="lines+markers",
                             line={"color": PALETTE[0], "width": 2 if small else 3}, marker={"size": 4 if small else 7},
                             customdata=list(zip(labels, values)), hovertemplate="%{customdata[0]}: %{customdata[1]}"
                             "<extra></extra>"))
    periods = list(series["period"])
    if glide is not None and not glide.empty:
        fig.add_trace(go.Scatter(x=glide["period"], y=glide["expected"], name=t("glide_path", lang), mode="lines",
                                 line={"color": PALETTE[1], "dash": "dash", "width": 1.5 if small else 2},
                                 hoverinfo="skip"))
        periods += list(glide["period"])
    if projection is not None and not small:
        band = projection.frame
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
                                 marker={"symbol": "star", "size": 10 if small else 16, "color": PALETTE[5]},
                                 hovertemplate=t("target_line", lang, value=format_value(target["target"], unit, lang),
                                                 period=period_label(tp, period_kind, lang)) + "<extra></extra>"))
        periods.append(tp)
    if small:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, height=90, legend=False)
    _period_axis(fig, periods, period_kind, lang)
    fig.update_yaxes(title_text="%" if unit == "percent" else None, ticksuffix="" if unit != "percent" else "")
    fig.update_xaxes(title_text=t("fiscal_year" if period_kind == "fiscal" else "year", lang))
    return _layout(fig, height=360, title=title)


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
                             customdata=labels, hovertemplate="%{customdata}: %{y:,.0f}<extra>" + str(name) + "</extra>"))
    fig.update_layout(barmode="stack" if stacked else "group")
    _period_axis(fig, frame["period"], period_kind, lang)
    fig.update_yaxes(title_text=value_label)
    return _layout(fig, height=380, title=title, legend=colour is not None)


def line_by_year(frame: pd.DataFrame, *, value: str, period_kind: str, lang: str, unit: str,
                 title: str | None = None, value_label: str | None = None) -> go.Figure:
    fig = go.Figure(go.Scatter(x=frame["period"], y=frame[value], mode="lines+markers", name=value_label,
                               line={"color": PALETTE[2], "width": 3},
                               customdata=[format_value(v, unit, lang) for v in frame[value]],
                               hovertemplate="%{customdata}<extra></extra>"))
    _period_axis(fig, frame["period"], period_kind, lang)
    fig.update_yaxes(title_text=value_label, rangemode="tozero")
    return _layout(fig, height=380, title=title, legend=False)


def ranked_bars(frame: pd.DataFrame, *, category: str, value: str, lang: str, title: str | None = None,
                value_label: str | None = None, countries: bool = True) -> go.Figure:
    """Horizontal bars, largest on top; country codes shown as names in the chosen language."""
    frame = frame.sort_values(value, ascending=True)
    names = [country_name(c, lang) if countries else c for c in frame[category]]
    fig = go.Figure(go.Bar(x=frame[value], y=names, orientation="h", marker_color=PALETTE[0],
                           hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    fig.update_xaxes(title_text=value_label, gridcolor="#e5e5e5")
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
