"""Scopus plain text ('Scopus' / 'EXPORT DATE: …' then one block per record ending 'SOURCE: Scopus')."""

from __future__ import annotations

import re

from kpi.ingest.formats.base import LINE_BREAK, Fields, Records, cited, frame, scopus_eid
from kpi.ingest.ids import normalise_id

KEY = "scopus_text"
FIELDS = Fields(addresses=("AFFILIATIONS",), authors=(("author_count", ""),))
HEADER = ["EID", "DOI", "year", "AFFILIATIONS", "author_count", "citations"]
_SOURCE_LINE = re.compile(r"^\((\d{4})\) ")


def recognise(head: str) -> bool:
    lines = [line.strip() for line in LINE_BREAK.split(head.lstrip("\ufeff")[:2000])]
    return len(lines) > 1 and lines[0] == "Scopus" and lines[1].startswith("EXPORT DATE:")


def read(text: str) -> Records:
    lines = LINE_BREAK.split(text.lstrip("\ufeff"))
    exported = lines[1].removeprefix("EXPORT DATE:").strip() if len(lines) > 1 else ""
    rows, starts, block, start = [], [], [], None
    for number, line in enumerate(lines[2:], start=3):
        if start is None and line.strip():
            start = number
        if start is not None:
            block.append(line)
        if line.startswith("SOURCE:") and start is not None:
            rows.append(_row(block))
            starts.append(start)
            block, start = [], None
    if start is not None and any(line.strip() for line in block):
        rows.append(_row(block))
        starts.append(start)
    return Records(HEADER, frame(rows, HEADER, starts), exported=exported)


def _row(block: list[str]) -> dict[str, str]:
    def prefixed(label: str) -> str:
        return next((line[len(label):].strip() for line in block if line.startswith(label)), "")

    source = next((line for line in block if _SOURCE_LINE.match(line)), "")
    ids = next((line for line in block if re.fullmatch(r"\d+(?:;\s*\d+)*\s*", line)), "")
    return {"EID": scopus_eid(next((line for line in block if "scopus.com/inward/record" in line), "")),
            "DOI": normalise_id(prefixed("DOI:")), "year": source[1:5] if source else "",
            "AFFILIATIONS": prefixed("AFFILIATIONS:"),
            "author_count": str(len(ids.split(";"))) if ids.strip() else "", "citations": cited(source)}
