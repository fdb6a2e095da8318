"""The resampler's quality, measured on tones streamed through it in 20 ms chunks as the audio path does.

Figures (issue 14, item 20), of the hand-written resampler it replaced (31-tap sinc, then linear interpolation) and of
soxr's HQ streaming resampler: 48 -> 16 kHz, a 7 kHz tone lost 4.9 dB (now under 0.1 dB; allowed: 1 dB); a 9 kHz tone
folded back to 7 kHz at -25.6 dB (now about -118 dB; allowed: -60 dB); 16 -> 48 kHz, a 7 kHz tone left mirror images at
9 and 23 kHz at -22 dB (now about -120 dB; allowed: -60 dB)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from desktop.voice.audio.recorder import CallRecorder
from desktop.voice.audio.resample import StreamResampler, pcm16_samples
from desktop.voice.audio.streams import SpeakerStream

AMPLITUDE = 12000.0


def _tone(freq: float, rate: int, seconds: float = 2.0) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * AMPLITUDE).astype("<i2").tobytes()


def _streamed(pcm: bytes, source: int, target: int) -> np.ndarray:
    resampler = StreamResampler(source, target)
    chunk = source // 50 * 2
    out = b"".join(resampler.process(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk)) + resampler.flush()
    return pcm16_samples(out).astype(np.float64)


def _level_db(samples: np.ndarray, freq: float, rate: int) -> float:
    """The level of `freq` in the steady middle of `samples`, in dB relative to the input tone's amplitude."""
    middle = samples[rate // 4 : rate // 4 + rate]  # one second, so every whole frequency falls on a bin
    window = np.hanning(middle.size)
    assert middle.size == rate
    spectrum = np.abs(np.fft.rfft(middle * window)) / (window.sum() / 2)
    bin_ = int(round(freq * middle.size / rate))
    return float(20 * np.log10(max(spectrum[bin_ - 3 : bin_ + 4].max(), 1e-9) / AMPLITUDE))


@pytest.mark.parametrize("source", [48000, 44100])
def test_the_voice_band_passes_flat_when_going_down_to_16_khz(source: int) -> None:
    for freq, allowed_loss in ((1000.0, 0.1), (4000.0, 0.2), (7000.0, 1.0)):
        level = _level_db(_streamed(_tone(freq, source), source, 16000), freq, 16000)
        assert level >= -allowed_loss, f"{freq:.0f} Hz lost {-level:.1f} dB going {source} -> 16000"


@pytest.mark.parametrize("source", [48000, 44100])
def test_what_16_khz_cannot_carry_does_not_fold_back(source: int) -> None:
    # 9 kHz is above 16 kHz's Nyquist limit (8 kHz): unfiltered it would come back as a 7 kHz whistle.
    aliased_to = 16000 - 9000
    level = _level_db(_streamed(_tone(9000.0, source), source, 16000), aliased_to, 16000)
    assert level <= -60.0, f"a 9 kHz tone came back at {aliased_to} Hz at {level:.1f} dB"


def test_going_up_leaves_no_mirror_images() -> None:
    out = _streamed(_tone(7000.0, 16000), 16000, 48000)
    assert _level_db(out, 7000.0, 48000) >= -1.0
    for image in (9000.0, 23000.0):  # 16 kHz +- 7 kHz
        level = _level_db(out, image, 48000)
        assert level <= -60.0, f"a 7 kHz tone left an image at {image:.0f} Hz at {level:.1f} dB"


# --- what soxr holds back ---------------------------------------------------------------------------------------------
# An aligned resampler keeps the end of what it was given (up to about 40 ms here) until more comes. A turn's end must
# still be heard when the turn ends, an interrupted turn's must never be, and the recording must keep both.


def _device_speaker(device_rate: int = 48000) -> SpeakerStream:
    """A speaker whose device runs at `device_rate`, driven by calling its audio callback (no sound card)."""
    speaker = SpeakerStream(rate=16000)
    speaker.device_rate = device_rate
    speaker._before_open()
    return speaker


def _play_out(speaker: SpeakerStream, blocks: int, frames: int = 480) -> np.ndarray:
    out = [speaker._callback(None, frames, {}, 0)[0] for _ in range(blocks)]
    return pcm16_samples(b"".join(out)).astype(np.float64)


def test_the_end_of_a_turn_is_heard_when_the_turn_ends() -> None:
    speaker = _device_speaker()
    assert speaker.play(_tone(440.0, 16000, seconds=0.25), event_id=1)
    played = _play_out(speaker, 40)  # 400 ms of 10 ms device blocks
    audible = np.flatnonzero(np.abs(played) > 200)
    # 0.25 s at 48 kHz; before the tail was released, the last ~30 ms waited for the next turn.
    assert audible[-1] - audible[0] + 1 == pytest.approx(0.25 * 48000, abs=48)


def test_an_interrupted_turns_held_back_end_is_never_heard() -> None:
    speaker = _device_speaker()
    assert speaker.play(_tone(440.0, 16000, seconds=0.25), event_id=1)
    speaker.interrupt(2)
    assert speaker.play(bytes(16000 * 2 // 4), event_id=2)  # the next turn: 250 ms of silence
    assert np.max(np.abs(_play_out(speaker, 40))) < 50


def test_the_recording_keeps_all_of_a_resampled_side_where_it_was_heard(tmp_path: Path) -> None:
    recorder = CallRecorder(tmp_path / "call.wav", rate=16000, started_at=0.0)
    chunk = 44100 // 50 * 2
    first, second = _tone(440.0, 44100, seconds=1.0), _tone(440.0, 44100, seconds=0.5)
    for i in range(0, len(first), chunk):  # a turn in 20 ms chunks from 0.5 s, then another from 3.0 s
        recorder.seller(first[i : i + chunk], at=0.5 + i / 2 / 44100, rate=44100)
    for i in range(0, len(second), chunk):
        recorder.seller(second[i : i + chunk], at=3.0 + i / 2 / 44100, rate=44100)
    recorder.close()
    with wave.open(str(tmp_path / "call.wav"), "rb") as wav:
        seller = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)[:, 1]
    audible = np.flatnonzero(np.abs(seller.astype(int)) > 200)
    turns = np.split(audible, np.flatnonzero(np.diff(audible) > 1600) + 1)
    assert [len(t) and t[0] for t in turns] == [pytest.approx(8000, abs=16), pytest.approx(48000, abs=16)]
    assert [t[-1] - t[0] + 1 for t in turns] == [pytest.approx(16000, abs=16), pytest.approx(8000, abs=16)]
