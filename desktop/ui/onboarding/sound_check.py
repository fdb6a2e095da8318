"""The first run's sound check, off the GUI thread: record a few seconds from the microphone and read the words with
the on-device recogniser, so the trainee sees what the practice partner will hear. Blocking; run it in the
background. The audio and speech services are imported when called, as the settings page's tests do."""

from __future__ import annotations

import threading

from desktop.speech.pcm import RATE

LISTEN_SECONDS = 6.0  # long enough for "hello, this is <name>" said after the prompt appears


def hear_hello(device: str = "", seconds: float = LISTEN_SECONDS) -> str:
    """The words heard in `seconds` of microphone audio ("" when none). Raises the audio layer's error, with words
    for the trainee, when the microphone cannot be opened."""
    from desktop.speech.recogniser import Recogniser
    from desktop.voice.audio.streams import MicrophoneStream

    wanted = int(RATE * seconds) * 2  # PCM16: two bytes a sample
    audio = bytearray()
    full = threading.Event()

    def collect(pcm: bytes, _captured_at: float) -> None:
        if len(audio) < wanted:
            audio.extend(pcm)
        if len(audio) >= wanted:
            full.set()

    mic = MicrophoneStream(collect, device=device or None, rate=RATE)
    mic.start()
    try:
        # The device delivers about `seconds` of audio; the margin covers a slow start, never a hung device.
        full.wait(seconds + 3.0)
    finally:
        mic.stop()
    return Recogniser.load().transcribe(bytes(audio[:wanted])).text.strip()
