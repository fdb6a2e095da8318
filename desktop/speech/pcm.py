"""PCM16 helpers for the recogniser and the voice-activity detectors: bytes to float samples, and loudness."""

from __future__ import annotations

import numpy as np

RATE = 16000
BYTES_PER_SECOND = RATE * 2


def to_float(pcm16: bytes) -> np.ndarray:
    """Little-endian PCM16 mono as float32 in [-1, 1), the form Whisper and Silero take."""
    if len(pcm16) % 2:
        pcm16 = pcm16[:-1]  # a torn last sample is noise, not a reason to fail a turn
    return np.frombuffer(pcm16, dtype="<i2").astype(np.float32) / 32768.0


def dbfs(samples: np.ndarray) -> float:
    """Loudness of float samples in dB relative to full scale; -120 for digital silence."""
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * np.log10(rms) if rms > 1e-6 else -120.0
