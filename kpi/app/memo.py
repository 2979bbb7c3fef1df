"""Read-only results shared by every session of the process, built once per key: a dictionary lookup per run.

Streamlit's own st.cache_resource works out the cached function's signature and hashes every argument on each call;
the Overview asks three times per run, and under a burst of viewers that was a tenth of a run (bench/load.py). The
keys here are small tuples the callers build (database, revision, day, language, selection), so a lookup is a dict
access. Like st.cache_resource, concurrent sessions asking for the same missing key wait for one build instead of
each building it, and the least recently used entries go first when the memo is full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from kpi.app.turns import step_aside

T = TypeVar("T")


class Memo:
    """At most ``max_entries`` results, each built once by the first caller that needs it."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            building = self._building.setdefault(key, threading.Lock())
        step_aside()  # building (or waiting for a build) may take seconds: the other sessions' runs go on meanwhile
        with building:  # one build per key; the others wait for it and then find it stored
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                value = build()
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:
                self._items[key] = value
                self._building.pop(key, None)
                while len(self._items) > self.max_entries:
                    self._items.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
