"""The visible sync state (synced / pending N / offline / sign-in needed / rejected with reason / off), Qt-free.

Listeners are called on the thread that changed the state, one change at a time, in order; the UI's adapter turns
each call into a queued Qt signal. `wait_for` lets a caller (the CLI, a test) block until a state is reached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

log = logging.getLogger(__name__)


class SyncPhase(str, Enum):
    OFF = "off"
    SYNCED = "synced"
    PENDING = "pending"
    OFFLINE = "offline"
    SIGN_IN_NEEDED = "sign_in_needed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class RejectedSession:
    session_id: int
    message: str


@dataclass(frozen=True)
class SyncState:
    configured: bool = False
    sign_in_needed: bool = False
    offline: bool = False
    pending: int = 0
    rejected: tuple[RejectedSession, ...] = ()
    problem: str = ""  # the latest reason sync is held back, in plain words; empty when all is well
    last_synced_at: str | None = None
    retry_in_s: float | None = None

    @property
    def phase(self) -> SyncPhase:
        if not self.configured:
            return SyncPhase.OFF
        if self.sign_in_needed:
            return SyncPhase.SIGN_IN_NEEDED
        if self.offline:
            return SyncPhase.OFFLINE
        if self.pending:
            return SyncPhase.PENDING
        if self.rejected:
            return SyncPhase.REJECTED
        return SyncPhase.SYNCED

    @property
    def label(self) -> str:
        """A few words for the indicator."""
        phase = self.phase
        if phase is SyncPhase.PENDING:
            return f"{self.pending} to sync"
        if phase is SyncPhase.REJECTED:
            return f"{len(self.rejected)} not accepted"
        return {
            SyncPhase.OFF: "Sync off",
            SyncPhase.SYNCED: "Synced",
            SyncPhase.OFFLINE: "Offline",
            SyncPhase.SIGN_IN_NEEDED: "Sign in needed",
        }[phase]

    @property
    def description(self) -> str:
        """A sentence or two for the tooltip: what is happening and what to do, if anything."""
        phase = self.phase
        waiting = f" {_sessions(self.pending)} waiting." if self.pending else ""
        if phase is SyncPhase.OFF:
            return self.problem or "Sync is off."
        if phase is SyncPhase.SIGN_IN_NEEDED:
            return (self.problem or "Sign in again to resume sync.") + waiting
        if phase is SyncPhase.OFFLINE:
            return f"Offline: {_sessions(self.pending)} will sync when the team backend is reachable again."
        if phase is SyncPhase.PENDING:
            base = f"Syncing: {_sessions(self.pending)} to send."
            return f"{base} {self.problem}" if self.problem else base
        if phase is SyncPhase.REJECTED:
            first = self.rejected[0]
            more = f" ({len(self.rejected) - 1} more)" if len(self.rejected) > 1 else ""
            return f"Session {first.session_id} was not accepted: {first.message}{more}"
        return "All sessions are synced."


def _sessions(count: int) -> str:
    return f"{count} session" if count == 1 else f"{count} sessions"


Listener = Callable[[SyncState], None]


class SyncStatus:
    def __init__(self, initial: SyncState | None = None) -> None:
        self._state = initial or SyncState()
        self._condition = threading.Condition()
        self._listeners: list[Listener] = []
        # Held while listeners run, so two threads' changes reach them one at a time and in order.
        self._delivery = threading.RLock()

    @property
    def state(self) -> SyncState:
        with self._condition:
            return self._state

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Calls `listener(state)` on every change; returns a function that removes it."""
        with self._condition:
            self._listeners.append(listener)

        def remove() -> None:
            with self._condition:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def update(self, **changes) -> SyncState:
        with self._delivery:
            with self._condition:
                new = replace(self._state, **changes)
                if new == self._state:
                    return new
                self._state = new
                listeners = list(self._listeners)
                self._condition.notify_all()
            for listener in listeners:
                try:
                    listener(new)
                except Exception:  # a broken listener must not stop sync
                    log.exception("a sync status listener failed")
            return new

    def wait_for(self, predicate: Callable[[SyncState], bool], timeout: float) -> bool:
        """Blocks until predicate(state) holds; False when the timeout passes first."""
        with self._condition:
            return self._condition.wait_for(lambda: predicate(self._state), timeout)
