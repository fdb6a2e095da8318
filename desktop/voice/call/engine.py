"""One practice call, start to end: dialing -> connected -> ended. Qt-free.

Threads, and why:
- the connection's own asyncio thread reads the socket; agent audio goes straight from there to the speaker (and an
  interruption straight to `speaker.interrupt`), because those are the latency-critical paths;
- everything else (transcript, storage, timer, the state machine) runs on one control thread owned by the call, fed
  by a queue, so the state is only ever touched by that thread and a slow database write never delays a pong;
- the audio devices run PortAudio's own callback threads.

Every final line is committed through the repository before the listener hears of it. The session row exists before
the first byte is sent, and is ended (completed / interrupted / failed, with the reason) whatever happens.

This module is the state machine and its threads; its parts: `call_start` and `call_ending` (the first and last
steps), `call_lines` (the transcript side), `call_audio` (the devices), `call_end_reason` (how a close is marked).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.core.limits import CallTimer, CallTimerPolicy
from desktop.core.vocabulary import Status
from desktop.store.sessions import SessionRepository
from desktop.voice.agent.connection import AgentConnection
from desktop.voice.agent.connection_end import ConnectionEnd, EndKind
from desktop.voice.agent.messages import (
    AgentResponse,
    AgentResponseCorrection,
    AgentToolResponse,
    AudioChunk,
    ConversationInitiationMetadata,
    Interruption,
    ServerError,
    ServerMessage,
    TentativeUserTranscript,
    UserTranscript,
)
from desktop.voice.call import start as call_start
from desktop.voice.call.audio import CallAudio
from desktop.voice.call.end_reason import session_end
from desktop.voice.call.ending import store_end
from desktop.voice.call.event_log import CallEventLog, call_log_path
from desktop.voice.call.events import (
    AgentSpeaking,
    CallEnded,
    CallEvent,
    CallOutcome,
    CallProblem,
    CallState,
    Connected,
    EndReason,
    SessionStarted,
    StateChanged,
    TimerTick,
    TimeWarning,
)
from desktop.voice.call.lines import CallLines
from desktop.voice.call.setup import AudioFactory, CallListener, CallSetup
from desktop.voice.call.timing import TurnTiming

log = logging.getLogger(__name__)

TICK_S = 0.25  # timer resolution: the countdown shows whole seconds
JOIN_TIMEOUT_S = 2.0


class Call:
    """Use once: `start()`, then `send_text` / `set_muted` / `hang_up`, and `wait_ended()`."""

    def __init__(
        self,
        setup: CallSetup,
        repository: SessionRepository,
        *,
        listener: CallListener | None = None,
        audio_factory: AudioFactory | None = None,
        event_log_dir: Path | None = None,
        connection_factory: Callable[..., AgentConnection] = AgentConnection,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if setup.mode not in ("voice", "text"):
            raise ValueError(f"mode must be 'voice' or 'text', got {setup.mode!r}")
        if setup.mode == "voice" and audio_factory is None:
            raise ValueError("a voice call needs an audio factory")
        self.setup = setup
        self._repo = repository
        self._listener = listener
        self._event_log_dir = event_log_dir
        self._clock = clock
        self._inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._connection = connection_factory(
            on_message=self._on_socket_message, on_closed=self._on_socket_closed, thread_name="agent-connection"
        )
        self._thread: threading.Thread | None = None
        self._ended = threading.Event()
        self._outcome: CallOutcome | None = None
        # Control-thread state below.
        self._state: CallState | None = None
        self._session_id: int | None = None
        self._client_session_id = ""
        self._conversation_id = ""
        self._timer = CallTimer(CallTimerPolicy(setup.max_seconds))
        self._t0: float | None = None
        self._hangup: tuple[EndReason, str] | None = None  # why and with what words the call began to hang up
        self._audio_failed = False  # the devices would not open: the call never really began
        self._log = CallEventLog(None)
        # Touched by the socket thread too: the devices (the speaker is thread-safe by contract), the audio timing and
        # the output rate it is measured in.
        self._audio = CallAudio(audio_factory, self._send_mic_chunk, self._report_device_error)
        self._timing = TurnTiming()
        self._output_rate = 16000
        self._lines = CallLines(setup, repository, self._timing, self._emit)

    # --- any thread ------------------------------------------------------------------------------------------------

    @property
    def session_id(self) -> int | None:
        return self._session_id

    @property
    def outcome(self) -> CallOutcome | None:
        return self._outcome

    @property
    def threads(self) -> list[threading.Thread]:
        return [t for t in (self._thread, self._connection.thread) if t is not None]

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a Call can be started only once")
        self._thread = threading.Thread(target=self._control_main, name="call-control", daemon=True)
        self._thread.start()

    def send_text(self, text: str) -> None:
        """A typed trainee turn (text mode, or the keypad in a voice call)."""
        if text.strip():
            self._inbox.put(("text", text))

    def set_muted(self, muted: bool) -> None:
        self._inbox.put(("mute", bool(muted)))

    def hang_up(self) -> None:
        self._inbox.put(("hangup", EndReason.USER_HANGUP))

    def wait_ended(self, timeout: float | None = None) -> CallOutcome | None:
        self._ended.wait(timeout)
        return self._outcome

    def join(self, timeout: float = JOIN_TIMEOUT_S) -> bool:
        """Waits for every thread of the call; True when all have ended."""
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self.threads)

    # --- socket thread: keep it short ------------------------------------------------------------------------------

    def _on_socket_message(self, message: ServerMessage) -> None:
        if isinstance(message, AudioChunk):
            self._log.event("audio", size=len(message.pcm), event_id=message.event_id)
            self._timing.audio_arrived(message.event_id, len(message.pcm), self._output_rate, self._clock())
            self._audio.play(message.pcm, message.event_id)
            return
        if isinstance(message, Interruption):
            self._audio.interrupt(message.event_id)  # silence first, bookkeeping after
        self._inbox.put(("message", message))

    def _on_socket_closed(self, end: ConnectionEnd) -> None:
        self._inbox.put(("closed", end))

    # --- control thread --------------------------------------------------------------------------------------------

    def _emit(self, event: CallEvent) -> None:
        if self._listener is None:
            return
        try:
            self._listener(event)
        except Exception:
            log.exception("call listener failed on %s", type(event).__name__)

    def _set_state(self, state: CallState) -> None:
        if state is not self._state:
            self._state = state
            self._log.event("state", state=state.value)
            self._emit(StateChanged(state))

    def _control_main(self) -> None:
        try:
            self._run()
        except Exception:
            log.exception("the call failed")
            self._finish(EndReason.ERROR, Status.FAILED, "The call stopped because of an internal error.")
        finally:
            if self._outcome is None:  # never leave a caller waiting
                self._finish(EndReason.ERROR, Status.FAILED, "The call could not start.")

    def _run(self) -> None:
        setup = self.setup
        connection_config = call_start.connection_config(setup)  # first: a setup that cannot make one stores nothing
        try:
            started = call_start.store_start(self._repo, setup)
        except Exception as exc:
            log.exception("could not store the new session")
            self._finish(EndReason.ERROR, Status.FAILED, f"The call could not be saved, so it was not placed: {exc}")
            return
        self._session_id, self._client_session_id = started.id, started.client_session_id
        if self._event_log_dir is not None:
            self._log = CallEventLog(call_log_path(self._event_log_dir, self._client_session_id), self._clock)
        self._lines.attach(started.id, self._log)
        self._log.event("session", session_id=self._session_id, mode=setup.mode, agent=setup.target.kind)
        self._emit(SessionStarted(started.id, started.client_session_id))
        self._set_state(CallState.DIALING)
        self._connection.start(connection_config)
        self._loop()

    def _loop(self) -> None:
        while self._outcome is None:
            try:
                kind, payload = self._inbox.get(timeout=TICK_S)
            except queue.Empty:
                kind, payload = "tick", None
            if kind == "message":
                self._handle_message(payload)
            elif kind == "closed":
                self._handle_closed(payload)
            elif kind == "text":
                self._handle_typed(payload)
            elif kind == "mute":
                self._audio.set_muted(payload)
                self._log.event("mute", muted=payload)
            elif kind == "hangup":
                self._begin_hangup(payload)
            elif kind == "device_error":
                self._device_failed(payload)
            self._tick()

    @property
    def _began(self) -> bool:
        """The trainee was in a call: the agent answered and, for a voice call, the devices opened. A call without
        sound never began, so it is kept as one that did not connect, not as a call in the history."""
        return self._t0 is not None and not self._audio_failed

    def _elapsed_ms(self, at: float | None = None) -> int:
        if self._t0 is None:
            return 0
        return max(0, int(round(((self._clock() if at is None else at) - self._t0) * 1000)))

    def _tick(self) -> None:
        speaking = self._audio.agent_speaking_changed()
        if speaking is not None:
            self._emit(AgentSpeaking(speaking))
        if self._state is not CallState.CONNECTED or self._t0 is None:
            return
        state = self._timer.tick(self._clock() - self._t0)
        self._emit(TimerTick(state))
        if state.warning_due and state.remaining_s is not None:
            self._log.event("time_warning")
            self._emit(TimeWarning(state.remaining_s))
        if state.time_up and self._hangup is None:
            self._begin_hangup(EndReason.TIME_LIMIT)

    # --- server messages -------------------------------------------------------------------------------------------

    def _handle_message(self, message: ServerMessage) -> None:
        self._log.event(type(message).__name__)
        if isinstance(message, ConversationInitiationMetadata):
            self._connected(message)
        elif isinstance(message, AgentResponse):
            self._agent_line(message)
        elif isinstance(message, UserTranscript):
            self._lines.trainee_said(message.text, self._audio.speech_segments(), self._elapsed_ms())
        elif isinstance(message, TentativeUserTranscript):
            self._lines.trainee_partial(message.text, self._elapsed_ms())
        elif isinstance(message, AgentResponseCorrection):
            self._lines.agent_corrected(message)
        elif isinstance(message, Interruption):
            self._timing.interrupted(message.event_id, self._clock())
            self._log.event("interruption", event_id=message.event_id)
        elif isinstance(message, AgentToolResponse) and message.tool_name == "end_call":
            self._log.event("agent_end_call")
        elif isinstance(message, ServerError):
            self._log.event("server_error", code=message.code)

    def _connected(self, meta: ConversationInitiationMetadata) -> None:
        if self._t0 is not None:  # a second metadata would mean a second conversation: note it, keep going
            self._log.conversation(meta.conversation_id)
            return
        self._t0 = self._clock()
        self._conversation_id = meta.conversation_id
        self._log.conversation(meta.conversation_id)
        assert self._session_id is not None
        self._repo.set_conversation(self._session_id, conversation_id=meta.conversation_id)
        input_rate = meta.user_input_sample_rate or 16000
        self._output_rate = meta.agent_output_sample_rate or 16000
        if self.setup.mode == "voice":
            if meta.agent_output_sample_rate is None or meta.user_input_sample_rate is None:
                self._begin_hangup(EndReason.ERROR, "The agent uses an audio format this app cannot play.")
                return
            if not self._open_audio(input_rate):
                return
        self._set_state(CallState.CONNECTED)
        self._emit(Connected(meta.conversation_id, input_rate, self._output_rate))
        if self.setup.trainee_summary:
            self._connection.send_contextual_update(self.setup.trainee_summary)

    def _open_audio(self, input_rate: int) -> bool:
        assert self._t0 is not None and self._session_id is not None
        problem = self._audio.open(input_rate, self._output_rate, self._t0)
        if problem:
            self._audio_failed = True
            self._begin_hangup(EndReason.ERROR, problem)
            return False
        if self._audio.recording_path is not None:
            self._repo.set_recording_path(self._session_id, self._audio.recording_path)
        return True

    def _send_mic_chunk(self, pcm: bytes, captured_at: float) -> None:
        """Mic thread: straight to the socket's send queue; the recorder gets its copy from the audio layer."""
        self._connection.send_audio(pcm)

    def _report_device_error(self, message: str) -> None:
        self._inbox.put(("device_error", message))

    def _device_failed(self, message: str) -> None:
        self._log.event("device_error")
        self._emit(CallProblem(message))
        self._begin_hangup(EndReason.ERROR, message)

    def _agent_line(self, message: AgentResponse) -> None:
        if not self._lines.agent_said(message, self._t0, self._clock()):
            return
        if self.setup.scenario.is_finished(self._lines.lines) and self._hangup is None:
            self._log.event("drill_complete")
            self._begin_hangup(EndReason.AGENT_HANGUP)

    def _handle_typed(self, text: str) -> None:
        if self._state is not CallState.CONNECTED:
            self._emit(CallProblem("The call is not connected yet; your message was not sent."))
            return
        line = self._lines.trainee_typed(text, self._elapsed_ms())
        if line is None:
            return
        self._connection.send_text(line.text)
        self._log.event("user_message", size=len(line.text))

    # --- ending ----------------------------------------------------------------------------------------------------

    def _begin_hangup(self, reason: EndReason, message: str = "") -> None:
        if self._hangup is not None:
            return
        self._hangup = (reason, message)
        self._log.event("hangup", reason=reason.value)
        self._set_state(CallState.ENDING)
        if reason is EndReason.AGENT_HANGUP:  # a finished drill: let the last reply finish playing
            self._audio.drain()
        self._connection.close(timeout=JOIN_TIMEOUT_S)
        # The socket thread reports the end through the inbox and `_handle_closed` finishes the call; a connection
        # thread that failed to stop in time never will, so finish without it.
        if not self._connection.wait_ended(0):
            self._finish(reason, Status.COMPLETED if self._began else Status.FAILED, message)

    def _handle_closed(self, end: ConnectionEnd) -> None:
        self._log.event("closed", end=end.kind.value, code=end.code)
        if self._hangup is None and end.kind is EndKind.AGENT_ENDED:
            self._set_state(CallState.ENDING)
            self._audio.drain()  # the agent's goodbye finishes before the speaker closes
        reason, status, message = session_end(end, self._hangup, connected=self._began)
        self._finish(reason, status, message, code=end.code)

    def _finish(self, reason: EndReason, status: str, message: str, code: int | None = None) -> None:
        if self._outcome is not None:
            return
        self._set_state(CallState.ENDING)
        recording_path = self._audio.close()
        self._connection.close(timeout=JOIN_TIMEOUT_S)
        duration_s = self._elapsed_ms() / 1000
        lines = self._lines.final_lines(self._t0)
        if self._session_id is not None:
            store_end(
                self._repo, self._session_id, self.setup, reason, status, message, lines, duration_s, recording_path
            )
        self._log.close(end_reason=reason.value, status=status, code=code, lines=len(lines))
        self._outcome = CallOutcome(
            session_id=self._session_id,
            client_session_id=self._client_session_id,
            end_reason=reason,
            status=status,
            message=message,
            conversation_id=self._conversation_id,
            line_count=len(lines),
            duration_s=duration_s,
            recording_path=recording_path,
            code=code,
        )
        self._state = CallState.ENDED
        self._emit(StateChanged(CallState.ENDED))
        self._emit(CallEnded(self._outcome))
        self._ended.set()
