"""The PowerPoint template: named layouts (KPI Title, KPI Table, KPI Chart) whose placeholders the deck fills.

`python -m kpi.publish.deck_template` rewrites data/templates/kpi-16x9.pptx. A university template works when it has layouts
with the same names and placeholders of the same kinds (title; subtitle and body text; a chart and a table
placeholder, or any content placeholder, whose position the chart or table then takes); KPI_PPTX_TEMPLATE points at it.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "data" / "templates" / "kpi-16x9.pptx"
LAYOUTS = ("KPI Title", "KPI Table", "KPI Chart")
EMU_PER_INCH = 914400
A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def template_path() -> Path:
    """KPI_PPTX_TEMPLATE (the university's own template) or the bundled one."""
    chosen = os.environ.get("KPI_PPTX_TEMPLATE", "").strip()
    return Path(chosen) if chosen else DEFAULT_TEMPLATE


@dataclass(frozen=True)
class Style:
    accent: str = "4B2C84"  # a Tohoku-like purple
    font: str = "Noto Sans CJK JP"
    title_size: int = 30
    width_in: float = 13.333
    height_in: float = 7.5
    band: bool = True  # a colour band across the top of every slide, above the title (never through it)


def _inches(value: float) -> int:
    return int(value * EMU_PER_INCH)


def _place(shape, left: float, top: float, width: float, height: float) -> None:
    shape.left, shape.top, shape.width, shape.height = _inches(left), _inches(top), _inches(width), _inches(height)


def _placeholder(layout, idx: int):
    return next(ph for ph in layout.placeholders if ph.placeholder_format.idx == idx)


def _retype(shape, kind: str | None, name: str, idx: int | None = None) -> None:
    ph = shape._element.nvSpPr.nvPr.find("{http://schemas.openxmlformats.org/presentationml/2006/main}ph")
    if kind is None:
        ph.attrib.pop("type", None)
    else:
        ph.set("type", kind)
    if idx is not None:
        ph.set("idx", str(idx))
    shape._element.nvSpPr.cNvPr.set("name", name)


def _add_like(layout, model, *, kind: str | None, name: str, idx: int, shape_id: int):
    """A new placeholder on ``layout`` copied from ``model`` (python-pptx cannot add layout placeholders itself)."""
    element = copy.deepcopy(model._element)
    element.nvSpPr.cNvPr.set("id", str(shape_id))
    layout.shapes._spTree.append(element)
    shape = layout.shapes[-1]
    _retype(shape, kind, name, idx)
    return shape


def _text_size(shape, size: int, *, bold: bool = False) -> None:
    """Level-1 size of a layout placeholder's text (what an empty placeholder and the deck's text start at)."""
    body = shape._element.txBody
    lst = body.find(f"{{{A}}}lstStyle")
    if lst is None:
        lst = etree.SubElement(body, f"{{{A}}}lstStyle")
        body.remove(lst)
        body.insert(1, lst)
    for child in list(lst):
        lst.remove(child)
    level = etree.SubElement(lst, f"{{{A}}}lvl1pPr", marL="0", indent="0")
    etree.SubElement(level, f"{{{A}}}buNone")
    etree.SubElement(level, f"{{{A}}}defRPr", sz=str(size * 100), b="1" if bold else "0")


def _theme_fonts(prs, font: str) -> None:
    """Latin and East Asian theme fonts, so Japanese text has a typeface with its glyphs everywhere."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    for group in ("majorFont", "minorFont"):
        for tag in ("latin", "ea"):
            element = root.find(f".//{{{A}}}{group}/{{{A}}}{tag}")
            if element is not None:
                element.set("typeface", font)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _master(prs, style: Style) -> None:
    """The master's title, body and footer placeholders re-laid for the slide size."""
    w, h, m = style.width_in, style.height_in, 0.5
    for ph in prs.slide_master.placeholders:
        kind = ph.placeholder_format.type
        if kind == 1:  # title
            _place(ph, m, 0.35, w - 2 * m, 0.9)
        elif kind == 2:
            _place(ph, m, 1.4, w - 2 * m, h - 2.2)
        elif kind in (15, 16, 13):  # footer, date, slide number along the bottom
            ph.top, ph.height = _inches(h - 0.45), _inches(0.35)


def _band(prs, style: Style) -> None:
    """The accent band along the top, drawn on a scratch slide (a master has no add_shape) and moved to the master
    behind the placeholders."""
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE

    scratch = prs.slides.add_slide(prs.slide_layouts[6])
    band = scratch.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, prs.slide_width, _inches(0.18))
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor.from_string(style.accent)
    band.line.fill.background()
    prs.slide_master.shapes._spTree.insert(2, copy.deepcopy(band._element))
    slide_ids = prs.slides._sldIdLst
    rel_id = slide_ids[-1].rId
    slide_ids.remove(slide_ids[-1])
    prs.part.drop_rel(rel_id)


