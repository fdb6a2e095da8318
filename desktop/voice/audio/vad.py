"""A simple energy voice-activity detector with hangover, for the trainee's speech timing (talk ratio, pauses,
interruptions). Pure Python; it is fed one chunk's RMS level at a time.

A chunk counts as speech when its level is above both a fixed floor and a multiple of the background noise (the
quietest chunk of the last few seconds: speech always has pauses, a fan or a room hum does not).
Speech starts after `attack` seconds of consecutive speech chunks (dated from the first of them) and ends after
`hangover` seconds without speech (dated at the end of the last speech chunk), so short gaps between words do not
split a sentence and a single click does not start one.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class SpeechSegment:
    """Seconds since the microphone started."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class VadSettings:
    threshold: float = 0.015  # RMS of full scale; quiet speech on a laptop mic is about 0.02-0.05
    noise_factor: float = 3.0  # speech must be this many times louder than the tracked background
    attack: float = 0.04
    hangover: float = 0.35
    noise_window: float = 3.0  # the background is the quietest chunk of this many seconds (speech has pauses)


class EnergyVad:
    def __init__(self, settings: VadSettings | None = None) -> None:
        self.settings = settings or VadSettings()
        self._lock = threading.Lock()
        self._segments: list[SpeechSegment] = []
        self._recent: deque[float] = deque()  # levels of the chunks inside `noise_window`
        self._noise = 0.0
        self._in_speech = False
        self._run_start: float | None = None  # the first chunk of a run of speech chunks not yet confirmed
        self._run_length = 0.0
        self._speech_start = 0.0
        self._last_speech_end = 0.0

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def noise_level(self) -> float:
        return self._noise

    def is_speech_level(self, level: float) -> bool:
        return level > max(self.settings.threshold, self._noise * self.settings.noise_factor)

    def process(self, level: float, start: float, duration: float) -> SpeechSegment | None:
        """Feed one chunk (its RMS level, start time and length in seconds). Returns a segment when one ends."""
        end = start + duration
        self._track_noise(level, duration)
        speech = self.is_speech_level(level)
        with self._lock:
            if speech:
                self._last_speech_end = end
                if self._in_speech:
                    return None
                if self._run_start is None:
                    self._run_start, self._run_length = start, 0.0
                self._run_length += duration
                if self._run_length >= self.settings.attack:
                    self._in_speech, self._speech_start = True, self._run_start
                    self._run_start = None
                return None
            self._run_start = None
            if self._in_speech and end - self._last_speech_end >= self.settings.hangover:
                return self._close_locked()
            return None

    def _track_noise(self, level: float, duration: float) -> None:
        self._recent.append(level)
        keep = max(1, int(self.settings.noise_window / duration)) if duration > 0 else len(self._recent)
        while len(self._recent) > keep:
            self._recent.popleft()
        self._noise = min(self._recent)

    def _close_locked(self) -> SpeechSegment:
        segment = SpeechSegment(self._speech_start, self._last_speech_end)
        self._segments.append(segment)
        self._in_speech = False
        return segment

    def finish(self) -> SpeechSegment | None:
        """Close a segment still open when the microphone stops."""
        with self._lock:
            return self._close_locked() if self._in_speech else None

    def segments(self) -> list[SpeechSegment]:
        """Finished segments so far (a copy; safe from any thread)."""
        with self._lock:
            return list(self._segments)

    def current_start(self) -> float | None:
        """When the speech in progress started, or None."""
        with self._lock:
            return self._speech_start if self._in_speech else None
