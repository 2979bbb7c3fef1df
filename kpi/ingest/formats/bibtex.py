"""BibTeX (Scopus 'BibTeX', Web of Science 'BibTeX'): @TYPE{key, field = {…}, …}; ``affiliation(s)`` holds the
addresses, the Scopus EID is in ``url``, citations in ``note`` (Scopus) or ``Times-Cited`` (Web of Science)."""

from __future__ import annotations

import re

from kpi.ingest.formats.base import Fields, Records, cited, frame, scopus_eid, year_of
from kpi.ingest.ids import normalise_id

KEY = "scopus_bibtex"
FIELDS = Fields(addresses=("affiliation",), authors=(("author_count", ""),))
HEADER = ["id", "DOI", "year", "affiliation", "author_count", "citations"]
_ENTRY = re.compile(r"^\s*@\s*([A-Za-z]+)\s*\{", re.MULTILINE)
_FIELD = re.compile(r"([A-Za-z][\w-]*)\s*=\s*")


def recognise(head: str) -> bool:
    text = head.lstrip("\ufeff")
    first = _ENTRY.search(text[:20000])
    return bool(first) and not text[:first.start()].strip().startswith(("{", "["))


def read(text: str) -> Records:
    rows, lines, exported = [], [], ""
    found = re.search(r"EXPORT DATE:\s*(.+)", text[:2000])
    if found:
        exported = found.group(1).strip()
    starts = list(_ENTRY.finditer(text))
    for index, entry in enumerate(starts):
        if entry.group(1).casefold() in ("comment", "preamble", "string"):
            continue
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        fields = _fields(text[entry.end():end])
        rows.append(_row(fields))
        lines.append(text.count("\n", 0, text.index("@", entry.start())) + 1)
    return Records(HEADER, frame(rows, HEADER, lines), exported=exported)


def _fields(body: str) -> dict[str, str]:
    """field name (lower case) -> value, braces and quotes balanced; an unbalanced value runs to the entry's end."""
    fields: dict[str, str] = {}
    position = 0
    while (match := _FIELD.search(body, position)) is not None:
        value, position = _value(body, match.end())
        fields.setdefault(match.group(1).casefold(), " ".join(value.replace("{", "").replace("}", "").split()))
    return fields


def _value(body: str, start: int) -> tuple[str, int]:
    opener = body[start:start + 1]
    if opener not in ("{", '"'):
        end = body.find(",", start)
        end = len(body) if end < 0 else end
        return body[start:end].strip(), end + 1
    depth, position = 0, start
    closer = "}" if opener == "{" else '"'
    while position < len(body):
        char = body[position]
        if char == "{" and opener == "{":
            depth += 1
        elif char == closer and (opener == '"' and position > start or opener == "{"):
            depth -= 1 if opener == "{" else 0
            if depth == 0 or opener == '"':
                return body[start + 1:position], position + 1
        position += 1
    return body[start + 1:], len(body)


def _row(fields: dict[str, str]) -> dict[str, str]:
    doi = normalise_id(fields.get("doi", ""))
    ident = scopus_eid(fields.get("url", "")) or fields.get("unique-id", "").strip() or doi
    names = fields.get("author", "")
    # 'A and B' (BibTeX); Scopus BibTeX of 2016-17 wrote 'Iorio, C.a , Frasso, G.b' (author, initials+affiliation)
    splitter = r"\s+and\s+" if re.search(r"\s+and\s+", names) else r"\s+,\s+"
    authors = [a for a in re.split(splitter, names) if a.strip()]
    return {"id": ident, "DOI": doi, "year": year_of(fields.get("year", "")),
            "affiliation": fields.get("affiliation") or fields.get("affiliations", ""),
            "author_count": str(len(authors)),
            "citations": fields.get("times-cited", "").strip() or cited(fields.get("note", ""))}
