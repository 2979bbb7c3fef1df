"""Guarded workbook reading: a workbook is inspected as a zip before the Excel reader sees it.

The reader (python-calamine) builds every sheet as a dense grid from A1 to the sheet's last cell: one cell at
XFD1048576 asks for 17 billion cells and aborts the process. So before reading, each sheet part's XML is streamed
once (never held whole) to find how far its cells reach, which cells hold Excel errors (#REF!, which the reader
turns into empty text), and whether the parts inflate to what their zip entries declare. Anything beyond the
bounds below is refused with a catalogue key naming the sheet and the cell; nothing is allocated for it.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass, field

from kpi.text.worded import Worded

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts of one workbook, inflated
MAX_RATIO = 100  # a part over LARGE_PART inflating more than this many times is a zip bomb, not a table
LARGE_PART = 10 * 1024 * 1024
MAX_CELLS = 10_000_000  # rows × columns from A1 to a sheet's last cell: what the reader allocates
MAX_ERROR_CELLS = 10_000  # Excel error cells remembered per sheet (each becomes a located error)
CHUNK = 4 * 1024 * 1024
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                "#CALC!")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx is wrapped in
BIFF8_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00"  # a .xls workbook's first record (BIFF8, workbook globals)

# A cell reference is the only r="" attribute holding letters then digits (a row's r="" holds digits alone).
_REF_ROW = re.compile(rb'\sr="[A-Z]{1,4}(\d{1,9})"')
_REF_COLUMN = re.compile(rb'\sr="([A-Z]{1,4})\d')
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData[\s>/]")
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)[\s>/]")
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*\bt="e"[^>]*)>(.{0,4000}?)</(?:\w+:)?c>', re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]{0,40})<")
_REF_ATTR = re.compile(rb'\br="([A-Z]{1,4})(\d{1,9})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]{1,4}\d{1,9}:)?([A-Z]{1,4})(\d{1,9})"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")


class WorkbookRefused(Worded):
    """A workbook not read, with a catalogue key (imp.wb.*) and its fields."""


@dataclass
class SheetScan:
    """What a sheet part's XML holds, found without reading it into the Excel reader."""

    rows: int = 0  # the last row any cell sits in (1-based), or the declared dimension's, whichever is larger
    columns: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 0-based -> '#REF!'

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def column_number(letters: bytes | str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    number = 0
    for char in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(char) - 64
    return number


def cell_name(row: int, column: int) -> str:
    """1-based row and column -> 'XFD1048576'."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def check_container(data: bytes) -> None:
    """Refuse, before any reading, an encrypted workbook and a zip whose parts inflate beyond the bounds."""
    if data[:8] == OLE2:
        if ENCRYPTED_PACKAGE in data or _biff_encrypted(data):
            raise WorkbookRefused("imp.wb.password")
        return  # a legacy .xls: read as before
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookRefused("imp.workbook_unreadable", detail=str(exc)[:200]) from None
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise WorkbookRefused("imp.wb.too_big", size=_mb(total), limit=_mb(MAX_UNCOMPRESSED))
    for info in infos:
        if info.file_size > LARGE_PART and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookRefused("imp.wb.bomb", part=info.filename, ratio=f"{info.file_size // max(info.compress_size, 1):,}",
                                  limit=MAX_RATIO)


def _biff_encrypted(data: bytes) -> bool:
    """A legacy .xls with a password: a FILEPASS record (0x002F) among the first records after the workbook's BOF."""
    position = data.find(BIFF8_BOF)
    if position < 0:
        return False
    for _ in range(40):
        if position + 4 > len(data):
            return False
        kind, length = struct.unpack_from("<HH", data, position)
        if kind == 0x002F:
            return True
        if kind == 0x000A:  # EOF of the globals
            return False
        position += 4 + length
    return False


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def sheet_parts(data: bytes) -> dict[str, tuple[str, bool]]:
    """An .xlsx's sheets in workbook order: name -> (zip part, hidden). Empty for anything else (.xls, .ods)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbook = _small_part(archive, "xl/workbook.xml")
        rels = _small_part(archive, "xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return {}
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        targets[attrs.get(b"Id", b"")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    parts = {}
    for tag in _SHEET.findall(workbook):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        name = _unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
        hidden = attrs.get(b"state", b"visible") in (b"hidden", b"veryHidden")
        if rid in targets:
            parts[name] = (targets[rid], hidden)
    return parts


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > 16 * 1024 * 1024:
        raise ValueError(f"{name} is {info.file_size:,} bytes")
    return archive.read(name)


def scan_sheet(data: bytes, part: str) -> SheetScan:
    """Stream one sheet part: how far its cells reach, its error cells; a part that inflates to more (or other)
    than its zip entry declares is refused (zipfile stops at the declared size and checks the CRC)."""
    scan = SheetScan()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        with archive.open(part) as stream:
            _scan_stream(stream, scan)
    except KeyError:
        return scan
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise WorkbookRefused("imp.workbook_unreadable", detail=str(exc)[:200]) from None
    return scan


def _scan_stream(stream, scan: SheetScan) -> None:
    tail = b""
    prefix = b""
    refs = tags = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        text = tail + chunk
        cut = max(text.rfind(b"<"), 0) if len(chunk) == CHUNK else len(text)  # never split a tag between chunks
        body, tail = text[:cut], text[cut:]
        if not refs and not tags:
            prefix = _first_chunk(body, scan)
        found = _reach(body, scan)
        refs += found
        tags += body.count(b"<" + prefix + b"c ") + body.count(b"<" + prefix + b"c>") + body.count(b"<" + prefix + b"c/")
        _errors(body, scan)
    if tags != refs:  # cells without an r="" reference: positions follow their order in the row
        stream.seek(0)
        _loose_reach(stream, scan)


def _first_chunk(body: bytes, scan: SheetScan) -> bytes:
    """The declared dimension, and the namespace prefix of the sheet's elements (x: in some writers)."""
    dimension = _DIMENSION.search(body[:65536])
    if dimension:
        scan.columns, scan.rows = column_number(dimension.group(1)), int(dimension.group(2))
    data = _SHEET_DATA.search(body)
    return (data.group(1) or b"") if data else b""


def _reach(body: bytes, scan: SheetScan) -> int:
    """The farthest column and row among the cell references of one chunk; the number of references."""
    rows = _REF_ROW.findall(body)
    if not rows:
        return 0
    longest = max(map(len, rows))
    scan.rows = max(scan.rows, int(max(r for r in rows if len(r) == longest)))
    scan.columns = max(scan.columns, max(column_number(c) for c in set(_REF_COLUMN.findall(body))))
    return len(rows)


def _errors(body: bytes, scan: SheetScan) -> None:
    if b'"e"' not in body:
        return
    for attrs, inner in _ERROR_CELL.findall(body):
        ref, value = _REF_ATTR.search(attrs), _VALUE.search(inner)
        if ref and value and len(scan.errors) < MAX_ERROR_CELLS:
            scan.errors[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = value.group(1).decode("ascii",
                                                                                                         "replace")


def _loose_reach(stream, scan: SheetScan) -> None:
    """Rows and cells counted by position (a writer may leave out r=""): the widest row and the row count."""
    rows = width = 0
    tail = b""
    while True:
        chunk = stream.read(CHUNK)
        text = tail + chunk
        cut = max(text.rfind(b"<"), 0) if chunk else len(text)
        for kind in _ROW_OR_CELL.findall(text[:cut]):
            if kind == b"row":
                rows, width = rows + 1, 0
            else:
                width += 1
                scan.columns = max(scan.columns, width)
        tail = text[cut:]
        if not chunk:
            break
    scan.rows = max(scan.rows, rows)


def check_reach(name: str, scan: SheetScan) -> None:
    """A sheet whose area from A1 to its last cell exceeds MAX_CELLS is refused, naming that cell."""
    if scan.cells > MAX_CELLS:
        raise WorkbookRefused("imp.wb.too_many_cells", sheet=name, cell=cell_name(scan.rows, scan.columns),
                              rows=f"{scan.rows:,}", columns=f"{scan.columns:,}", limit=f"{MAX_CELLS:,}")


@dataclass
class Workbook:
    """A checked workbook: sheet names in order, which are hidden, and each sheet's rows read on demand."""

    data: bytes
    names: list[str]
    hidden: list[str]
    parts: dict[str, tuple[str, bool]]
    book: object = None

    def rows(self, name: str) -> list[list[str]]:
        """Rows of text from A1 (row n = the sheet's row n); error cells hold their Excel error ('#REF!')."""
        scan = scan_sheet(self.data, self.parts[name][0]) if name in self.parts else None
        if scan is not None:
            check_reach(name, scan)
        sheet = self.book.get_sheet_by_name(name)
        if scan is None and sheet.total_height * sheet.total_width > MAX_CELLS:  # .xls/.ods: the reader's own range
            raise WorkbookRefused("imp.wb.too_many_cells", sheet=name,
                                  cell=cell_name(sheet.total_height + 1, sheet.total_width + 1),
                                  rows=f"{sheet.total_height + 1:,}", columns=f"{sheet.total_width + 1:,}",
                                  limit=f"{MAX_CELLS:,}")
        rows = [[excel_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        for (row, column), error in (scan.errors if scan else {}).items():
            if row < len(rows):
                rows[row].extend([""] * (column + 1 - len(rows[row])))
                rows[row][column] = error
        return rows


def open_workbook(data: bytes) -> Workbook:
    """Check the container, then open it with the reader (which reads no sheet yet)."""
    from python_calamine import CalamineWorkbook

    check_container(data)
    parts = sheet_parts(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for damaged files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise WorkbookRefused("imp.wb.password") from None
        raise WorkbookRefused("imp.workbook_unreadable", detail=str(exc)[:200]) from None
    names, hidden = [], []
    for meta in book.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue  # chart sheets hold no cells
        names.append(meta.name)
        if "Visible" not in str(meta.visible) or parts.get(meta.name, ("", False))[1]:
            hidden.append(meta.name)
    return Workbook(data, names, hidden, parts, book)


def excel_text(value) -> str:
    """A cell as the analyst sees it: 2023.0 -> '2023', dates as ISO dates, times dropped when midnight."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
