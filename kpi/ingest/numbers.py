"""Numbers in cells: only a valid thousands grouping is read, a decimal comma and a unit in a count are refused.

``1,234`` and ``1,234,567.5`` read as numbers; ``1,5`` is refused (a comma here only groups thousands, so the
analyst is asked for ``1.5``) rather than stored as 15; ``12,34`` and ``1,2345`` are refused as groupings.
Full-width digits and commas (１，２３４) read as their ASCII forms (NFKC). A count cell with a unit (``5%``,
``5人``, ``5件``) is refused: a percentage is not a count, and a number with a counter word is asked for as the
number alone, so that a note such as ``5人（うち2人…）`` is never half-read.
"""

from __future__ import annotations

import math
import re
import unicodedata

from kpi.text.worded import Worded

COUNT_LIMIT = 1_000_000_000  # a count of students or papers beyond a billion is a typing slip (and sums stay exact)
NUMBER_LIMIT = 1e15  # indicator values; their sums stay finite and exact to the unit
NONE_DASHES = {"-", "−", "―", "—", "‐", "–", "ー"}
COUNTER_WORDS = ("人", "名", "件", "校", "機関", "本", "編", "か国", "カ国", "ヶ国", "国", "people", "persons")

_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PLAIN_COUNT = re.compile(r"\d+(?:\.0+)?")


class CellError(Worded, ValueError):
    """A cell that cannot be read: catalogue key and fields (str() is the key, for logs)."""


def cell_text(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace("\u3000", " ").strip()


def ungroup(value: str) -> str:
    """'1,234,567.5' -> '1234567.5'; a comma anywhere but between groups of three digits is refused."""
    if "," not in value:
        return value
    if _GROUPED.fullmatch(value):
        return value.replace(",", "")
    head, _, tail = value.partition(",")
    if value.count(",") == 1 and re.fullmatch(r"[+-]?\d+", head) and re.fullmatch(r"\d+", tail) and len(tail) != 3:
        raise CellError("imp.num.decimal_comma", suggestion=f"{head}.{tail}")
    raise CellError("imp.num.grouping")


def _unit_of_count(value: str) -> None:
    """A count written with a unit: a percentage (an error), or a counter word (asked for the number alone)."""
    if value.endswith("%"):
        raise CellError("imp.num.percent_in_count")
    for word in COUNTER_WORDS:
        bare = value.removesuffix(word).strip()
        if bare != value and re.fullmatch(r"[\d,.]+", bare):
            raise CellError("imp.num.unit_in_count", unit=word, number=bare)


def parse_count(text: str) -> int:
    value = cell_text(text)
    if value in NONE_DASHES:
        return 0
    _unit_of_count(value)
    value = ungroup(value)
    if re.fullmatch(r"-\d+(\.0+)?", value):
        raise CellError("imp.negative")
    if not _PLAIN_COUNT.fullmatch(value):
        raise CellError("imp.not_whole_number")
    digits = value.split(".")[0].lstrip("0") or "0"
    if len(digits) > 10 or int(digits) > COUNT_LIMIT:
        raise CellError("imp.too_large", limit=f"{COUNT_LIMIT:,}")
    return int(digits)


def parse_number(text: str) -> float:
    """An indicator value: a trailing % is the unit of a percentage indicator (stored as written: 45% -> 45)."""
    value = cell_text(text).removesuffix("%").strip()
    if value in NONE_DASHES:
        return 0.0
    value = ungroup(value)
    try:
        if "_" in value:  # float() reads '1_000' as Python source would; no spreadsheet writes that
            raise ValueError(value)
        number = float(value)
    except ValueError:
        raise CellError("imp.not_number") from None
    if math.isnan(number) or math.isinf(number):
        raise CellError("imp.not_number")
    if abs(number) > NUMBER_LIMIT:
        raise CellError("imp.too_large", limit=f"{NUMBER_LIMIT:,.0f}")
    return number
