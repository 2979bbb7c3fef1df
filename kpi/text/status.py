"""The one status vocabulary: for every 現状 and 見通し of metrics.evaluate (the enums are the source), its icon,
its colour as text on white (4.5:1 or more) and its Streamlit badge colour. Words come from the catalogue
(eval.status.* / eval.outlook.*); icon and word always go together, so a verdict never depends on colour alone."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.evaluate import Outlook, Status


@dataclass(frozen=True)
class Look:
    icon: str  # a glyph present in Noto Sans CJK; the target's filled square is used by no verdict
    colour: str  # the word's colour on slides and pages
    badge: str  # st.badge's colour name


STATUS_LOOK: dict[Status, Look] = {
    Status.ACHIEVED: Look("★", "#0072B2", "blue"),
    Status.MISSED: Look("✕", "#B34E00", "red"),
    Status.ON_TRACK: Look("▲", "#007A5A", "green"),
    Status.AT_RISK: Look("◆", "#9A5F00", "orange"),
    Status.BEHIND: Look("▼", "#B34E00", "red"),
    Status.STALE: Look("！", "#AD4F8A", "violet"),
    Status.BEFORE_BASELINE: Look("◇", "#666666", "gray"),
    Status.UNDATED: Look("◇", "#666666", "gray"),
    Status.NO_TARGET: Look("－", "#666666", "gray"),
    Status.NO_DATA: Look("○", "#666666", "gray"),
}
OUTLOOK_LOOK: dict[Outlook, Look] = {
    Outlook.MET: Look("★", "#0072B2", "blue"),
    Outlook.LIKELY: Look("↗", "#007A5A", "green"),
    Outlook.UNLIKELY: Look("↘", "#B34E00", "red"),
    Outlook.UNKNOWN: Look("？", "#666666", "gray"),
    Outlook.NO_TARGET: Look("－", "#666666", "gray"),
}
NONE = Look("", "#666666", "gray")


def status_look(status: str | None) -> Look:
    return STATUS_LOOK.get(status, NONE) if isinstance(status, str) else NONE


def outlook_look(outlook: str | None) -> Look:
    return OUTLOOK_LOOK.get(outlook, NONE) if isinstance(outlook, str) else NONE
