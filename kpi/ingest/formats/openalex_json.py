"""OpenAlex works as the API returns them: a page ({"results": [...]}), a list of works, or JSON Lines.

Each authorship's ``countries`` (ISO 3166-1 alpha-2) are the paper's countries; its ``institutions`` (with their
``country_code``) the institutions; ``cited_by_count`` the citations; the number of authorships the authors.
"""

from __future__ import annotations

import json

from kpi.ingest.formats.base import Fields, Records, frame
from kpi.ingest.ids import normalise_id

KEY = "openalex_json"
FIELDS = Fields(addresses=("authorships.countries",), codes=True, authors=(("author_count", ""),))
HEADER = ["id", "DOI", "year", "authorships.countries", "institutions", "author_count", "citations"]


def recognise(head: str) -> bool:
    text = head.lstrip("\ufeff").lstrip()
    return text[:1] in ("{", "[") and "openalex.org/W" in text[:200_000]


def read(text: str) -> Records:
    text = text.lstrip("\ufeff")
    notes: list[tuple[str, int | None]] = []
    try:
        data = json.loads(text)
        works = data.get("results", [data]) if isinstance(data, dict) else data
        lines = list(range(1, len(works) + 1))  # a JSON array has no lines: the record's position stands for it
    except json.JSONDecodeError:
        works, lines = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                works.append(json.loads(line))
                lines.append(number)
            except json.JSONDecodeError:
                notes.append(("imp.json_line_skipped", number))
    rows = [_row(work) if isinstance(work, dict) else {} for work in works]
    return Records(HEADER, frame(rows, HEADER, lines), notes=notes)


def _row(work: dict) -> dict[str, str]:
    authorships = [a for a in work.get("authorships") or [] if isinstance(a, dict)]
    countries = [c for a in authorships for c in a.get("countries") or [] if c]
    institutions = []
    for authorship in authorships:
        for place in authorship.get("institutions") or []:
            pair = f"{place.get('display_name') or ''}|{place.get('country_code') or ''}"
            if place.get("display_name") and place.get("country_code") and pair not in institutions:
                institutions.append(pair.replace(";", ","))
    year = work.get("publication_year")
    return {"id": normalise_id(work.get("id") or work.get("doi") or ""), "DOI": normalise_id(work.get("doi") or ""),
            "year": str(year) if year else "", "authorships.countries": "; ".join(countries),
            "institutions": ";".join(institutions), "author_count": str(len(authorships)),
            "citations": str(work.get("cited_by_count", "") or 0)}
