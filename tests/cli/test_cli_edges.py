"""Edges the README promises and files kept private (issue 14, item 7): a session id of 2^63 or more is one line
and exit 2; two WAV calls in the same second get two recordings; the data folder's files are the user's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from desktop.voice.audio.wav_source import WavAudioFactory

ROOT = Path(__file__).resolve().parents[2]


def roleplay(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], cwd=ROOT, capture_output=True, text=True, timeout=90, env=os.environ
    )


@pytest.mark.parametrize(
    "args",
    [("sessions", "show", str(2**63)), ("sessions", "export", str(2**64), "--format", "md"), ("grade", "1" * 30)],
)
def test_a_session_id_too_large_for_sqlite_is_one_line_and_exit_2(args):
    result = roleplay(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "no session has an id as large as" in result.stderr


def test_the_largest_sqlite_id_is_still_a_question_about_a_session():
    result = roleplay("sessions", "show", str(2**63 - 1))
    assert result.returncode == 2 and "no session with id" in result.stderr


def write_wav(path: Path, seconds: float = 0.2, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(int(seconds * rate) * 2))
    return path


def test_two_wav_calls_in_the_same_second_get_two_recordings(tmp_path: Path):
    wav = write_wav(tmp_path / "mic.wav")
    ports = [WavAudioFactory(wav)(16000, 16000, lambda pcm, at: None, lambda message: None, 0.0) for _ in range(2)]
    try:
        paths = [p.recorder.path for p in ports]
        assert paths[0] != paths[1]
    finally:
        for p in ports:
            p.recorder.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_data_folder_is_the_users_only(data_home: Path, tmp_path: Path):
    wav = write_wav(tmp_path / "mic.wav", seconds=0.5)
    call = roleplay("call", "--persona", "dale-pruitt-coal-county", "--agent", "partner", "--mic-wav", str(wav))
    assert call.returncode == 0, call.stderr
    recordings = list((data_home / "recordings").glob("*.wav"))
    assert recordings
    files = [data_home / "roleplay.db", data_home / "settings.json", data_home / "logs" / "roleplay.log", *recordings]
    folders = [data_home, data_home / "logs", data_home / "recordings", data_home / "backups"]
    assert {str(p): oct(_mode(p)) for p in files + folders if _mode(p) & 0o077} == {}


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_old_world_readable_folder_is_tightened(data_home: Path):
    assert roleplay("sessions", "list").returncode == 0
    for folder in (data_home, data_home / "recordings"):
        folder.chmod(0o755)
    (data_home / "roleplay.db").chmod(0o644)
    assert roleplay("sessions", "list").returncode == 0
    assert (_mode(data_home), _mode(data_home / "recordings"), _mode(data_home / "roleplay.db")) == (0o700,) * 2 + (
        0o600,
    )
