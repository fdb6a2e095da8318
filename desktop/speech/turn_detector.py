"""Turn detection on the trainee's microphone stream: when a spoken turn starts and ends, with the audio of the turn
so far for tentative decoding, from 20 ms PCM16 chunks at 16 kHz."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.speech.pcm import BYTES_PER_SECOND, to_float
from desktop.speech.vad import SileroScorer, SpeechScorer


@dataclass(frozen=True)
class VoiceActivity:
    """The speech probability after a chunk (the partner sends it as the protocol's `vad_score`); `at` is seconds of
    audio fed. Named apart from the protocol message `messages.VadScore`, which is what the client receives."""

    score: float
    at: float


@dataclass(frozen=True)
class SpeechStarted:
    """A turn opened; `at` is where its speech began (the detector needs `start_ms` of it to be sure)."""

    at: float


@dataclass(frozen=True)
class SpeechEnded:
    """A finished turn: its audio (with a little lead-in), and why it ended: "silence" or "max_length"."""

    at: float
    audio: bytes
    reason: str

    @property
    def duration(self) -> float:
        return len(self.audio) / BYTES_PER_SECOND


TurnEvent = VoiceActivity | SpeechStarted | SpeechEnded


@dataclass(frozen=True)
class TurnSettings:
    # Silero's own default; the turn then holds while the score stays above `threshold - 0.15` (hysteresis), so a
    # soft word in the middle of a sentence does not count as a pause.
    threshold: float = 0.5
    hold_margin: float = 0.15
    # Speech must last this long to open a turn: a cough, a click or a door is shorter.
    start_ms: int = 96
    # Pause that ends a turn. ElevenLabs' default turn timeout is near this; shorter cuts people mid-thought.
    end_silence_ms: int = 650
    # A turn is cut here whatever the detector thinks, so a noisy room or a monologue never keeps it open forever;
    # with its lead-in it stays inside Whisper's 30 s window, so it is decoded in one pass.
    max_turn_s: float = 29.0
    # Audio kept from before the turn opened, so the first syllable is not lost to the start delay.
    pre_roll_ms: int = 300


class TurnDetector:
    """Feed 20 ms chunks in order; each `feed` returns the events it caused. Not thread-safe: one stream, one owner."""

    def __init__(self, scorer: SpeechScorer | None = None, settings: TurnSettings | None = None):
        self.scorer = scorer or SileroScorer()
        self.settings = settings or TurnSettings()
        self.reset()

    def reset(self) -> None:
        self.scorer.reset()
        self._fed = 0  # bytes
        self._recent = bytearray()  # pre-roll while idle
        self._turn = bytearray()
        self._in_turn = False
        self._voiced_run = 0  # bytes of consecutive speech while idle
        self._silent_run = 0  # bytes since the last speech inside a turn

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    @property
    def silence_ms(self) -> float:
        """How long the open turn has been quiet (0 while the trainee speaks, or when no turn is open)."""
        return self._silent_run * 1000 / BYTES_PER_SECOND if self._in_turn else 0.0

    @property
    def turn_bytes(self) -> int:
        return len(self._turn)

    def end_now(self, reason: str = "complete") -> SpeechEnded | None:
        """Close the open turn before the full pause, when the caller already knows the sentence is complete (a
        decode of the turn so far ends a question); None when no turn is open."""
        if not self._in_turn:
            return None
        return self._end(self._fed / BYTES_PER_SECOND, reason)

    @property
    def turn_audio(self) -> bytes:
        """The open turn's audio so far (empty when no turn is open): what a tentative decode works on."""
        return bytes(self._turn)

    def feed(self, chunk: bytes) -> list[TurnEvent]:
        settings = self.settings
        score = self.scorer.push(to_float(chunk))
        self._fed += len(chunk)
        at = self._fed / BYTES_PER_SECOND
        events: list[TurnEvent] = [VoiceActivity(score, at)]
        if not self._in_turn:
            self._recent += chunk
            del self._recent[: max(0, len(self._recent) - _bytes(settings.pre_roll_ms))]
            self._voiced_run = self._voiced_run + len(chunk) if score >= settings.threshold else 0
            if self._voiced_run >= _bytes(settings.start_ms):
                self._in_turn, self._silent_run = True, 0
                self._turn = bytearray(self._recent)
                self._recent.clear()
                events.append(SpeechStarted(at - self._voiced_run / BYTES_PER_SECOND))
            return events
        self._turn += chunk
        held = score >= settings.threshold - settings.hold_margin
        self._silent_run = 0 if held else self._silent_run + len(chunk)
        if self._silent_run >= _bytes(settings.end_silence_ms):
            events.append(self._end(at, "silence"))
        elif len(self._turn) >= settings.max_turn_s * BYTES_PER_SECOND:
            events.append(self._end(at, "max_length"))
        return events

    def _end(self, at: float, reason: str) -> SpeechEnded:
        audio = bytes(self._turn)
        if reason in ("silence", "complete"):
            # The trailing pause holds no words; dropping most of it saves decode time (keep 200 ms of tail).
            audio = audio[: max(0, len(audio) - self._silent_run + _bytes(200))]
        self._turn = bytearray()
        self._in_turn, self._voiced_run, self._silent_run = False, 0, 0
        return SpeechEnded(at, audio, reason)


def _bytes(ms: float) -> int:
    return int(ms * BYTES_PER_SECOND / 1000) // 2 * 2
