"""Script runs take turns: a burst of viewers is served first come, first served rather than all at once.

Every session's script runs in this one process and shares one interpreter lock. Runs that start together, each
giving the lock up at every database query and every message to the browser, advance side by side and all finish
near the end of the burst; Streamlit's hello-world floor runs so briefly that its runs never interleave. Taking
turns keeps the total work the same and lets the first viewers finish first (bench/load.py: the median at N = 10
went from 1.7× the floor's to 1.0×, the slowest from 0.39 s to 0.10 s at N = 20).

Nobody waits long for a turn: at most WAIT_S, after which the run goes ahead anyway; and a run about to do long work
(building a snapshot, an export, reading an upload) steps aside so that the others go on.
"""

from __future__ import annotations

import contextlib
import os
import threading

WAIT_S = float(os.environ.get("KPI_TURN_WAIT_S", "0.25"))  # 0: no turns (every run at once, Streamlit's default)
_TURN = threading.Lock()
_HELD = threading.local()


@contextlib.contextmanager
def turn():
    """Hold the turn for the body (a whole script run) after waiting for it at most WAIT_S."""
    _HELD.mine = WAIT_S > 0 and _TURN.acquire(timeout=WAIT_S)
    try:
        yield
    finally:
        step_aside()


def step_aside() -> None:
    """Give the turn up for the rest of this run (before long work); nothing when this run does not hold it."""
    if getattr(_HELD, "mine", False):
        _HELD.mine = False
        _TURN.release()
