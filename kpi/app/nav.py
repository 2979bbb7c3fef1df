"""The app's st.Page entries made once per language and process; every run navigates with its own copies.

Making a st.Page resolves its script's path on the disk (a dozen system calls per page, every run of every
session: a quarter of the served Overview's samples under a burst of viewers, bench/load.py). The pages are the same
for every session, so they are made once; each run gets shallow copies, because st.navigation marks on the page
object the one it is about to run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from kpi.app.memo import Memo

_MADE = Memo(max_entries=8)  # the app's pages and presentation mode's, per language


def pages(*key, build: Callable[[], list]) -> list:
    """``build()`` (a list of st.Page) once per ``key`` (what the titles depend on: the language), copied per run."""
    return [copy.copy(page) for page in _MADE.get(key, build)]
