"""The call recording: both sides of a call in one WAV beside the database, on the call's timeline. Qt-free.

Format: 16-bit stereo WAV, trainee on the left channel, seller on the right. Two channels rather than a mono mix keep
the sides apart for replay (solo either one), for analysing overlaps and talk time, and they cannot clip each other;
the cost is twice the size of mono (about 3.8 MB a minute at 16 kHz), which a desktop disk does not notice.

Timeline: a chunk stamped `at` (time.monotonic()) lands at frame `(at - started_at) * rate`, so a transcript line's
`offset_ms` (milliseconds since the call started) is the same position in the file. Chunks of one side that follow
each other within `tolerance` are written back to back, so timestamp jitter does not cut clicks into the audio; a
larger jump (the seller falling silent between turns) re-anchors that side to its timestamp.

Crash safety: `trainee()` and `seller()` only queue (safe from PortAudio's thread); a writer thread lays the audio
out in a short in-memory window, appends it to the file and rewrites the header's sizes about once a second,
so a killed process leaves a playable file missing at most the last second or two. `repair_recording()` makes the
header match the data after such a crash.
"""

from __future__ import annotations

import logging
import os
import queue
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop import settings
from desktop.voice.audio.resample import StreamResampler, pcm16_samples

log = logging.getLogger(__name__)

CHANNELS = 2
TRAINEE, SELLER = 0, 1  # channel index: left, right
SAMPLE_BYTES = 2
HEADER_BYTES = 44


def recording_path(name: str) -> Path:
    """Where the recording called `name` lives: the recordings folder beside the database."""
    folder = settings.recordings_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.wav"


def wav_header(rate: int, data_bytes: int, channels: int = CHANNELS) -> bytes:
    block_align = channels * SAMPLE_BYTES
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        rate,
        rate * block_align,
        block_align,
        SAMPLE_BYTES * 8,
        b"data",
        data_bytes,
    )


@dataclass(frozen=True)
class _Chunk:
    channel: int
    pcm: bytes
    at: float
    rate: int


_TICK = _Chunk(TRAINEE, b"", 0.0, 0)  # no audio for a while: time to flush anyway


