"""A plotly line chart (the KPI trend) drawn as vector graphics on an fpdf2 page: text stays text, no browser.

Only what the KPI charts use is drawn: lines (solid, dash, dot), markers (circles, hollow circles, squares), a band
filled "toself", the axes' tick values and labels the figure already carries, and a legend on top. Drawing a chart
this way takes milliseconds where a browser render takes a quarter of a second, prints sharp at any size and keeps
the period and value labels searchable.
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


def _points(trace) -> list[tuple[float, float] | None]:
    """The trace's points; None where a value is missing (a gap in the line)."""
    xs, ys = list(trace.x if trace.x is not None else []), list(trace.y if trace.y is not None else [])
    return [(float(x), float(y)) if _finite(x) and _finite(y) else None for x, y in zip(xs, ys)]


def _ranges(fig, traces) -> tuple[tuple[float, float], tuple[float, float]]:
    xs = [p[0] for trace in traces for p in _points(trace) if p]
    ys = [p[1] for trace in traces for p in _points(trace) if p]
    xs += [float(v) for v in (fig.layout.xaxis.tickvals or ())]
    low, high = (min(xs), max(xs)) if xs else (0.0, 1.0)
    pad = max(0.5, (high - low) * 0.04)
    if fig.layout.yaxis.range:
        y_range = (float(fig.layout.yaxis.range[0]), float(fig.layout.yaxis.range[1]))
    else:
        y_range = (min([0.0, *ys]), max([1.0, *ys]))
    return (low - pad, high + pad), y_range


def _marker(pdf, trace, x: float, y: float) -> None:
    marker = trace.marker
    size = (marker.size if isinstance(marker.size, (int, float)) else 6) * PX_MM
    line_colour = colour(marker.line.color)[0] if marker.line and marker.line.color else None
    fill = colour(marker.color or (trace.line.color if trace.line else None))[0]
    pdf.set_fill_color(*fill)
    if line_colour:
        pdf.set_draw_color(*line_colour)
        pdf.set_line_width(max(0.15, (marker.line.width or 1) * PX_MM))
    style = "DF" if line_colour else "F"
    if marker.symbol in ("square", "square-open"):
        pdf.rect(x - size / 2, y - size / 2, size, size, style=style)
    else:
        pdf.circle(x, y, size / 2, style=style)


def _stroke(pdf, trace) -> bool:
    """Set the pen for the trace's line; False when it draws none."""
    line = trace.line
    if line is None or line.width == 0:
        return False
    pdf.set_draw_color(*colour(line.color)[0])
    pdf.set_line_width((line.width or 2) * PX_MM)
    dash, gap = DASHES.get(line.dash or "", (0, 0))
    pdf.set_dash_pattern(dash=dash, gap=gap)
    return True


def _draw_trace(pdf, trace, frame: Frame) -> None:
    points = _points(trace)
    mode = trace.mode or "lines"
    if trace.fill == "toself":
        rgb, alpha = colour(trace.fillcolor)
        pdf.set_fill_color(*rgb)
        with pdf.local_context(fill_opacity=alpha):
            pdf.polygon([frame.at(*p) for p in points if p], style="F")
        return
    if "lines" in mode and _stroke(pdf, trace):
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is None:
                if len(run) > 1:
                    pdf.polyline(run)
                run = []
            else:
                run.append(frame.at(*point))
        pdf.set_dash_pattern()
    if "markers" in mode:
        for point in points:
            if point:
                _marker(pdf, trace, *frame.at(*point))


def _legend(pdf, traces, x: float, y: float, width: float, size: float) -> float:
    """The traces' names in a row (wrapping), each after a sample of its line or marker; returns its height."""
    line_h = size * PT_MM * 1.6
    sample = 7.0
    cursor, row = x, 0
    for trace in traces:
        if not trace.name or trace.showlegend is False:
            continue
        entry = sample + 1.5 + pdf.get_string_width(str(trace.name)) + 5
        if cursor + entry > x + width and cursor > x:
            cursor, row = x, row + 1
        middle = y + row * line_h + line_h / 2
        if trace.fill == "toself":
            rgb, alpha = colour(trace.fillcolor)
            pdf.set_fill_color(*rgb)
            with pdf.local_context(fill_opacity=alpha):
                pdf.rect(cursor, middle - 1.2, sample, 2.4, style="F")
        else:
            if "lines" in (trace.mode or "lines") and _stroke(pdf, trace):
                pdf.line(cursor, middle, cursor + sample, middle)
                pdf.set_dash_pattern()
            if "markers" in (trace.mode or ""):
                _marker(pdf, trace, cursor + sample / 2, middle)
        pdf.set_text_color(*LABEL)
        pdf.text(cursor + sample + 1.5, middle + size * PT_MM * 0.35, str(trace.name))
        cursor += entry
    return (row + 1) * line_h


def draw(pdf, fig, *, x: float, y: float, width: float, height: float, font_size: float = 8.5,
         alt_text: str | None = None, title: str | None = None) -> None:
    """Draw ``fig`` in the box (mm) at (x, y), as one tagged figure carrying ``alt_text`` for screen readers."""
    traces = [trace for trace in fig.data if trace.type == "scatter"]
    with pdf._marked_sequence(title=title, alt_text=alt_text):  # fpdf2's /Figure structure element, as image() uses
        pdf.set_font_size(font_size)
        legend_h = _legend(pdf, traces, x, y, width, font_size) + 2
        y_ticks = [float(v) for v in (fig.layout.yaxis.tickvals or ())]
        y_labels = [str(v) for v in (fig.layout.yaxis.ticktext or y_ticks)]
        label_w = max([pdf.get_string_width(label) for label in y_labels] or [0]) + 2
        text_h = font_size * PT_MM
        x_range, y_range = _ranges(fig, traces)
        frame = Frame(left=x + label_w, top=y + legend_h, width=width - label_w,
                      height=height - legend_h - text_h - 3, x_range=x_range, y_range=y_range)
        pdf.set_text_color(*LABEL)
        pdf.set_line_width(0.2)
        for tick, label in zip(y_ticks, y_labels):
            if not y_range[0] <= tick <= y_range[1]:
                continue
            left, level = frame.at(x_range[0], tick)
            pdf.set_draw_color(*GRID)
            pdf.line(left, level, frame.left + frame.width, level)
            pdf.text(left - 1.5 - pdf.get_string_width(label), level + text_h * 0.35, label)
        pdf.set_draw_color(*AXIS)
        bottom = frame.top + frame.height
        pdf.line(frame.left, bottom, frame.left + frame.width, bottom)
        x_ticks = [float(v) for v in (fig.layout.xaxis.tickvals or ())]
        for tick, label in zip(x_ticks, [str(v) for v in (fig.layout.xaxis.ticktext or x_ticks)]):
            centre = frame.at(tick, y_range[0])[0]
            pdf.line(centre, bottom, centre, bottom + 1)
            pdf.text(centre - pdf.get_string_width(label) / 2, bottom + 1.5 + text_h, label)
        for trace in traces:
            _draw_trace(pdf, trace, frame)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_text_color(0, 0, 0)
        pdf.set_line_width(0.2)
