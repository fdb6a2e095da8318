"""The call recorder without a sound card: each side at its place on the call's timeline, resampling, long silent
gaps, a header kept current while recording, and the repair of a file left by a killed process."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from desktop.voice.audio.recorder import CallRecorder, recording_path, repair_recording
from tests.pcm import RATE, chunk_of, dominant_frequency, tone


def read_stereo(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as src:
        assert src.getnchannels() == 2 and src.getsampwidth() == 2
        frames = np.frombuffer(src.readframes(src.getnframes()), dtype="<i2").reshape(-1, 2)
        return frames, src.getframerate()


def test_recorder_puts_each_side_at_its_time_on_the_call_timeline(tmp_path: Path) -> None:
    recorder = CallRecorder(tmp_path / "call.wav", rate=RATE, started_at=50.0)
    for index in range(100):  # 2 s of trainee mic, silence except 0.5-1.0 s
        at = 50.0 + index * 0.02 + 0.0007 * (index % 3)  # timestamps jitter by under a millisecond
        recorder.trainee(chunk_of(1000, 320) if 25 <= index < 50 else bytes(640), at)
    for index in range(30):  # the seller's turn plays from 1.2 s for 0.3 s, in 10 ms device blocks
        recorder.seller(chunk_of(-2000, 160), 51.2 + index * 0.01)
    duration_ms = recorder.close()
    frames, rate = read_stereo(tmp_path / "call.wav")
    assert rate == RATE and duration_ms == 2000 and len(frames) == 2 * RATE
    trainee_on = np.flatnonzero(frames[:, 0])
    seller_on = np.flatnonzero(frames[:, 1])
    assert (trainee_on[0], trainee_on[-1] + 1) == (8000, 16000)  # 0.5 s .. 1.0 s: offsets match the file
    assert (seller_on[0], seller_on[-1] + 1) == (19200, 24000)  # 1.2 s .. 1.5 s
    assert set(frames[trainee_on, 0].tolist()) == {1000} and set(frames[seller_on, 1].tolist()) == {-2000}


def test_recorder_resamples_a_side_at_another_rate(tmp_path: Path) -> None:
    recorder = CallRecorder(tmp_path / "call.wav", rate=RATE, started_at=0.0)
    recorder.seller(tone(1.0, 440.0, rate=44100), at=0.5, rate=44100)
    recorder.trainee(bytes(640), at=1.9)
    recorder.close()
    frames, _ = read_stereo(tmp_path / "call.wav")
    seller = frames[:, 1]
    assert np.flatnonzero(seller)[0] == pytest.approx(8000, abs=20)
    assert dominant_frequency(seller[8000:24000].tobytes(), RATE) == pytest.approx(440.0, abs=3.0)


def test_recorder_writes_a_long_silent_gap_without_holding_it_in_memory(tmp_path: Path) -> None:
    recorder = CallRecorder(tmp_path / "call.wav", rate=8000, started_at=0.0)
    recorder.trainee(chunk_of(7, 80), at=0.0)
    recorder.seller(chunk_of(9, 80), at=120.0)  # two minutes later
    recorder.close()
    frames, _ = read_stereo(tmp_path / "call.wav")
    assert len(frames) == 120 * 8000 + 80
    assert frames[0, 0] == 7 and frames[120 * 8000, 1] == 9 and not frames[80 : 120 * 8000].any()


def test_recorder_header_is_kept_current_while_recording(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    recorder = CallRecorder(path, rate=RATE, started_at=0.0, flush_every=0.05, hold=0.1)
    for index in range(100):
        recorder.trainee(tone(0.02), at=index * 0.02)
    assert recorder.wait_written(1000, timeout=10)
    with wave.open(str(path), "rb") as src:  # readable mid-call, and it counts what is there
        assert src.getnframes() >= RATE
    assert recorder.close() == 2000


CRASHING_RECORDER = """
import os, sys
import numpy as np
from desktop.voice.audio.recorder import CallRecorder
recorder = CallRecorder(sys.argv[1], rate=16000, started_at=0.0, flush_every=0.05, hold=0.1)
tone = (np.sin(np.arange(320) * 2 * np.pi * 440 / 16000) * 9000).astype("<i2").tobytes()
for index in range(150):
    recorder.trainee(tone, index * 0.02)
assert recorder.wait_written(2900, timeout=10)  # all but the last `hold` (0.1 s), which waits for later audio
with open(sys.argv[1], "ab") as f:  # a torn frame, as if killed mid-write
    f.write(b"\\x01\\x02\\x03")
print(recorder.duration_ms, flush=True)
os._exit(9)  # no close(): the process dies with the recorder open
"""


def test_recording_left_by_a_killed_process_is_playable_and_repairs(tmp_path: Path) -> None:
    path = tmp_path / "crashed.wav"
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_RECORDER, str(path)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 9, done.stderr
    assert int(done.stdout.split()[-1]) == 2900
    with wave.open(str(path), "rb") as src:  # playable as it was left: the header counts what was flushed
        assert src.getnframes() == 2900 * RATE // 1000
    assert repair_recording(path) == 2900  # the torn frame is cut
    frames, _ = read_stereo(path)
    assert len(frames) == 2900 * RATE // 1000 and frames[:, 0].any() and not frames[:, 1].any()
    assert path.stat().st_size == 44 + len(frames) * 4


def test_repair_leaves_a_file_that_is_not_a_recording_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_bytes(b"hello, this is not a wave file at all........")
    assert repair_recording(path) is None
    assert path.read_bytes().startswith(b"hello")


def test_recordings_live_beside_the_database(data_home: Path) -> None:
    path = recording_path("session-42")
    assert path == data_home / "recordings" / "session-42.wav"
    assert path.parent.is_dir()