class CallRecorder:
    """Records one call. Create at the call's start; feed both sides from any thread; `close()` at the end."""

    def __init__(
        self,
        path: Path | str,
        rate: int = 16000,
        started_at: float | None = None,
        *,
        flush_every: float = 1.0,
        hold: float = 1.0,
        tolerance: float = 0.03,
    ) -> None:
        self.path = Path(path)
        self.rate = rate
        self.started_at = time.monotonic() if started_at is None else started_at
        self._flush_every = flush_every
        self._hold_frames = int(hold * rate)
        self._tolerance_frames = int(tolerance * rate)
        self._queue: queue.SimpleQueue[_Chunk | None] = queue.SimpleQueue()
        self._window = np.zeros((0, CHANNELS), dtype="<i2")
        self._committed = 0  # frames already in the file; the window starts here
        self._end = 0  # one past the last frame holding audio
        self._next: list[int | None] = [None, None]  # per side: where a back-to-back chunk would start
        self._resamplers: dict[tuple[int, int], StreamResampler] = {}
        self._resampled_next: dict[tuple[int, int], int] = {}  # per resampler: where its next output goes
        self._closed = threading.Event()
        self._written = threading.Condition()
        self.late_frames = 0  # audio that arrived after its place had been written
        self.error: OSError | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("wb")
        self._file.write(wav_header(rate, 0))
        self._file.flush()
        self._thread = threading.Thread(target=self._run, name="call-recorder", daemon=True)
        self._thread.start()

    # --- any thread ---------------------------------------------------------------------------------------------------

    def trainee(self, pcm: bytes, at: float, rate: int | None = None) -> None:
        """The trainee's audio (PCM16 LE mono), first sample captured at monotonic time `at`. Never blocks."""
        self._put(TRAINEE, pcm, at, rate)

    def seller(self, pcm: bytes, at: float, rate: int | None = None) -> None:
        """The seller's audio as played, first sample reaching the speaker at `at`. Never blocks."""
        self._put(SELLER, pcm, at, rate)

    def _put(self, channel: int, pcm: bytes, at: float, rate: int | None) -> None:
        if pcm and not self._closed.is_set():
            self._queue.put(_Chunk(channel, pcm, at, rate or self.rate))

    @property
    def duration_ms(self) -> int:
        return int(self._committed * 1000 // self.rate)

    def wait_written(self, duration_ms: int, timeout: float) -> bool:
        """Wait until at least `duration_ms` of the call is on disk and counted in the header."""
        with self._written:
            return self._written.wait_for(lambda: self.duration_ms >= duration_ms, timeout)

    def close(self, timeout: float = 2.0) -> int:
        """Write what is left, finish the header, and return the recording's length in milliseconds."""
        if not self._closed.is_set():
            self._closed.set()
            self._queue.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the call recorder did not finish within %.1f s", timeout)
        return self.duration_ms

    # --- writer thread ------------------------------------------------------------------------------------------------

    def _run(self) -> None:
        last_flush = time.monotonic()
        try:
            while True:
                try:
                    item = self._queue.get(timeout=self._flush_every)
                except queue.Empty:
                    item = _TICK
                if item is None:
                    break
                if item is not _TICK:
                    try:
                        self._place(item)
                    except Exception:  # one bad chunk must not end the recording
                        log.exception("the call recorder skipped a chunk")
                if time.monotonic() - last_flush >= self._flush_every:
                    self._commit(self._end - self._hold_frames)
                    last_flush = time.monotonic()
            for key in list(self._resamplers):
                try:
                    self._place_held_end(key)
                except Exception:
                    log.exception("the call recorder skipped the end of a resampled side")
            self._commit(self._end)
        finally:
            self._file.close()

    def _samples(self, chunk: _Chunk) -> tuple[np.ndarray, float, tuple[int, int] | None]:
        """The chunk at the recording's rate, when its first sample was heard or captured, and its resampler's key.

        A resampler holds back the end of what it was given (a few tens of ms) until more comes: what it returns
        starts that much before the chunk. When a side pauses, what was held back is written where it belongs."""
        if chunk.rate == self.rate:
            return pcm16_samples(chunk.pcm), chunk.at, None
        key = (chunk.channel, chunk.rate)
        resampler = self._resamplers.get(key)
        if resampler is None:
            resampler = self._resamplers[key] = StreamResampler(chunk.rate, self.rate)
        follows = self._resampled_next.get(key)
        target = (chunk.at - self.started_at) * self.rate
        if follows is not None and abs(target - (follows + resampler.held_frames)) > self._tolerance_frames:
            self._place_held_end(key)  # a pause: the held-back end goes right after what came before it
        at = chunk.at - resampler.held_frames / self.rate
        return pcm16_samples(resampler.process(chunk.pcm)), at, key

    def _place_held_end(self, key: tuple[int, int]) -> None:
        """Write what the resampler `key` holds back right after the audio it gave before."""
        tail = self._resamplers[key].flush()
        follows = self._resampled_next.pop(key, None)
        if tail and follows is not None:
            self._place(_Chunk(key[0], tail, self.started_at + follows / self.rate, self.rate))

    def _place(self, chunk: _Chunk) -> None:
        samples, at, key = self._samples(chunk)
        if samples.size == 0:
            return
        target = int(round((at - self.started_at) * self.rate))
        expected = self._next[chunk.channel]
        start = expected if expected is not None and abs(target - expected) <= self._tolerance_frames else target
        end = start + samples.size
        self._next[chunk.channel] = end
        if key is not None:
            self._resampled_next[key] = end
        if start > self._end + self._hold_frames:  # a long stretch with no audio at all: write it out as silence
            self._commit(self._end)
            self._write_silence(start - self._hold_frames)
        if start < self._committed:  # before the call started, or its place is already on disk
            skipped = min(samples.size, self._committed - start)
            self.late_frames += skipped if start >= 0 else 0
            samples, start = samples[skipped:], start + skipped
            if samples.size == 0:
                return
        needed = end - self._committed
        if needed > len(self._window):
            grown = np.zeros((max(needed, 2 * len(self._window)), CHANNELS), dtype="<i2")
            grown[: len(self._window)] = self._window
            self._window = grown
        offset = start - self._committed
        self._window[offset : offset + samples.size, chunk.channel] = samples
        self._end = max(self._end, end)

    def _commit(self, upto: int) -> None:
        """Append the window's frames before `upto` to the file."""
        count = upto - self._committed
        if count <= 0 or not self._append([self._window[:count].tobytes()], count):
            return
        remaining = self._window[count:]
        self._window = np.zeros((max(len(remaining), self._hold_frames * 2), CHANNELS), dtype="<i2")
        self._window[: len(remaining)] = remaining

    def _write_silence(self, upto: int) -> None:
        """Append silence up to frame `upto`; only called when the window holds no audio."""
        count = upto - self._committed
        block = bytes(self.rate * CHANNELS * SAMPLE_BYTES)  # one second
        whole, rest = divmod(count * CHANNELS * SAMPLE_BYTES, len(block))
        if count > 0 and self._append([block] * whole + [block[:rest]], count):
            self._window[:] = 0
            self._end = max(self._end, self._committed)

    def _append(self, parts: list[bytes], frames: int) -> bool:
        """Write frames at the end of the file, then the header that counts them, then make both durable."""
        if self.error is not None:
            return False
        try:
            for part in parts:
                self._file.write(part)
            data_bytes = (self._committed + frames) * CHANNELS * SAMPLE_BYTES
            self._file.seek(0)
            self._file.write(wav_header(self.rate, data_bytes))
            self._file.seek(0, os.SEEK_END)
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            self.error = exc
            log.error("the call recording stopped: %s", exc)
            return False
        with self._written:
            self._committed += frames
            self._written.notify_all()
        return True


def repair_recording(path: Path | str) -> int | None:
    """Make a recording left by a crash playable: the header's sizes are set to the data actually on disk (a torn
    last frame is cut). Returns its length in milliseconds, or None when the file is not a recording."""
    path = Path(path)
    try:
        with path.open("r+b") as file:
            header = file.read(HEADER_BYTES)
            if len(header) < HEADER_BYTES or header[:4] != b"RIFF" or header[8:16] != b"WAVEfmt ":
                log.warning("not a recording, left as it is: %s", path.name)
                return None
            channels, rate = struct.unpack_from("<HI", header, 22)
            block_align = struct.unpack_from("<H", header, 32)[0]
            if header[36:40] != b"data" or rate <= 0 or block_align <= 0:
                log.warning("unexpected recording layout, left as it is: %s", path.name)
                return None
            size = file.seek(0, os.SEEK_END)
            data_bytes = (size - HEADER_BYTES) // block_align * block_align
            file.truncate(HEADER_BYTES + data_bytes)
            file.seek(0)
            file.write(wav_header(rate, data_bytes, channels))
    except OSError as exc:
        log.warning("could not repair the recording %s: %s", path.name, exc)
        return None
    return int(data_bytes // block_align * 1000 // rate)
