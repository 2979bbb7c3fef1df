"""One importer for every CSV: bytes -> encoding -> header -> mapped, typed rows, with located errors."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.errors

from kpi.ingest import conflicts, formats
from kpi.ingest.bibliographic import paper_countries
from kpi.ingest.countries import to_iso3
from kpi.ingest.formats import Fields
from kpi.ingest.ids import normalise_id
from kpi.ingest.institutions import canonical_name, paper_institutions
from kpi.ingest.numbers import (  # noqa: F401 - CellError, cell_text and the limits are used by callers too
    COUNT_LIMIT,
    NONE_DASHES,
    NUMBER_LIMIT,
    CellError,
    cell_text,
    parse_count,
    parse_number,
)
from kpi.ingest.schemas import (
    AFFILIATION_HEADERS,
    DATASETS,
    DOI_HEADERS,
    STORED_TYPES,
    SUBSET_MARKERS,
    WIDE_CATEGORY,
    WIDE_YEAR_VALUE,
    Column,
    columns_of,
    pandera_schema,
)
from kpi.ingest.schools import canonical_school
from kpi.ingest.sources import (
    HEAD_CHARS,
    Source,
    column_letter,
    guess_delimiter,
    is_workbook,
    recognise,
    records_of,
)
from kpi.ingest.workbook import EXCEL_ERRORS, Workbook, WorkbookRefused, open_workbook
from kpi.text.i18n import t
from metrics.milestones import MilestoneError, parse_milestones
from metrics.network import format_institutions
from metrics.periods import FIRST_DATE, FIRST_YEAR, LAST_DATE, OPEN_ENDED, PeriodError, parse_date, parse_fiscal_year
from metrics.registry import load_registry

HEADER_SEARCH_ROWS = 30
WIDE_COLUMNS = 200  # beyond this many columns a table is read and judged row by row, not column by column
MAX_ERRORS = 1000  # listed one by one; beyond that the count is given
FOOTNOTE = re.compile(r"^(※|注|出典|備考|Source\s*:|Note\s*:|Notes\s*:)", re.IGNORECASE)
TOTAL_WORDS = {"合計", "計", "小計", "総計", "総数", "total", "grand total", "subtotal", "sub-total"}


# A catalogue key: lowercase words joined by dots (imp.not_whole_number). Anything else given as ``key`` is shown
# as written (text from code that predates the catalogue), so an old call never breaks.
_KEY = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$")


@dataclass
class Problem:
    """One error or warning: a catalogue key with named params, rendered in the user's language.

    ``line`` is the file line (or sheet row) as a spreadsheet numbers it (first line = 1), ``column`` the file's
    header; for a workbook ``cell`` is the reference (``Sheet1!C12``). ``str()`` is English.
    """

    key: str
    line: int | None = None
    column: str | None = None
    value: str = ""
    params: dict = field(default_factory=dict)
    cell: str | None = None
    position: int | None = None  # 0-based column of the file, from which ``cell`` is made for a workbook

    def message_in(self, lang: str = "en") -> str:
        if not _KEY.match(self.key):
            return self.key
        shown = self.value if len(self.value) <= 80 else self.value[:77] + "…"
        params = {name: t(value[1:], lang) if isinstance(value, str) and value.startswith("@") and _KEY.match(value[1:])
                  else value for name, value in self.params.items()}  # '@imp.source.x': a catalogue text in lang
        return t(self.key, lang, **{"value": shown, "column": self.column or "", **params})

    @property
    def message(self) -> str:
        return self.message_in("en")

    def where_in(self, lang: str = "en") -> str:
        """'line 3, column "人数"' / '3行目「人数」列' (or the workbook cell)."""
        place = {"cell": self.cell} if self.cell else {"line": self.line} if self.line else {}
        kind = next(iter(place), "")
        if self.column:
            return t(f"imp.where.{kind}_column", lang, column=self.column, **place) if kind \
                else t("imp.where.column", lang, column=self.column)
        return t(f"imp.where.{kind}", lang, **place) if kind else ""

    def text_in(self, lang: str = "en") -> str:
        where = self.where_in(lang)
        return t("imp.where.text", lang, where=where, message=self.message_in(lang)) if where \
            else self.message_in(lang)

    def as_dict(self, lang: str = "en") -> dict:
        return {"line": self.line, "cell": self.cell, "column": self.column, "value": self.value, "key": self.key,
                "message": self.message_in(lang)}

    def __str__(self) -> str:
        return self.text_in("en")


@dataclass
class ImportResult:
    dataset: str
    file_name: str = ""
    sha256: str = ""
    encoding: str = ""
    delimiter: str = ","
    header_line: int | None = None
    header: list[str] = field(default_factory=list)  # the file's header cells, as written
    layout: str = "long"
    mapping: dict[str, str] = field(default_factory=dict)  # file header -> contract column
    constants: dict[str, str] = field(default_factory=dict)  # columns supplied for the whole file (parsed)
    frame: pd.DataFrame | None = None  # index = file line of each row
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    source: str = "table"  # what the file was recognised as: scopus_csv, wos_tab, wos_plain, excel, table
    sheet: str | None = None  # the workbook sheet read
    records: int = 0  # data records read (before parsing)
    summary: dict = field(default_factory=dict)  # papers: the hand count (papers, international, without_country)
    exported: str = ""  # the export date a bibliographic export states (citations are counted as of that day)

    @property
    def ok(self) -> bool:
        return not self.errors and self.frame is not None

    def detected_in(self, lang: str = "en") -> str:
        """'Web of Science tab-delimited, UTF-16LE, 1,000 records'."""
        return t("imp.detected", lang, source=t(f"imp.source.{self.source}", lang),
                 encoding=ENCODING_NAMES.get(self.encoding, self.encoding) or "–", records=f"{self.records:,}")

    def summary_in(self, lang: str = "en") -> str:
        """Papers: the counts a hand count gives (unique records, internationally co-authored, without a country)."""
        if not self.summary:
            return ""
        lines = self.summary["without_country_lines"]
        shown = ", ".join(map(str, lines[:20])) + (", …" if len(lines) > 20 else "")
        text = t("imp.summary.papers", lang, papers=f"{self.summary['papers']:,}",
                 international=f"{self.summary['international']:,}", without=f"{self.summary['without_country']:,}")
        return text + (t("imp.summary.lines", lang, lines=shown) if lines else "")

    def problems_frame(self, lang: str = "en", *, only: str | None = None) -> pd.DataFrame:
        """Errors then warnings, severity in words of ``lang``; ``only`` = 'error' or 'warning' keeps one kind."""
        rows = [{"severity": t("imp.severity.error", lang), **p.as_dict(lang)}
                for p in self.errors if only in (None, "error")]
        rows += [{"severity": t("imp.severity.warning", lang), **p.as_dict(lang)}
                 for p in self.warnings if only in (None, "warning")]
        frame = pd.DataFrame(rows, columns=["severity", "line", "cell", "column", "value", "message"])
        return frame if self.sheet else frame.drop(columns="cell")


ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "utf-16-le": "UTF-16LE",
                  "utf-16-be": "UTF-16BE", "cp932": "Shift_JIS (CP932)", "xlsx": "Excel"}


class ImportFailure(Exception):
    """A file that cannot be read at all (encoding, binary, empty); carries one Problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def header_key(text: str) -> str:
    """Headers match ignoring case, spaces and full/half width."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode the file; UTF-8 (with or without BOM), UTF-16 with BOM or CP932, and ask rather than guess otherwise.

    A NUL character is refused anywhere in the text (PostgreSQL cannot store one), with the line it is on.
    """
    if not data.strip():
        raise ImportFailure(Problem("imp.empty"))
    text, used = _decode(data, encoding)
    if "\r" in text and "\n" not in text:  # classic Mac line ends (CR only): every reader below splits on LF
        text = text.replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        raise ImportFailure(Problem("imp.nul", text.count("\n", 0, nul) + 1))
    return text, used


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding  # a BOM is never part of the header
        except (UnicodeDecodeError, LookupError):
            raise ImportFailure(Problem("imp.cannot_decode", params={"encoding": encoding})) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name), name
            except UnicodeDecodeError:
                pass
    if b"\x00" in data[:8192]:
        raise ImportFailure(Problem("imp.binary"))
    for candidate in ("utf-8", "cp932"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ImportFailure(Problem("imp.unknown_encoding"))


def read_head(text: str, delimiter: str, *, limit: int = HEADER_SEARCH_ROWS, quoting: bool = True
              ) -> tuple[list[list[str]], list[int]]:
    """The first records, and for each the number of physical lines read up to its end."""
    return records_of(text, delimiter, limit=limit, quoting=quoting)


def read_body(text: str, *, delimiter: str, skip_lines: int, first_line: int, width: int,
              utf8: bytes | None = None) -> pd.DataFrame:
    """Every record after the header as strings ('' when empty), indexed by its line as a spreadsheet numbers it.

    Every cell is kept: a row wider than ``width`` keeps its extra cells (the caller reports them). pandas' C
    parser does the bulk work; a file it cannot split goes through the csv module instead, which takes any shape.
    """
    offset = 0
    for _ in range(skip_lines):
        offset = text.index("\n", offset) + 1 if "\n" in text[offset:] else len(text)
    body_text = text[offset:]
    # the file's own UTF-8 bytes from the body on, when it was UTF-8: no second encoding of a large file
    body_bytes = utf8[len(text[:offset].encode("utf-8")):] if utf8 is not None else None
    # A wide table (hundreds of columns) is read into one block of text cells: Arrow and pandas' C parser make a
    # column object each, and every later step would then pay per column (20,000 columns: minutes).
    body = None if width > WIDE_COLUMNS else _read_rectangular(body_text, delimiter=delimiter, width=width,
                                                                body_bytes=body_bytes)
    if body is None and width > WIDE_COLUMNS:
        body = _read_with_csv(body_text, delimiter, width)
    if body is None:
        try:
            body = pd.read_csv(io.StringIO(body_text), sep=delimiter, header=None, names=range(width), dtype="str",
                               keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                               on_bad_lines="error")
        except (pd.errors.ParserError, ValueError, OverflowError, csv.Error):
            records = list(csv.reader(io.StringIO(body_text, newline=""), delimiter=delimiter))
            width = max([width, *map(len, records)]) if records else width
            body = pd.DataFrame([r + [""] * (width - len(r)) for r in records], columns=range(width), dtype="str")
    body.index = range(first_line, first_line + len(body))
    return body


def _read_with_csv(body_text: str, delimiter: str, width: int) -> pd.DataFrame:
    records = list(csv.reader(io.StringIO(body_text, newline=""), delimiter=delimiter))
    width = max([width, *map(len, records)]) if records else width
    return pd.DataFrame([r + [""] * (width - len(r)) for r in records], columns=range(width), dtype="object")


def _read_rectangular(body_text: str, *, delimiter: str, width: int, body_bytes: bytes | None = None
                      ) -> pd.DataFrame | None:
    """Arrow's multithreaded CSV reader for the common case: every row as wide as the first, no blank line.

    Anything else (a footnote row, a blank line) returns None and the tolerant readers take over, so that the
    line numbers always match the file.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        first = next(csv.reader(io.StringIO(body_text[:100_000], newline=""), delimiter=delimiter), None)
    except csv.Error:
        return None
    if not first:
        return None
    names = [str(i) for i in range(len(first))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(body_bytes if body_bytes is not None else body_text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowCapacityError):
        return None
    body = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    body.columns = range(len(names))
    for extra in range(len(names), width):
        body[extra] = ""
    return body


def _alias_map(columns: tuple[Column, ...]) -> dict[str, str]:
    mapping = {}
    for col in columns:
        for alias in (col.name, *col.aliases):
            mapping.setdefault(header_key(alias), col.name)
    return mapping


def _alias_rank(columns: tuple[Column, ...]) -> dict[str, int]:
    """How strongly a header names its column: the name first, then aliases in order (EID before DOI)."""
    return {header_key(alias): rank for col in columns for rank, alias in enumerate((col.name, *col.aliases))}


@functools.lru_cache(maxsize=4096)
def _is_year_header(text: str) -> bool:
    try:
        parse_fiscal_year(text)
        return True
    except PeriodError:
        return False


def _year_run(record: list[str]) -> int:
    """How many cells of a row read as a wide layout's year headers: adjacent years in order (ascending or
    descending), in a row with no other number (page numbers 2087 and 2101, or S15, sit among volumes and
    issues in a data row)."""
    years = [(i, parse_fiscal_year(c)) for i, c in enumerate(record) if c.strip() and _is_year_header(c)]
    if len(years) < 2:
        return 0
    positions = [i for i, _ in years]
    values = [y for _, y in years]
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    ascending = all(a < b for a, b in zip(values, values[1:])) or all(a > b for a, b in zip(values, values[1:]))
    taken = set(positions)
    others = [c for i, c in enumerate(record) if i not in taken and re.fullmatch(r"[\d.,\s]+", c.strip() or "x")]
    return len(years) if adjacent and ascending and not others else 0


def category_headers(dataset: str, header: list[str]) -> dict[int, tuple[str, str]]:
    """Wide layouts with one column per category (学部,修士課程,博士課程 or 教授,准教授,講師): position ->
    (category, count column it fills); '学部うち留学生' or 'Professor (foreign)' fills the subset count."""
    if dataset not in WIDE_CATEGORY:
        return {}
    category, whole, part = WIDE_CATEGORY[dataset]
    choices = next(c.choices for c in columns_of(dataset) if c.name == category)
    accepted = {_bare(k): v for k, v in choices.items()}
    markers = sorted({_bare(m) for m in SUBSET_MARKERS}, key=len, reverse=True)
    found = {}
    for position, cell in enumerate(header):
        key = _bare(cell)
        if not key:
            continue
        if key in accepted:
            found[position] = (accepted[key], whole)
            continue
        for marker in markers:
            rest = key.replace(marker, "").replace("うち", "").removesuffix("数")
            if marker in key and rest in accepted:
                found[position] = (accepted[rest], part)
                break
    return found


def _bare(text: str) -> str:
    return re.sub(r"[()\[\]（）【】:：・_/'’-]", "", header_key(text))


def _find_header(records: list[list[str]], aliases: dict[str, str], dataset: str = "") -> int | None:
    """The row naming the most contract columns (a wide layout's year run or category columns count too); the
    first of equals."""
    best, best_score = None, 2  # at least two named columns, or one and a run of years
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        named = {aliases[header_key(c)] for c in record if header_key(c) in aliases}
        categories = len(category_headers(dataset, record))
        score = 2 * len(named) + _year_run(record) + (categories if categories >= 2 else 0)
        if score > best_score:
            best, best_score = index, score
    return best


# --- cell parsers: each returns the stored value or raises CellError (catalogue key) for the analyst ---

TEXT_LIMIT = 1000  # characters in a stored text cell (partner, school, id, source)


def parse_country(text: str) -> str:
    code = to_iso3(text)
    if code is None:
        raise CellError("imp.unknown_country")
    return code


def parse_countries(text: str) -> str:
    codes = []
    for part in re.split(r"[;；]", str(text)):
        if part.strip():
            try:
                code = parse_country(part)
            except CellError:
                raise CellError("imp.unknown_country_in", part=part.strip()) from None
            if code not in codes:
                codes.append(code)
    return ";".join(codes)


def last_paper_year() -> int:
    return dt.date.today().year + 1


def parse_institutions(text: str) -> str:
    """'Harvard Univ|USA;東北大学|Japan' -> 'Harvard University|USA;Tohoku University|JPN' (alias table names)."""
    pairs = []
    for part in re.split(r"[;；]", str(text)):
        if not part.strip():
            continue
        name, bar, country = part.rpartition("|")
        if not bar or not name.strip():
            raise CellError("pub.institution_pair", part=part.strip())
        try:
            pair = (canonical_name(name), parse_country(country))
        except CellError:
            raise CellError("imp.unknown_country_in", part=country.strip()) from None
        if pair not in pairs:
            pairs.append(pair)
    return format_institutions(pairs)


def _parse_year(text: str) -> int:
    value = cell_text(text)
    if not re.fullmatch(r"\d{4}", value):
        raise CellError("imp.not_calendar_year")
    if not FIRST_YEAR <= int(value) <= last_paper_year():
        raise CellError("imp.year_range", first=FIRST_YEAR, last=last_paper_year())
    return int(value)


def _parse_text(text: str) -> str:
    value = " ".join(cell_text(text).split())
    if len(value) > TEXT_LIMIT:
        raise CellError("imp.too_long", length=f"{len(value):,}", limit=f"{TEXT_LIMIT:,}")
    return value


def _parse_record_id(text: str) -> str:
    """A paper's id (EID 2-s2.0-…, UT WOS:…, a DOI or the university's own): one token holding a digit.

    A word such as 'Scopus' or 'Article' in the id column means the row's cells are shifted.
    """
    value = _parse_text(text)
    if not re.fullmatch(_RECORD_ID, value):
        raise CellError("imp.not_an_id")
    return normalise_id(value)


_RECORD_ID = r"\S*\d\S*"


def _parse_date(text: str):
    day = _period_parser(parse_date)(text)
    if day == OPEN_ENDED:
        raise CellError("imp.date_range", first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat())
    return day


def _parse_end_date(text: str):
    """An end date; 9999-12-31 (what many systems write for 'no end') reads as open-ended."""
    day = _period_parser(parse_date)(text)
    return None if day == OPEN_ENDED else day


def _enum_parser(col: Column):
    accepted = {header_key(k): v for k, v in col.choices.items()}

    def parse(text: str) -> str:
        key = header_key(text)
        if key not in accepted:
            raise CellError("imp.bad_choice", name=col.name, allowed=" / ".join(sorted(set(col.choices.values()))))
        return accepted[key]
    return parse


def _period_parser(parse):
    def wrapped(text: str):
        try:
            return parse(text)
        except PeriodError as exc:
            raise CellError(exc.key, **exc.params) from None
    return wrapped


def _parse_milestones(text: str) -> str:
    """Checked strictly (a bad list would otherwise break every page); stored as written."""
    value = cell_text(text)
    try:
        parse_milestones(value)
    except MilestoneError as exc:
        raise CellError(f"tg.ms.{exc.code}", part=exc.part, position=exc.position) from None
    return value


def parser_for(col: Column, dataset: str = ""):
    if dataset == "papers" and col.name == "id":
        return _parse_record_id
    if col.name == "end_date":
        return _parse_end_date
    if col.name == "school":  # 工学部・工学研究科 / Faculty of Engineering -> one school (data/school_aliases.csv)
        return lambda text: canonical_school(_parse_text(text))
    return {
        "fiscal_year": _period_parser(parse_fiscal_year), "year": _parse_year, "count": parse_count,
        "number": parse_number, "date": _parse_date, "country": parse_country,
        "countries": parse_countries, "institutions": parse_institutions, "text": _parse_text,
        "milestones": _parse_milestones,
    }.get(col.kind) or _enum_parser(col)


def parse_column(raw: pd.Series, col: Column, label: str, errors: list[Problem], *, dataset: str = "",
                 position: int | None = None, required: bool | None = None) -> pd.Series:
    """Parse one column's cells; every bad cell becomes a Problem naming its line and the file's header.

    Each distinct cell text is parsed once (a million rows hold few distinct years, directions or countries),
    then mapped back onto the rows.
    """
    parse = parser_for(col, dataset)
    required = col.required if required is None else required
    codes, uniques = pd.factorize(raw.fillna(""), sort=False)  # Arrow strings stay Arrow: no million-object copy
    parsed: list[object] = []
    failures: dict[int, tuple[str, dict]] = {}
    vectorised = col.kind == "text" and len(uniques) > 1000  # ids, partner names: many distinct cells
    if vectorised:
        parsed, failures = _parse_texts(uniques, record_id=parse is _parse_record_id, required=required,
                                        name=col.name)
    for number, text in enumerate([] if vectorised else uniques):
        value = None
        if str(text).strip() == "":
            if required:
                failures[number] = ("imp.missing", {"name": col.name})
        elif str(text).strip() in EXCEL_ERRORS:
            failures[number] = ("imp.excel_error", {})
        else:
            try:
                value = parse(text)
            except CellError as exc:
                failures[number] = (exc.key, exc.fields)
        parsed.append(value)
    if failures:
        bad_rows = np.flatnonzero(np.isin(codes, list(failures)))
        room = max(0, MAX_ERRORS + 1 - len(errors))
        for row in bad_rows[:room]:
            key, params = failures[codes[row]]
            text = "" if key == "imp.missing" else str(uniques[codes[row]])
            errors.append(Problem(key, raw.index[row], label, text, params=params, position=position))
    return _stored_from_uniques(parsed, codes, col, raw.index)


def _stored_from_uniques(parsed: list, codes: np.ndarray, col: Column, index: pd.Index) -> pd.Series:
    """The stored column built from one parsed value per distinct cell (converted once) and each row's code."""
    kind = STORED_TYPES[col.kind]
    if not len(parsed):
        return _to_stored(pd.Series([None] * len(index), index=index, dtype="object"), col)
    missing = np.array([v is None for v in parsed], dtype=bool)[codes]
    if kind == "int64":
        values = np.array([0 if v is None else v for v in parsed], dtype="int64")[codes]
        return pd.Series(pd.arrays.IntegerArray(values, missing), index=index)
    if kind == "float64":
        return pd.Series(np.array([np.nan if v is None else v for v in parsed], dtype="float64")[codes], index=index)
    if kind.startswith("datetime"):
        days = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in parsed],
                        dtype="datetime64[ns]")
        return pd.Series(days[codes], index=index)
    lookup = np.empty(len(parsed), dtype=object)
    lookup[:] = parsed
    return pd.Series(lookup[codes], index=index, dtype="object")


