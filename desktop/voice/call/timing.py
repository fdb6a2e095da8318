"""When each line of a voice call was spoken, in milliseconds since the agent answered.

The analytics (talk ratio, monologues, patience, interruptions) and replay (the highlighted line follows the
recording) both need it, and the protocol gives no timing: agent lines are timed by their audio (first chunk's
arrival, total length, cut at an interruption), trainee lines by the microphone's voice-activity segments. When
neither exists (text-only agent, no VAD), an estimate from the words stands in.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from desktop.core.transcript import Speaker, TranscriptLine

WORDS_PER_SECOND = 2.6  # conversational English, about 155 words a minute
END_OF_TURN_S = 0.7  # roughly how long the service waits after speech before it finalises a turn


def words_duration_ms(text: str) -> int:
    return int(round(len(text.split()) / WORDS_PER_SECOND * 1000))


@dataclass
class _AgentAudio:
    first_arrival: float
    samples: int = 0
    rate: int = 16000
    cut_at: float | None = None  # when an interruption silenced it


class TurnTiming:
    """Audio bookkeeping is written from the socket thread and read from the call's control thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._audio: dict[int, _AgentAudio] = {}
        self._event_of_seq: dict[int, int] = {}

    # --- socket thread ---------------------------------------------------------------------------------------------

    def audio_arrived(self, event_id: int, size: int, rate: int, now: float) -> None:
        with self._lock:
            audio = self._audio.get(event_id)
            if audio is None:
                audio = self._audio[event_id] = _AgentAudio(first_arrival=now, rate=rate)
            if audio.cut_at is None:
                audio.samples += size // 2

    # --- control thread --------------------------------------------------------------------------------------------

    def interrupted(self, event_id: int, now: float) -> None:
        """Audio of turns before `event_id` stopped playing now."""
        with self._lock:
            for eid, audio in self._audio.items():
                if eid < event_id and audio.cut_at is None:
                    audio.cut_at = now

    def agent_line(self, seq: int, event_id: int) -> None:
        with self._lock:
            self._event_of_seq[seq] = event_id

    def agent_offset_ms(self, event_id: int, t0: float | None, now: float) -> int:
        """The line starts when its audio started arriving; text that comes first starts now."""
        if t0 is None:
            return 0
        with self._lock:
            audio = self._audio.get(event_id)
            start = audio.first_arrival if audio is not None else now
        return max(0, int(round((start - t0) * 1000)))

    @staticmethod
    def estimated_duration_ms(text: str) -> int:
        return words_duration_ms(text)

    def measured_span_ms(self, seq: int, t0: float) -> tuple[int, int] | None:
        """(offset, duration) of an agent line from the audio that played; None when no audio came."""
        with self._lock:
            event_id = self._event_of_seq.get(seq)
            audio = self._audio.get(event_id) if event_id is not None else None
            if audio is None or audio.samples == 0:
                return None
            offset = max(0, int(round((audio.first_arrival - t0) * 1000)))
            duration = int(round(audio.samples / audio.rate * 1000))
            if audio.cut_at is not None:
                duration = min(duration, max(0, int(round((audio.cut_at - audio.first_arrival) * 1000))))
        return offset, duration

    def with_measured_agent_spans(self, lines: list[TranscriptLine], t0: float) -> list[TranscriptLine]:
        """Agent lines get the real length of the audio that played; the estimate from words stood in until now."""
        updated = []
        for line in lines:
            span = self.measured_span_ms(line.seq, t0)
            if span is not None and line.speaker is not Speaker.TRAINEE:
                line = replace(line, offset_ms=span[0], duration_ms=span[1])
            updated.append(line)
        return updated

    @staticmethod
    def trainee_span_ms(
        text: str,
        segments: list[tuple[float, float]],
        now_ms: int,
        previous: TranscriptLine | None,
    ) -> tuple[int, int]:
        """(offset, duration) of a trainee turn: the voice-activity segments since the previous trainee line,
        else an estimate that ends just before the service finalised the turn."""
        after_ms = previous.end_ms if previous is not None else -1
        spans = [(int(s * 1000), int(e * 1000)) for s, e in segments if int(e * 1000) > after_ms and s * 1000 <= now_ms]
        if spans:
            start = max(spans[0][0], after_ms + 1 if previous is not None else spans[0][0])
            end = spans[-1][1]
            return start, max(0, end - start)
        duration = words_duration_ms(text)
        end = max(0, now_ms - int(END_OF_TURN_S * 1000))
        return max(0, end - duration), duration
