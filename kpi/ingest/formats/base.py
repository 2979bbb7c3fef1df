"""The format interface: what a reader returns, and the field rules each format declares.

A *record* format (MEDLINE, RIS, BibTeX, Scopus plain text, OpenAlex JSON, Web of Science tagged text) reads the
whole text into one row per record: ``recognise(head: str) -> bool`` and ``read(text: str) -> Records``.
A *table* format (Scopus, Web of Science, OpenAlex, Dimensions and Lens CSV or Excel) is a delimited table the
importer reads; the format recognises it by its header cells, ``recognise_header(cells: list[str]) -> bool``, and
declares which of its columns hold addresses, organisations, authors and citations (``FIELDS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Fields:
    """Where a format keeps what the papers contract needs, beyond the columns its aliases name.

    ``addresses``: header cells holding affiliation addresses, each ending in its country (first present is read);
    ``organisations``: organisation names without countries (WoS C3), for institutions only;
    ``codes``: the address column holds country names or codes, not addresses (no institutions from it);
    ``authors``: (header, separator) pairs whose items count the authors; ``early_access``: WoS EA.
    """

    addresses: tuple[str, ...] = ()
    organisations: str | None = None
    codes: bool = False
    authors: tuple[tuple[str, str], ...] = ()
    early_access: str | None = None


@dataclass
class Records:
    """A read file: header cells, one row per record (index = the file line the record starts on), notes."""

    header: list[str]
    body: pd.DataFrame
    header_line: int | None = None
    delimiter: str = ""
    notes: list[tuple[str, int | None]] = field(default_factory=list)  # (catalogue key, line): warnings
    exported: str = ""  # the export date the file states, as written


def frame(rows: list[dict[str, str]], header: list[str], lines: list[int]) -> pd.DataFrame:
    """Rows of text (missing fields '') indexed by the line each record starts on, columns numbered as header."""
    body = pd.DataFrame([[row.get(name, "") for name in header] for row in rows], columns=range(len(header)),
                        dtype="object")
    body.index = lines
    return body


def cited(text: str) -> str:
    """'Cited By :1066', 'Cited By: 3', 'cited By 0', 'Cited 6 times.' -> '1066' / '3' / '0' / '6' ('' if none)."""
    match = re.search(r"cited(?: by)?\s*:?\s*(\d+)", text or "", re.IGNORECASE)
    return match.group(1) if match else ""


def year_of(text: str) -> str:
    match = re.search(r"\b(1[89]\d\d|20\d\d)\b", text or "")
    return match.group(1) if match else ""


def scopus_eid(text: str) -> str:
    match = re.search(r"eid=(2-s2\.0-\d+)", text or "")
    return match.group(1) if match else ""
