"""The call screen's sounds: a ring-back tone while dialing and DTMF tones for the keypad.

The WAV files are made with the standard library (`python -m desktop.ui.call.sounds` rewrites them into
resources/sounds/); a bundle that lacks them makes them again in a temp folder, so a missing file never means silence.
The ring plays through QSoundEffect, which loads once and starts without delay; the key tones through one audio
output (see DtmfPlayer).
"""

from __future__ import annotations

import array
import logging
import math
import tempfile
import wave
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QUrl
from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QSoundEffect

from desktop.core.resources import resource_path

log = logging.getLogger(__name__)

RATE = 16000
RING_FILE = "ring.wav"
# A double ring (two bursts of 400 + 450 Hz, then a pause), the ring-back most people know from a phone.
RING_CADENCE = ((0.4, True), (0.2, False), (0.4, True), (2.0, False))
DTMF_FREQUENCIES = {
    "1": (697, 1209),
    "2": (697, 1336),
    "3": (697, 1477),
    "4": (770, 1209),
    "5": (770, 1336),
    "6": (770, 1477),
    "7": (852, 1209),
    "8": (852, 1336),
    "9": (852, 1477),
    "*": (941, 1209),
    "0": (941, 1336),
    "#": (941, 1477),
}
DTMF_SECONDS = 0.15
_KEY_NAMES = {"*": "star", "#": "hash"}


def dtmf_file(key: str) -> str:
    return f"dtmf_{_KEY_NAMES.get(key, key)}.wav"


def _tone(freqs: tuple[float, ...], seconds: float, volume: float) -> array.array:
    count = int(RATE * seconds)
    fade = min(count // 2, int(RATE * 0.01))  # 10 ms ramps: no clicks at the edges
    samples = array.array("h")
    step = [2 * math.pi * f / RATE for f in freqs]
    for i in range(count):
        ramp = min(1.0, i / fade, (count - 1 - i) / fade) if fade else 1.0
        value = sum(math.sin(s * i) for s in step) / len(freqs)
        samples.append(int(32767 * volume * ramp * value))
    return samples


def _write(path: Path, samples: array.array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())  # WAV is little-endian, as is every platform we ship on


def write_sounds(directory: Path) -> list[Path]:
    """Writes the ring tone and the twelve DTMF tones; returns their paths."""
    ring = array.array("h")
    for seconds, on in RING_CADENCE:
        ring.extend(_tone((400, 450), seconds, 0.35) if on else array.array("h", bytes(2 * int(RATE * seconds))))
    written = [directory / RING_FILE]
    _write(written[0], ring)
    for key, freqs in DTMF_FREQUENCIES.items():
        path = directory / dtmf_file(key)
        _write(path, _tone(freqs, DTMF_SECONDS, 0.3))
        written.append(path)
    return written


def sound_path(name: str) -> Path:
    """The bundled file, or one made on the spot when the bundle lacks it."""
    bundled = resource_path("sounds") / name
    if bundled.is_file():
        return bundled
    fallback = Path(tempfile.gettempdir()) / "roleplay-trainer-sounds"
    if not (fallback / name).is_file():
        write_sounds(fallback)
    return fallback / name


def _effect(parent: QObject, name: str, volume: float) -> QSoundEffect:
    effect = QSoundEffect(parent)
    effect.setSource(QUrl.fromLocalFile(str(sound_path(name))))
    effect.setVolume(volume)
    return effect


class Ringer(QObject):
    """The ring-back tone: starts when the call is placed, stops when it connects or ends."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effect = _effect(self, RING_FILE, 0.6)
        self._effect.setLoopCount(QSoundEffect.Loop.Infinite.value)
        self.ringing = False  # what was asked for; with no sound device the effect itself stays silent

    def start(self) -> None:
        self.ringing = True
        self._effect.play()

    def stop(self) -> None:
        self.ringing = False
        self._effect.stop()

    @property
    def source(self) -> str:
        return self._effect.source().toLocalFile()


class DtmfPlayer(QObject):
    """The twelve key tones through ONE audio output, opened on the first key and kept.

    Not a QSoundEffect per key: with PulseAudio, twelve effects played as keys arrive from the X server left a socket
    notifier of the GUI thread pointing at a socket another thread had closed, and the GUI thread then spun at 100 %
    CPU for good (typing a number on the dial pad froze the app; tests/ui/contacts/test_dialpad_typing.py). One sink
    that is stopped and restarted per key does not. A new key cuts the one still sounding, as on a phone."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tones = {key: _pcm_of(dtmf_file(key)) for key in DTMF_FREQUENCIES}
        self._sink: QAudioSink | None = None
        self._buffer: QBuffer | None = None  # kept alive while the sink reads it
        self.played: list[str] = []  # the last few keys, for tests and diagnostics

    def play(self, key: str) -> None:
        pcm = self._tones.get(key)
        if pcm is None:
            return
        sink = self._open_sink()
        sink.stop()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pcm))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        sink.start(buffer)  # with no sound device the sink just stays idle: a silent key, never an error
        self.played = [*self.played[-15:], key]

    def _open_sink(self) -> QAudioSink:
        if self._sink is None:
            audio_format = QAudioFormat()
            audio_format.setSampleRate(RATE)
            audio_format.setChannelCount(1)
            audio_format.setSampleFormat(QAudioFormat.SampleFormat.Int16)
            self._sink = QAudioSink(QMediaDevices.defaultAudioOutput(), audio_format, self)
            self._sink.setVolume(0.5)
        return self._sink


def _pcm_of(name: str) -> bytes:
    with wave.open(str(sound_path(name)), "rb") as tone:
        return tone.readframes(tone.getnframes())


if __name__ == "__main__":
    for path in write_sounds(resource_path("sounds")):
        print(path)
