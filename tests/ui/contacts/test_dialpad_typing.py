"""Typing a phone number into the Dial pad, as a new user does: real X key events (xdotool on a private Xvfb), the
real app, the key tones through the private PulseAudio. It froze the app once: the GUI thread spun at 100 % CPU for
good after a few keys (issue 14, item 15), because each key's QSoundEffect left a dead socket notifier behind."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.pulse import PulseServer
from tests.xserver import XServer

ROOT = Path(__file__).resolve().parents[3]
NUMBER = "5551234567"
IDLE_SHARE = 0.3  # of one core, while nothing happens; the spinning app used 0.9-1.0


@pytest.fixture
def desktop_display():
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is not installed: make system-deps installs it", pytrace=False)
    server = XServer().start()
    try:
        yield server
    finally:
        server.stop()


def test_typing_a_number_sounds_each_key_and_leaves_the_app_idle(desktop_display, pulse: PulseServer, tmp_path):
    env = {
        **os.environ,
        **desktop_display.env(),
        **pulse.client_env(),
        "QT_QPA_PLATFORM": "xcb",
        "ROLEPLAY_HOME": str(tmp_path / "home"),
        "ROLEPLAY_FIRST_RUN": "skip",
        "PYTHONPATH": str(ROOT),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.contacts.dialpad_app", "--expect", str(len(NUMBER))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert app.stdout is not None
        assert _next_line(app, "READY"), "the app did not open the Dial pad"
        with pulse.record_speaker(tmp_path / "speaker.wav") as recording:
            subprocess.run(["xdotool", "type", "--delay", "300", NUMBER], env=env, check=True, timeout=30)
            report = _next_line(app, "{")
            assert report, "the app stopped answering after the number was typed"
            figures = json.loads(report)
        heard = _wav_samples(recording)
    finally:
        app.kill()
        app.wait(10)
    assert "".join(ch for ch in figures["text"] if ch.isdigit()) == NUMBER
    assert figures["tones"][-len(NUMBER) :] == list(NUMBER)
    assert figures["cpu_share"] < IDLE_SHARE, f"the app kept {figures['cpu_share']:.0%} of a core busy after typing"
    assert np.sqrt(np.mean(heard.astype(float) ** 2)) > 100, "the key tones did not reach the speaker"


def _next_line(app: subprocess.Popen, starts: str, timeout: float = 30.0) -> str:
    """The app's next line that starts so; "" when it says nothing of the kind in time (a frozen app never does)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([app.stdout], [], [], left)
        if not ready:
            break
        line = app.stdout.readline()
        if not line:
            break
        if line.startswith(starts):
            return line
    return ""


def _wav_samples(path: Path) -> np.ndarray:
    import wave

    with wave.open(str(path), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
