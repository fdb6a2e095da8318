"""The one thread that writes to SQLite. Every write is a job run here, in the order it was submitted."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

_STOP = object()


class DatabaseWriter:
    """Runs write jobs on a single thread; callers either wait for the result or keep the Future."""

    def __init__(self, name: str = "db-writer") -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def on_writer_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        if self._closed:
            future.set_exception(RuntimeError("the database writer is closed"))
            return future
        if self.on_writer_thread():
            # A job that calls another write runs it inline; queueing it would deadlock.
            _run_into(future, job, args, kwargs)
            return future
        self._jobs.put((future, job, args, kwargs))
        return future

    def run(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Runs a job on the writer thread and waits for it. Never call this from the GUI thread."""
        return self.submit(job, *args, **kwargs).result()

    def close(self, timeout: float = 5.0) -> None:
        """Finishes the queued jobs, then stops the thread."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(_STOP)
        if not self.on_writer_thread():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            item = self._jobs.get()
            if item is _STOP:
                return
            future, job, args, kwargs = item
            if future.set_running_or_notify_cancel():
                _run_into(future, job, args, kwargs)


def _run_into(future: Future, job: Callable, args: tuple, kwargs: dict) -> None:
    try:
        future.set_result(job(*args, **kwargs))
    except BaseException as exc:  # the caller decides what a failure means; the writer keeps going
        log.debug("database job %s failed: %s", getattr(job, "__name__", job), exc)
        future.set_exception(exc)
