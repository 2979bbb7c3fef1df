"""Benchmark: the full deck and the full PDF from the bundled sample, against computing the KPI snapshot alone.

Prints seconds and ratios measured in one run (never a timed test). Charts render through one kaleido session,
started once before timing, as the app's server keeps it. Usage: python bench/export.py
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

from kpi.publish import exports
from kpi.store import service, snapshot, storage

GOAL_PDF_S = 5.0  # the full report on this machine (issue #13)


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
    revision = int(history["revision"].max())
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")

    floor = best_of(3, lambda: snapshot.build(datasets, history, revision=revision))
    snap = snapshot.build(datasets, history, revision=revision)
    deck = exports.deck_from_snapshot(snap, lang="ja")
    start = time.perf_counter()
    exports.render_pngs([exports.slide_figure(deck.slides[0], "ja")])  # start kaleido once, as a server would
    cold = time.perf_counter() - start
    charts = best_of(3, lambda: exports.render_pngs([exports.slide_figure(s, "ja") for s in deck.slides],
                                                    width=exports.CHART_PX[0], height=exports.CHART_PX[1],
                                                    image_format="jpeg"))  # the chart downloads (the PDF draws vectors)
    pptx = best_of(3, lambda: exports.deck_pptx(exports.deck_from_snapshot(snap, lang="ja")))
    pdf = best_of(3, lambda: exports.deck_pdf(exports.deck_from_snapshot(snap, lang="ja")))
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {load:.1f}, Python {platform.python_version()}")
    print(f"floor   KPI snapshot (evaluation, projections):   {floor:.3f} s")
    print(f"kaleido first start (once per server):            {cold:.3f} s")
    print(f"charts  {len(deck.slides)} PNG/JPEG through one session (downloads): {charts:.3f} s  ratio {charts / floor:.1f}x")
    print(f"pptx    full deck ({len(deck.slides)} KPI slides, native charts): {pptx:.3f} s  ratio {pptx / floor:.1f}x")
    print(f"pdf     full A4 report (1 + {len(deck.slides)} pages, vector charts): {pdf:.3f} s  ratio {pdf / floor:.1f}x  "
          f"goal < {GOAL_PDF_S:.0f} s: {'met' if pdf < GOAL_PDF_S else 'NOT met'}")


if __name__ == "__main__":
    main()