def _title_layout(title, style: Style) -> None:
    w, m = style.width_in, 0.5
    _place(_placeholder(title, 0), m, 1.3, w - 2 * m, 1.3)
    _text_size(_placeholder(title, 0), 40, bold=True)
    _place(_placeholder(title, 1), m, 2.7, w - 2 * m, 1.0)
    _text_size(_placeholder(title, 1), 20)
    body = _add_like(title, _placeholder(title, 1), kind="body", name="Body", idx=13, shape_id=20)
    _place(body, m, 3.9, w - 2 * m, 2.6)
    _text_size(body, 16)


def _table_layout(table, style: Style) -> None:
    w, h, m = style.width_in, style.height_in, 0.5
    _place(_placeholder(table, 0), m, 0.35, w - 2 * m, 0.9)
    _text_size(_placeholder(table, 0), style.title_size, bold=True)
    grid = _placeholder(table, 1)
    _retype(grid, "tbl", "Table")
    _place(grid, m, 1.4, w - 2 * m, h - 2.1)


def _chart_layout(chart, style: Style) -> None:
    w, m = style.width_in, 0.5
    _place(_placeholder(chart, 0), m, 0.35, w - 2 * m, 0.8)
    _text_size(_placeholder(chart, 0), style.title_size, bold=True)
    figure = _placeholder(chart, 1)
    _retype(figure, "chart", "Chart")
    _place(figure, m, 1.85, w - 2 * m, 3.45)
    subtitle = _placeholder(chart, 2)
    _retype(subtitle, "body", "Subtitle")
    _place(subtitle, m, 1.15, w - 2 * m, 0.65)
    _text_size(subtitle, 22, bold=True)
    body = _add_like(chart, subtitle, kind="body", name="Body", idx=14, shape_id=30)
    _place(body, m, 5.35, w - 2 * m, 1.65)
    _text_size(body, 14)


def make_template(path: Path, style: Style = Style()) -> Path:
    """Write a template with the three named layouts (from python-pptx's default, re-laid for 16:9)."""
    from pptx import Presentation

    prs = Presentation()
    prs.slide_width, prs.slide_height = _inches(style.width_in), _inches(style.height_in)
    _theme_fonts(prs, style.font)
    _master(prs, style)
    if style.band:
        _band(prs, style)
    layouts = list(prs.slide_layouts)
    title, table, chart = layouts[0], layouts[1], layouts[7]
    title.name, table.name, chart.name = LAYOUTS
    _title_layout(title, style)
    _table_layout(table, style)
    _chart_layout(chart, style)
    for layout in (title, table, chart):
        for ph in layout.placeholders:
            if ph.placeholder_format.type in (15, 16, 13):
                ph.top, ph.height = _inches(style.height_in - 0.45), _inches(0.35)
    for layout in layouts:
        if layout.name not in LAYOUTS:
            prs.slide_layouts.remove(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(path))
    return path


if __name__ == "__main__":
    print(make_template(DEFAULT_TEMPLATE))
