"""Japanese line breaking for the slides and the PDF: break only where Japanese allows.

Text is cut into units no line may split: a number with its sign, decimals, % and the counter or word after it
(「5.0%以内」, 「2,145人」, 「+1.7ポイント」), a Latin word or URL, a katakana word, a few words (以内, 以上, 令和 …);
every other Japanese character is a unit of its own. Kinsoku: a character that may not start a line (。、）」％ …)
joins the unit before it, one that may not end a line (（「 …) the unit after it. ``wrap`` fills lines greedily
(the PDF, where fpdf2 would otherwise break anywhere); ``glue`` puts WORD JOINERs inside each unit so a renderer with
its own line breaking (PowerPoint, LibreOffice) keeps it whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WORD_JOINER = "\u2060"
NO_START = set("。、，．,.)）」』】〕〉》］｝％%・：；:;！？!?ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ…‥〜～")
NO_END = set("（(「『【〔〈《［｛")
JAPANESE_CLOSE = "。、，．）」』】〕〉》：；"
JAPANESE_OPEN = "（「『【〔〈《"
# Words a line may not split: the verdicts, the target's basis and the words around figures.
WORDS = ("以内", "以上", "以下", "未満", "令和", "平成", "年度", "現在", "目標", "前年度比", "前年比", "達成率", "例示値",
         "試算値", "仮の値", "公表値", "目標未設定", "要更新", "計画遅れ", "要注意", "達成見込み", "達成困難", "判断保留",
         "達成済み", "未達", "順調", "データなし", "記載なし", "見通し", "現状", "出典")
COUNTERS = ("ポイント", "年度", "以内", "以上", "以下", "未満", "人", "件", "校", "本", "年", "月", "日", "倍",
            "機関", "点", "か国", "名")
_NUMBER = r"[+\-−±]?\d[\d,]*(?:\.\d+)?%?(?:" + "|".join(map(re.escape, COUNTERS)) + r")?"
_LATIN = r"[A-Za-z0-9][A-Za-z0-9.,'’/:&_\-–=?#~@%+]*"
_WORDS = [re.escape(word) for word in sorted(WORDS, key=len, reverse=True)]
_TOKEN = re.compile("|".join([_NUMBER, *_WORDS, r"[ァ-ヺー]+", _LATIN, r"\s+", r"."]), re.S)


def normalise(text: str) -> str:
    """No ASCII space after Japanese closing punctuation or before an opening bracket (a wide gap in a line)."""
    text = re.sub(f"([{JAPANESE_CLOSE}]) +", r"\1", str(text))
    return re.sub(f" +([{JAPANESE_OPEN}])", r"\1", text)


def units(text: str) -> list[str]:
    """``text`` as the pieces a line may break between (spaces are pieces of their own)."""
    pieces = _TOKEN.findall(text)
    out: list[str] = []
    carry = ""
    for piece in pieces:
        if piece.isspace():
            if carry:
                out.append(carry)
                carry = ""
            out.append(piece)
            continue
        if carry:
            piece, carry = carry + piece, ""
        if out and not out[-1].isspace() and piece[0] in NO_START:
            out[-1] += piece
        elif piece[-1] in NO_END:
            carry = piece
        else:
            out.append(piece)
    if carry:
        out.append(carry)
    return out


def glue(text: str) -> str:
    """``text`` with a WORD JOINER between the characters of each unit (renderers then never break inside one)."""
    return "\n".join("".join(piece if piece.isspace() else WORD_JOINER.join(piece) for piece in units(line))
                     for line in str(text).split("\n"))


def unglue(text: str) -> str:
    return str(text).replace(WORD_JOINER, "")


def _split_long(piece: str, fits: Callable[[str], bool]) -> list[str]:
    """A unit wider than a line (a long URL) cut where it must be, character by character."""
    parts, line = [], ""
    for char in piece:
        if line and not fits(line + char):
            parts.append(line)
            line = ""
        line += char
    return [*parts, line] if line else parts


def wrap_line(text: str, fits: Callable[[str], bool]) -> list[str]:
    """One paragraph as lines that each ``fits``, broken only between units; spaces at a break are dropped."""
    lines: list[str] = []
    line = ""
    for piece in units(text):
        if line and fits(line + piece):
            line += piece
            continue
        if not line and (piece.isspace() or fits(piece)):
            line = "" if piece.isspace() else piece
            continue
        if line:
            lines.append(line.rstrip())
        if piece.isspace():
            line = ""
        elif fits(piece):
            line = piece
        else:
            *whole, line = _split_long(piece, fits)
            lines += whole
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def wrap(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Every paragraph of ``text`` (split at newlines) wrapped by ``wrap_line``."""
    return [line for paragraph in str(text).split("\n") for line in wrap_line(paragraph, fits)]
