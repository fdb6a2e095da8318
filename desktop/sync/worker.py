"""The sync thread: pushes the outbox in rounds, backs off after failures (exponential with jitter, or the server's
Retry-After), pauses on 401/403 until the user signs in again, refreshes pulled sessions, limits and personas now
and then, and wakes at once when told the network is back or a session was queued.

Quitting is safe at any moment: the outbox lives in the database, so a push cut short is simply sent again next
time (the PUT is idempotent). `stop` never waits for a stalled request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from desktop.core.clock import to_iso, utc_now
from desktop.store.models import database
from desktop.store.sync_store import SyncStore
from desktop.sync.backoff import RetryPolicy
from desktop.sync.client import BackendClient
from desktop.sync.errors import BackendUnreachable, RateLimited, SignInNeeded, SyncError
from desktop.sync.outbox import Outbox, RoundResult, StopSignal
from desktop.sync.status import RejectedSession, SyncStatus

log = logging.getLogger(__name__)

# How the thread waits between cycles: `pause(wake, seconds)` returns early when `wake` is set. Tests pass one
# that records the delays asked for and shortens them.
Pause = Callable[[threading.Event, float], object]
Refresh = Callable[[], None]  # pull, limits, personas; raises SyncError


def wait_on_event(wake: threading.Event, seconds: float) -> object:
    return wake.wait(seconds)


class SyncWorker:
    def __init__(
        self,
        *,
        outbox: Outbox,
        client: BackendClient,
        store: SyncStore,
        status: SyncStatus,
        refresh: Refresh,
        policy: RetryPolicy,
        poll_interval_s: float = 60.0,
        refresh_interval_s: float = 300.0,
        pause: Pause = wait_on_event,
        paused_for_sign_in: bool = False,
    ) -> None:
        self._outbox = outbox
        self._client = client
        self._store = store
        self._status = status
        self._refresh = refresh
        self._policy = policy
        self._poll_interval_s = poll_interval_s
        self._refresh_interval_s = refresh_interval_s
        self._pause = pause
        self._stop = StopSignal()
        self._wake = threading.Event()
        self._lock = threading.Condition()
        self._requests = 0  # wake-ups asked for
        self._handled = 0  # wake-ups a finished cycle has seen
        self._failures = 0
        self._paused = paused_for_sign_in
        self._refresh_due_at = 0.0  # monotonic; 0 = at once
        self._refresh_failures = 0
        self._refresh_asks = 0  # refreshes asked for (online, sign-in): one asked during a refresh is not lost
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)

    # -- control (any thread) ---------------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stops after the current step; in-flight pushes are abandoned, not awaited. True when the thread ended."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def flush_now(self) -> None:
        """Push now (a session was queued, or the user asked): skips any backoff wait."""
        self._poke(refresh=False)

    def online(self) -> None:
        """The network is back: push and refresh at once."""
        self._poke(refresh=True)

    def resume(self) -> None:
        """The user signed in again."""
        with self._lock:
            self._paused = False
        self._poke(refresh=True)

    def wait_idle(self, timeout: float) -> bool:
        """Blocks until every wake-up asked for before this call has been handled and the thread waits again."""
        with self._lock:
            target = self._requests
            return self._lock.wait_for(lambda: self._handled >= target, timeout)

    def _poke(self, refresh: bool) -> None:
        with self._lock:
            self._requests += 1
            self._failures = 0
            if refresh:
                self._refresh_due_at = 0.0
                self._refresh_asks += 1
            self._wake.set()

    # -- the thread ---------------------------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                with self._lock:
                    self._wake.clear()
                    seen = self._requests
                try:
                    delay = self._cycle()
                except Exception:  # a bug here must not end sync for the session; try again later
                    log.exception("sync cycle failed")
                    delay = self._policy.delay(self._count_failure())
                with self._lock:
                    self._handled = max(self._handled, seen)
                    self._lock.notify_all()
                if delay > 0 and not self._stop.is_set():
                    self._pause(self._wake, delay)
        finally:
            database.close()  # this thread's own read connection
            with self._lock:
                self._handled = 1 << 62
                self._lock.notify_all()

    def _cycle(self) -> float:
        """One push round, and a refresh when due; returns how long to wait before the next cycle."""
        with self._lock:
            paused = self._paused
        if paused:
            self._publish(sign_in_needed=True)
            return self._poll_interval_s
        result = self._outbox.push_round(self._client, self._stop, self._progress)
        if result.stopped:
            return 0.0
        if result.failure is not None:
            return self._held_back(result.failure)
        with self._lock:
            self._failures = 0
        # Said before the refresh: the indicator shows "synced" as soon as the outbox is empty. Only a round that
        # talked to the backend says it is reachable; an empty one leaves what the last refresh found.
        reached = {"offline": False, "problem": ""} if result.resolved else {}
        pending = self._publish(retry_in_s=None, pushed=result.pushed > 0, **reached)
        if time.monotonic() >= self._refresh_due_at and not self._stop.is_set():
            self._refresh_now()
        if pending and result.resolved:
            return 0.0  # more was queued while this round ran
        return max(0.0, min(self._poll_interval_s, self._refresh_due_at - time.monotonic()))

    def _refresh_now(self) -> None:
        """Pull, limits, personas. Their failures never hold pushes back: they are retried on their own backoff."""
        with self._lock:
            asks = self._refresh_asks
        try:
            self._refresh()
        except SignInNeeded as exc:
            self._held_back(exc)
            return
        except SyncError as exc:
            self._refresh_failures += 1
            delay = self._policy.delay(self._refresh_failures)
            log.info("sync refresh retrying in %.1f s: %s", delay, exc.detail or exc.message)
            self._schedule_refresh(asks, delay)
            if isinstance(exc, BackendUnreachable):
                self._publish(offline=True, problem=exc.message)
            return
        self._refresh_failures = 0
        self._schedule_refresh(asks, self._refresh_interval_s)
        if self._status.state.offline or self._status.state.problem:
            self._publish(offline=False, problem="")

    def _schedule_refresh(self, asks: int, delay: float) -> None:
        with self._lock:
            if self._refresh_asks == asks:  # else a refresh was asked for while this one ran: it stays due now
                self._refresh_due_at = time.monotonic() + delay

    def _held_back(self, failure: SyncError) -> float:
        if isinstance(failure, SignInNeeded):
            with self._lock:
                self._paused = True
            log.warning("sync paused until sign-in: %s", failure.detail or failure.message)
            self._publish(sign_in_needed=True, problem=failure.message, retry_in_s=None)
            return self._poll_interval_s
        failures = self._count_failure()
        if isinstance(failure, RateLimited):
            delay = self._policy.retry_after(failure.retry_after_s, failures)
        else:
            delay = self._policy.delay(failures)
        log.info("sync retrying in %.1f s: %s", delay, failure.detail or failure.message)
        self._publish(offline=isinstance(failure, BackendUnreachable), problem=failure.message, retry_in_s=delay)
        return delay

    def _count_failure(self) -> int:
        with self._lock:
            self._failures += 1
            return self._failures

    def _progress(self, result: RoundResult) -> None:
        remaining = result.queued - result.resolved
        # "Synced" is only said after the round, once every answer is recorded in the database.
        if remaining > 0:
            self._status.update(pending=remaining)

    def _publish(self, *, pushed: bool = False, **changes) -> int:
        pending = self._store.pending_count()
        rejected = tuple(RejectedSession(r.session_id, r.message) for r in self._store.rejections())
        if pushed:
            changes["last_synced_at"] = to_iso(utc_now())
        if "sign_in_needed" not in changes:
            changes["sign_in_needed"] = False
        self._status.update(configured=True, pending=pending, rejected=rejected, **changes)
        return pending
