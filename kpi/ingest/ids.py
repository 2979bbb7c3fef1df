"""Record ids normalised by kind, so that one paper written two ways (or in two exports) is one paper.

Every reader (Scopus, Web of Science, OpenAlex, PubMed, BibTeX, RIS, the contract's own CSV) and the multi-file
combiner pass a paper's id through ``normalise_id`` before papers are counted or deduplicated. A DOI is
case-insensitive by definition (the DOI Handbook) and often written with a resolver prefix (https://doi.org/10.1000/ABC,
doi:10.1000/abc, percent-encoded): it is stored as ``10.1000/abc``. OpenAlex and Lens ids lose their URL; Web of
Science accession numbers get their ``WOS:`` prefix in capitals; Scopus EIDs and other ids are kept as written.
"""

from __future__ import annotations

import re
import urllib.parse

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.|www\.)?doi\.org/|doi\.org/|doi\s*:\s*|doi\s+)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d+(?:\.\d+)*/\S+$")  # 10.<registrant>/<suffix>
_WOS = re.compile(r"^wos:", re.IGNORECASE)
_OPENALEX = re.compile(r"^https?://openalex\.org/", re.IGNORECASE)


def id_kind(value: str) -> str:
    """'doi', 'wos', 'eid' or 'other', from the id's own form."""
    text = value.strip()
    if _DOI.match(urllib.parse.unquote(_DOI_PREFIX.sub("", text))):
        return "doi"
    if _WOS.match(text):
        return "wos"
    if text.lower().startswith("2-s2.0-"):
        return "eid"
    return "other"


def normalise_id(value: object, *, kind: str | None = None) -> str:
    """The id as stored: ``kind`` is 'doi', 'wos', 'eid', 'other' or None (judged from the value); '' for none."""
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        return ""
    text = _OPENALEX.sub("", text)
    kind = kind or id_kind(text)
    if kind == "doi":
        doi = _DOI_PREFIX.sub("", text)
        if "%" in doi:
            doi = urllib.parse.unquote(doi)  # https://doi.org/10.1000%2Fabc
        return doi.lower()
    if kind == "wos":
        return "WOS:" + _WOS.sub("", text)
    return text
