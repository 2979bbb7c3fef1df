"""Benchmark: the full deck and the full PDF from the bundled sample, against computing the same KPI values alone.

Prints ratios measured in one run (never a timed test). Usage: python bench/export.py
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

from kpi import exports, service, storage


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    folder = tempfile.mkdtemp(prefix="kpi-bench-")
    engine = storage.get_engine(f"sqlite:///{Path(folder) / 'kpi.sqlite3'}")
    service.load_sample(engine=engine)
    datasets, history = storage.load_all(engine=engine), storage.history(engine=engine)
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")

    floor = best_of(3, lambda: service.values_with_projection(datasets))
    deck = exports.build_deck(datasets, history, lang="ja")
    exports.render_pngs([exports.slide_figure(deck.slides[0], "ja")])  # start kaleido once, as a server would
    pptx = best_of(3, lambda: exports.deck_pptx(exports.build_deck(datasets, history, lang="ja")))
    pdf = best_of(3, lambda: exports.deck_pdf(exports.build_deck(datasets, history, lang="ja")))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"floor   compute all KPI values (with projections): {floor:.3f} s")
    print(f"pptx    full deck ({len(deck.slides)} KPI slides):      {pptx:.3f} s  ratio {pptx / floor:.1f}x  "
          f"goal < 10 s: {'met' if pptx < 10 else 'NOT met'}")
    print(f"pdf     full A4 report:                          {pdf:.3f} s  ratio {pdf / floor:.1f}x")


if __name__ == "__main__":
    main()
