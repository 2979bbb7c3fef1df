"""The Overview's grids (scorecard, 要対応) prepared once and drawn by every session: a run only places them.

Preparing a grid — its cells converted to Arrow, column types and widths, a row height that shows the longest reason
whole, the same rows as a phone list — cost a third of an Overview run when every session did it on every run
(bench/load.py). A :class:`Grid` is built once per revision, language and selection (kpi.app.cache) and is read-only.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import streamlit as st

from kpi.app.ui import WRAP_ROW_PX, table_height, text_px
from kpi.text.i18n import labelled, t

COLUMNS = ("name", "latest", "when", "change", "target", "progress", "now", "outlook", "trend", "why", "owner",
           "checkin")
# Column widths in pixels that fit the main area at 1366×768 (about 980 px of columns beside the sidebar and the
# selection boxes, each column a few pixels more than asked): the scorecard's nine and the 要対応's four add up to 930,
# and the grid stretches them at wider screens. 「前年（度）比」 and 「+0.1ポイント」 need 94 px to stay on one line.
WIDTHS = {"name": 164, "latest": 72, "when": 100, "change": 94, "target": 140, "progress": 80, "now": 112,
          "outlook": 108, "trend": 58, "why": 330, "owner": 116, "checkin": 320}
# English words are longer than their Japanese (Year on year, January–December, Internationally co-authored…).
WIDTHS_EN = {**WIDTHS, "name": 160, "latest": 60, "when": 132, "change": 80, "target": 146, "now": 112,
             "outlook": 104, "trend": 56, "why": 340, "owner": 110}
LINE_PX, CELL_PADDING_PX, MOST_LINES = 19, 16, 8
TALL_COLUMNS = ("why", "owner", "checkin")  # long texts: their rows grow to show them whole
PHONE_LABELLED = ("owner", "checkin")


@dataclass(frozen=True)
class Grid:
    """One grid ready to draw: read-only, shared by every session."""

    ids: tuple[str, ...]  # the KPI of each row, in the data's order (a picked row is told by its position)
    cells: pa.Table  # the id (not shown) and what the grid draws, converted to Arrow once (not per run)
    config: dict  # column types, labels and widths in the language
    order: tuple[str, ...]
    row_px: int
    phone: str  # the same rows as a list of short lines (HTML), shown instead of the grid on a phone

    @property
    def height(self) -> int:
        return table_height(len(self.ids), row_px=self.row_px)


def row_px(frame: pd.DataFrame, widths: dict[str, int]) -> int:
    """A row height that shows the longest reason, owner or check-in whole (three lines at least, eight at most);
    a tenth more than the characters' width for the words that do not fill a line."""
    lines = 3
    for column in TALL_COLUMNS:
        if column in frame:
            room = max(widths[column] - CELL_PADDING_PX, 40)
            lines = max([lines, *(math.ceil(text_px(str(v)) * 1.1 / room) for v in frame[column] if v)])
    return WRAP_ROW_PX if lines <= 3 else min(lines, MOST_LINES) * LINE_PX + 10


def _column(kind: str, label: str, width: int) -> dict:
    column = st.column_config
    if kind == "progress":
        return column.ProgressColumn(label, format="%.0f%%", min_value=0, max_value=100, width=width)
    if kind == "trend":
        return column.LineChartColumn(label, width=width)
    return column.TextColumn(label, width=width)


def prepare(frame: pd.DataFrame, *, code: str, phone_columns: tuple[str, ...]) -> Grid:
    """The scorecard (or 要対応) ``frame`` (an ``id`` column and some of :data:`COLUMNS`) as a grid in ``code``:
    long texts wrapped in their cells, progress bars and sparklines as column types."""
    # A check-in column nobody has written in yet gives its room to the reasons.
    order = tuple(c for c in COLUMNS if c in frame and not (c == "checkin" and not frame[c].astype(bool).any()))
    widths = WIDTHS_EN if code == "en" else WIDTHS
    if "when" in frame:  # 「2023年4月〜 2024年3月」 wraps after 〜, not inside a year
        frame = frame.assign(when=frame["when"].astype(str).str.replace("〜", "〜 ", regex=False))
    config = {c: _column(c, t(f"sc.col.{c}", code), widths[c]) for c in order}
    return Grid(ids=tuple(str(i) for i in frame["id"]),
                cells=pa.Table.from_pandas(frame[["id", *order]], preserve_index=False), config=config, order=order,
                row_px=row_px(frame[[c for c in order if c in TALL_COLUMNS]], widths),
                phone=phone_list(frame, columns=phone_columns, code=code))


def draw(grid: Grid, *, key: str) -> str | None:
    """The phone list (hidden on wider screens by kpi.app.ui's style), then the grid with every row in view (no inner
    scroll bar; the page scrolls); returns the id of a row the viewer picked."""
    st.html(grid.phone)
    with st.container(key=f"{key}_grid"):
        event = st.dataframe(grid.cells, column_config=grid.config, column_order=grid.order, hide_index=True,
                             width="stretch", height=grid.height, key=key, on_select="rerun",
                             selection_mode="single-row", row_height=grid.row_px, placeholder="–")
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    return grid.ids[rows[0]] if rows and rows[0] < len(grid.ids) else None


def phone_list(frame: pd.DataFrame, *, columns: tuple[str, ...], code: str) -> str:
    """The rows as a list of short lines, shown instead of the grid on a phone (the grid is hidden there): each KPI's
    name as a link to its page, then its verdicts and reasons, wrapped to the screen."""
    items = []
    for row in frame.to_dict("records"):
        name = html.escape(str(row.get("name", "")))
        link = f'<a href="indicator?kpi={html.escape(str(row["id"]))}&lang={code}" target="_self">{name}</a>'
        shown = [c for c in columns if c in row and str(row[c]) not in ("", "None", "nan")]
        parts = [html.escape(str(row[c])) for c in shown if c not in PHONE_LABELLED]
        # 「担当部署：未設定」 on a line of its own: a bare 「未設定」 after the reason would not say what is unset.
        lines = [" · ".join(parts), *(html.escape(labelled(f"sc.col.{c}", str(row[c]), code))
                                     for c in shown if c in PHONE_LABELLED)]
        items.append(f"<li><strong>{link}</strong><br>{'<br>'.join(line for line in lines if line)}</li>")
    return f'<ul class="kpi-phone-list">{"".join(items)}</ul>'
