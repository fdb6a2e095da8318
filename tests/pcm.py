"""Test audio: PCM16 little-endian mono as bytes or sample arrays, speech-like signals, WAV files, the pitch of a
stretch, and where a reference turns up in a recording."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from desktop.voice.audio.resample import pcm16_samples

RATE = 16000


def tone(seconds: float, freq: float = 440.0, rate: int = RATE, amplitude: float = 12000.0) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * amplitude).astype("<i2").tobytes()


def chunk_of(value: int, samples: int) -> bytes:
    return np.full(samples, value, dtype="<i2").tobytes()


def dominant_frequency(pcm: bytes, rate: int) -> float:
    samples = pcm16_samples(pcm).astype(float)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as src:
        return np.frombuffer(src.readframes(src.getnframes()), dtype="<i2").copy(), src.getframerate()


def speech_like(seconds: float, rate: int = RATE, seed: int = 3) -> np.ndarray:
    """Syllable-like bursts: a few harmonics of a wandering pitch under a 4 Hz envelope, with pauses between words."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    pitch = 140 + 30 * np.sin(2 * np.pi * 0.7 * t) + 10 * rng.standard_normal() * np.sin(2 * np.pi * 0.23 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voice = sum(np.sin(k * phase) / k for k in (1, 2, 3, 5))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 0.5
    words = (np.sin(2 * np.pi * 0.6 * t + rng.uniform(0, np.pi)) > -0.3).astype(float)
    signal_ = voice * syllables * words
    signal_ /= np.max(np.abs(signal_)) or 1.0
    return (signal_ * 12000).astype("<i2")


def best_correlation(reference: np.ndarray, recorded: np.ndarray) -> tuple[float, int]:
    """Highest normalised cross-correlation of `reference` inside `recorded`, and the lag where it is found."""
    ref = reference.astype(np.float64)
    rec = recorded.astype(np.float64)
    if len(rec) < len(ref) or not np.any(ref) or not np.any(rec):
        return 0.0, 0
    size = 1 << int(np.ceil(np.log2(len(rec) + len(ref))))
    corr = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)[: len(rec) - len(ref) + 1]
    # The energy of each window of the recording, by a running sum: np.convolve with a window of ones is
    # O(len(rec) * len(ref)) and took minutes on a loaded machine.
    running = np.concatenate(([0.0], np.cumsum(rec**2)))
    energy = running[len(ref) :] - running[: len(rec) - len(ref) + 1]
    ref_energy = np.sum(ref**2)
    # Where the recording is (nearly) silent the ratio is noise over nothing: score it 0.
    scores = np.where(energy > 1e-4 * ref_energy, corr / np.sqrt(np.maximum(energy, 1e-9) * ref_energy), 0.0)
    lag = int(np.argmax(scores))
    return float(scores[lag]), lag
