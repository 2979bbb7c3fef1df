"""One normalised form of a paper's id, so that the same paper from two exports (or two files of one export)
counts once: DOIs lower-cased without their resolver prefix, OpenAlex and Lens ids without their URL."""

from __future__ import annotations

import re

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_OPENALEX = re.compile(r"^https?://openalex\.org/", re.IGNORECASE)


def normalise_id(value: object) -> str:
    """'https://doi.org/10.1016/J.X' -> '10.1016/j.x'; 'https://openalex.org/W12' -> 'W12'; EIDs and UTs as written.

    A DOI is case-insensitive by definition (the DOI Handbook), so its lower-case form is the key; other ids are
    only stripped of spaces.
    """
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    text = _OPENALEX.sub("", text)
    stripped = _DOI_PREFIX.sub("", text)
    if stripped != text or stripped.startswith("10."):
        return stripped.lower()
    return text