def _parse_texts(uniques, *, record_id: bool, required: bool, name: str) -> tuple[list, dict]:
    """_parse_text (and _parse_record_id) over an array of distinct cells at once, in Arrow: the same readings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array([str(u) for u in uniques], type=pa.string())
    values = pc.utf8_normalize(texts, form="NFKC")
    values = pc.utf8_trim_whitespace(pc.replace_substring_regex(values, pattern=r"\s+", replacement=" "))
    failures: dict[int, tuple[str, dict]] = {}
    empty = np.asarray(pc.equal(values, "").to_numpy(zero_copy_only=False), dtype=bool)
    if required:
        for number in np.flatnonzero(empty):
            failures[int(number)] = ("imp.missing", {"name": name})
    errors = np.asarray(pc.is_in(values, value_set=pa.array(EXCEL_ERRORS)).to_numpy(zero_copy_only=False), dtype=bool)
    for number in np.flatnonzero(errors):
        failures[int(number)] = ("imp.excel_error", {})
    lengths = np.asarray(pc.utf8_length(values).to_numpy(zero_copy_only=False))
    for number in np.flatnonzero(lengths > TEXT_LIMIT):
        failures[int(number)] = ("imp.too_long", {"length": f"{lengths[number]:,}", "limit": f"{TEXT_LIMIT:,}"})
    if record_id:
        ids = np.asarray(pc.match_substring_regex(values, pattern=f"^{_RECORD_ID}$").to_numpy(zero_copy_only=False),
                         dtype=bool)
        for number in np.flatnonzero(~ids & ~empty):
            failures.setdefault(int(number), ("imp.not_an_id", {}))
    parsed = values.to_pylist()
    if record_id:
        parsed = [None if v is None else normalise_id(v) for v in parsed]
    for number in (*np.flatnonzero(empty), *failures):
        parsed[int(number)] = None
    return parsed, failures


def _to_stored(series: pd.Series, col: Column) -> pd.Series:
    kind = STORED_TYPES[col.kind]
    if kind == "int64":
        return pd.to_numeric(series).astype("Int64")
    if kind == "float64":
        return pd.to_numeric(series).astype("float64")
    if kind.startswith("datetime"):
        return pd.to_datetime(series).astype("datetime64[ns]")
    return series.astype("str").where(series.notna(), None)


def classify_rows(body: pd.DataFrame) -> pd.Series:
    """'blank', 'footnote' (first filled cell starts with ※, 注, 出典, Source:), 'total' (合計, Total…) or 'data'.

    Each column's distinct cells are judged once (a million rows hold few distinct texts per column); a wide, short
    table (thousands of columns, few rows) is judged row by row instead, without a pandas step per column.
    """
    if len(body.columns) > WIDE_COLUMNS and len(body) * len(body.columns) <= 5_000_000:
        return _classify_by_row(body)
    rows = len(body)
    first = np.full(rows, "", dtype=object)  # each row's first filled cell, stripped
    found = np.zeros(rows, dtype=bool)
    totals = np.zeros(rows, dtype=bool)
    for column in body.columns:
        codes, uniques = pd.factorize(body[column], sort=False)
        stripped = np.array([str(u).strip() for u in uniques], dtype=object)
        if not len(stripped):
            continue
        valid = codes >= 0
        safe = np.where(valid, codes, 0)
        filled = valid & (stripped != "")[safe]
        new = filled & ~found
        first[new] = stripped[safe[new]]
        found |= filled
        is_total = np.array([bool(u) and header_key(u) in TOTAL_WORDS for u in stripped], dtype=bool)
        if is_total.any():
            totals |= valid & is_total[safe]
    kinds = np.full(rows, "data", dtype=object)
    first_codes, first_uniques = pd.factorize(first, sort=False)
    notes = np.array([bool(u) and bool(FOOTNOTE.match(cell_text(u))) for u in first_uniques], dtype=bool)
    kinds[totals] = "total"
    if len(notes):
        kinds[notes[first_codes]] = "footnote"
    kinds[~found] = "blank"
    return pd.Series(kinds, index=body.index, dtype="object")


def _classify_by_row(body: pd.DataFrame) -> pd.Series:
    kinds = []
    for record in body.to_numpy(dtype=object):
        cells = [str(c).strip() for c in record if c is not None and c == c and str(c).strip()]
        if not cells:
            kinds.append("blank")
        elif FOOTNOTE.match(cell_text(cells[0])):
            kinds.append("footnote")
        elif any(header_key(c) in TOTAL_WORDS for c in cells):
            kinds.append("total")
        else:
            kinds.append("data")
    return pd.Series(kinds, index=body.index, dtype="object")


@dataclass
class Table:
    """A file as rows of text: the header row and the body (index = line or sheet row of each record).

    ``fields`` are the recognised format's field rules (None: a generic table), ``derive`` its derived columns.
    """

    header: list[str]
    header_line: int | None
    body: pd.DataFrame | None = None  # None: read lazily by ``load`` once the header has been checked
    load: object = None
    fields: Fields | None = None
    derive: object = None


@dataclass
class Layout:
    """Where each contract column comes from in a table: header positions, wide-layout years and categories,
    columns derived from a bibliographic export, and the labels messages name them by."""

    positions: dict[str, int]
    year_positions: list[int]
    value_column: str | None
    wide_categories: dict[str, dict[str, int]]
    derived: dict
    constants: dict[str, str]


def read_file(data: bytes, dataset: str, *, constants: dict[str, str] | None = None,
              encoding: str | None = None, file_name: str = "", mapping: dict[str, str] | None = None,
              delimiter: str | None = None, header_line: int | None = None, sheet: str | None = None
              ) -> ImportResult:
    """Read one export: never raises for bad input, every problem ends up in ``result.errors``.

    ``delimiter`` and ``header_line`` (1-based) override what the file is recognised as; ``sheet`` picks a
    workbook's sheet (else the first whose rows hold a header).
    """
    result = ImportResult(dataset=dataset, file_name=file_name, sha256=hashlib.sha256(data).hexdigest())
    try:
        _read(data, result, constants=constants, encoding=encoding, mapping=mapping, delimiter=delimiter,
              header_line=header_line, sheet=sheet)
    except Exception as exc:  # noqa: BLE001 - the invariant: no file ends in a traceback; the cause is shown
        result.frame = None
        result.errors.append(Problem("imp.internal", params={"detail": f"{type(exc).__name__}: {exc}"[:300]}))
    return result


def _read(data: bytes, result: ImportResult, *, constants, encoding, mapping, delimiter, header_line, sheet) -> None:
    """The stages of an import, each returning what the next needs: table -> layout -> rows -> frame -> checks."""
    columns = columns_of(result.dataset)
    aliases = _alias_map(columns)
    table = _load_table(data, result, aliases, encoding=encoding, delimiter=delimiter, header_line=header_line,
                        sheet=sheet)
    if table is None:
        return
    layout = _layout(table, result, columns, aliases, mapping, constants)
    if not _required_present(layout, columns, table, result):
        _locate_cells(result)
        return
    body, totals = _data_rows(table, result)
    if body is None:
        _locate_cells(result)
        return
    frame, labels, where = _build_frame(body, table, layout, columns, result)
    _finish(frame, totals, layout, labels, where, result)


def _load_table(data: bytes, result: ImportResult, aliases: dict[str, str], *, encoding, delimiter, header_line,
                sheet) -> Table | None:
    """The file as a Table: a workbook sheet, or decoded text dispatched to its format (else a generic table)."""
    if is_workbook(data):
        table = _workbook_table(data, result, aliases, header_line=header_line, sheet=sheet)
    else:
        try:
            text, result.encoding = decode(data, encoding)
            bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
            utf8 = data[bom:] if result.encoding in ("utf-8", "utf-8-sig") and b"\n" in data else None
        except ImportFailure as failure:
            result.errors.append(failure.problem)
            return None
        table = _text_table(text, result, aliases, delimiter=delimiter, header_line=header_line, utf8=utf8)
    if table is not None:
        result.header_line = table.header_line
        result.header = [cell.strip() for cell in table.header]
    return table


def _layout(table: Table, result: ImportResult, columns: tuple[Column, ...], aliases: dict[str, str],
            mapping: dict[str, str] | None, constants: dict[str, str] | None) -> Layout:
    """Which header names which contract column (the analyst's mapping last), and what the layout is."""
    header, dataset = table.header, result.dataset
    by_name = {c.name: c for c in columns}
    positions, year_positions = _named_positions(header, columns, aliases, result)
    _check_duplicate_headers(header, aliases, result)
    _apply_mapping(mapping or {}, header, positions, by_name, result)
    value_column = WIDE_YEAR_VALUE.get(dataset)
    if len(year_positions) >= 2 and "fiscal_year" in by_name and "fiscal_year" not in positions and value_column:
        result.layout = "wide"
        for position in year_positions:
            result.mapping[header[position].strip()] = f"fiscal_year={parse_fiscal_year(header[position])}"
    wide_categories = _wide_categories(dataset, header, positions, result)
    derived = _bibliographic_sources(dataset, table, positions, result)
    return Layout(positions, year_positions, value_column, wide_categories, derived,
                  _checked_constants(constants, by_name, positions, result))


def _named_positions(header: list[str], columns: tuple[Column, ...], aliases: dict[str, str],
                     result: ImportResult) -> tuple[dict[str, int], list[int]]:
    """contract column -> position of the header naming it most strongly; positions of a wide layout's years."""
    positions: dict[str, int] = {}
    year_positions: list[int] = []
    rank = _alias_rank(columns)
    year_run = _year_run(header)  # once for the row: per cell it made a 20,000-column file take minutes
    for position, cell in enumerate(header):
        key = header_key(cell)
        if not key:
            continue
        if key in aliases:
            name = aliases[key]
            current = positions.get(name)
            if current is None or rank[key] < rank[header_key(header[current])]:
                if current is not None:
                    result.mapping.pop(header[current].strip(), None)
                positions[name] = position
                result.mapping[cell.strip()] = name
        elif year_run and _is_year_header(cell):
            year_positions.append(position)
    return positions, year_positions


def _checked_constants(constants: dict[str, str] | None, by_name: dict, positions: dict[str, int],
                       result: ImportResult) -> dict[str, str]:
    """``--set`` values for columns the contract has and the file does not."""
    constants = dict(constants or {})
    for name in list(constants):
        if name not in by_name:
            result.errors.append(Problem("imp.set_unknown_column", None, name,
                                         params={"name": name, "dataset": result.dataset}))
            constants.pop(name)
        elif name in positions:
            result.errors.append(Problem("imp.set_in_file", result.header_line, name, params={"name": name}))
            constants.pop(name)
    return constants


# What to export instead when a bibliographic export holds no addresses (imp.advice.<family>).
BIBLIOGRAPHIC_SOURCES = {"scopus_csv": "scopus", "scopus_ris": "scopus", "scopus_bibtex": "scopus",
                         "scopus_text": "scopus", "ris": "scopus", "bibtex": "scopus", "wos_tab": "wos",
                         "wos_plain": "wos", "wos_table": "wos", "openalex_csv": "openalex",
                         "openalex_json": "openalex", "medline": "medline", "dimensions_csv": "dimensions",
                         "lens_csv": "lens"}


def _no_addresses_params(source: str) -> dict[str, str]:
    return {"source": f"@imp.source.{source}", "advice": f"@imp.advice.{BIBLIOGRAPHIC_SOURCES.get(source, 'generic')}"}


def _required_present(layout: Layout, columns: tuple[Column, ...], table: Table, result: ImportResult) -> bool:
    """Every required column is in the file, set with --set, or derived; else the errors say which is missing."""
    dataset = result.dataset
    provided = set(layout.positions) | set(layout.constants) | set(layout.derived) | (
        {"fiscal_year", layout.value_column} if result.layout == "wide" else set()) | (
        set(WIDE_CATEGORY[dataset][:2]) if layout.wide_categories else set())
    if table.body is not None:
        result.records = len(table.body)
    for col in columns:
        if col.required and col.name not in provided:
            key = "imp.missing_column_set" if col.kind == "enum" else "imp.missing_column"
            params = {"name": col.name, "accepted": ", ".join(col.aliases[:4])}
            if col.name == "countries" and result.source in BIBLIOGRAPHIC_SOURCES:
                key = "imp.no_addresses.any"  # authors and titles only: co-authorship cannot be counted
                params.update(_no_addresses_params(result.source))
            result.errors.append(Problem(key, result.header_line, col.name, params=params))
    return not result.errors


def _data_rows(table: Table, result: ImportResult) -> tuple[pd.DataFrame | None, list[tuple[int, list[str]]]]:
    """The body's data rows (blank, title, total and footnote rows set aside); None when there are none."""
    body = table.body if table.body is not None else table.load(len(table.header))
    if table.derive is not None:
        body = _add_derived(body, table)
    if result.source in ("table", "excel"):
        kinds = classify_rows(body)
    else:  # a database export has no title, total or footnote rows: a title 'Total synthesis' is a paper
        kinds = pd.Series("data", index=body.index, dtype="object")
        kinds[(body == "").all(axis=1)] = "blank"
    totals = [(line, list(body.loc[line])) for line in kinds.index[kinds == "total"]]
    body = body[kinds == "data"]
    result.records = len(body)
    _check_width(body, table.header, result)
    if body.empty:
        result.errors.append(Problem("imp.no_data_rows", result.header_line))
        return None, totals
    return body, totals


def _add_derived(body: pd.DataFrame, table: Table) -> pd.DataFrame:
    """A table format's derived columns replace the header's column of that name, or are added after the header."""
    where = {header_key(cell): position for position, cell in enumerate(table.header)}

    def column(name: str) -> pd.Series | None:
        position = where.get(header_key(name))
        return None if position is None else body[position].fillna("").astype("object")

    for name, series in table.derive(column).items():
        position = where.get(header_key(name))
        if position is None:
            position = len(table.header)
            table.header.append(name)
            where[header_key(name)] = position
        body[position] = series
    return body


def _build_frame(body: pd.DataFrame, table: Table, layout: Layout, columns: tuple[Column, ...],
                 result: ImportResult) -> tuple[pd.DataFrame, dict[str, str], dict[str, int]]:
    """Parsed, typed rows: one per record (long), per record and year (wide years) or per category."""
    header, positions, derived = table.header, layout.positions, layout.derived
    labels = {name: header[pos].strip() for name, pos in positions.items()}
    raw: dict[str, pd.Series] = {name: body[pos] for name, pos in positions.items()}
    where = dict(positions)
    _derive_bibliographic(raw, labels, derived, header, body, result)
    if "countries" in derived:
        where["countries"] = derived["countries"]
    if layout.wide_categories:
        return _wide_category_frame(raw, body, layout.wide_categories, header, columns, labels, layout.constants,
                                    result, where), labels, where
    if result.layout == "wide":
        frames = []
        for position in layout.year_positions:
            piece = dict(raw)
            piece["fiscal_year"] = pd.Series(str(parse_fiscal_year(header[position])), index=body.index)
            piece[layout.value_column] = body[position]
            frames.append(_parse_frame(pd.DataFrame(piece), columns,
                                       {**labels, layout.value_column: header[position].strip()}, layout.constants,
                                       result, {**where, layout.value_column: position}, derived))
        frame = pd.concat(frames).sort_index(kind="stable")
    else:
        frame = _parse_frame(pd.DataFrame(raw), columns, labels, layout.constants, result, where, derived)
    check_subset(frame, result.dataset, labels, result, where)
    return frame, labels, where


def _finish(frame: pd.DataFrame, totals: list[tuple[int, list[str]]], layout: Layout, labels: dict[str, str],
            where: dict[str, int], result: ImportResult) -> None:
    """Cross-row checks, the schema, and the result's frame and hand count when nothing is wrong."""
    dataset = result.dataset
    if len(result.errors) > MAX_ERRORS:
        hidden = len(result.errors) - MAX_ERRORS
        del result.errors[MAX_ERRORS:]
        result.errors.append(Problem("imp.more_errors", params={"limit": f"{MAX_ERRORS:,}", "hidden": f"{hidden:,}"}))
    result.constants = {name: frame[name].iloc[0] for name in layout.constants if name in frame and len(frame)}
    _check_registry(frame, dataset, labels, result, where)
    _check_agreement_dates(frame, dataset, labels, result, where)
    check_conflicts(frame, dataset, labels, result, where)
    if not result.errors:
        _check_totals(frame, totals, layout.positions, layout.value_column, result)
        _validate_schema(frame, dataset, labels, result)
    if not result.errors:
        result.frame = frame
        if dataset == "papers":
            result.summary = paper_summary(frame)
    _locate_cells(result)


def _text_table(text: str, result: ImportResult, aliases: dict[str, str], *, delimiter: str | None,
                header_line: int | None, utf8: bytes | None = None) -> Table | None:
    """A delimited or tagged text file: a recognised record format reads itself; a table's header names its
    format (which fixes its field rules); else delimiter and header are detected."""
    record_format = None if (delimiter or header_line) else formats.record_format(text[:HEAD_CHARS])
    if record_format is not None and result.dataset != "papers" and record_format.KEY not in ("wos_tab", "wos_plain"):
        expected = ", ".join(c.name for c in columns_of(result.dataset) if c.required)
        result.errors.append(Problem("imp.bibliographic_for_other", params={
            "source": f"@imp.source.{record_format.KEY}", "dataset": result.dataset, "expected": expected}))
        return None
    if record_format is not None:
        return _record_table(record_format, text, result)
    source = (None if (delimiter or header_line) else recognise(text)) or Source(
        "table", delimiter or guess_delimiter(text), header_line)
    result.source, result.delimiter = source.key, source.delimiter
    limit = max(HEADER_SEARCH_ROWS, source.header_line or 0)
    records, ends = read_head(text, source.delimiter, limit=limit)
    index = _header_index(records, aliases, source.header_line, result, text=text)
    if index is None:
        return None
    table = Table(records[index], index + 1, load=lambda width: read_body(
        text, delimiter=source.delimiter, skip_lines=ends[index], first_line=index + 2, width=width, utf8=utf8))
    return _with_table_format(table, result, text[:HEAD_CHARS])


def _record_table(record_format, text: str, result: ImportResult) -> Table:
    records = record_format.read(text)
    result.source, result.delimiter = record_format.KEY, records.delimiter
    for key, line in records.notes:
        result.warnings.append(Problem(key, line))
    if records.exported:
        result.exported = records.exported
    if record_format.KEY in ("scopus_ris", "scopus_bibtex") and not _mentions_scopus(text):
        result.source = record_format.KEY.removeprefix("scopus_")
    return Table(records.header, records.header_line, records.body, fields=record_format.FIELDS)


def _mentions_scopus(text: str) -> bool:
    head = text[:HEAD_CHARS]
    return "scopus.com" in head or re.search(r"^DB  - Scopus", head, re.MULTILINE) is not None


def _with_table_format(table: Table, result: ImportResult, head: str) -> Table:
    """A header that names a known export (WoS full names, OpenAlex, Dimensions, Lens, Scopus) fixes its rules."""
    table_format = formats.table_format(table.header) if result.dataset == "papers" else None
    if table_format is None:
        return table
    result.source = table_format.KEY
    table.fields = table_format.FIELDS
    table.derive = getattr(table_format, "derive", None)
    exported = getattr(table_format, "exported", None)
    result.exported = (exported(head) if exported else "") or result.exported
    return table


def _workbook_table(data: bytes, result: ImportResult, aliases: dict[str, str], *, header_line: int | None,
                    sheet: str | None) -> Table | None:
    """A workbook sheet (the one named, else the first visible one with a header): rows from A1, row n = sheet
    row n. The workbook is checked before it is read (kpi.ingest.workbook): beyond its bounds it is refused."""
    result.source, result.encoding = "excel", "xlsx"
    try:
        book = open_workbook(data)
        sheet, rows = _choose_sheet(book, sheet, aliases, result)
    except WorkbookRefused as refused:
        result.errors.append(Problem(refused.key, params=refused.fields))
        return None
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for damaged files
        result.errors.append(Problem("imp.workbook_unreadable", params={"detail": str(exc)[:200]}))
        return None
    if sheet is None:
        return None
    result.sheet = sheet
    index = _header_index(rows, aliases, header_line, result)
    if index is None:
        return None
    body_rows = rows[index + 1:]
    width = max([len(rows[index]), *map(len, body_rows)]) if body_rows else len(rows[index])
    body = pd.DataFrame([r + [""] * (width - len(r)) for r in body_rows], columns=range(width), dtype="object")
    body.index = range(index + 2, index + 2 + len(body))
    return _with_table_format(Table(rows[index], index + 1, body), result, "")


def _choose_sheet(book: Workbook, sheet: str | None, aliases: dict[str, str], result: ImportResult
                  ) -> tuple[str | None, list[list[str]]]:
    """The sheet named, else the first visible sheet whose rows hold a header (else the first visible one).

    A hidden sheet is never chosen silently: one is read only when named, and the sheets passed over are listed
    in a warning (hidden ones, and visible ones before the chosen without a header).
    """
    if sheet is not None:
        if sheet not in book.names:
            result.errors.append(Problem("imp.sheet_missing", params={"sheet": sheet, "sheets": ", ".join(book.names)}))
            return None, []
        if sheet in book.hidden:
            result.warnings.append(Problem("imp.wb.hidden_named", params={"sheet": sheet}))
        return sheet, book.rows(sheet)
    visible = [name for name in book.names if name not in book.hidden] or book.names[:1]
    if not visible:
        result.errors.append(Problem("imp.empty"))
        return None, []
    chosen, skipped = None, []
    for name in visible:
        rows = book.rows(name)
        if _find_header(rows[:HEADER_SEARCH_ROWS], aliases, result.dataset) is not None:
            chosen = name
            break
        skipped.append(name)
    if chosen is None:
        chosen, skipped = visible[0], []
        rows = book.rows(chosen)
    hidden = [name for name in book.hidden if name != chosen]
    if hidden:
        result.warnings.append(Problem("imp.wb.hidden_skipped", params={"sheet": chosen, "sheets": ", ".join(hidden)}))
    if skipped:
        result.warnings.append(Problem("imp.wb.sheets_skipped", params={"sheet": chosen, "sheets": ", ".join(skipped)}))
    return chosen, rows


def _header_index(records: list[list[str]], aliases: dict[str, str], header_line: int | None,
                  result: ImportResult, *, text: str = "") -> int | None:
    if header_line is not None:
        if not 1 <= header_line <= len(records):
            result.errors.append(Problem("imp.header_line_beyond", params={"line": header_line, "lines": len(records)}))
            return None
        return header_line - 1
    index = _find_header(records, aliases, result.dataset)
    if index is None:
        result.errors.append(_unrecognised(records, result.dataset, text))
    return index


def _unrecognised(records: list[list[str]], dataset: str, text: str) -> Problem:
    """No header: say what the file looks like (BibTeX, RIS, JSON, another dataset's table…) and what is expected."""
    expected = ", ".join(c.name for c in columns_of(dataset) if c.required)
    looks = formats.looks_like(text[:HEAD_CHARS]) if text else None
    other = next((name for name in DATASETS if name != dataset
                  and _find_header(records, _alias_map(columns_of(name)), name) is not None), None)
    if looks is None and other is None:
        return Problem("imp.no_header", params={"rows": HEADER_SEARCH_ROWS, "expected": expected})
    return Problem(f"imp.looks_like.{looks or 'table'}",
                   params={"other": other or "", "dataset": dataset, "expected": expected})


def _check_duplicate_headers(header: list[str], aliases: dict[str, str], result: ImportResult) -> None:
    """Two headers that read the same (exact, full-width or NFD variants) would leave one column unread."""
    read = set(aliases) | {header_key(h) for h in (*AFFILIATION_HEADERS, *DOI_HEADERS, "EA")}
    first: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = header_key(cell)
        if key not in read:
            continue
        if key in first:
            result.errors.append(Problem("imp.duplicate_header", result.header_line, cell.strip(), position=position,
                                         params={"other": column_letter(first[key]), "this": column_letter(position)}))
        else:
            first[key] = position


def _check_width(body: pd.DataFrame, header: list[str], result: ImportResult) -> None:
    """A record with filled cells beyond the header's width: a stray delimiter or quote has shifted its cells
    (an error). A filled cell under an empty header (a note beside an Excel table) is not read: a warning."""
    unlabeled = [c for c in body.columns if c < len(header) and not str(header[c]).strip()]
    if unlabeled:
        filled = np.column_stack([_filled(body[c]) for c in unlabeled])
        rows, columns = np.nonzero(filled)
        for row, column in list(zip(rows, columns))[:20]:
            result.warnings.append(Problem("imp.cell_without_header", int(body.index[row]),
                                           value=str(body.iat[row, body.columns.get_loc(unlabeled[column])])[:200],
                                           position=int(unlabeled[column])))
        if len(rows) > 20:
            result.warnings.append(Problem("imp.more_cells_without_header", params={"n": f"{len(rows):,}"}))
    extra = [c for c in body.columns if c >= len(header)]
    if not extra:
        return
    filled = np.column_stack([_filled(body[c]) for c in extra])
    wide = np.flatnonzero(filled.any(axis=1))
    for row in wide[:MAX_ERRORS]:
        extra_filled = np.flatnonzero(filled[row])
        cells = int(extra_filled.max()) + len(header) + 1
        result.errors.append(Problem("imp.row_too_wide", int(body.index[row]), position=int(extra[extra_filled[0]]),
                                     params={"cells": cells, "width": len(header)}))


def _filled(cells: pd.Series) -> np.ndarray:
    """True where a cell holds more than spaces (most cells of an unnamed column are exactly empty: checked first)."""
    filled = np.array((cells.notna() & (cells != "")).to_numpy(dtype=bool))  # a writable copy
    if filled.any():
        candidates = np.flatnonzero(filled)
        filled[candidates] = cells.iloc[candidates].astype("str").str.strip().ne("").to_numpy(dtype=bool)
    return filled


def _locate_cells(result: ImportResult) -> None:
    """Workbook problems get a cell reference (Sheet1!C12) from their row and the column's position."""
    if not result.sheet:
        return
    for problem in (*result.errors, *result.warnings):
        if problem.line and problem.cell is None:
            letter = column_letter(problem.position) if problem.position is not None else ""
            problem.cell = f"{result.sheet}!{letter}{problem.line}" if letter else f"{result.sheet}!{problem.line}"


def paper_summary(frame: pd.DataFrame) -> dict:
    """The hand count of an imported papers file: distinct records, internationally co-authored, without a country."""
    from metrics.compute import is_international

    unique = frame[~frame["id"].duplicated()]
    countries = unique["countries"].fillna("")
    without = [int(line) for line in unique.index[countries == ""]]
    codes, combinations = pd.factorize(countries)  # few distinct country combinations: judge each once
    international = is_international(pd.Series(combinations)).to_numpy()[codes] if len(combinations) else []
    return {"papers": len(unique), "international": int(np.sum(international)),
            "without_country": len(without), "without_country_lines": without}


def _wide_categories(dataset: str, header: list[str], positions: dict[str, int],
                     result: ImportResult) -> dict[str, dict[str, int]]:
    """category -> {count column: position} when the file has one column per category and no category column."""
    found = category_headers(dataset, header)
    if dataset not in WIDE_CATEGORY or len(found) < 2 or WIDE_CATEGORY[dataset][0] in positions:
        return {}
    category, whole, part = WIDE_CATEGORY[dataset]
    for name in (whole, part):  # a 合計 / Total column beside the categories sums them; it is not a category
        if name in positions:
            position = positions.pop(name)
            cell = header[position].strip()
            result.mapping.pop(cell, None)
            result.warnings.append(Problem("pub.total_column", result.header_line, cell, position=position))
    layout: dict[str, dict[str, int]] = {}
    for position, (value, column) in found.items():
        layout.setdefault(value, {})[column] = position
        result.mapping[header[position].strip()] = f"{category}={value} → {column}"
    result.layout = "wide"
    return layout


def _wide_category_frame(raw: dict[str, pd.Series], body: pd.DataFrame, layout: dict[str, dict[str, int]],
                         header: list[str], columns: tuple[Column, ...], labels: dict[str, str],
                         constants: dict[str, str], result: ImportResult, where: dict[str, int]) -> pd.DataFrame:
    """One row per (file row, category); a category whose cells are all empty on a row reported nothing."""
    category, whole, part = WIDE_CATEGORY[result.dataset]
    frames = []
    for value, cells_at in layout.items():
        piece = dict(raw)
        piece[category] = pd.Series(value, index=body.index)
        cells = {name: body[position] for name, position in cells_at.items()}
        filled = pd.Series(False, index=body.index)
        for series in cells.values():
            filled |= series.fillna("").astype(str).str.strip().ne("")
        piece.update(cells)
        piece_labels = {**labels, **{name: header[position].strip() for name, position in cells_at.items()}}
        if whole not in cells_at:
            piece[whole] = pd.Series("", index=body.index)
            piece_labels[whole] = f"{header[cells_at[part]].strip()} ({whole})"
        piece_where = {**where, **cells_at}
        frame = _parse_frame(pd.DataFrame(piece)[filled], columns, piece_labels, constants, result, piece_where)
        check_subset(frame, result.dataset, piece_labels, result, piece_where)
        frames.append(frame)
    return pd.concat(frames).sort_index(kind="stable")


def check_subset(frame: pd.DataFrame, dataset: str, labels: dict[str, str], result: ImportResult,
                 where: dict[str, int]) -> None:
    """International students cannot outnumber the students (nor foreign staff the staff) on the same row."""
    if dataset not in WIDE_CATEGORY:
        return
    _, whole, part = WIDE_CATEGORY[dataset]
    bad = (frame[part].notna() & frame[whole].notna() & (frame[part] > frame[whole])).fillna(False).astype(bool)
    for line, row in frame[bad].iterrows():
        result.errors.append(Problem("pub.subset_exceeds", int(line), labels.get(part, part), str(row[part]),
                                     position=where.get(part),
                                     params={"whole": f"{int(row[whole]):,}", "whole_column": labels.get(whole, whole)}))


def _apply_mapping(mapping: dict[str, str], header: list[str], positions: dict[str, int], by_name: dict,
                   result: ImportResult) -> None:
    """The analyst's corrections (file header -> contract column, or '' to ignore) over the detected mapping."""
    where = {cell.strip(): position for position, cell in enumerate(header)}
    for cell, target in mapping.items():
        if cell not in where:
            result.warnings.append(Problem("imp.mapping_header_absent", value=cell))
            continue
        position = where[cell]
        for name, current in list(positions.items()):
            if current == position or name == target:
                positions.pop(name)
                result.mapping.pop(header[current].strip(), None)
        if target:
            if target not in by_name:
                result.errors.append(Problem("imp.mapping_unknown_column", result.header_line, cell, target,
                                             position=position))
                continue
            positions[target] = position
            result.mapping[cell] = target


def header_signature(data: bytes, dataset: str, *, encoding: str | None = None, delimiter: str | None = None,
                     header_line: int | None = None, sheet: str | None = None) -> str | None:
    """A fingerprint of a file's header row (which headers, in which order): files from the same source share it."""
    result = ImportResult(dataset=dataset)
    aliases = _alias_map(columns_of(dataset))
    try:
        if is_workbook(data):
            table = _workbook_table(data, result, aliases, header_line=header_line, sheet=sheet)
        else:
            text, _ = decode(data, encoding)
            table = _text_table(text, result, aliases, delimiter=delimiter, header_line=header_line)
    except Exception:  # noqa: BLE001 - no signature for a file that cannot be read; read_file reports why
        return None
    if table is None:
        return None
    cells = [header_key(c) for c in table.header]
    return hashlib.sha256("\x1f".join([dataset, *cells]).encode()).hexdigest()[:16]


# Generic tables (no recognised format) keep the old reading: Scopus 'Affiliations' (or, in some vintages,
# 'Authors with affiliations'), else Web of Science 'C1' / 'Addresses'; organisations from C3.
GENERIC_FIELDS = Fields(addresses=(*AFFILIATION_HEADERS, "Authors with affiliations"), organisations="C3",
                        authors=(("Author(s) ID", ";"), ("AU", ";")), early_access="EA")


def _bibliographic_sources(dataset: str, table: Table, positions: dict[str, int], result: ImportResult) -> dict:
    """For papers: where an export keeps what the contract's columns would hold, by its format's field rules."""
    if dataset != "papers":
        return {}
    header = table.header
    fields = table.fields or GENERIC_FIELDS
    keys: dict[str, int] = {}
    for position, cell in enumerate(header):
        keys.setdefault(header_key(cell), position)

    def at(name: str | None) -> int | None:
        return keys.get(header_key(name)) if name else None

    derived: dict = {}
    address = next((at(name) for name in fields.addresses if at(name) is not None), None)
    if "countries" not in positions and address is not None:
        derived["countries"] = address
        result.mapping[header[address].strip()] = "countries (from affiliations)"
    if "institutions" not in positions and not fields.codes:
        found = {role: pos for role, pos in (("C3", at(fields.organisations)), ("addresses", address))
                 if pos is not None}
        if found:
            derived["institutions"] = found
            for position in found.values():
                result.mapping.setdefault(header[position].strip(), "institutions (from affiliations)")
    derived.update(_id_and_year_sources(keys, header, positions, fields, result))
    authors = next(((at(name), separator) for name, separator in fields.authors if separator and at(name) is not None),
                   None)
    if "author_count" not in positions and authors is not None:
        derived["author_count"] = authors
        result.mapping.setdefault(header[authors[0]].strip(), "authors (counted)")
    return derived


def _id_and_year_sources(keys: dict[str, int], header: list[str], positions: dict[str, int], fields: Fields,
                         result: ImportResult) -> dict:
    derived: dict = {}
    for name in DOI_HEADERS:
        if header_key(name) in keys and keys[header_key(name)] != positions.get("id"):
            derived["doi"] = keys[header_key(name)]
            result.mapping[header[derived["doi"]].strip()] = "id (when EID/UT is empty)"
            break
    early = keys.get(header_key(fields.early_access)) if fields.early_access else None
    if early is not None and positions.get("year") is not None and result.source != "table":
        derived["early_access"] = early
        result.mapping[header[early].strip()] = "year (when PY is empty: early access)"
    return derived


def _derive_bibliographic(raw: dict[str, pd.Series], labels: dict[str, str], derived: dict,
                          header: list[str], body: pd.DataFrame, result: ImportResult) -> None:
    """Countries from affiliations (a record without one is a warning, never an error; a file without any is
    refused); DOI where the id is empty; for Web of Science, the early-access year where PY is empty (records
    published online first); the number of authors."""
    if "countries" in derived:
        _derive_countries(raw, labels, derived["countries"], header, body, result)
    if "institutions" in derived:
        raw["institutions"] = _institutions_column(derived["institutions"], body)
        labels["institutions"] = header[next(iter(derived["institutions"].values()))].strip()
    if "doi" in derived:
        doi = body[derived["doi"]]
        if "id" in raw:
            raw["id"] = raw["id"].where(raw["id"].fillna("").str.strip() != "", doi)
        else:
            raw["id"] = doi
            labels["id"] = header[derived["doi"]].strip()
    if "early_access" in derived and "year" in raw:
        early = body[derived["early_access"]].fillna("").str.extract(r"(\d{4})\s*$", expand=False).fillna("")
        raw["year"] = raw["year"].where(raw["year"].fillna("").str.strip() != "", early)
    if "author_count" in derived:
        position, separator = derived["author_count"]
        cells = body[position].fillna("").astype("object")
        raw["author_count"] = cells.map(lambda text: str(len([a for a in str(text).split(separator) if a.strip()]))
                                        if str(text).strip() else "")
        labels["author_count"] = header[position].strip()


def _derive_countries(raw: dict[str, pd.Series], labels: dict[str, str], position: int, header: list[str],
                      body: pd.DataFrame, result: ImportResult) -> None:
    label = header[position].strip()
    affiliations = body[position].fillna("").astype("object")
    codes: dict[str, str] = {}
    unknown_of: dict[str, list[str]] = {}
    for text in pd.unique(affiliations):
        codes[text], unknown_of[text] = paper_countries(text)
    raw["countries"] = affiliations.map(codes)
    labels["countries"] = label
    none = raw["countries"] == ""
    if len(none) and bool(none.all()) and not any(str(t).strip() for t in codes):
        result.errors.append(Problem("imp.addresses_empty", result.header_line, label, position=position,
                                     params={"n": f"{len(none):,}", **_no_addresses_params(result.source)}))
        return
    listed = int(none.sum())
    for line, text in affiliations[none].head(20).items():
        key = "imp.no_country" if unknown_of[text] else "imp.no_affiliation"
        result.warnings.append(Problem(key, int(line), label, str(text)[:200], position=position))
    some_unknown = affiliations.map({text: bool(unknown) for text, unknown in unknown_of.items()})
    partial = affiliations[~none & some_unknown.astype(bool)].head(20)
    for line, text in partial.items():
        result.warnings.append(Problem("imp.affiliation_no_country", int(line), label, unknown_of[text][0][:200],
                                       position=position))
    if listed > 20:
        result.warnings.append(Problem("imp.more_no_country", params={"n": f"{listed:,}"}))


def _institutions_column(found: dict[str, int], body: pd.DataFrame) -> pd.Series:
    """'Institution|ISO3;…' per paper from WoS C3 with C1, or Scopus Affiliations, named by the alias table."""
    empty = pd.Series("", index=body.index)
    c3 = body[found["C3"]] if "C3" in found else empty
    addresses = body[found["addresses"]] if "addresses" in found else empty
    keys = list(zip(addresses.fillna("").astype(str), c3.fillna("").astype(str)))
    named = {key: format_institutions(paper_institutions(key[0], organisations=key[1])) for key in set(keys)}
    return pd.Series([named[key] for key in keys], index=body.index, dtype="object")


def _parse_frame(raw: pd.DataFrame, columns: tuple[Column, ...], labels: dict[str, str],
                 constants: dict[str, str], result: ImportResult, where: dict[str, int] | None = None,
                 derived: dict[str, int] | None = None) -> pd.DataFrame:
    parsed = {}
    where, derived = where or {}, derived or {}
    for col in columns:
        if col.name in raw:
            # countries read from affiliations may be empty: such a paper counts, but not as international
            required = False if (col.name == "countries" and "countries" in derived) else None
            parsed[col.name] = parse_column(raw[col.name], col, labels.get(col.name, col.name), result.errors,
                                            dataset=result.dataset, position=where.get(col.name), required=required)
        elif col.name in constants:
            const_errors: list[Problem] = []
            value = parse_column(pd.Series([constants[col.name]], index=[0], dtype="object"), col,
                                 f"--set {col.name}", const_errors, dataset=result.dataset)
            for problem in const_errors:
                problem.line = None
            if const_errors and not any(p.column == f"--set {col.name}" for p in result.errors):
                result.errors.extend(const_errors)
            parsed[col.name] = pd.Series([value.iloc[0]] * len(raw), index=raw.index).astype(value.dtype)
        else:
            parsed[col.name] = _to_stored(pd.Series([None] * len(raw), index=raw.index, dtype="object"), col)
    frame = pd.DataFrame(parsed, index=raw.index)
    if "countries" in derived:
        frame["countries"] = frame["countries"].fillna("")
    return frame


def _check_registry(frame: pd.DataFrame, dataset: str, labels: dict[str, str], result: ImportResult,
                    where: dict[str, int]) -> None:
    if dataset not in ("indicators", "targets"):
        return
    known = set(load_registry().index)
    for line, name in frame["indicator"].items():
        if name is not None and name not in known:
            result.errors.append(Problem("imp.unknown_indicator", line, labels.get("indicator", "indicator"), str(name),
                                         position=where.get("indicator")))


def check_conflicts(frame: pd.DataFrame, dataset: str, labels: dict[str, str], result: ImportResult,
                    where: dict[str, int]) -> None:
    """Rows of one file that contradict each other (kpi.ingest.conflicts), located at both lines."""
    for found in conflicts.find(frame, dataset):
        problem = Problem(found.key, found.line or None, labels.get(found.column, found.column) if found.line else None,
                          found.value, position=where.get(found.column) if found.line else None, params=found.params)
        (result.errors if found.error else result.warnings).append(problem)


def _check_agreement_dates(frame: pd.DataFrame, dataset: str, labels: dict[str, str], result: ImportResult,
                           where: dict[str, int]) -> None:
    """An agreement cannot end before it starts."""
    if dataset != "agreements":
        return
    bad = frame["end_date"].notna() & frame["start_date"].notna() & (frame["end_date"] < frame["start_date"])
    for line in frame.index[bad]:
        result.errors.append(Problem("imp.end_before_start", int(line), labels.get("end_date", "end_date"),
                                     f"{frame.at[line, 'end_date']:%Y-%m-%d}", position=where.get("end_date"),
                                     params={"start": f"{frame.at[line, 'start_date']:%Y-%m-%d}"}))


def _check_totals(frame: pd.DataFrame, totals: list[tuple[int, list[str]]], positions: dict[str, int],
                  value_column: str | None, result: ImportResult) -> None:
    """A total row is not counted; when one grand total disagrees with the rows' sum, say so as a warning."""
    for line, _record in totals:
        result.warnings.append(Problem("imp.total_skipped", line))
    if len(totals) != 1 or result.layout != "long" or value_column not in positions:
        return
    line, record = totals[0]
    try:
        stated = parse_number(record[positions[value_column]])
    except (ValueError, IndexError):
        return
    computed = float(frame[value_column].sum())
    if abs(stated - computed) > 1e-9:
        result.warnings.append(Problem("imp.total_mismatch", line, value_column, position=positions[value_column],
                                       params={"stated": f"{stated:,.0f}", "computed": f"{computed:,.0f}"}))


def _validate_schema(frame: pd.DataFrame, dataset: str, labels: dict[str, str], result: ImportResult) -> None:
    stored = frame.copy()
    for col in columns_of(dataset):
        if STORED_TYPES[col.kind] == "int64" and stored[col.name].notna().all():
            stored[col.name] = stored[col.name].astype("int64")
        elif STORED_TYPES[col.kind] == "str" and stored[col.name].dtype != object:
            # text columns are already Python strings (or None) from their parsers: converting a million cells
            # to another string type only for this check would cost more than the check
            stored[col.name] = stored[col.name].astype("str")
    try:
        pandera_schema(dataset).validate(stored, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            line = int(case.index) if case.index is not None and not pd.isna(case.index) else None
            column = labels.get(case.column, case.column) if isinstance(case.column, str) else None
            result.errors.append(Problem("imp.schema", line, column, str(case.failure_case),
                                         params={"check": str(case.check)}))


def _cell(value) -> str:
    """A typed cell as the text a file would hold: 2030.0 -> '2030', None/NaN -> '' (no CSV writer in between)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def read_frame(table: pd.DataFrame, dataset: str, *, file_name: str = "") -> ImportResult:
    """Check a table edited in the app with the same parsers and schema as a file; ``line`` is the row (1, 2…).

    The cells never pass through a CSV writer, so text such as '+81 22…' is kept exactly as typed.
    """
    columns = columns_of(dataset)
    names = [c.name for c in columns]
    raw = pd.DataFrame({name: [_cell(v) for v in table[name]] if name in table else [""] * len(table)
                        for name in names}, index=range(1, len(table) + 1), dtype="object")
    raw = raw[(raw != "").any(axis=1)]  # a row the person added and left empty is not a row
    canonical = raw.to_json(orient="values", force_ascii=False).encode()
    result = ImportResult(dataset=dataset, file_name=file_name, sha256=hashlib.sha256(canonical).hexdigest(),
                          encoding="", layout="table")
    frame = _parse_frame(raw, columns, {name: name for name in names}, {}, result)
    _check_registry(frame, dataset, {}, result, {})
    check_conflicts(frame, dataset, {}, result, {})  # the targets editor: one target per indicator, as a file
    if not result.errors:
        _validate_schema(frame, dataset, {}, result)
    if not result.errors:
        result.frame = frame
    return result
