"""PubMed MEDLINE (.nbib / .txt 'PMID- …'): one record per PMID; AD lines are the authors' addresses."""

from __future__ import annotations

import re

from kpi.ingest.formats.base import LINE_BREAK, Fields, Records, frame, year_of

KEY = "medline"
FIELDS = Fields(addresses=("AD",), authors=(("author_count", ""),))
HEADER = ["PMID", "DOI", "year", "AD", "author_count"]
_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s*- (.*)$")


def recognise(head: str) -> bool:
    return bool(re.match(r"^\s*PMID- ?\d", head.lstrip("\ufeff")))


def read(text: str) -> Records:
    rows, lines = [], []
    record: dict[str, list[str]] | None = None
    tag = ""
    for number, line in enumerate(LINE_BREAK.split(text.lstrip("\ufeff")), start=1):
        if not line.strip():
            record, tag = None, ""
            continue
        if line.startswith("      ") and record is not None and tag:
            record[tag][-1] += " " + line.strip()
            continue
        match = _TAG.match(line)
        if not match:
            continue
        tag, value = match.group(1), match.group(2).strip()
        if tag == "PMID" or record is None:
            record = {}
            rows.append(record)
            lines.append(number)
        record.setdefault(tag, []).append(value)
    return Records(HEADER, frame([_row(r) for r in rows], HEADER, lines))


def _row(record: dict[str, list[str]]) -> dict[str, str]:
    ids = record.get("LID", []) + record.get("AID", [])
    doi = next((i.removesuffix("[doi]").strip() for i in ids if i.endswith("[doi]")), "")
    pmid = "".join(record.get("PMID", []))
    return {"PMID": f"PMID:{pmid}" if pmid else "", "DOI": doi, "year": year_of("".join(record.get("DP", [])[:1])),
            "AD": "; ".join(record.get("AD", [])), "author_count": str(len(record.get("FAU") or record.get("AU", [])))}
