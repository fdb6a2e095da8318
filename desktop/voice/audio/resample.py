"""PCM16 helpers for the audio path: level (RMS), gain, and a streaming resampler. numpy only; Qt-free.

The resampler converts between a device's rate and the rate the agent negotiated, chunk by chunk, carrying state across
chunks so that chunk edges do not click. Linear interpolation is enough for speech at these rates; when it shrinks the
rate it first low-passes (a short windowed-sinc filter) so that what is above the new Nyquist frequency does not fold
back into the voice band as hiss.
"""

from __future__ import annotations

import numpy as np

FULL_SCALE = 32768.0
_FILTER_TAPS = 31


def pcm16_samples(pcm: bytes) -> np.ndarray:
    """Little-endian PCM16 bytes as int16 samples (a trailing odd byte is ignored)."""
    return np.frombuffer(pcm, dtype="<i2", count=len(pcm) // 2)


def pcm16_bytes(samples: np.ndarray) -> bytes:
    """Float or int samples in PCM16 range to little-endian bytes, clipped rather than wrapped."""
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


def rms_level(pcm: bytes) -> float:
    """Root-mean-square level, 0..1 of full scale (a full-scale sine is about 0.707)."""
    samples = pcm16_samples(pcm)
    if samples.size == 0:
        return 0.0
    as_float = samples.astype(np.float64)
    return float(min(1.0, np.sqrt(np.mean(as_float * as_float)) / FULL_SCALE))


def apply_gain_ramp(pcm: bytes, start_gain: float, end_gain: float) -> bytes:
    """Scale by a gain that moves linearly across the chunk, so that ducking does not click."""
    if start_gain == end_gain == 1.0:
        return pcm
    samples = pcm16_samples(pcm).astype(np.float32)
    if start_gain == end_gain:
        return pcm16_bytes(samples * start_gain)
    ramp = np.linspace(start_gain, end_gain, samples.size, endpoint=False, dtype=np.float32)
    return pcm16_bytes(samples * ramp)


def _lowpass_taps(cutoff: float) -> np.ndarray:
    """Windowed-sinc low-pass; `cutoff` is a fraction of the input sample rate (0..0.5)."""
    n = np.arange(_FILTER_TAPS) - (_FILTER_TAPS - 1) / 2
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(_FILTER_TAPS)
    return taps / taps.sum()


class StreamResampler:
    """Resamples consecutive PCM16 chunks of one stream from `from_rate` to `to_rate`. One instance per stream."""

    def __init__(self, from_rate: int, to_rate: int) -> None:
        if from_rate <= 0 or to_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {from_rate} -> {to_rate}")
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._step = from_rate / to_rate  # input samples per output sample
        self._taps = _lowpass_taps(0.45 * to_rate / from_rate) if to_rate < from_rate else None
        self._history = np.zeros(_FILTER_TAPS - 1, dtype=np.float64) if self._taps is not None else None
        self._carry = np.zeros(0, dtype=np.float64)  # the last input sample, for interpolating across chunk edges
        self._position = 0.0  # where the next output sample falls, in input samples from the start of `_carry`

    @property
    def is_identity(self) -> bool:
        return self.from_rate == self.to_rate

    def process(self, pcm: bytes) -> bytes:
        if self.is_identity:
            return pcm
        samples = pcm16_samples(pcm).astype(np.float64)
        if samples.size == 0:
            return b""
        if self._taps is not None and self._history is not None:
            padded = np.concatenate((self._history, samples))
            self._history = padded[-(_FILTER_TAPS - 1) :]
            samples = np.convolve(padded, self._taps, mode="valid")
        signal = np.concatenate((self._carry, samples))
        last = signal.size - 1  # interpolation needs a sample on each side of a position
        if last < 1 or self._position > last:
            self._carry = signal[-1:]
            self._position -= signal.size - 1
            return b""
        count = int(np.floor((last - self._position) / self._step)) + 1
        positions = self._position + self._step * np.arange(count)
        positions = positions[positions <= last]
        index = np.minimum(np.floor(positions).astype(np.int64), last - 1)
        fraction = positions - index
        out = signal[index] * (1.0 - fraction) + signal[index + 1] * fraction
        self._position = positions[-1] + self._step - last
        self._carry = signal[-1:]
        return pcm16_bytes(out)
