"""The one place call-engine events become Qt signals.

The engine reports on its control thread; this adapter queues what it hears and re-emits it on the GUI thread, in
order, in batches of at most about 30 a second. High-rate updates are coalesced on the way: only the newest partial
line of each speaker, the newest timer tick, and polled audio levels reach the widgets. A final line drops the pending
partial of its speaker, because the final supersedes it.

The user's actions (send_text, set_muted, hang_up) go to the call through its inbox queue and never block.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from desktop.core.transcript import Speaker
from desktop.voice.call.events import (
    AgentSpeaking,
    CallEnded,
    CallEvent,
    CallProblem,
    Connected,
    LineCorrected,
    LineFinalized,
    PartialLine,
    SessionStarted,
    StateChanged,
    TimerTick,
    TimeWarning,
)

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 1 / 30  # the most updates a second the widgets get
LEVEL_POLL_MS = 33
LEVEL_EPSILON = 0.01  # smaller level changes are not worth a repaint

LevelSource = Callable[[], float]


class CallControls(Protocol):
    """What the adapter needs of a call: `desktop.voice.call.engine.Call` fits."""

    def send_text(self, text: str) -> None: ...
    def set_muted(self, muted: bool) -> None: ...
    def hang_up(self) -> None: ...


class CallAdapter(QObject):
    """Lives on the GUI thread. Per call: `listener = open_channel()`, build the call with it, then `attach(call)`."""

    state_changed = Signal(object)  # CallState
    session_started = Signal(int)
    connected = Signal(object)  # Connected
    partial_line = Signal(object)  # LinePartial
    final_line = Signal(object)  # TranscriptLine, already stored
    line_corrected = Signal(object)  # LineCorrected
    agent_speaking = Signal(bool)
    timer_tick = Signal(object)  # TimerState
    time_warning = Signal(float)  # seconds left
    problem = Signal(str)  # plain words; the call goes on
    ended = Signal(object)  # CallOutcome
    levels = Signal(float, float)  # microphone, agent voice; 0..1
    batch_done = Signal()  # after each batch: the place for once-per-frame work such as scrolling

    _wake = Signal()

    def __init__(self, parent: QObject | None = None, *, flush_interval_s: float = FLUSH_INTERVAL_S) -> None:
        super().__init__(parent)
        self._interval = flush_interval_s
        self._lock = threading.Lock()
        self._generation = 0
        self._ordered: list[CallEvent] = []
        self._partials: dict[Speaker, PartialLine] = {}
        self._tick: TimerTick | None = None
        self._scheduled = False
        self._mic_level: LevelSource | None = None
        self._agent_level: LevelSource | None = None
        self._last_flush = 0.0
        self._last_levels = (-1.0, -1.0)
        self._call: CallControls | None = None
        self._muted = False
        self.batches = 0  # how many batches were delivered: the benchmark reports it
        # Queued explicitly: the engine thread emits `_wake`; the flush must run on this object's (GUI) thread.
        self._wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)
        self._flush_timer = QTimer(self, singleShot=True)
        self._flush_timer.timeout.connect(self._flush)
        self._level_timer = QTimer(self, interval=LEVEL_POLL_MS)
        self._level_timer.timeout.connect(self._poll_levels)

    # --- wiring (GUI thread) -----------------------------------------------------------------------------------------

    def open_channel(self) -> Callable[[CallEvent], None]:
        """A listener for a new call. Events of any earlier call still in flight are dropped from now on."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._ordered.clear()
            self._partials.clear()
            self._tick = None
            self._mic_level = self._agent_level = None
        self._call = None
        self._muted = False
        self._last_levels = (-1.0, -1.0)
        return lambda event: self._receive(generation, event)

    def attach(self, call: CallControls) -> None:
        self._call = call
        self._level_timer.start()

    def detach(self) -> None:
        """Forget the current call; its remaining events are dropped."""
        with self._lock:
            self._generation += 1
            self._ordered.clear()
            self._partials.clear()
            self._tick = None
        self._call = None
        self._level_timer.stop()

    def set_level_sources(self, microphone: LevelSource | None, agent: LevelSource | None) -> None:
        """Any thread (the audio factory runs on the call's control thread). Each source returns 0..1, cheaply."""
        with self._lock:
            self._mic_level, self._agent_level = microphone, agent

    # --- the user's actions (GUI thread, never blocking) ---------------------------------------------------------

    @property
    def has_call(self) -> bool:
        return self._call is not None

    @property
    def muted(self) -> bool:
        return self._muted

    def send_text(self, text: str) -> bool:
        if self._call is None or not text.strip():
            return False
        self._call.send_text(text)
        return True

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        if self._call is not None:
            self._call.set_muted(self._muted)

    def hang_up(self) -> None:
        if self._call is not None:
            self._call.hang_up()

    # --- engine side (the call's control thread): quick, never blocks on the GUI -------------------------------

    def _receive(self, generation: int, event: CallEvent) -> None:
        with self._lock:
            if generation != self._generation:
                return
            if isinstance(event, PartialLine):
                self._partials[event.partial.speaker] = event
            elif isinstance(event, TimerTick):
                self._tick = event
            else:
                if isinstance(event, LineFinalized):
                    self._partials.pop(event.line.speaker, None)
                elif isinstance(event, CallEnded):
                    self._partials.clear()
                    self._tick = None
                self._ordered.append(event)
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    # --- GUI thread ------------------------------------------------------------------------------------------------

    @Slot()
    def _on_wake(self) -> None:
        wait_s = self._last_flush + self._interval - time.monotonic()
        if wait_s > 0:
            self._flush_timer.start(max(1, int(wait_s * 1000)))
        else:
            self._flush()

    @Slot()
    def _flush(self) -> None:
        self._last_flush = time.monotonic()
        with self._lock:
            ordered, self._ordered = self._ordered, []
            partials = list(self._partials.values())
            self._partials.clear()
            tick, self._tick = self._tick, None
            self._scheduled = False
        for event in ordered:
            self._deliver(event)
        for event in partials:
            self.partial_line.emit(event.partial)
        if tick is not None:
            self.timer_tick.emit(tick.state)
        self.batches += 1
        self.batch_done.emit()

    def _deliver(self, event: CallEvent) -> None:
        if isinstance(event, LineFinalized):
            self.final_line.emit(event.line)
        elif isinstance(event, LineCorrected):
            self.line_corrected.emit(event)
        elif isinstance(event, StateChanged):
            self.state_changed.emit(event.state)
        elif isinstance(event, AgentSpeaking):
            self.agent_speaking.emit(event.speaking)
        elif isinstance(event, Connected):
            self.connected.emit(event)
        elif isinstance(event, SessionStarted):
            self.session_started.emit(event.session_id)
        elif isinstance(event, TimeWarning):
            self.time_warning.emit(event.remaining_s)
        elif isinstance(event, CallProblem):
            self.problem.emit(event.message)
        elif isinstance(event, CallEnded):
            self._call = None
            self._level_timer.stop()
            self.levels.emit(0.0, 0.0)
            self.ended.emit(event.outcome)

    @Slot()
    def _poll_levels(self) -> None:
        with self._lock:
            sources = (self._mic_level, self._agent_level)
        if sources == (None, None):
            return
        values = tuple(_read_level(source) for source in sources)
        last = self._last_levels
        if abs(values[0] - last[0]) >= LEVEL_EPSILON or abs(values[1] - last[1]) >= LEVEL_EPSILON:
            self._last_levels = values
            self.levels.emit(*values)


def _read_level(source: LevelSource | None) -> float:
    if source is None:
        return 0.0
    try:
        return min(1.0, max(0.0, float(source())))
    except Exception:  # a meter must never take the call screen down
        log.debug("level source failed", exc_info=True)
        return 0.0
