"""Every page in Japanese shows no stray English word, and every page in English no Japanese script (AppTest)."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from kpi.text.i18n import LANGS, column_labels
from metrics.registry import load_registry

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")

# Latin words a Japanese page may show: abbreviations and proper names administrators use as they are.
LATIN_ALLOWED = {"KPI", "KPIs", "PDF", "FY", "CSV", "Excel", "PowerPoint", "ID", "EID", "DOI", "UT", "MB", "ISO",
                 "Scopus", "Web", "of", "Science", "QS", "THE", "JASSO", "URL", "SSO",
                 "InCites", "SciVal", "OpenAlex", "Dimensions", "FWCI", "CNCI"}  # bibliometric products (#22)
# Identifiers and people's own text, not interface wording: checked for their headers only.
DATA_COLUMNS = {"id", "indicator", "partner", "file_name", "user", "note", "owner", "sha256", "milestones", "filter",
                "method", "numerator", "denominator", "irn_institution"}
# The language switch names each language in itself on purpose.
SELF_NAMED = ("Language / 言語", "English", "日本語")
STRING_FIELDS = {"body", "label", "help", "placeholder", "options", "delta", "caption", "text", "value", "title"}
SKIPPED_KEYS = {"lang"}

CODE_BLOCKS = re.compile(r"<(script|style)\b.*?</\1>", re.S)  # scripts and styles inside st.html are not shown
# Markdown escapes (kpi.text.safe_text keeps user text literal) are not shown: `https\://` reads as `https://`.
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!:|<>~$&/])")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]+")
NOT_WORDS = re.compile(r"https?://\S+|:[a-z]+-badge\[|:[a-z]+\[|`[^`]*`|:material/[a-z_]+:|\$\$ID-\S+|%\{[^}]*\}|<[^>]*>|[\w.+-]+@[\w.-]+")


def _plotly_texts(spec: str) -> list[str]:
    """Titles, axis labels, tick texts, legend names, hover texts and country names of one figure."""
    fig = json.loads(spec)
    texts: list[str] = []
    for trace in fig.get("data", []):
        texts += [str(trace.get("name") or ""), str(trace.get("hovertemplate") or "")]
        for field in ("customdata", "text", "y", "x"):
            values = trace.get(field)
            if isinstance(values, list):
                texts += [str(v) for v in _flatten(values) if isinstance(v, str)]
        bar = (trace.get("colorbar") or {}).get("title") or {}
        texts.append(str(bar.get("text") or ""))
    layout = fig.get("layout", {})
    texts.append(str((layout.get("title") or {}).get("text") or ""))
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            texts.append(str((axis.get("title") or {}).get("text") or ""))
            texts += [str(v) for v in axis.get("ticktext") or []]
    return texts


def _flatten(values):
    for value in values:
        if isinstance(value, list):
            yield from _flatten(value)
        else:
            yield value


def _table_texts(arrow: bytes, config: str | None, order: list[str] | None, *, cells: bool = True) -> list[str]:
    """Shown headers (column_config labels win over the frame's names) and text cells of the shown columns."""
    frame: pd.DataFrame = pa.ipc.open_stream(io.BytesIO(arrow)).read_all().to_pandas()
    labels = {name: spec.get("label") for name, spec in json.loads(config or "{}").items() if isinstance(spec, dict)}
    shown = [c for c in frame.columns if not order or str(c) in order]
    texts = [labels.get(str(c)) or str(c) for c in shown]
    if not cells:
        return texts
    exempt = {label for lang in LANGS for label in column_labels(DATA_COLUMNS, lang).values()} | DATA_COLUMNS
    for column in shown:
        if str(column) in exempt or frame[column].dtype.kind in "iufbM":
            continue
        texts += [str(v) for v in frame[column].dropna().astype(str).unique()]
    return texts


def _strings(node, field: str | None = None):
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "labelVisibility":  # an enum (VISIBLE, COLLAPSED), not text
                yield from _strings(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, field)
    elif isinstance(node, str) and field in STRING_FIELDS:
        yield node


def page_texts(app: AppTest) -> list[str]:
    """Every user-visible string of the rendered page (elements, widgets, chart specs and table cells)."""
    texts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            data = MessageToDict(proto)
            key = str(data.get("id", "")).rsplit("-", 1)[-1]
            style = str(data.get("body", "")).lstrip().startswith("<style")  # st.html CSS: not shown
            if key not in SKIPPED_KEYS and not style:
                if "spec" in data:
                    texts.extend(_plotly_texts(data["spec"]))
                arrow = getattr(getattr(proto, "arrow_data", None), "data", None)
                if arrow:
                    # An editor's cells are the analyst's own stored text (edited as written): headers only.
                    editing = data.get("editingMode") in ("FIXED", "DYNAMIC")
                    texts.extend(_table_texts(arrow, data.get("columns"), data.get("columnOrder"), cells=not editing))
                texts.extend(_strings({k: v for k, v in data.items() if k not in ("spec", "arrowData", "columns")}))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(app._tree)
    return [text for text in texts if text and text not in SELF_NAMED]


def shown(text: str) -> str:
    """What a reader sees of a string: no script or style blocks, no Markdown escape characters."""
    return MARKDOWN_ESCAPE.sub(r"\1", CODE_BLOCKS.sub(" ", text)).replace("\u2060", "")


def latin_words(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in LATIN_WORD.findall(NOT_WORDS.sub(" ", shown(text))):
            if word not in LATIN_ALLOWED and not re.fullmatch(r"[A-Z]{2,3}", word):  # ISO codes
                found.add(word)
    return found


def japanese_words(texts: list[str]) -> set[str]:
    return {match for text in texts for match in JAPANESE.findall(NOT_WORDS.sub(" ", shown(text)))}


def render(url_path: str | None, lang: str, **params: str) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=90)
    app.query_params["lang"] = lang
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    if url_path:
        app.switch_page(url_path).run()
    assert not app.exception, app.exception
    return app


PAGES = [
    pytest.param(None, {}, id="overview"),
    pytest.param("pages/indicator.py", {}, id="indicator"),
    pytest.param("pages/mobility.py", {}, id="mobility"),
    pytest.param("pages/research.py", {}, id="research"),
    pytest.param("pages/partnerships.py", {}, id="partnerships"),
    pytest.param("pages/targets.py", {}, id="targets"),
    pytest.param("pages/data.py", {}, id="data"),
    pytest.param("pages/upload.py", {}, id="upload"),
    pytest.param("pages/checkins.py", {}, id="checkins"),
    pytest.param(None, {"present": "1"}, id="present-title"),
    pytest.param(None, {"present": "1", "slide": "1"}, id="present-scorecard"),
    # after the scorecard's slides (ten KPIs each) comes the first pillar; the last slide is always a KPI
    pytest.param(None, {"present": "1", "slide": str(1 + math.ceil(len(load_registry()) / 10))}, id="present-pillar"),
    pytest.param(None, {"present": "1", "slide": "-1"}, id="present-kpi"),
]
@pytest.mark.parametrize("url_path,params", PAGES)
def test_japanese_page_has_no_stray_latin_words(sample_db, url_path, params):
    assert latin_words(page_texts(render(url_path, "ja", **params))) == set()


@pytest.mark.parametrize("url_path,params", PAGES)
def test_english_page_has_no_japanese_script(sample_db, url_path, params):
    assert japanese_words(page_texts(render(url_path, "en", **params))) == set()


@pytest.mark.parametrize("texts,found", [
    pytest.param(["出典: Illustrative data"], {"Illustrative", "data"}, id="english-source"),
    pytest.param(["KPI 11件", "2023年度（令和5年度）", "CSVをダウンロード", "国・地域: USA"], set(), id="allowed"),
    pytest.param(["東北大学 https://www.insc.tohoku.ac.jp/english/ `fiscal_year`"], set(), id="urls-and-code"),
    pytest.param(["x軸"], set(), id="single-letter-is-not-a-word"),
])
def test_latin_word_detector(texts, found):
    assert latin_words(texts) == found


@pytest.mark.parametrize("texts,found", [
    pytest.param(["Students by fiscal year", "FY2023"], set(), id="english"),
    pytest.param(["Source: 仮の値"], {"仮の値"}, id="japanese-source"),
])
def test_japanese_script_detector(texts, found):
    assert japanese_words(texts) == found
