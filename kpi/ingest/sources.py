"""Known export formats, recognised by their signature before any guessing: Scopus CSV, Web of Science
tab-delimited and plain-text records, Excel workbooks; and the generic reading of unknown tables."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from kpi.ingest.workbook import excel_text, open_workbook  # noqa: F401 - excel_text re-exported

HEAD_CHARS = 200_000
HEAD_RECORDS = 30
DELIMITERS = (",", "\t", ";", "|")
FIELD_LIMIT = 2**31 - 1  # the csv module's default (131,072) would raise on a long abstract or cited-reference list

csv.field_size_limit(FIELD_LIMIT)

# Tags whose continuation lines in Web of Science plain text are separate items (joined with '; ' as in the
# tab-delimited export); other tags' continuation lines continue the same text.
_WOS_LIST_TAGS = {"AU", "AF", "BA", "BF", "CA", "GP", "BE", "C1", "C3", "CR", "EM", "RI", "OI", "FU", "SC", "WC",
                  "DE", "ID", "RP"}
_WOS_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Windows, Unix and classic Mac line ends; never U+2028 in an abstract


@dataclass
class Source:
    """What a file was recognised as; ``key`` names it in the catalogue (imp.source.<key>)."""

    key: str  # scopus_csv, wos_tab, wos_plain, excel, table
    delimiter: str = ","
    header_line: int | None = None  # fixed by the format (1-based), or None to detect
    quoting: bool = True  # Web of Science tab-delimited fields are never quoted: a '"' is text


def first_line(text: str) -> str:
    return _LINE_BREAK.split(text[:100_000], maxsplit=1)[0].lstrip("\ufeff")


def recognise(text: str) -> Source | None:
    """A known source from the file's first line, or None for the generic path."""
    line = first_line(text)
    if re.match(r"^(FN |VR |PT [A-Z]\b)", line):
        return Source("wos_plain", "", 1, quoting=False)
    cells = line.split("\t")
    if len(cells) >= 3 and [c.strip() for c in cells[:2]] == ["PT", "AU"]:
        return Source("wos_tab", "\t", 1, quoting=False)
    try:
        header = next(csv.reader(io.StringIO(line, newline="")), [])
    except csv.Error:
        return None
    names = {c.strip().casefold() for c in header}
    if {"eid", "year"} <= names:  # Scopus' record id, whichever other fields the analyst ticked
        return Source("scopus_csv", ",", 1)
    return None


def records_of(text: str, delimiter: str, *, limit: int = HEAD_RECORDS, quoting: bool = True
               ) -> tuple[list[list[str]], list[int]]:
    """The first ``limit`` records, and for each the number of physical lines read up to its end."""
    cut = max(HEAD_CHARS, limit * 2000)
    end = text.find("\n", cut)  # never cut a line: a header 20,000 columns wide is longer than the head
    reader = csv.reader(io.StringIO(text[:len(text) if end < 0 else end + 1], newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
    records, ends = [], []
    try:
        for record in reader:
            records.append(record)
            ends.append(reader.line_num)
            if len(records) >= limit:
                break
    except csv.Error:
        pass  # a head cut inside a quoted field: what was read is enough to judge
    return records, ends


def guess_delimiter(text: str) -> str:
    """The delimiter under which most of the first records share one width (>= 2 cells).

    Parsing, not counting: commas inside quoted text, or in a tab-delimited file's abstracts, do not make
    their rows consistent.
    """
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        records, _ = records_of(text, delimiter)
        widths = Counter(len(r) for r in records if any(c.strip() for c in r) and len(r) >= 2)
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        score = count * 1000 + min(width, 999)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def wos_tab_body(text: str, header_width: int) -> tuple[list[str], pd.DataFrame]:
    """Web of Science tab-delimited: one record per line, fields unquoted; (header, body indexed by line)."""
    lines = _LINE_BREAK.split(text.lstrip("\ufeff"))
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    while rows and rows[-1] == [""]:
        rows.pop()
    return header, _frame(rows, start=2, width=max(header_width, len(header)))


def wos_plain_records(text: str) -> tuple[list[str], pd.DataFrame, list[int]]:
    """Web of Science plain text: (tags in order of appearance, one row per record indexed by its PT line,
    lines of records not closed by ER)."""
    tags: dict[str, None] = {}
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    unclosed: list[int] = []
    record: dict[str, list[str]] | None = None
    tag = ""
    for number, line in enumerate(_LINE_BREAK.split(text.lstrip("\ufeff")), start=1):
        if record is not None and line.startswith("   ") and tag:
            record[tag].append(line.strip())
            continue
        match = _WOS_LINE.match(line)
        if not match:
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag in ("FN", "VR", "EF"):
            continue
        if tag == "ER":
            if record is not None:
                rows.append(_joined(record))
            record, tag = None, ""
            continue
        if tag == "PT" or record is None:
            if record is not None:
                unclosed.append(lines[-1])
                rows.append(_joined(record))
            record = {}
            lines.append(number)
        tags.setdefault(tag, None)
        record.setdefault(tag, []).append(value)
    if record is not None:
        unclosed.append(lines[-1])
        rows.append(_joined(record))
    header = list(tags)
    frame = pd.DataFrame([[row.get(t, "") for t in header] for row in rows], columns=range(len(header)),
                         dtype="object")
    frame.index = lines
    return header, frame, unclosed


def _joined(record: dict[str, list[str]]) -> dict[str, str]:
    return {tag: ("; " if tag in _WOS_LIST_TAGS else " ").join(v for v in values if v)
            for tag, values in record.items()}


def _frame(rows: list[list[str]], *, start: int, width: int) -> pd.DataFrame:
    width = max([width, *map(len, rows)]) if rows else width
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width), dtype="object")
    frame.index = range(start, start + len(frame))
    return frame


# --- Excel ---------------------------------------------------------------------------------------------------

def is_workbook(data: bytes) -> bool:
    """.xlsx/.xlsm/.ods are zip files, .xls an OLE compound file."""
    return data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def workbook_sheets(data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet as rows of text from A1 (empty rows kept, so that row n is the sheet's row n), read through the
    guard of kpi.ingest.workbook (raises WorkbookRefused for a workbook beyond its bounds)."""
    book = open_workbook(data)
    return {name: book.rows(name) for name in book.names}


def column_letter(position: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
