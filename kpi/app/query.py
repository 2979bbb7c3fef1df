"""Every query parameter of the app read by one function: a wrong value is a message in the user's language.

``parse`` is pure (a mapping of strings in, a ``Query`` out) so that every hostile URL is a table row in a test;
``current`` reads Streamlit's ``st.query_params`` through it and shows the messages. A page never calls ``int()``
on a parameter itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kpi.text.i18n import LANGS, t

AUTO_MIN_S, AUTO_MAX_S = 3.0, 3600.0  # slide advance: 0 = off, else between these
SHOWN_LIMIT = 40  # characters of a wrong value repeated in a message
_WHOLE = re.compile(r"\d{1,9}")
_SLIDE = re.compile(r"-?\d{1,9}")  # a negative slide counts from the end (-1: the last)


@dataclass(frozen=True)
class Problem:
    """A wrong parameter: catalogue key and params (the value shortened)."""

    key: str
    params: dict = field(default_factory=dict)
    name: str = ""  # the parameter

    def text_in(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Query:
    present: bool = False
    lang: str = "en"
    rev: int | None = None  # None: the newest revision
    auto: float = 0.0  # seconds per slide, 0 = off
    slide: int = 0  # 0-based
    kpi: str | None = None
    problems: tuple[Problem, ...] = ()


def _shown(value: str) -> str:
    value = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return value if len(value) <= SHOWN_LIMIT else value[:SHOWN_LIMIT - 1] + "…"


def _rev(value: str | None, latest: int | None, problems: list[Problem]) -> int | None:
    if value is None or value == "":
        return None
    text = value.strip()
    newest = latest if latest is not None else 0
    if not _WHOLE.fullmatch(text) or int(text) < 1:
        problems.append(Problem("q.rev_not_revision", {"value": _shown(value), "latest": newest}, name="rev"))
        return None
    if latest is not None and int(text) > latest:
        problems.append(Problem("q.rev_beyond", {"value": _shown(value), "latest": newest}, name="rev"))
        return None
    return int(text)


def _auto(value: str | None, problems: list[Problem]) -> float:
    if value is None or value.strip() in ("", "0"):
        return 0.0
    try:
        seconds = float(value.strip())
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not (AUTO_MIN_S <= seconds <= AUTO_MAX_S):
        problems.append(Problem("q.auto", {"value": _shown(value), "low": f"{AUTO_MIN_S:g}", "high": f"{AUTO_MAX_S:g}"},
                                name="auto"))
        return 0.0
    return seconds


def _slide(value: str | None, problems: list[Problem]) -> int:
    if value is None or value.strip() == "":
        return 0
    if not _SLIDE.fullmatch(value.strip()):
        problems.append(Problem("q.slide", {"value": _shown(value)}, name="slide"))
        return 0
    return int(value.strip())


def _kpi(value: str | None, kpis: Sequence[str] | None, problems: list[Problem]) -> str | None:
    if value is None or value == "":
        return None
    if kpis is not None and value not in kpis:
        problems.append(Problem("q.kpi", {"value": _shown(value)}, name="kpi"))
        return None
    return value


def parse(raw: Mapping[str, str], *, latest: int | None = None, kpis: Sequence[str] | None = None) -> Query:
    """The app's parameters from a URL's query: ``latest`` is the newest revision (rev beyond it is refused),
    ``kpis`` the known indicator ids. Never raises; every refusal is in ``problems`` and the default is used."""
    def get(name: str) -> str | None:
        value = raw.get(name)
        if isinstance(value, list):  # a parameter given twice: the last one counts, as in Streamlit
            value = value[-1] if value else None
        return None if value is None else str(value)

    problems: list[Problem] = []
    lang = get("lang")
    if lang is not None and lang not in LANGS:
        problems.append(Problem("q.lang", {"value": _shown(lang)}, name="lang"))
    present = get("present")
    if present not in (None, "", "0", "1"):
        problems.append(Problem("q.present", {"value": _shown(present)}, name="present"))
    return Query(present=present == "1", lang=lang if lang in LANGS else "en", rev=_rev(get("rev"), latest, problems),
                 auto=_auto(get("auto"), problems), slide=_slide(get("slide"), problems),
                 kpi=_kpi(get("kpi"), kpis, problems), problems=tuple(problems))


def _raw() -> dict[str, str]:
    import streamlit as st

    return {name: st.query_params.get(name) for name in st.query_params}


def current(*, latest: int | None = None, kpis: Sequence[str] | None = None, show: Sequence[str] = ()) -> Query:
    """The parameters of this run; the refusals of the parameters named in ``show`` (those the calling page
    uses) are warnings on the page, in its language."""
    import streamlit as st

    query = parse(_raw(), latest=latest, kpis=kpis)
    code = st.session_state.get("lang") or query.lang
    for problem in query.problems:
        if problem.name in show:
            st.warning(problem.text_in(code), icon=":material/link_off:")
    return query
