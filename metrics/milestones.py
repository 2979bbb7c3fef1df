"""Milestones ``2025:30;2027:40`` read strictly: a malformed list is refused at import, with the place it breaks."""

from __future__ import annotations

import math
import re

_PERIOD = re.compile(r"\d{4}")


class MilestoneError(ValueError):
    """``code`` says what is wrong (empty, not_pair, not_year, not_number, twice), ``part`` the piece it concerns
    and ``position`` the 1-based character in the cell where the text stops making sense."""

    def __init__(self, code: str, text: str, position: int, part: str = ""):
        super().__init__(f"{code}: {part!r} at character {position} of {text!r}")
        self.code, self.part, self.position = code, part, position


def parse_milestones(text: str | float | None) -> list[tuple[int, float]]:
    """``2025:30;2027:40`` -> [(2025, 30.0), (2027, 40.0)]; empty -> []; anything else raises MilestoneError.

    Periods are four-digit years; values finite numbers; each year once; parts separated by ';' with no
    empty part (``2025:30;`` is refused: a milestone was left half written).
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return []
    text = str(text)
    if not text.strip():
        return []
    points: dict[int, float] = {}
    offset = 0
    for part in text.split(";"):
        start = offset + len(part) - len(part.lstrip()) + 1
        offset += len(part) + 1
        body = part.strip()
        if not body:
            raise MilestoneError("empty", text, start)
        if body.count(":") != 1:
            raise MilestoneError("not_pair", text, start, body)
        period, value = (s.strip() for s in body.split(":"))
        if not _PERIOD.fullmatch(period):
            raise MilestoneError("not_year", text, start, period)
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not value or math.isnan(number) or math.isinf(number):
            raise MilestoneError("not_number", text, start + body.index(":") + 1, value)
        if int(period) in points:
            raise MilestoneError("twice", text, start, period)
        points[int(period)] = number
    return sorted(points.items())


def format_milestones(points) -> str:
    """[(2025, 30.0)] -> ``2025:30`` (the stored form; whole numbers without a decimal point)."""
    return ";".join(f"{int(p)}:{v:g}" if float(v).is_integer() else f"{int(p)}:{v!r}" for p, v in sorted(points))
