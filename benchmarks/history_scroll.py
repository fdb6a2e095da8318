"""History with 10,000 sessions: open the history view on a real store and scroll to the very end, paging in every
session through fetchMore, as a user paging down quickly would.

A driver timer fires every 16 ms (one frame at 60 Hz). Each tick scrolls one page and repaints the table at once;
the time that takes is the frame's work. Whatever else the GUI thread does between ticks (pages arriving from the
worker thread and being inserted, garbage collection) shows up as a tick arriving late. Both are reported.

The scroll runs twice on the same store: with Python's garbage collector as it is by default, and with gc.freeze()
called once start-up is done (an app-level choice for desktop/app.py: full collections then skip the ~50,000
objects that imports create, which otherwise make each full pass cost tens of milliseconds on a busy machine).

Target: no frame over 50 ms (work, and lateness of any tick) with the default collector. Exit status 1 on a miss.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/history_scroll.py [--sessions N] [--lines N]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.common import generate_history, median, percentile  # noqa: E402
from desktop.bootstrap import AppState, open_app_state  # noqa: E402
from desktop.ui.history.presenter import HistoryPresenter  # noqa: E402
from desktop.ui.history.view import HistoryView  # noqa: E402
from desktop.ui.widgets import theme  # noqa: E402

FRAME_MS = 16
TARGET_MS = 50


@dataclass
class Scroll:
    first_page_ms: float
    ready_ms: float
    work: list[float]
    work_cpu: list[float]
    late: list[float]
    gc_pauses: list[float]
    seconds: float

    @property
    def longest(self) -> float:
        return max(max(self.work), max(self.late))


def open_view(state: AppState, page_size: int, sessions: int) -> tuple[HistoryView, float, float]:
    """Opens the history; returns the view, ms to the first page painted, and ms until chart and totals are in."""
    opened = time.perf_counter()
    view = HistoryView()
    view.resize(1200, 800)
    presenter = HistoryPresenter(state, view, page_size=page_size)
    view.show()
    listing, progress = QEventLoop(), QEventLoop()
    presenter.listing_loaded.connect(listing.quit)
    presenter.progress_loaded.connect(progress.quit)
    presenter.refresh()
    listing.exec()
    view.table.viewport().repaint()
    first_page_ms = (time.perf_counter() - opened) * 1000
    if view.chart.point_count < sessions:
        progress.exec()
    view.repaint()
    return view, first_page_ms, (time.perf_counter() - opened) * 1000


def scroll_to_end(view: HistoryView) -> tuple[list[float], list[float], list[float], list[float]]:
    bar = view.table.verticalScrollBar()
    work: list[float] = []
    work_cpu: list[float] = []
    late: list[float] = []
    ticks: list[float] = []
    gc_pauses: list[float] = []
    gc_started = [0.0]
    done = QEventLoop()

    def on_gc(phase: str, _info: dict) -> None:
        # A collection holds the GIL on whichever thread runs it, so it pauses the GUI thread's Python too.
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append((time.perf_counter() - gc_started[0]) * 1000)

    def tick() -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if ticks:
            late.append(max(0.0, (now - ticks[-1]) * 1000 - FRAME_MS))
        ticks.append(now)
        if view.model.rowCount() >= view.model.total and bar.value() >= bar.maximum():
            done.quit()
            return
        bar.setValue(bar.value() + bar.pageStep())
        view.table.viewport().repaint()
        work.append((time.perf_counter() - now) * 1000)
        work_cpu.append((time.thread_time() - cpu) * 1000)

    gc.callbacks.append(on_gc)
    driver = QTimer()
    driver.setInterval(FRAME_MS)
    driver.timeout.connect(tick)
    driver.start()
    done.exec()
    driver.stop()
    gc.callbacks.remove(on_gc)
    return work, work_cpu, late, gc_pauses


def measure(state: AppState, sessions: int, page_size: int, freeze_gc: bool) -> Scroll:
    if freeze_gc:
        gc.collect()
        gc.freeze()
    try:
        view, first_page_ms, ready_ms = open_view(state, page_size, sessions)
        began = time.perf_counter()
        work, work_cpu, late, gc_pauses = scroll_to_end(view)
        seconds = time.perf_counter() - began
        ids = [view.model.session_id_at(row) for row in range(view.model.rowCount())]
        assert len(ids) == sessions and ids == sorted(ids, reverse=True), "the history did not page in every session"
        view.close()
        view.deleteLater()
        return Scroll(first_page_ms, ready_ms, work, work_cpu, late, gc_pauses, seconds)
    finally:
        gc.unfreeze()


def report(label: str, result: Scroll) -> None:
    print(f"\n{label}")
    print(f"  open: first page painted in {result.first_page_ms:.0f} ms; chart and totals in {result.ready_ms:.0f} ms")
    print(
        f"  {len(result.work)} frames over {result.seconds:.1f} s; {len(result.gc_pauses)} collector passes, ", end=""
    )
    print(f"longest {max(result.gc_pauses, default=0):.1f} ms")
    print(f"  {'':20} {'median':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    rows = (
        ("frame work ms", result.work),
        ("  of it GUI CPU ms", result.work_cpu),
        ("tick lateness ms", result.late),
    )
    for name, samples in rows:
        values = (median(samples), percentile(samples, 0.95), percentile(samples, 0.99), max(samples))
        print(f"  {name:20} " + " ".join(f"{value:8.2f}" for value in values))
    print(f"  longest frame {result.longest:.1f} ms (target <= {TARGET_MS} ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roleplay-history-bench-") as folder:
        os.environ["ROLEPLAY_HOME"] = folder  # read by open_app_state: this run's data folder
        app = QApplication.instance() or QApplication(sys.argv[:1])
        app.setStyleSheet(theme.STYLESHEET)
        state = open_app_state()
        began = time.perf_counter()
        generate_history(state.store.db, args.sessions, args.lines)
        print(f"generated {args.sessions} sessions x {args.lines} lines in {time.perf_counter() - began:.1f} s")
        # Wall-clock frames include time the OS gave other processes; on a shared machine compare with the CPU row.
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        default = measure(state, args.sessions, args.page_size, freeze_gc=False)
        frozen = measure(state, args.sessions, args.page_size, freeze_gc=True)
        state.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    report("default garbage collector", default)
    report("gc.freeze() after start-up", frozen)
    ok = default.longest <= TARGET_MS
    print(f"\nverdict: {'ok' if ok else 'MISS'} (default collector; longest frame {default.longest:.1f} ms)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
