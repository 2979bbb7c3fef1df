"""Scopus and Web of Science exports: affiliation text -> the countries of a paper."""

from __future__ import annotations

import functools
import html
import re

from kpi.ingest.countries import OTHER, to_iso3

_WOS_SPLIT = re.compile(r";\s*(?=\[)")
_BRACKETS = re.compile(r"^\s*\[[^\]]*\]\s*")
# Scopus affiliations of some vintages end in the corresponding author's address: '…, Japan; email: a@b.jp',
# '… Japan. Electronic address: a@b.jp'.
_EMAIL = re.compile(r"[\s,;.]*(?:(?:e-?mail|electronic address)\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\.?",
                    re.IGNORECASE)
# Web of Science addresses of the 1990s end in a US state and ZIP code without the country: 'CHICAGO,IL 60637'.
_US_STATE_ZIP = re.compile(r"^[A-Z]{2}\s+\d{5}(?:-\d{4})?$")
_EMPTY_BRACKETS = re.compile(r"\(\s*[;,\s]*\)")
_LABEL_ONLY = re.compile(r"^\s*(?:e-?mail|electronic address)\s*:?\s*$", re.IGNORECASE)


def clean_affiliations(text: str) -> str:
    """HTML entities (&#x00F6;) decoded and e-mail addresses removed."""
    text = str(text or "")
    if "&" in text:
        text = html.unescape(text)
    # PubMed writes e-mails in brackets after an address: 'Dayton, OH 45435 (a@b.edu; c@d.edu).'
    return _EMPTY_BRACKETS.sub("", _EMAIL.sub("", text)) if "@" in text else text


def split_affiliations(text: str) -> list[str]:
    """Scopus separates affiliations with '; '; Web of Science C1 starts each with '[Authors]'."""
    return list(_split_affiliations(text))


@functools.lru_cache(maxsize=1 << 14)  # countries and institutions both split each paper's affiliations
def _split_affiliations(text: str) -> tuple[str, ...]:
    text = clean_affiliations(text).strip()
    if not text:
        return []
    parts = _WOS_SPLIT.split(text) if text.startswith("[") else text.split(";")
    parts = [_BRACKETS.sub("", part).strip() for part in parts]
    return tuple(part for part in parts if part and not _LABEL_ONLY.match(part))


@functools.lru_cache(maxsize=1 << 16)  # countries and institutions both read each address of a paper
def affiliation_country(affiliation: str) -> str | None:
    """ISO alpha-3 of an affiliation: its last comma-separated part ('..., Sendai, Japan'), else the last two
    ('Taichung, Taiwan, ROC'), else for Web of Science US addresses the last word ('Cambridge, MA 02138 USA'); an old US address
    with only a state and ZIP ('CHICAGO,IL 60637') is the United States.

    'Unknown' or 'Other' in an address is no country: a paper with only such affiliations is not international.
    """
    parts = [p.strip().rstrip(".").strip() for p in affiliation.rsplit(",", 2)[-2:]]
    candidates = [parts[-1], ", ".join(parts[-2:]) if len(parts) > 1 else ""]
    word = parts[-1].split()[-1] if parts[-1] else ""
    if len(word) > 3 or word.isupper():  # 'USA' ends a WoS address; 'and' or 'pan' in prose is no ISO code
        candidates.append(word)
    for candidate in candidates:
        code = to_iso3(candidate) if candidate else None
        if code is not None:
            return None if code == OTHER else code
    return "USA" if _US_STATE_ZIP.match(parts[-1]) else None


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
