"""Audio for a headless voice call (`roleplay call --mic-wav FILE`): a WAV file as the microphone, in real time, and
a virtual speaker that "plays" the agent at real-time pace into the recording, with no sound device at all.

They run the same capture and playout code as the real devices (`CaptureChain`, `Playout`), so mute, voice activity,
the interruption rule and the recording behave as in the app. After the file ends the microphone keeps sending
silence, as a real one would, so the agent's end-of-turn detection sees the trainee stop talking.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np

from desktop.voice.audio.jitter import JitterBuffer
from desktop.voice.audio.recorder import CallRecorder, recording_path
from desktop.voice.audio.resample import StreamResampler, pcm16_bytes
from desktop.voice.audio.streams import CaptureChain, Playout
from desktop.voice.call.setup import AudioPorts

log = logging.getLogger(__name__)

CHUNK_MS = 20
BYTES_PER_SAMPLE = 2


# How much of the file is read, downmixed and resampled at a time: half a second at 48 kHz. Small enough that a file
# of any length costs a few hundred KB of memory, large enough that the per-block work is negligible.
READ_FRAMES = 24000


def _open_wav(path: Path) -> wave.Wave_read:
    """The file opened for reading, its header checked. ValueError in plain words for anything else."""
    try:
        wav = wave.open(str(path), "rb")  # noqa: SIM115 - kept open by WavStream, closed there
    except FileNotFoundError:
        raise ValueError(f"no such WAV file: {path}") from None
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError(f"{path} is not a readable WAV file ({exc})") from None
    if wav.getsampwidth() != BYTES_PER_SAMPLE:
        width = wav.getsampwidth()
        wav.close()
        raise ValueError(f"{path} is {8 * width}-bit audio; use a 16-bit PCM WAV")
    return wav


class WavStream:
    """The file as PCM16 LE mono at `rate`, read, downmixed and resampled a block at a time as it is asked for.

    Never holds more than a block of the file (issue 14, item 12: a 460 MB WAV read whole, twice, peaked at 5.1 GB)."""

    def __init__(self, path: Path, rate: int) -> None:
        self.path = Path(path)
        self._wav = _open_wav(self.path)
        self._channels = self._wav.getnchannels()
        file_rate = self._wav.getframerate()
        self._resampler = StreamResampler(file_rate, rate) if file_rate != rate else None
        self._pending = bytearray()
        self._ended = False

    def read(self, size: int) -> bytes:
        """Up to `size` bytes; fewer only once the file has ended."""
        while len(self._pending) < size and not self._ended:
            self._fill()
        chunk = bytes(self._pending[:size])
        del self._pending[:size]
        return chunk

    def _fill(self) -> None:
        try:
            frames = self._wav.readframes(READ_FRAMES)
        except (wave.Error, EOFError, OSError) as exc:  # cut short or unreadable part-way: the file ends there
            log.warning("the WAV file stopped reading part-way (%s); the rest is silence", exc)
            frames = b""
        if not frames:
            self._ended = True
            self.close()
            if self._resampler is not None:
                self._pending += self._resampler.flush()  # the last stretch the resampler held back
            return
        frame_bytes = BYTES_PER_SAMPLE * self._channels
        samples = np.frombuffer(frames, dtype="<i2", count=len(frames) // frame_bytes * self._channels)
        if self._channels > 1:
            samples = samples.reshape(-1, self._channels).mean(axis=1)
        pcm = pcm16_bytes(samples)
        if self._resampler is not None:
            pcm = self._resampler.process(pcm)
        self._pending += pcm

    def close(self) -> None:
        self._wav.close()


class _Pacer:
    """Calls `step()` every `period` seconds on its own thread, keeping to the wall clock rather than drifting."""

    def __init__(self, name: str, period: float, step: Callable[[float], None]) -> None:
        self._period = period
        self._step = step
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        deadline = time.monotonic()
        while not self._stop.is_set():
            self._step(deadline)
            deadline += self._period
            self._stop.wait(max(0.0, deadline - time.monotonic()))  # real-time pacing, not a wait for an event

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)


class WavMicrophone:
    """The engine's MicrophoneInput, fed from a WAV file in 20 ms chunks at real-time pace."""

    def __init__(self, source: WavStream, rate: int, on_chunk: Callable[[bytes, float], None], t0: float) -> None:
        self._source = source
        self._rate = rate
        self._chunk_bytes = rate * CHUNK_MS // 1000 * BYTES_PER_SAMPLE
        self._on_chunk = on_chunk
        self._chain = CaptureChain(rate, rate, started_at=t0)
        self._pacer = _Pacer("wav-microphone", CHUNK_MS / 1000, self._step)
        self.finished = threading.Event()  # set once the whole file has been sent

    @property
    def muted(self) -> bool:
        return self._chain.muted

    @muted.setter
    def muted(self, muted: bool) -> None:
        self._chain.muted = muted

    @property
    def level(self) -> float:
        return self._chain.level

    def start(self) -> None:
        self._pacer.start()

    def stop(self) -> None:
        self._pacer.stop()
        self._source.close()

    def set_agent_speaking(self, speaking: bool) -> None:
        self._chain.set_agent_speaking(speaking, time.monotonic())

    def speech_segments(self) -> list[tuple[float, float]]:
        return [(s.start, s.end) for s in self._chain.vad.segments()]

    def _step(self, captured_at: float) -> None:
        chunk = self._source.read(self._chunk_bytes)
        if len(chunk) < self._chunk_bytes:
            self.finished.set()
            chunk += bytes(self._chunk_bytes - len(chunk))
        pcm, _ = self._chain.process(chunk, captured_at, time.monotonic())
        self._on_chunk(pcm, captured_at)


