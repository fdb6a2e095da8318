"""The transcript side of one call, on the call's control thread: agent replies, spoken and typed trainee turns and the
agent's corrections become numbered lines, timed against the call's audio (`TurnTiming`), stored through the
repository and only then announced to the listener.

Apart from `call.py` so the state machine there reads as states and connections, and the rules for lines read here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop.core.live_transcript import LiveTranscript
from desktop.core.transcript import MAX_LINE_CHARS, Speaker, TranscriptLine
from desktop.store.sessions import SessionRepository
from desktop.voice.agent.messages import AgentResponse, AgentResponseCorrection
from desktop.voice.call.event_log import CallEventLog
from desktop.voice.call.events import CallEvent, LineCorrected, LineFinalized, PartialLine
from desktop.voice.call.setup import CallSetup
from desktop.voice.call.timing import TurnTiming

log = logging.getLogger(__name__)

# A hostile or broken agent once sent 100 lines of 1 MB each, and every one was stored and shown; a line longer than
# MAX_LINE_CHARS is cut here, before it reaches the store, the screen or the grader.


def capped(text: str) -> str:
    """The text, cut to MAX_LINE_CHARS with an ellipsis when longer."""
    if len(text) <= MAX_LINE_CHARS:
        return text
    return text[: MAX_LINE_CHARS - 1].rstrip() + "…"


class CallLines:
    """Control thread only, except `timing`, which the socket thread feeds with agent audio."""

    def __init__(
        self,
        setup: CallSetup,
        repository: SessionRepository,
        timing: TurnTiming,
        emit: Callable[[CallEvent], None],
    ) -> None:
        self._setup = setup
        self._repo = repository
        self._timing = timing
        self._emit = emit
        self._transcript = LiveTranscript()
        self._agent_seq_by_event: dict[int, int] = {}
        self._last_typed = ""
        self._session_id: int | None = None
        self._log = CallEventLog(None)

    def attach(self, session_id: int, event_log: CallEventLog) -> None:
        """Lines have somewhere to go once the session row exists: they are stored there and noted in this log."""
        self._session_id = session_id
        self._log = event_log

    @property
    def lines(self) -> tuple[TranscriptLine, ...]:
        return self._transcript.lines

    def final_lines(self, t0: float | None) -> list[TranscriptLine]:
        """Every line, with the agent's spans measured from its audio in a voice call that connected."""
        lines = list(self._transcript.lines)
        if self._setup.mode == "voice" and t0 is not None:
            lines = self._timing.with_measured_agent_spans(lines, t0)
        return lines

    def trainee_partial(self, text: str, elapsed_ms: int) -> None:
        self._emit(PartialLine(self._transcript.partial(Speaker.TRAINEE, capped(text), elapsed_ms)))

    def agent_said(self, message: AgentResponse, t0: float | None, now: float) -> bool:
        """True when the reply became a new line (an empty or repeated one does not)."""
        offset = self._timing.agent_offset_ms(message.event_id, t0, now)
        final = self._transcript.finalize(
            self._setup.agent_speaker,
            capped(message.text),
            offset_ms=offset,
            duration_ms=self._timing.estimated_duration_ms(message.text),
        )
        if final is None:
            return False
        self._agent_seq_by_event[message.event_id] = final.line.seq
        self._timing.agent_line(final.line.seq, message.event_id)
        self._commit(final.line)
        return True

    def trainee_said(self, text: str, speech_segments: list[tuple[float, float]], elapsed_ms: int) -> None:
        """A transcribed trainee turn; `speech_segments` are the microphone's, in seconds since the call connected."""
        text = capped(text)
        if self._setup.mode == "text" and " ".join(text.split()) == self._last_typed:
            return  # a service that echoes typed turns: the line is stored already
        offset, duration = self._timing.trainee_span_ms(
            text, speech_segments, elapsed_ms, self._transcript.last_line(Speaker.TRAINEE)
        )
        final = self._transcript.finalize(Speaker.TRAINEE, text, offset_ms=offset, duration_ms=duration)
        if final is not None:
            self._commit(final.line)

    def trainee_typed(self, text: str, elapsed_ms: int) -> TranscriptLine | None:
        """The stored line to send, or None when there is nothing to send."""
        text = capped(text)
        self._last_typed = " ".join(text.split())
        final = self._transcript.finalize(Speaker.TRAINEE, text, offset_ms=elapsed_ms)
        if final is None:
            return None
        self._commit(final.line)  # stored before it is sent: a crash can lose the reply, never the turn
        return final.line

    def agent_corrected(self, message: AgentResponseCorrection) -> None:
        """The agent was cut off: its line becomes what the trainee actually heard."""
        seq = self._agent_seq_by_event.get(message.event_id)
        try:
            corrected = self._transcript.correct_agent_line(seq, capped(message.corrected_text))
        except (KeyError, ValueError):
            log.warning("correction for an unknown agent line (event %s)", message.event_id)
            return
        if corrected is None:
            return
        assert self._session_id is not None
        self._repo.replace_line_text(self._session_id, corrected.line.seq, corrected.line.text, interrupted=True)
        self._emit(LineCorrected(corrected.line, corrected.previous_text))

    def _commit(self, line: TranscriptLine) -> None:
        assert self._session_id is not None
        self._repo.append_line(self._session_id, line)
        self._log.event("line", size=len(line.text), seq=line.seq, speaker=line.speaker.value)
        self._emit(LineFinalized(line))
