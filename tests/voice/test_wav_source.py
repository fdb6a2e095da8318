"""`roleplay call --mic-wav FILE`'s microphone: the file is streamed and resampled in chunks, never held whole."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest

from desktop.voice.audio.wav_source import WavAudioFactory
from tests.pcm import dominant_frequency

ROOT = Path(__file__).resolve().parents[2]

# Drains the microphone as fast as it can (the steps a call paces at 20 ms) and reports the peak resident memory over
# the interpreter's own, in MB. ru_maxrss is in KB on Linux.
_DRAIN = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from desktop.voice.audio.wav_source import WavAudioFactory

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sent = 0
    def on_chunk(pcm, at):
        global sent
        sent += len(pcm)
    factory = WavAudioFactory(Path(sys.argv[1]), record=False)
    microphone = factory(16000, 16000, on_chunk, lambda message: None, 0.0).microphone
    while not microphone.finished.is_set():
        microphone._step(0.0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(sent, (peak - before) / 1024)
    """
)


def _write_stereo_wav(path: Path, megabytes: int, rate: int = 48000) -> float:
    """A stereo PCM16 WAV of about `megabytes`, written a second at a time; returns its length in seconds."""
    t = np.arange(rate) / rate
    left = (np.sin(2 * np.pi * 440.0 * t) * 12000).astype("<i2")
    second = np.column_stack((left, left)).astype("<i2").tobytes()
    seconds = megabytes * 1_000_000 // len(second)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        for _ in range(seconds):
            wav.writeframesraw(second)
    return float(seconds)


@pytest.mark.timeout(600)
def test_a_large_wav_is_streamed_not_held_in_memory(tmp_path: Path) -> None:
    # 200 MB of 48 kHz stereo (17 minutes). Before: the file was read whole twice and resampled in one piece, a peak
    # of about 11 times its size (issue 14, item 12: a 460 MB WAV peaked at 5.1 GB).
    wav = tmp_path / "long.wav"
    seconds = _write_stereo_wav(wav, 200)
    result = subprocess.run(
        [sys.executable, "-c", _DRAIN, str(wav)], cwd=ROOT, capture_output=True, text=True, timeout=540
    )
    assert result.returncode == 0, result.stderr
    sent, grown_mb = result.stdout.split()
    print(f"200 MB WAV: peak memory grew by {float(grown_mb):.0f} MB")
    # Every second of the file reached the call, at 16 kHz mono, plus the silence padding the last 20 ms chunk.
    assert abs(int(sent) - seconds * 16000 * 2) <= 640 + 2 * 16000 * 2 // 100
    assert float(grown_mb) < 60


def test_a_stereo_44k_wav_arrives_as_16k_mono_in_20_ms_chunks_keeping_pitch_and_length(tmp_path: Path) -> None:
    wav = tmp_path / "short.wav"
    rate = 44100
    t = np.arange(int(2.5 * rate)) / rate
    tone = np.sin(2 * np.pi * 300.0 * t) * 10000
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.column_stack((tone, tone)).astype("<i2").tobytes())
    chunks: list[bytes] = []
    microphone = WavAudioFactory(wav, record=False)(16000, 16000, lambda pcm, at: chunks.append(pcm), print, 0.0)
    steps = 0
    while not microphone.microphone.finished.is_set() and steps < 1000:
        microphone.microphone._step(0.0)
        steps += 1
    assert {len(c) for c in chunks} == {640}
    audio = b"".join(chunks)
    assert abs(len(audio) // 2 - 2.5 * 16000) <= 320  # the last chunk is padded with silence
    assert dominant_frequency(audio[: 2 * 16000 * 2], 16000) == pytest.approx(300.0, abs=2.0)


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "no such WAV file"), (b"not a wav at all", "is not a readable WAV file")],
)
def test_an_unreadable_wav_is_said_in_words_before_the_call(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "mic.wav"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=words):
        WavAudioFactory(path)


def test_an_8_bit_wav_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "mic.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(bytes(800))
    with pytest.raises(ValueError, match="8-bit audio"):
        WavAudioFactory(path)
