"""Safe CSV export: cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """Prefix text that starts like a formula with an apostrophe (OWASP CSV-injection advice); numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel on Japanese Windows opens it without mojibake."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def _excel_width(values) -> int:
    """Column width in characters; a Japanese character takes two."""
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values), default=4)
    return min(60, max(6, longest + 2))


def to_xlsx(frame: pd.DataFrame, *, sheet: str = "data") -> bytes:
    """An Excel workbook of one table: bold frozen header row, filters, number and date formats, widths.

    Text is written as text (never parsed as a formula, so ``=HYPERLINK(...)`` stays inert) and numbers as numbers;
    the headers are the contract's column names, like the CSV, so the file can be imported again.
    """
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False, "nan_inf_to_errors": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {"int": book.add_format({"num_format": "#,##0"}), "float": book.add_format({"num_format": "#,##0.0##"}),
               "date": book.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}), "text": None}
    ws = book.add_worksheet(sheet[:31])
    for col, name in enumerate(frame.columns):
        ws.write_string(0, col, str(name), header)
        series = frame[name]
        kind = ("int" if pd.api.types.is_integer_dtype(series) else "float" if pd.api.types.is_float_dtype(series)
                else "datetime" if pd.api.types.is_datetime64_any_dtype(series) else "text")
        if kind == "datetime" and series.dropna().map(lambda v: v == v.normalize()).all():
            kind = "date"
        if kind == "float" and series.dropna().map(float.is_integer).all():
            kind = "int"  # whole numbers with gaps (NaN made them floats)
        cell_format = formats[kind]
        for row, value in enumerate(series.tolist(), start=1):
            if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
                continue
            if kind in ("int", "float"):
                ws.write_number(row, col, float(value), cell_format)
            elif kind in ("date", "datetime"):
                ws.write_datetime(row, col, pd.Timestamp(value).tz_localize(None).to_pydatetime(), cell_format)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(row, col, float(value))
            else:
                ws.write_string(row, col, str(value))
        ws.set_column(col, col, 12 if kind in ("date", "datetime") else _excel_width([name, *series.head(500)]))
    ws.freeze_panes(1, 0)
    if len(frame.columns):
        ws.autofilter(0, 0, max(1, len(frame)), len(frame.columns) - 1)
    book.close()
    return buffer.getvalue()
