"""The KPI chart's spec (kpi.views.chart_spec) drawn as vector graphics on an fpdf2 page: text stays text, no browser.

Only what the KPI charts use is drawn: lines (solid, dash, dot), markers (circles, hollow circles, squares), a band
filled "toself", events as dotted vertical lines, the axes' tick values and labels the spec carries, and a legend on
top. Drawing a chart this way takes milliseconds where a browser render takes a quarter of a second, prints sharp at
any size and keeps the period and value labels searchable.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

PT_MM = 0.3528  # one point in millimetres
PX_MM = 0.2  # plotly's line widths and marker sizes (screen pixels) in millimetres on A4
GRID, AXIS, LABEL = (229, 229, 229), (120, 120, 120), (60, 60, 60)
DASHES = {"dash": (1.8, 1.2), "dot": (0.45, 0.9), "dashdot": (1.8, 0.9)}
NAMED = {"white": (255, 255, 255), "black": (0, 0, 0)}


def colour(value, default=(0, 0, 0)) -> tuple[tuple[int, int, int], float]:
    """(r, g, b) and opacity of a plotly colour: #RRGGBB, rgb(…), rgba(…) or white/black."""
    if not value:
        return default, 1.0
    text = str(value).strip().lower()
    if text.startswith("#") and len(text) == 7:
        return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)), 1.0
    if match := re.fullmatch(r"rgba?\(([^)]*)\)", text):
        parts = [float(p) for p in match.group(1).split(",")]
        return (int(parts[0]), int(parts[1]), int(parts[2])), (parts[3] if len(parts) > 3 else 1.0)
    return NAMED.get(text, default), 1.0


def _finite(value) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


