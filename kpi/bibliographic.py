"""Scopus and Web of Science exports: affiliation text -> the countries of a paper."""

from __future__ import annotations

import re

from kpi.countries import to_iso3

_WOS_SPLIT = re.compile(r";\s*(?=\[)")
_BRACKETS = re.compile(r"^\s*\[[^\]]*\]\s*")


def split_affiliations(text: str) -> list[str]:
    """Scopus separates affiliations with '; '; Web of Science C1 starts each with '[Authors]'."""
    text = str(text or "").strip()
    if not text:
        return []
    parts = _WOS_SPLIT.split(text) if text.startswith("[") else text.split(";")
    return [_BRACKETS.sub("", part).strip() for part in parts if part.strip()]


def affiliation_country(affiliation: str) -> str | None:
    """ISO alpha-3 of an affiliation: its last comma-separated part ('..., Sendai, Japan'), or for Web of Science
    US addresses the last word ('Cambridge, MA 02138 USA')."""
    last = affiliation.rsplit(",", 1)[-1].strip().rstrip(".").strip()
    code = to_iso3(last)
    if code is None and last:
        code = to_iso3(last.split()[-1])
    return code


def paper_countries(text: str) -> tuple[str, list[str]]:
    """(';'-joined distinct country codes in order, affiliations whose country was not recognised)."""
    codes: list[str] = []
    unknown: list[str] = []
    for affiliation in split_affiliations(text):
        code = affiliation_country(affiliation)
        if code is None:
            unknown.append(affiliation)
        elif code not in codes:
            codes.append(code)
    return ";".join(codes), unknown
