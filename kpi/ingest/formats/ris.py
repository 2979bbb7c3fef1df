"""RIS (Scopus 'RIS format'; any RIS): TY … ER records; AD lines are addresses, the Scopus EID is in UR."""

from __future__ import annotations

import re

from kpi.ingest.formats.base import LINE_BREAK, Fields, Records, cited, frame, scopus_eid, year_of
from kpi.ingest.ids import normalise_id

KEY = "scopus_ris"
FIELDS = Fields(addresses=("AD",), authors=(("author_count", ""),))
HEADER = ["EID", "DOI", "year", "AD", "author_count", "citations"]
_TAG = re.compile(r"^[A-Z][A-Z0-9]  - ?$")


def recognise(head: str) -> bool:
    first = next((line for line in LINE_BREAK.split(head.lstrip("\ufeff")[:5000]) if line.strip()), "")
    return bool(re.match(r"^TY  - ", first))


def read(text: str) -> Records:
    rows, lines, exported = [], [], ""
    record: dict[str, list[str]] | None = None
    for number, line in enumerate(LINE_BREAK.split(text.lstrip("\ufeff")), start=1):
        if line[2:5] != "  -" or not _TAG.match(line[:6]):  # 'AU  - …' (slicing first: a file has ~20 lines a record)
            continue
        tag, value = line[:2], line[6:].strip()
        if tag == "TY":
            record = {}
            rows.append(record)
            lines.append(number)
        elif tag == "ER":
            record = None
        elif record is not None:
            record.setdefault(tag, []).append(value)
            found = re.search(r"Export Date:\s*([^;]+)", value) if tag == "N1" and not exported else None
            exported = found.group(1).strip() if found else exported
    return Records(HEADER, frame([_row(r) for r in rows], HEADER, lines), exported=exported)


def _row(record: dict[str, list[str]]) -> dict[str, str]:
    notes = " ".join(record.get("N1", []))
    return {"EID": scopus_eid(" ".join(record.get("UR", []))), "DOI": normalise_id(" ".join(record.get("DO", [])[:1])),
            "year": year_of(" ".join(record.get("PY", []) or record.get("Y1", []) or record.get("DA", []))),
            "AD": "; ".join(record.get("AD", [])), "author_count": str(len(record.get("AU", []))), "citations": cited(notes)}
