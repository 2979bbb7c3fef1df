"""Institution names from affiliation text (WoS C3, else Scopus Affiliations / WoS C1), named by an alias table."""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from pathlib import Path

from kpi.ingest.bibliographic import affiliation_country, split_affiliations

ALIASES_PATH = Path(__file__).resolve().parents[2] / "data" / "institution_aliases.csv"
# Words that mark the organisation part of an address, strongest first: a university over an institute over a
# college or hospital ("College of Public Health, University of Nebraska Medical Center, Omaha, United States").
_INSTITUTION_TIERS = [re.compile(p, re.IGNORECASE) for p in (
    r"\b(univ|university|universit[äaée]t?|universidad|universidade|universita|universiteit|universitat)\b|大学",
    r"\b(inst|institute|institut|instituto|academy|acad|ecole|école|hochschule|polytechnic|cnrs|csic|riken|"
    r"max planck|kaist|eth|epfl|mit|caltech|ucl|cern|national laboratory|natl lab)\b|研究所|研究機構",
    r"\b(college|coll|hospital|hosp|center|centre|ctr)\b|病院|センター",
)]
# Web of Science abbreviates words in addresses; expanding them lets "Tohoku Univ" meet "Tohoku University".
_WOS_WORDS = {"univ": "university", "inst": "institute", "natl": "national", "technol": "technology",
              "sci": "science", "acad": "academy", "coll": "college", "hosp": "hospital", "med": "medicine",
              "res": "research", "ctr": "center", "centre": "center", "lab": "laboratory", "st": "state",
              "polytech": "polytechnic", "tech": "technology", "&": "and"}


def key_of(name: str) -> str:
    """Comparison key: width, case, punctuation, 'the' and Web of Science abbreviations ignored."""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    text = re.sub(r"[.,'’()\-–/]", " ", text)
    words = [_WOS_WORDS.get(w, w) for w in text.split() if w != "the"]
    return " ".join(words)


@functools.cache
def _alias_table(path: str) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            canonical = row["institution"].strip()
            if not canonical:
                continue
            for spelling in (canonical, row["alias"]):
                if spelling and spelling.strip():
                    table.setdefault(key_of(spelling), (canonical, (row.get("country") or "").strip()))
    return table


def aliases(path: Path | str = ALIASES_PATH) -> dict[str, tuple[str, str]]:
    """Comparison key -> (canonical name, ISO alpha-3 or '') from data/institution_aliases.csv."""
    return _alias_table(str(path))


def canonical_name(name: str, *, table: dict[str, tuple[str, str]] | None = None) -> str:
    """The alias table's name for an institution, else the name as written with spaces tidied."""
    table = aliases() if table is None else table
    hit = table.get(key_of(name))
    return hit[0] if hit else " ".join(unicodedata.normalize("NFKC", str(name)).split())


def institution_part(affiliation: str) -> str:
    """The organisation in one address: the first part naming a university, else an institute, else a college or
    hospital, else the first part.

    Scopus writes 'Department of Physics, Tohoku University, Sendai, Japan'; WoS C1 'Tohoku Univ, Dept Phys,
    Sendai, Miyagi 9808578, Japan'. The last part is the country and never the institution.
    """
    parts = [p.strip() for p in str(affiliation).split(",") if p.strip()]
    if len(parts) > 1:
        parts = parts[:-1]
    for tier in _INSTITUTION_TIERS:
        for part in parts:
            if tier.search(part):
                return part
    return parts[0] if parts else ""


def _institution_of(address: str, *, table: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(institution, ISO alpha-3) named by one address, or None when it names no country or no institution."""
    country = affiliation_country(address)
    name = institution_part(address)
    return (canonical_name(name, table=table), country) if country and name else None


@functools.lru_cache(maxsize=1 << 17)  # the same department address recurs across thousands of papers
def _default_institution(address: str) -> tuple[str, str] | None:
    return _institution_of(address, table=aliases())


def paper_institutions(addresses: str | None, *, organisations: str | None = None,
                       table: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Distinct (institution, ISO alpha-3) of one paper, in order.

    ``addresses`` is Scopus 'Affiliations' or WoS 'C1' (each address ends with its country); ``organisations``
    is WoS 'C3' (organisation names without countries). Where C3 is given its names are used, each placed in the
    country of an address naming the same institution, else the country the alias table gives it; a C3 name
    found in neither is left out rather than guessed.
    """
    named_by = _default_institution if table is None else functools.partial(_institution_of, table=table)
    table = aliases() if table is None else table
    found: list[tuple[str, str]] = []
    for address in split_affiliations(addresses or ""):
        pair = named_by(address)
        if pair and pair not in found:
            found.append(pair)
    if not organisations or not str(organisations).strip():
        return found
    countries = {key_of(name): country for name, country in found}
    chosen: list[tuple[str, str]] = []
    for raw in str(organisations).split(";"):
        if not raw.strip():
            continue
        name = canonical_name(raw, table=table)
        country = countries.get(key_of(name)) or table.get(key_of(raw), ("", ""))[1]
        if country and (name, country) not in chosen:
            chosen.append((name, country))
    named = {key_of(n) for n, _ in chosen}
    # Addresses whose organisation C3 does not list (C3 covers the organisations WoS has unified) still count.
    return chosen + [pair for pair in found if key_of(pair[0]) not in named]
