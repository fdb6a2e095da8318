"""PortAudio's start-up does not spill libasound/libjack chatter into the trainee's terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOISE = ("ALSA lib", "jack server", "Cannot connect to server")

LIST_DEVICES_AS_THE_APP_DOES = """
from desktop.voice.audio.devices import list_input_devices, list_output_devices
print(len(list_input_devices()) + len(list_output_devices()))
"""
PLAIN_PYAUDIO = """
import pyaudio
pa = pyaudio.PyAudio()
print(pa.get_device_count())
pa.terminate()
"""


def _stderr_of(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA and JACK are Linux libraries")
def test_listing_devices_prints_no_alsa_or_jack_chatter():
    plain = _stderr_of(PLAIN_PYAUDIO)
    if not any(marker in plain for marker in NOISE):
        pytest.skip("this machine's sound libraries print nothing at start-up, so there is nothing to silence")
    app = _stderr_of(LIST_DEVICES_AS_THE_APP_DOES)
    assert not [line for line in app.splitlines() if any(marker in line for marker in NOISE)]


def test_installing_the_handlers_twice_is_harmless():
    from desktop.voice.audio.native_quiet import quiet_native_audio_libraries

    first = quiet_native_audio_libraries()
    assert quiet_native_audio_libraries() == first
