"""Text alternatives for charts (a sentence and the table behind them) and the colours' contrast ratios (WCAG 2.1)."""

from __future__ import annotations

import math
import numbers

import pandas as pd

from kpi.text.i18n import period_label, t
from metrics.periods import PeriodError

# Hatching for the second, third, ... bar series, so a category never depends on colour alone (WCAG 1.4.1).
BAR_PATTERNS = ["", "/", ".", "x", "-", "|", "+", "\\"]


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    value = colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker; AA asks 4.5 for text, 3 for graphics and large text."""
    light, dark = sorted([relative_luminance(foreground), relative_luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, numbers.Real):
        return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    return str(value)


def _tick_labels(fig) -> dict:
    """The x axis's own labels (FY2024 / 2024年度) for the periods it shows, so a sentence reads like the chart."""
    axis = fig.layout.xaxis
    if axis.tickvals is None or axis.ticktext is None:
        return {}
    return {_key(v): str(text) for v, text in zip(axis.tickvals, axis.ticktext)}


def _key(value):
    """Periods as plain ints (plotly hands back numpy numbers or floats)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    return value


def _plain(text) -> str:
    return str(text or "").replace("<br>", " ").strip()


def _traces(fig) -> list:
    """Traces that carry data; a filled band (an interval drawn as a closed shape) is described by its centre line."""
    return [trace for trace in fig.data if getattr(trace, "fill", None) != "toself" and not _is_events(trace)]


def _is_events(trace) -> bool:
    """The dotted event lines (kpi.views.charts._event_trace): described by their words, not as a series."""
    return isinstance(getattr(trace, "meta", None), dict) and trace.meta.get("kind") == "events"


def _events_part(fig, lang: str) -> list[str]:
    words = [str(w) for trace in fig.data if _is_events(trace) for w in (trace.hovertext or ()) if w]
    unique = list(dict.fromkeys(words))
    return [t("notes.events", lang, events=t("sc.list_sep", lang).join(unique))] if unique else []


def figure_frame(fig, lang: str) -> pd.DataFrame:
    """The numbers drawn in ``fig`` as a long table: series, category (period, country, ...) and value."""
    series, category, value = t("a11y.series", lang), t("a11y.category", lang), t("a11y.value", lang)
    x_title = _plain(fig.layout.xaxis.title.text) or None
    y_title = _plain(fig.layout.yaxis.title.text) or None
    rows = []
    for trace in _traces(fig):
        name = _plain(getattr(trace, "name", None))
        if trace.type == "choropleth":
            names = trace.text if trace.text is not None else trace.locations
            rows += [(name, n, z) for n, z in zip(names, trace.z)]
        elif getattr(trace, "orientation", None) == "h":
            rows += [(name, y, x) for x, y in zip(trace.x, trace.y)]
        elif trace.x is not None and trace.y is not None:
            rows += [(name, _key(x), y) for x, y in zip(trace.x, trace.y)]
    frame = pd.DataFrame(rows, columns=[series, category, value])
    frame[value] = pd.to_numeric(frame[value], errors="coerce").round(2)
    horizontal = any(getattr(tr, "orientation", None) == "h" for tr in fig.data)
    labels = {category: (y_title if horizontal else x_title) or category,
              value: (x_title if horizontal else y_title) or value}
    frame = frame.rename(columns={k: v for k, v in labels.items() if v not in (series,)})
    if frame[series].replace("", pd.NA).isna().all():
        frame = frame.drop(columns=series)
    return frame


def _parts(fig, lang: str) -> list[str]:
    """Each series from its first to its last point, or its top (bars, maps), in words."""
    label_x, suffix = _writing(fig, lang)
    parts = []
    for trace in _traces(fig):
        name = _plain(getattr(trace, "name", None)) or t("a11y.value", lang)
        if trace.type == "choropleth":
            if trace.z is None or not len(trace.z):
                continue
            names = list(trace.text if trace.text is not None else trace.locations)
            top = max(range(len(trace.z)), key=lambda i: trace.z[i])
            parts.append(t("a11y.map_part", lang, n=len(names), top=names[top], value=_number(trace.z[top])))
        elif getattr(trace, "orientation", None) == "h":
            if trace.x is None or not len(trace.x):
                continue
            top = max(range(len(trace.x)), key=lambda i: trace.x[i])
            parts.append(t("a11y.ranked_part", lang, n=len(trace.x), top=trace.y[top], value=_number(trace.x[top])))
        elif trace.x is not None and len(trace.x):
            points = sorted(_points(trace, label_x, suffix), key=lambda p: p[0])
            if not points:
                continue
            (_, x0, y0), (_, x1, y1) = points[0], points[-1]
            if len(points) == 1:
                parts.append(t("a11y.point_part", lang, name=name, x=x0, value=y0))
            else:
                parts.append(t("a11y.series_part", lang, name=name, x0=x0, y0=y0, x1=x1, y1=y1))
    return parts + _events_part(fig, lang)


def figure_description(fig, lang: str) -> str:
    """One sentence from the figure itself: its title, each series from its first to its last point (or its top)."""
    title = _plain(fig.layout.title.text)
    parts = _parts(fig, lang)
    if not parts:
        return t("a11y.chart_empty", lang, title=title)
    joined = t("a11y.separator", lang).join(parts)
    return t("a11y.chart_sentence", lang, title=title, parts=joined) if title else \
        t("a11y.chart_sentence_untitled", lang, parts=joined)


def with_facts(alt: str, fig, lang: str) -> str:
    """A page's own sentence for its chart, followed by the numbers drawn (a title alone tells a listener nothing)."""
    parts = _parts(fig, lang)
    if not parts:
        return alt
    stop = "" if alt.rstrip().endswith(("。", ".", "．")) else ("。" if lang == "ja" else ".")
    return f"{alt.rstrip()}{stop}{'' if lang == 'ja' else ' '}" + t("a11y.facts", lang,
                                                                   parts=t("a11y.separator", lang).join(parts))


