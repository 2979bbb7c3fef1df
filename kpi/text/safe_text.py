"""User text stays text: escape Markdown, LaTeX and HTML before it reaches a caption, a message or a chart."""

from __future__ import annotations

import html as _html
import re

from kpi.text.i18n import t

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of them also defuses
# Streamlit's own syntax in Markdown: $…$ (LaTeX), :red[…] / :material/x: (colours and icons), <tags>, links.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'%@/;,?])")
_SPACES = re.compile(r"\s+")
# GFM turns bare addresses into links even when escaped; an invisible word joiner keeps them plain words.
_AUTOLINK = re.compile(r"(://|(?i:www)\.|@)")


def md(text) -> str:
    """``text`` escaped for st.markdown / st.caption / st.info…: shown exactly as typed, on one line."""
    if text is None:
        return ""
    flat = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\u2060" + m.group(0)[-1], _SPACES.sub(" ", str(text)).strip())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def md_t(key: str, lang: str, **params) -> str:
    """The catalogue's text with every parameter escaped as Markdown (file names, notes, people, sources)."""
    return t(key, lang, **{name: md(value) if isinstance(value, str) else value for name, value in params.items()})


def html(text) -> str:
    """``text`` for a Plotly label or hover: tags and entities shown literally, no ``$…$`` typesetting."""
    if text is None:
        return ""
    return _html.escape(str(text), quote=False).replace("$", "&#36;")


# Trace attributes that carry data (names, categories, hover text); titles and templates are ours, not escaped.
_TRACE_TEXT = ("name", "text", "hovertext", "labels", "x", "y", "customdata", "locations")


def _escape_value(value):
    if isinstance(value, str):
        return html(value)
    if isinstance(value, (list, tuple)):
        return [_escape_value(v) for v in value]
    if hasattr(value, "tolist") and getattr(value, "dtype", None) is not None and value.dtype == object:
        return [_escape_value(v) for v in value.tolist()]
    return value


def figure(fig):
    """Escape every data string in a Plotly figure in place (legend names, categories, hover text); returns it.

    Call once, where a figure is drawn (ui.plot, the exports' renderer): our own labels are plain words and
    numbers, so escaping them changes nothing, while a school named ``<b>x</b>`` stays those characters.
    """
    if getattr(fig, "_kpi_text_escaped", False):
        return fig
    for trace in fig.data:
        for name in _TRACE_TEXT:
            if name == "locations" or name not in trace:
                continue  # ISO codes the map looks up, never shown as text; or no such property on this trace type
            try:
                value = trace[name]
            except (KeyError, ValueError):
                continue
            if value is None:
                continue
            escaped = _escape_value(value)
            if escaped is not value:
                trace[name] = escaped
    fig._kpi_text_escaped = True
    return fig
