"""A start-and-quit run of the real app for the bundle's smoke test and the cold-start benchmark.

With ROLEPLAY_SMOKE_QUIT_AFTER_PAINT=1 the app starts as usual, prints "painted" from inside the window's first paint,
waits until its data has opened off the GUI thread, every screen is built and the background loads are done,
prints "opened", and quits through the
normal shutdown: exit code 0. It exits 1 if the data could not be opened, 3 if that took over a minute, and 70 on any
unhandled exception (the crash dialog would otherwise wait for a click nobody makes). Nothing else changes.
"""

from __future__ import annotations

import os
import sys
from typing import Any

SMOKE_ENV = "ROLEPLAY_SMOKE_QUIT_AFTER_PAINT"
EXIT_DATA_FAILED = 1
EXIT_TIMED_OUT = 3
EXIT_CRASHED = 70  # EX_SOFTWARE
OPEN_TIMEOUT_MS = 60_000
POLL_MS = 10


def requested() -> bool:
    return os.environ.get(SMOKE_ENV, "") not in ("", "0")


def crash_reporter():
    """For crash.install: in a smoke run, an unhandled exception ends the run with EXIT_CRASHED instead of a dialog."""
    if not requested():
        return None

    def report(crash) -> None:
        from PySide6.QtCore import QCoreApplication

        print(f"smoke: unhandled exception: {crash.summary}", file=sys.stderr, flush=True)
        QCoreApplication.exit(EXIT_CRASHED)

    return report


def watch(app: Any, shell: Any) -> None:
    """Arms the run (a no-op unless ROLEPLAY_SMOKE_QUIT_AFTER_PAINT is set). `shell` is the AppShell."""
    if not requested():
        return
    from PySide6.QtCore import QElapsedTimer, QObject, QThreadPool, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == event.Type.Paint:
                for widget in widgets:
                    widget.removeEventFilter(self)
                print("painted", flush=True)
                elapsed.start()
                poll.start(POLL_MS)
            return False

    def check_opened() -> None:
        window = shell.window
        # Quitting while a background load is still running would test a race, not the start-up.
        idle = QThreadPool.globalInstance().activeThreadCount() == 0
        if shell.state is not None and window.page("history") is not None and idle:
            poll.stop()
            print("opened", flush=True)
            app.exit(0)
        elif shell.state is None and not window.banner.isHidden():  # AppShell shows why the data did not open
            poll.stop()
            print(f"smoke: the data did not open: {window.banner.text()}", file=sys.stderr, flush=True)
            app.exit(EXIT_DATA_FAILED)
        elif elapsed.elapsed() > OPEN_TIMEOUT_MS:
            poll.stop()
            print("smoke: the data did not open within a minute", file=sys.stderr, flush=True)
            app.exit(EXIT_TIMED_OUT)

    elapsed = QElapsedTimer()
    poll = QTimer(app)
    poll.timeout.connect(check_opened)
    watcher = FirstPaint(app)
    window = shell.window
    widgets = [w for w in (window, window.centralWidget()) if w is not None]
    for widget in widgets:
        widget.installEventFilter(watcher)
