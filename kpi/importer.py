"""One importer for every CSV: bytes -> encoding -> header -> mapped, typed rows, with located errors."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.errors

from kpi.bibliographic import paper_countries
from kpi.countries import to_iso3
from kpi.schemas import AFFILIATION_HEADERS, DOI_HEADERS, STORED_TYPES, Column, columns_of, pandera_schema
from metrics.periods import PeriodError, parse_date, parse_fiscal_year
from metrics.registry import load_registry

HEADER_SEARCH_ROWS = 30
MAX_ERRORS = 1000  # listed one by one; beyond that the count is given
FOOTNOTE = re.compile(r"^(※|注|出典|備考|Source\s*:|Note\s*:|Notes\s*:)", re.IGNORECASE)
TOTAL_WORDS = {"合計", "計", "小計", "総計", "総数", "total", "grand total", "subtotal", "sub-total"}
NONE_DASHES = {"-", "−", "―", "—", "‐", "–", "ー"}


@dataclass
class Problem:
    """One error or warning; ``line`` is the file line as a spreadsheet numbers it (first line = 1)."""

    message: str
    line: int | None = None
    column: str | None = None
    value: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "value": self.value, "message": self.message}

    def __str__(self) -> str:
        where = ", ".join(p for p in (f"line {self.line}" if self.line else "",
                                      f"column {self.column!r}" if self.column else "") if p)
        return f"{where}: {self.message}" if where else self.message


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

    @property
    def ok(self) -> bool:
        return not self.errors and self.frame is not None

    def problems_frame(self) -> pd.DataFrame:
        rows = [{"severity": "error", **p.as_dict()} for p in self.errors]
        rows += [{"severity": "warning", **p.as_dict()} for p in self.warnings]
        return pd.DataFrame(rows, columns=["severity", "line", "column", "value", "message"])


class ImportFailure(Exception):
    """A file that cannot be read at all (encoding, binary, empty); carries one Problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def header_key(text: str) -> str:
    """Headers match ignoring case, spaces and full/half width."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def cell_text(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace("\u3000", " ").strip()


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode the file; UTF-8 (with or without BOM) or CP932, and ask rather than guess otherwise."""
    if not data.strip():
        raise ImportFailure(Problem("the file is empty"))
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFailure(Problem(f"the file cannot be read as {encoding}: {exc}")) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise ImportFailure(Problem("this is not a text file (it contains binary data); export it as CSV"))
    for candidate in ("utf-8", "cp932"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ImportFailure(Problem("the encoding could not be recognised as UTF-8 or Shift_JIS (CP932); "
                                "choose the encoding explicitly (--encoding, or the choice on the upload page)"))


def _delimiter(text: str) -> str:
    sample = "\n".join(text[:20000].splitlines()[:HEADER_SEARCH_ROWS])
    return "\t" if sample.count("\t") > sample.count(",") else ","


def read_head(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The first records, and for each the number of physical lines read up to its end."""
    reader = csv.reader(io.StringIO(text[:200_000], newline=""), delimiter=delimiter)
    records, ends = [], []
    for record in reader:
        records.append(record)
        ends.append(reader.line_num)
        if len(records) >= HEADER_SEARCH_ROWS:
            break
    return records, ends


def read_body(text: str, *, delimiter: str, skip_lines: int, first_line: int, width: int) -> pd.DataFrame:
    """Every record after the header as strings ('' when empty), indexed by its line as a spreadsheet numbers it.

    pandas' C parser does the bulk work; a file it cannot split (a row wider than expected) goes through the
    csv module instead, which takes any shape.
    """
    offset = 0
    for _ in range(skip_lines):
        offset = text.index("\n", offset) + 1 if "\n" in text[offset:] else len(text)
    body_text = text[offset:]
    body = _read_rectangular(body_text, delimiter=delimiter, width=width)
    if body is None:
        try:
            body = pd.read_csv(io.StringIO(body_text), sep=delimiter, header=None, names=range(width), dtype="str",
                               keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                               on_bad_lines="error")
        except (pd.errors.ParserError, ValueError):
            records = list(csv.reader(io.StringIO(body_text, newline=""), delimiter=delimiter))
            width = max([width, *map(len, records)]) if records else width
            body = pd.DataFrame([r + [""] * (width - len(r)) for r in records], columns=range(width), dtype="str")
    body.index = range(first_line, first_line + len(body))
    return body


def _read_rectangular(body_text: str, *, delimiter: str, width: int) -> pd.DataFrame | None:
    """Arrow's multithreaded CSV reader for the common case: every row as wide as the first, no blank line.

    Anything else (a footnote row, a blank line) returns None and the tolerant readers take over, so that the
    line numbers always match the file.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first = next(csv.reader(io.StringIO(body_text[:100_000], newline=""), delimiter=delimiter), None)
    if not first:
        return None
    names = [str(i) for i in range(len(first))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(body_text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
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


def _is_year_header(text: str) -> bool:
    try:
        parse_fiscal_year(text)
        return True
    except PeriodError:
        return False


def _find_header(records: list[list[str]], aliases: dict[str, str]) -> int | None:
    best, best_score = None, 1
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        named = {aliases[header_key(c)] for c in record if header_key(c) in aliases}
        years = sum(1 for c in record if c.strip() and _is_year_header(c))
        score = len(named) + (years if years >= 2 else 0)
        if score > best_score:
            best, best_score = index, score
    return best


# --- cell parsers: each returns the stored value or raises ValueError with a message for the analyst ---

def parse_count(text: str) -> int:
    value = cell_text(text).replace(",", "")
    if value in NONE_DASHES:
        return 0
    if re.fullmatch(r"-\d+(\.0+)?", value):
        raise ValueError(f"{text!r} is negative; a count cannot be below zero")
    if not re.fullmatch(r"\d+(\.0+)?", value):
        raise ValueError(f"{text!r} is not a whole number")
    return int(float(value))


def parse_number(text: str) -> float:
    value = cell_text(text).replace(",", "").rstrip("%")
    if value in NONE_DASHES:
        return 0.0
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{text!r} is not a number")
    return number


def parse_country(text: str) -> str:
    code = to_iso3(text)
    if code is None:
        raise ValueError(f"{text!r} is not a known country or region")
    return code


def parse_countries(text: str) -> str:
    codes = []
    for part in re.split(r"[;；]", str(text)):
        if part.strip():
            code = parse_country(part)
            if code not in codes:
                codes.append(code)
    return ";".join(codes)


def _parse_year(text: str) -> int:
    value = cell_text(text)
    if not re.fullmatch(r"\d{4}", value):
        raise ValueError(f"{text!r} is not a calendar year")
    return int(value)


def _enum_parser(col: Column):
    accepted = {header_key(k): v for k, v in col.choices.items()}

    def parse(text: str) -> str:
        key = header_key(text)
        if key not in accepted:
            allowed = " or ".join(sorted(set(col.choices.values())))
            raise ValueError(f"{text!r} is not a valid {col.name} (use {allowed})")
        return accepted[key]
    return parse


def _period_parser(parse):
    def wrapped(text: str):
        try:
            return parse(text)
        except PeriodError as exc:
            raise ValueError(str(exc)) from None
    return wrapped


def parser_for(col: Column):
    return {
        "fiscal_year": _period_parser(parse_fiscal_year), "year": _parse_year, "count": parse_count,
        "number": parse_number, "date": _period_parser(parse_date), "country": parse_country,
        "countries": parse_countries, "text": lambda s: " ".join(cell_text(s).split()),
    }.get(col.kind) or _enum_parser(col)


def parse_column(raw: pd.Series, col: Column, label: str, errors: list[Problem]) -> pd.Series:
    """Parse one column's cells; every bad cell becomes a Problem naming its line and the file's header.

    Each distinct cell text is parsed once (a million rows hold few distinct years, directions or countries),
    then mapped back onto the rows.
    """
    parse = parser_for(col)
    codes, uniques = pd.factorize(raw.fillna("").astype("object"), sort=False)
    parsed: list[object] = []
    failures: dict[int, str] = {}
    for number, text in enumerate(uniques):
        value = None
        if str(text).strip() == "":
            if col.required:
                failures[number] = f"{col.name} is missing"
        else:
            try:
                value = parse(text)
            except ValueError as exc:
                failures[number] = str(exc)
        parsed.append(value)
    if failures:
        bad_rows = np.flatnonzero(np.isin(codes, list(failures)))
        room = max(0, MAX_ERRORS + 1 - len(errors))
        for row in bad_rows[:room]:
            message = failures[codes[row]]
            text = "" if message.endswith("missing") else str(uniques[codes[row]])
            errors.append(Problem(message, raw.index[row], label, text))
    lookup = np.empty(len(parsed), dtype=object)
    lookup[:] = parsed
    series = pd.Series(lookup[codes] if len(parsed) else [None] * len(raw), index=raw.index, dtype="object")
    return _to_stored(series.astype("object"), col)


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
    """'blank', 'footnote' (first filled cell starts with ※, 注, 出典, Source:), 'total' (合計, Total…) or 'data'."""
    first = pd.Series("", index=body.index, dtype="object")
    totals = pd.Series(False, index=body.index)
    for column in reversed(body.columns):
        cells = body[column].str.strip()
        if not (cells != "").any():
            continue  # an empty column (a trailing comma on every line) says nothing about the row
        first = first.where(cells == "", cells)
        total_words = [u for u in pd.unique(cells) if u and header_key(u) in TOTAL_WORDS]
        if total_words:
            totals |= cells.isin(total_words)
    kinds = pd.Series("data", index=body.index, dtype="object")
    notes = [u for u in pd.unique(first) if u and FOOTNOTE.match(cell_text(u))]
    footnote = first.isin(notes)
    kinds[totals] = "total"
    kinds[footnote] = "footnote"
    kinds[first == ""] = "blank"
    return kinds


def read_file(data: bytes, dataset: str, *, constants: dict[str, str] | None = None,
              encoding: str | None = None, file_name: str = "", mapping: dict[str, str] | None = None) -> ImportResult:
    """Read one export: never raises for bad input, every problem ends up in ``result.errors``."""
    columns = columns_of(dataset)
    result = ImportResult(dataset=dataset, file_name=file_name, sha256=hashlib.sha256(data).hexdigest())
    try:
        text, result.encoding = decode(data, encoding)
    except ImportFailure as failure:
        result.errors.append(failure.problem)
        return result
    result.delimiter = _delimiter(text)
    records, ends = read_head(text, result.delimiter)
    aliases = _alias_map(columns)
    header_index = _find_header(records, aliases)
    if header_index is None:
        expected = ", ".join(c.name for c in columns if c.required)
        result.errors.append(Problem(f"no header row found in the first {HEADER_SEARCH_ROWS} lines; "
                                     f"expected columns such as {expected}"))
        return result
    result.header_line = header_index + 1
    header = records[header_index]
    result.header = [cell.strip() for cell in header]
    by_name = {c.name: c for c in columns}
    positions: dict[str, int] = {}
    year_positions: list[int] = []
    rank = _alias_rank(columns)
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
        elif _is_year_header(cell):
            year_positions.append(position)
    _apply_mapping(mapping or {}, header, positions, by_name, result)
    value_column = {"mobility": "students", "indicators": "value"}.get(dataset)
    if len(year_positions) >= 2 and "fiscal_year" in by_name and "fiscal_year" not in positions and value_column:
        result.layout = "wide"
        for position in year_positions:
            result.mapping[header[position].strip()] = f"fiscal_year={parse_fiscal_year(header[position])}"

    derived = _bibliographic_sources(dataset, header, positions, result)
    constants = dict(constants or {})
    for name in list(constants):
        if name not in by_name:
            result.errors.append(Problem(f"--set {name}: there is no column {name!r} in dataset {dataset}", None,
                                         name))
            constants.pop(name)
        elif name in positions:
            result.errors.append(Problem(f"--set {name}: the file already has this column", result.header_line, name))
            constants.pop(name)

    provided = set(positions) | set(constants) | set(derived) | (
        {"fiscal_year", value_column} if result.layout == "wide" else set())
    for col in columns:
        if col.required and col.name not in provided:
            accepted = ", ".join(col.aliases[:4])
            hint = f"; if it is the same for the whole file, supply it with --set {col.name}=..." \
                if col.kind == "enum" else ""
            result.errors.append(Problem(f"required column {col.name!r} is missing (accepted headers include "
                                         f"{accepted}){hint}", result.header_line, col.name))
    if result.errors:
        return result

    body = read_body(text, delimiter=result.delimiter, skip_lines=ends[header_index],
                     first_line=result.header_line + 1, width=len(header) + 4)
    kinds = classify_rows(body)
    totals = [(line, list(body.loc[line])) for line in kinds.index[kinds == "total"]]
    body = body[kinds == "data"]
    if body.empty:
        result.errors.append(Problem("the file has a header but no data rows", result.header_line))
        return result

    labels = {name: header[pos].strip() for name, pos in positions.items()}
    raw: dict[str, pd.Series] = {name: body[pos] for name, pos in positions.items()}
    _derive_bibliographic(raw, labels, derived, header, body, result)
    if result.layout == "wide":
        frames = []
        for position in year_positions:
            piece = dict(raw)
            piece["fiscal_year"] = pd.Series(str(parse_fiscal_year(header[position])), index=body.index)
            piece[value_column] = body[position]
            frames.append(_parse_frame(pd.DataFrame(piece), columns, {**labels, value_column: header[position].strip()},
                                       constants, result))
        frame = pd.concat(frames).sort_index(kind="stable")
    else:
        frame = _parse_frame(pd.DataFrame(raw), columns, labels, constants, result)

    if len(result.errors) > MAX_ERRORS:
        hidden = len(result.errors) - MAX_ERRORS
        del result.errors[MAX_ERRORS:]
        result.errors.append(Problem(f"… and more errors after these {MAX_ERRORS} ({hidden}+ not listed)"))
    result.constants = {name: frame[name].iloc[0] for name in constants if name in frame and len(frame)}
    _check_registry(frame, dataset, labels, result)
    if result.errors:
        return result
    _check_totals(frame, totals, positions, value_column, result)
    _validate_schema(frame, dataset, labels, result)
    if not result.errors:
        result.frame = frame
    return result


def _apply_mapping(mapping: dict[str, str], header: list[str], positions: dict[str, int], by_name: dict,
                   result: ImportResult) -> None:
    """The analyst's corrections (file header -> contract column, or '' to ignore) over the detected mapping."""
    where = {cell.strip(): position for position, cell in enumerate(header)}
    for cell, target in mapping.items():
        if cell not in where:
            result.warnings.append(Problem(f"the saved mapping names a header {cell!r} that this file does not have"))
            continue
        position = where[cell]
        for name, current in list(positions.items()):
            if current == position or name == target:
                positions.pop(name)
                result.mapping.pop(header[current].strip(), None)
        if target:
            if target not in by_name:
                result.errors.append(Problem(f"{target!r} is not a column of this dataset", result.header_line, cell))
                continue
            positions[target] = position
            result.mapping[cell] = target


def header_signature(data: bytes, dataset: str, *, encoding: str | None = None) -> str | None:
    """A fingerprint of a file's header row (which headers, in which order): files from the same source share it."""
    try:
        text, _ = decode(data, encoding)
    except ImportFailure:
        return None
    records, _ = read_head(text, _delimiter(text))
    index = _find_header(records, _alias_map(columns_of(dataset)))
    cells = [header_key(c) for c in records[index]] if index is not None else [header_key(c) for c in records[0]]
    return hashlib.sha256("\x1f".join([dataset, *cells]).encode()).hexdigest()[:16] if records else None


def _bibliographic_sources(dataset: str, header: list[str], positions: dict[str, int],
                           result: ImportResult) -> dict[str, int]:
    """For papers: where a Scopus/Web of Science export keeps what the contract's columns would hold."""
    if dataset != "papers":
        return {}
    keys = {header_key(cell): position for position, cell in enumerate(header)}
    derived = {}
    if "countries" not in positions:
        for name in AFFILIATION_HEADERS:
            if header_key(name) in keys:
                derived["countries"] = keys[header_key(name)]
                result.mapping[header[derived["countries"]].strip()] = "countries (from affiliations)"
                break
    for name in DOI_HEADERS:
        if header_key(name) in keys and keys[header_key(name)] != positions.get("id"):
            derived["doi"] = keys[header_key(name)]
            result.mapping[header[derived["doi"]].strip()] = "id (when EID/UT is empty)"
            break
    return derived


def _derive_bibliographic(raw: dict[str, pd.Series], labels: dict[str, str], derived: dict[str, int],
                          header: list[str], body: pd.DataFrame, result: ImportResult) -> None:
    """Countries from affiliations (unrecognised ones are warnings, not errors); DOI where the id is empty."""
    if "countries" in derived:
        affiliations = body[derived["countries"]]
        codes, unknown_seen = {}, 0
        for text in pd.unique(affiliations):
            codes[text], unknown = paper_countries(text)
            for affiliation in unknown:
                unknown_seen += 1
                if unknown_seen <= 20:
                    line = int(affiliations.index[(affiliations == text).to_numpy().argmax()])
                    result.warnings.append(Problem("no country recognised in this affiliation; it is not counted",
                                                   line, header[derived["countries"]].strip(), affiliation[:120]))
        if unknown_seen > 20:
            result.warnings.append(Problem(f"{unknown_seen} affiliations in all without a recognised country"))
        raw["countries"] = affiliations.map(codes)
        labels["countries"] = header[derived["countries"]].strip()
    if "doi" in derived:
        doi = body[derived["doi"]]
        if "id" in raw:
            raw["id"] = raw["id"].where(raw["id"].str.strip() != "", doi)
        else:
            raw["id"] = doi
            labels["id"] = header[derived["doi"]].strip()


def _parse_frame(raw: pd.DataFrame, columns: tuple[Column, ...], labels: dict[str, str],
                 constants: dict[str, str], result: ImportResult) -> pd.DataFrame:
    parsed = {}
    for col in columns:
        if col.name in raw:
            parsed[col.name] = parse_column(raw[col.name], col, labels.get(col.name, col.name), result.errors)
        elif col.name in constants:
            const_errors: list[Problem] = []
            value = parse_column(pd.Series([constants[col.name]], index=[0], dtype="object"), col,
                                 f"--set {col.name}", const_errors)
            for problem in const_errors:
                problem.line = None
            if const_errors and not any(p.column == f"--set {col.name}" for p in result.errors):
                result.errors.extend(const_errors)
            parsed[col.name] = pd.Series([value.iloc[0]] * len(raw), index=raw.index).astype(value.dtype)
        else:
            parsed[col.name] = _to_stored(pd.Series([None] * len(raw), index=raw.index, dtype="object"), col)
    return pd.DataFrame(parsed, index=raw.index)


def _check_registry(frame: pd.DataFrame, dataset: str, labels: dict[str, str], result: ImportResult) -> None:
    if dataset not in ("indicators", "targets"):
        return
    known = set(load_registry().index)
    for line, name in frame["indicator"].items():
        if name is not None and name not in known:
            result.errors.append(Problem(f"{name!r} is not an indicator id in data/indicator_registry.csv",
                                         line, labels.get("indicator", "indicator"), str(name)))


def _check_totals(frame: pd.DataFrame, totals: list[tuple[int, list[str]]], positions: dict[str, int],
                  value_column: str | None, result: ImportResult) -> None:
    """A total row is not counted; when one grand total disagrees with the rows' sum, say so as a warning."""
    for line, _record in totals:
        result.warnings.append(Problem("total row skipped (not counted again)", line))
    if len(totals) != 1 or result.layout != "long" or value_column not in positions:
        return
    line, record = totals[0]
    try:
        stated = parse_number(record[positions[value_column]])
    except (ValueError, IndexError):
        return
    computed = float(frame[value_column].sum())
    if abs(stated - computed) > 1e-9:
        result.warnings.append(Problem(f"the total row says {stated:,.0f} but the rows sum to {computed:,.0f}",
                                       line, value_column))


def _validate_schema(frame: pd.DataFrame, dataset: str, labels: dict[str, str], result: ImportResult) -> None:
    stored = frame.copy()
    for col in columns_of(dataset):
        if STORED_TYPES[col.kind] == "int64" and stored[col.name].notna().all():
            stored[col.name] = stored[col.name].astype("int64")
        elif STORED_TYPES[col.kind] == "str":
            stored[col.name] = stored[col.name].astype("str")
    try:
        pandera_schema(dataset).validate(stored, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            line = int(case.index) if case.index is not None and not pd.isna(case.index) else None
            column = labels.get(case.column, case.column) if isinstance(case.column, str) else None
            result.errors.append(Problem(f"{case.check}", line, column, str(case.failure_case)))
