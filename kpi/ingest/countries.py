"""Country and region names in Japanese or English -> ISO 3166-1 alpha-3, and back to display names."""

from __future__ import annotations

import csv
import functools
import gettext
import unicodedata
from pathlib import Path

import pycountry

ALIASES_PATH = Path(__file__).resolve().parents[2] / "data" / "country_aliases.csv"
# "その他 / Other / 不明 / Unknown / 無国籍" rows of Japanese country tables: real students, counted in one explicit
# bucket under a code ISO 3166-1 leaves to users (ZZ* is user-assigned); country_name() shows it as その他 / Other.
OTHER = "ZZZ"


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("　", " ").split()).casefold()


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(lookup key -> alpha-3, alpha-3 -> {"en": name, "ja": name})."""
    japanese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)
    lookup: dict[str, str] = {}
    names: dict[str, dict[str, str]] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        english = getattr(country, "common_name", None) or country.name
        names[code] = {"en": english, "ja": japanese.gettext(country.name)}
        for text in (code, country.alpha_2, country.name, english, getattr(country, "official_name", None),
                     names[code]["ja"]):
            if text:
                lookup.setdefault(_key(text), code)
    with ALIASES_PATH.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["iso3"]
            if row["display_en"]:  # rows with empty display names only add spellings (Web of Science's, Scopus')
                names[code] = {"en": row["display_en"], "ja": row["display_ja"] or row["display_en"]}
            for text in [row["display_en"], row["display_ja"], *row["aliases"].split("|")]:
                if text.strip():
                    lookup[_key(text)] = code
    return lookup, names


def to_iso3(text: str) -> str | None:
    """ISO alpha-3 code for a country or region name in Japanese or English, or None when unknown."""
    if not text or not str(text).strip():
        return None
    return _tables()[0].get(_key(str(text)))


def country_name(code: str, lang: str = "en") -> str:
    """Display name of an alpha-3 code in ``lang`` (the code itself when unknown)."""
    return _tables()[1].get(code, {}).get(lang, code)
