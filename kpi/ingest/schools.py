"""One school whatever language or form a file names it in: 工学部・工学研究科, Engineering, Faculty of Engineering.

The names come from data/i18n/schools.csv (the English name is the one stored, as in the sample) and the editable
alias table data/school_aliases.csv (alias, school): a registrar's spelling is added there, not in code.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
ALIASES_PATH = DATA_DIR / "school_aliases.csv"
NAMES_PATH = DATA_DIR / "i18n" / "schools.csv"


def key_of(name: str) -> str:
    """Comparison key: width, case, spaces and the separators 「・」 / "and" / "&" ignored."""
    text = unicodedata.normalize("NFKC", str(name)).casefold().replace("&", " and ")
    return re.sub(r"[\s・･,.]+", "", text)


@functools.cache
def _table(aliases: str, names: str) -> dict[str, str]:
    table: dict[str, str] = {}
    with open(names, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for spelling in (row["en"], row["ja"]):
                table.setdefault(key_of(spelling), row["en"].strip())
    with open(aliases, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            school, alias = (row.get("school") or "").strip(), (row.get("alias") or "").strip()
            if school and alias:
                table.setdefault(key_of(alias), table.get(key_of(school), school))
    return table


def aliases(path: Path | str = ALIASES_PATH) -> dict[str, str]:
    """Comparison key -> the stored school name, from data/i18n/schools.csv and data/school_aliases.csv."""
    return _table(str(path), str(NAMES_PATH))


def canonical_school(name: str, *, table: dict[str, str] | None = None) -> str:
    """The school's stored name when either table knows the spelling; else the name as written."""
    table = aliases() if table is None else table
    return table.get(key_of(name), name)