class VirtualSpeaker:
    """The engine's Speaker with no device: the jitter buffer is read at real-time pace, 20 ms at a time."""

    def __init__(self, rate: int, on_played: Callable[[bytes, float], None] | None = None) -> None:
        self._block_bytes = rate * CHUNK_MS // 1000 * BYTES_PER_SAMPLE
        self._playout = Playout(JitterBuffer(rate * BYTES_PER_SAMPLE), on_played=on_played)
        self._pacer = _Pacer("virtual-speaker", CHUNK_MS / 1000, self._step)

    @property
    def is_speaking(self) -> bool:
        return self._playout.speaking

    @property
    def level(self) -> float:
        return self._playout.level

    def start(self) -> None:
        self._pacer.start()

    def play(self, pcm: bytes, event_id: int) -> None:
        self._playout.push(pcm, event_id)

    def interrupt(self, event_id: int) -> None:
        self._playout.interrupt(event_id)

    def drain(self, timeout: float) -> bool:
        return self._playout.idle.wait(timeout)

    def stop(self) -> None:
        self._pacer.stop()

    def _step(self, now: float) -> None:
        self._playout.next_block(self._block_bytes, now, now)


class WavAudioFactory:
    """An AudioFactory for `Call`: the WAV as the microphone, the virtual speaker, and a recording of both sides."""

    def __init__(self, path: Path, *, record: bool = True) -> None:
        self.path = Path(path)
        _open_wav(self.path).close()  # fail now, with words, rather than once the agent has answered
        self.record = record
        self.microphone: WavMicrophone | None = None

    def __call__(
        self,
        input_rate: int,
        output_rate: int,
        on_mic_chunk: Callable[[bytes, float], None],
        on_error: Callable[[str], None],
        t0: float,
    ) -> AudioPorts:
        recorder = None
        if self.record:
            # The random part: two WAV calls started in the same second must not share (and garble) one file.
            name = f"call-{datetime.now():%Y%m%d-%H%M%S}-wav-{uuid.uuid4().hex[:6]}"
            recorder = CallRecorder(recording_path(name), rate=output_rate, started_at=t0)

        def mic_chunk(pcm: bytes, at: float) -> None:
            on_mic_chunk(pcm, at)
            if recorder is not None:
                recorder.trainee(pcm, at, input_rate)

        def played(pcm: bytes, at: float) -> None:
            if recorder is not None:
                recorder.seller(pcm, at, output_rate)

        self.microphone = WavMicrophone(WavStream(self.path, input_rate), input_rate, mic_chunk, t0)
        return AudioPorts(self.microphone, VirtualSpeaker(output_rate, played), recorder)

    def close(self) -> None:
        """Nothing to release: the call stops the ports; kept for symmetry with the device factory."""