@dataclass
class Frame:
    """The plot area in mm and the data ranges it shows."""
    left: float
    top: float
    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def at(self, x: float, y: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (self.left + (float(x) - x0) / ((x1 - x0) or 1) * self.width,
                self.top + self.height - (float(y) - y0) / ((y1 - y0) or 1) * self.height)


def _points(series) -> list[tuple[float, float] | None]:
    """The series' points; None where a value is missing (a gap in the line)."""
    return [(float(x), float(y)) if _finite(x) and _finite(y) else None for x, y in zip(series.periods, series.values)]


def _ranges(spec) -> tuple[tuple[float, float], tuple[float, float]]:
    xs = [float(p) for p in spec.x_ticks]
    low, high = (min(xs), max(xs)) if xs else (0.0, 1.0)
    pad = max(0.5, (high - low) * 0.04)
    return (low - pad, high + pad), spec.y_range


def _marker(pdf, series, x: float, y: float) -> None:
    size = (series.marker_size or 6) * PX_MM
    fill = colour("white" if series.marker == "hollow" else series.colour)[0]
    ring = {"target": (0, 0, 0), "hollow": colour(series.colour)[0]}.get(
        series.kind if series.kind == "target" else series.marker)
    pdf.set_fill_color(*fill)
    if ring:
        pdf.set_draw_color(*ring)
        pdf.set_line_width(max(0.15, (2 if series.marker == "hollow" else 1) * PX_MM))
    style = "DF" if ring else "F"
    if series.marker == "square":
        pdf.rect(x - size / 2, y - size / 2, size, size, style=style)
    else:
        pdf.circle(x, y, size / 2, style=style)


def _stroke(pdf, series) -> bool:
    """Set the pen for the series' line; False when it draws none."""
    if not series.width:
        return False
    pdf.set_draw_color(*colour(series.colour)[0])
    pdf.set_line_width(series.width * PX_MM)
    dash, gap = DASHES.get(series.dash or "", (0, 0))
    pdf.set_dash_pattern(dash=dash, gap=gap)
    return True


def _band(pdf, series, frame: Frame) -> None:
    upper = [p for p in _points(series) if p]
    lower = [(float(x), float(y)) for x, y in zip(series.periods, series.lower) if _finite(x) and _finite(y)]
    rgb, alpha = colour(series.colour)
    pdf.set_fill_color(*rgb)
    with pdf.local_context(fill_opacity=alpha):
        pdf.polygon([frame.at(*p) for p in [*upper, *lower[::-1]]], style="F")


def _events(pdf, series, frame: Frame) -> None:
    """Each event a dotted vertical line across the plot, its short label just above the plot's top."""
    low, high = frame.y_range
    _stroke(pdf, series)
    for at in series.periods:
        x, bottom = frame.at(at, low)
        pdf.line(x, bottom, x, frame.at(at, high)[1])
    pdf.set_dash_pattern()
    pdf.set_text_color(*colour(series.colour)[0])
    for at, label in zip(series.periods, series.period_labels):
        pdf.text(frame.at(at, high)[0] + 0.6, frame.top + 2.5, label)


def _draw_series(pdf, series, frame: Frame) -> None:
    if series.kind == "band":
        _band(pdf, series, frame)
        return
    if series.kind == "event":
        _events(pdf, series, frame)
        return
    points = _points(series)
    if _stroke(pdf, series):
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is None:
                if len(run) > 1:
                    pdf.polyline(run)
                run = []
            else:
                run.append(frame.at(*point))
        pdf.set_dash_pattern()
    if series.marker:
        for point in points:
            if point:
                _marker(pdf, series, *frame.at(*point))


def _legend(pdf, drawn, x: float, y: float, width: float, size: float) -> float:
    """The series' names in a row (wrapping), each after a sample of its line or marker; returns its height."""
    line_h = size * PT_MM * 1.6
    sample = 7.0
    cursor, row = x, 0
    for series in drawn:
        if not series.name:
            continue
        entry = sample + 1.5 + pdf.get_string_width(series.name) + 5
        if cursor + entry > x + width and cursor > x:
            cursor, row = x, row + 1
        middle = y + row * line_h + line_h / 2
        if series.kind == "band":
            rgb, alpha = colour(series.colour)
            pdf.set_fill_color(*rgb)
            with pdf.local_context(fill_opacity=alpha):
                pdf.rect(cursor, middle - 1.2, sample, 2.4, style="F")
        else:
            if _stroke(pdf, series):
                pdf.line(cursor, middle, cursor + sample, middle)
                pdf.set_dash_pattern()
            if series.marker and series.kind != "event":  # an event is a line on the page, not a marker
                _marker(pdf, series, cursor + sample / 2, middle)
        pdf.set_text_color(*LABEL)
        pdf.text(cursor + sample + 1.5, middle + size * PT_MM * 0.35, series.name)
        cursor += entry
    return (row + 1) * line_h


def _axes(pdf, spec, frame: Frame, *, text_h: float, most: int) -> None:
    """Grid lines with the value labels, the period axis with its labels (thinned to ``most``)."""
    x_range, y_range = frame.x_range, frame.y_range
    pdf.set_text_color(*LABEL)
    pdf.set_line_width(0.2)
    for tick, label in zip(spec.y_ticks, spec.y_labels):
        if not y_range[0] <= tick <= y_range[1]:
            continue
        left, level = frame.at(x_range[0], tick)
        pdf.set_draw_color(*GRID)
        pdf.line(left, level, frame.left + frame.width, level)
        pdf.text(left - 1.5 - pdf.get_string_width(label), level + text_h * 0.35, label)
    pdf.set_draw_color(*AXIS)
    bottom = frame.top + frame.height
    pdf.line(frame.left, bottom, frame.left + frame.width, bottom)
    for tick, label in zip(*spec.x_labels(most=most)):
        centre = frame.at(tick, y_range[0])[0]
        pdf.line(centre, bottom, centre, bottom + 1)
        pdf.text(centre - pdf.get_string_width(label) / 2, bottom + 1.5 + text_h, label)


def draw(pdf, spec, *, x: float, y: float, width: float, height: float, font_size: float = 8.5,
         alt_text: str | None = None, title: str | None = None, most: int = 8) -> None:
    """Draw the chart ``spec`` (kpi.views.chart_spec) in the box (mm) at (x, y), as one tagged figure carrying
    ``alt_text`` for screen readers."""
    with pdf._marked_sequence(title=title, alt_text=alt_text):  # fpdf2's /Figure structure element, as image() uses
        pdf.set_font_size(font_size)
        legend_h = _legend(pdf, spec.series, x, y, width, font_size) + 2
        label_w = max([pdf.get_string_width(label) for label in spec.y_labels] or [0]) + 2
        text_h = font_size * PT_MM
        x_range, y_range = _ranges(spec)
        frame = Frame(left=x + label_w, top=y + legend_h, width=width - label_w,
                      height=height - legend_h - text_h - 3, x_range=x_range, y_range=y_range)
        _axes(pdf, spec, frame, text_h=text_h, most=most)
        for series in spec.series:
            _draw_series(pdf, series, frame)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_text_color(0, 0, 0)
        pdf.set_line_width(0.2)
