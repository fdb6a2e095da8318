"""Run blocking work off the GUI thread and get the result (or the error) back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any, Exception | None], None]


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits `finished`, and Qt queues the slot call to the GUI thread."""

    finished = Signal(object, object)

    def __init__(self, callback: Callback) -> None:
        super().__init__()
        self._callback = callback
        self.finished.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, result: Any, error: Exception | None) -> None:
        _live_relays.discard(self)
        try:
            self._callback(result, error)
        except RuntimeError as exc:
            # The screen that asked was closed while the work ran (the app quitting mid-load): drop the late result
            # instead of writing into deleted widgets. Any other RuntimeError is a real fault and goes on up.
            if "already deleted" not in str(exc):
                raise
            log.debug("a background result arrived after its screen was closed: %s", exc)


class _Task(QRunnable):
    def __init__(self, job: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._job = job
        self._relay = relay

    def run(self) -> None:
        try:
            result, error = self._job(), None
        except Exception as exc:  # handed to the callback, which decides what the user sees
            log.exception("background task failed")
            result, error = None, exc
        try:
            self._relay.finished.emit(result, error)
        except RuntimeError:  # the app quit while this ran: its relay, and whoever waited, are gone
            log.debug("background result dropped: the app is quitting")


# Relays are kept alive here until their result is delivered.
_live_relays: set[_Relay] = set()


def run_in_background(job: Callable[[], Any], on_done: Callback, pool: QThreadPool | None = None) -> None:
    """Runs `job` on a pool thread; `on_done(result, error)` is then called on the GUI thread."""
    relay = _Relay(on_done)
    _live_relays.add(relay)
    (pool or QThreadPool.globalInstance()).start(_Task(job, relay))