def _labelled(trace) -> list[tuple]:
    """(x, y, label, text) where customdata holds the (period label, formatted value) pair the chart hovers."""
    custom = list(trace.customdata) if getattr(trace, "customdata", None) is not None else []
    found = []
    xs, ys = getattr(trace, "x", None), getattr(trace, "y", None)
    for x, y, entry in zip(xs if xs is not None else [], ys if ys is not None else [], custom):
        if isinstance(entry, list | tuple) and len(entry) == 2 and all(isinstance(e, str) for e in entry):
            found.append((_key(x), y, *entry))
    return found


def _reads_as(x: int, kind: str, short: bool, lang: str) -> str | None:
    """``x`` written as a period, or None where it cannot be one (a count of 0 has no Japanese era)."""
    try:
        return period_label(x, kind, lang, short=short)
    except PeriodError:
        return None


def _writing(fig, lang: str):
    """How this chart writes its periods and values, learnt from its axis or hover labels, for every series."""
    hovered = {x: label for trace in fig.data for x, _, label, _ in _labelled(trace)}
    known = hovered or _tick_labels(fig)
    kinds = [(kind, short) for kind in ("fiscal", "calendar") for short in (False, True)
             if known and all(isinstance(x, int) and _reads_as(x, kind, short, lang) == label
                              for x, label in known.items())]
    suffixes = {text.removeprefix(_number(y)) for trace in fig.data for _, y, _, text in _labelled(trace)
                if text.startswith(_number(y))}
    suffix = suffixes.pop() if len(suffixes) == 1 else ""

    def label_x(x):
        if kinds and isinstance(x, int):  # every period written the same way, also those without a label of their own
            return period_label(x, kinds[0][0], lang, short=kinds[0][1])
        return known.get(x, x)

    return label_x, suffix


def _points(trace, label_x, suffix: str) -> list[tuple]:
    """(x, x as written, y as written) for every point with a value."""
    points = []
    for x, y in zip(trace.x, trace.y):
        if y is None or (isinstance(y, float) and math.isnan(y)):
            continue
        x = _key(x)
        points.append((x, label_x(x), _number(y) + suffix))
    return points


def distinguish_without_colour(fig) -> None:
    """Bars of several series get a hatching each (the legend shows it too), not only a colour."""
    bars = [trace for trace in fig.data if trace.type == "bar"]
    if len(bars) < 2:
        return
    for index, trace in enumerate(bars):
        trace.marker.pattern.update(shape=BAR_PATTERNS[index % len(BAR_PATTERNS)], fgcolor="white",
                                    fillmode="overlay")
