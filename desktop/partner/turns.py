"""Where a spoken trainee turn starts and ends, from the energy of the `user_audio_chunk` audio alone.

The practice partner cannot recognise words; it only needs to know that the trainee said something and has
stopped. Time is counted in samples, not on the wall clock, so the result depends only on the audio (and tests can
feed it synthesized chunks as fast as they like).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_MS = 20
# RMS of a 20 ms frame, as a share of full scale, above which it counts as speech: about -36 dBFS, well above the
# hiss of a quiet room and well below normal speech into a headset.
SPEECH_RMS = 0.016
MIN_SPEECH_MS = 200  # shorter bursts are clicks, coughs or a bumped desk
END_SILENCE_MS = 700  # the pause after speech that ends the turn


@dataclass(frozen=True)
class SpokenTurn:
    """One spoken turn: milliseconds of audio since the call started."""

    start_ms: int
    end_ms: int

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


class TurnDetector:
    """Feed it PCM16 LE mono chunks in order; it reports a `SpokenTurn` when speech is followed by enough silence."""

    def __init__(
        self,
        sample_rate: int = 16000,
        *,
        threshold: float = SPEECH_RMS,
        min_speech_ms: int = MIN_SPEECH_MS,
        end_silence_ms: int = END_SILENCE_MS,
    ) -> None:
        self.sample_rate = sample_rate
        self.threshold = threshold
        self.min_speech_ms = min_speech_ms
        self.end_silence_ms = end_silence_ms
        self._frame = sample_rate * FRAME_MS // 1000
        self._carry = np.zeros(0, dtype=np.int16)
        self._position = 0  # samples consumed, in whole frames
        self._speech_start: int | None = None
        self._voiced = 0  # voiced samples since speech started
        self._last_voiced_end = 0
        self.level = 0.0  # RMS of the last frame, 0..1

    @property
    def in_speech(self) -> bool:
        """True once enough speech has been heard that a turn is under way."""
        return self._speech_start is not None and self._ms(self._voiced) >= self.min_speech_ms

    def feed(self, pcm: bytes) -> list[SpokenTurn]:
        """The turns that ended inside this chunk (usually none, at most one or two)."""
        if len(pcm) % 2:
            pcm = pcm[:-1]  # half a sample is a broken frame; the rest is still good audio
        samples = np.frombuffer(pcm, dtype="<i2")
        if self._carry.size:
            samples = np.concatenate((self._carry, samples))
        whole = samples.size - samples.size % self._frame
        self._carry = samples[whole:].copy()
        ended: list[SpokenTurn] = []
        for offset in range(0, whole, self._frame):
            turn = self._frame_in(samples[offset : offset + self._frame])
            if turn is not None:
                ended.append(turn)
        return ended

    def _frame_in(self, frame: np.ndarray) -> SpokenTurn | None:
        rms = float(np.sqrt(np.mean(np.square(frame.astype(np.float64))))) / 32768.0
        self.level = rms
        start, self._position = self._position, self._position + frame.size
        if rms >= self.threshold:
            if self._speech_start is None:
                self._speech_start, self._voiced = start, 0
            self._voiced += frame.size
            self._last_voiced_end = self._position
            return None
        if self._speech_start is None:
            return None
        if self._ms(self._position - self._last_voiced_end) < self.end_silence_ms:
            return None
        began, voiced = self._speech_start, self._voiced
        self._speech_start, self._voiced = None, 0
        if self._ms(voiced) < self.min_speech_ms:
            return None
        return SpokenTurn(self._ms(began), self._ms(self._last_voiced_end))

    def _ms(self, samples: int) -> int:
        return samples * 1000 // self.sample_rate
