"""Bibliographic export formats behind one interface (see base.py); the importer dispatches to them.

Record formats are recognised by the text's first lines, table formats by their header cells. ``looks_like``
names what an unrecognised file resembles, for the message that says what the importer expects instead.
"""

from __future__ import annotations

import re

from kpi.ingest.formats import bibtex, medline, openalex_json, ris, scopus_text
from kpi.ingest.formats.base import Fields, Records
from kpi.ingest.formats.tables import Dimensions, Lens, OpenAlexCsv, ScopusCsv, WosTable
from kpi.ingest.formats.wos_tagged import Plain as WosPlain
from kpi.ingest.formats.wos_tagged import Tab as WosTab

RECORD_FORMATS = (WosPlain, WosTab, medline, ris, bibtex, scopus_text, openalex_json)
TABLE_FORMATS = (WosTable, ScopusCsv, OpenAlexCsv, Dimensions, Lens)
ALL = {f.KEY: f for f in (*RECORD_FORMATS, *TABLE_FORMATS)}

__all__ = ["ALL", "RECORD_FORMATS", "TABLE_FORMATS", "Fields", "Records", "looks_like", "record_format",
           "table_format"]


def record_format(head: str):
    """The record format whose signature the text starts with, or None (a table, or unknown)."""
    return next((f for f in RECORD_FORMATS if f.recognise(head)), None)


def table_format(cells: list[str]):
    """The table format a header row names, or None (a generic table)."""
    return next((f for f in TABLE_FORMATS if f.recognise_header(cells)), None)


def looks_like(head: str) -> str | None:
    """What a file no format recognised resembles: bibtex, ris, medline, json, xml, html, or None."""
    text = head.lstrip("\ufeff").lstrip()
    checks = (("json", text[:1] in ("{", "[")), ("xml", text.startswith("<?xml") or text.startswith("<Pubmed")),
              ("html", text[:15].casefold().startswith(("<!doctype html", "<html"))),
              ("bibtex", bool(re.search(r"^\s*@\w+\s*\{", text[:5000], re.MULTILINE))),
              ("ris", bool(re.search(r"^TY  - ", text[:5000], re.MULTILINE))),
              ("medline", bool(re.search(r"^PMID-", text[:5000], re.MULTILINE))))
    return next((name for name, hit in checks if hit), None)
