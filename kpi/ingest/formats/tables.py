"""Table formats (CSV or Excel) recognised by their header cells, with each format's field rules.

The importer reads the table; a format says which columns hold addresses, organisations and authors, and may
derive columns (OpenAlex's 'IT|IT' country codes read as 'IT; IT', its institutions paired with their countries).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from kpi.ingest.formats.base import Fields


def key(cell: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(cell))).casefold()


def _has(cells: list[str], *names: str) -> bool:
    keys = {key(c) for c in cells}
    return all(key(n) in keys for n in names)


class ScopusCsv:
    """Scopus CSV: EID and Year, whichever other fields were ticked; addresses in 'Affiliations' (older vintages:
    'Authors with affiliations'); authors counted from 'Author(s) ID'; citations 'Cited by'."""

    KEY = "scopus_csv"
    FIELDS = Fields(addresses=("Affiliations", "Authors with affiliations"), authors=(("Author(s) ID", ";"),))

    @staticmethod
    def recognise_header(cells: list[str]) -> bool:
        return _has(cells, "EID", "Year")


class WosTable:
    """Web of Science 'Excel' export (.xls) or the same saved as CSV, full column names: countries from 'Addresses'
    (C1) only; 'Affiliations' is C3 (organisation names, no country) and only names institutions."""

    KEY = "wos_table"
    FIELDS = Fields(addresses=("Addresses",), organisations="Affiliations", authors=(("Authors", ";"),),
                    early_access="Early Access Date")

    @staticmethod
    def recognise_header(cells: list[str]) -> bool:
        return _has(cells, "Publication Year") and (_has(cells, "UT (Unique WOS ID)") or _has(cells, "UT (Unique ID)"))


class OpenAlexCsv:
    """OpenAlex CSV (the web site's export): 'authorships.countries' as 'IT|IT' (ISO alpha-2, one per author
    affiliation), institutions from 'authorships.institutions.display_name' paired with those codes when both
    lists have the same length; authors from 'authorships.author.display_name'; 'cited_by_count'."""

    KEY = "openalex_csv"
    FIELDS = Fields(addresses=("authorships.countries",), codes=True,
                    authors=(("authorships.author.display_name", "|"),))

    @staticmethod
    def recognise_header(cells: list[str]) -> bool:
        return _has(cells, "publication_year", "authorships.countries")

    @staticmethod
    def derive(column) -> dict[str, pd.Series]:
        codes = column("authorships.countries")
        derived = {"authorships.countries": codes.fillna("").str.replace("|", "; ", regex=False)}
        names = column("authorships.institutions.display_name")
        if names is not None:
            derived["institutions"] = pd.Series([_pairs(n, c) for n, c in zip(names.fillna(""), codes.fillna(""))],
                                                index=codes.index, dtype="object")
        return derived


def _pairs(names: str, codes: str) -> str:
    names_list, codes_list = names.split("|"), codes.split("|")
    if not names.strip() or len(names_list) != len(codes_list):
        return ""
    pairs = []
    for name, code in zip(names_list, codes_list):
        pair = f"{name.replace(';', ',').strip()}|{code.strip()}"
        if name.strip() and code.strip() and pair not in pairs:
            pairs.append(pair)
    return ";".join(pairs)


class Dimensions:
    """Dimensions CSV ('About the data: Exported on …' above the header): countries from 'Country of Research
    organization' (names, '; '); 'Publication ID', 'PubYear', 'Times cited'; authors from 'Authors'."""

    KEY = "dimensions_csv"
    FIELDS = Fields(addresses=("Country of Research organization",), codes=True, authors=(("Authors", ";"),))

    @staticmethod
    def recognise_header(cells: list[str]) -> bool:
        return _has(cells, "Publication ID", "PubYear")

    @staticmethod
    def exported(head: str) -> str:
        match = re.search(r"Exported on ([^.\"]+)", head[:2000])
        return match.group(1).strip() if match else ""


class Lens:
    """Lens scholarly CSV: ids, years and 'Citing Works Count', but no affiliations at all."""

    KEY = "lens_csv"
    FIELDS = Fields()

    @staticmethod
    def recognise_header(cells: list[str]) -> bool:
        return _has(cells, "Lens ID")
