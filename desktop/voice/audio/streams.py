"""Real-time microphone and speaker for a call: PyAudio in callback mode, Qt-free, never blocking the caller.

`MicrophoneStream` captures PCM16 LE mono at the negotiated input rate in 20 ms chunks (resampled when the device
cannot run at that rate) and hands each chunk to `on_chunk(pcm, captured_at)` on PortAudio's thread. `SpeakerStream`
plays agent audio from a jitter buffer, 10 ms per device callback, so an interruption is heard within a few callbacks.

What happens to each chunk is in two device-free classes, `CaptureChain` (resample, mute, echo guard, level, voice
activity) and `Playout` (jitter buffer to device block, first-sample and played-audio reports), so it can be tested
without a sound card.

Callbacks given to these classes run on PortAudio's audio thread: they must be quick and must not block (hand work to
another thread, as `AgentConnection.send_audio` and `CallRecorder` do). Times are `time.monotonic()` seconds, converted
from PortAudio's stream clock, so that they can be compared with network arrival times and the call's start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import pyaudio

from desktop.voice.audio.devices import STALL_TIMEOUT, DeviceStream, ErrorListener, stream_time_to_monotonic
from desktop.voice.audio.jitter import JitterBuffer
from desktop.voice.audio.resample import StreamResampler, apply_gain_ramp, rms_level
from desktop.voice.audio.vad import EnergyVad, SpeechSegment

BYTES_PER_SAMPLE = 2
MAX_SPEAKER_PERIOD_MS = 40
# Echo guard: while the agent speaks, the mic is turned down by 20 dB. Laptop-speaker echo reaches the mic some 20-30 dB
# below a trainee talking into it, so this takes the echo under the agent's speech detection while a trainee who
# deliberately talks over the agent still gets through (barge-in keeps working, unlike a full mute).
ECHO_GUARD_GAIN = 0.1
# The guard stays on this long after the last agent sample has reached the speaker: room echo and the device's own
# output buffering keep sound coming out for a moment.
ECHO_GUARD_RELEASE = 0.2


class CaptureChain:
    """Each mic chunk on its way to the agent: resampled to the negotiated rate, silenced when muted, ducked by the
    echo guard while the agent speaks, then measured (level, voice activity). Level and speech timing are of what the
    agent hears: muted or ducked audio is not the trainee talking."""

    def __init__(
        self,
        device_rate: int,
        rate: int,
        *,
        echo_guard: bool = False,
        vad: EnergyVad | None = None,
        started_at: float = 0.0,
    ) -> None:
        self.device_rate = device_rate
        self.rate = rate
        self.echo_guard = echo_guard
        self.vad = vad or EnergyVad()
        self.started_at = started_at
        self.muted = False
        self.level = 0.0
        self._resampler = None if device_rate == rate else StreamResampler(device_rate, rate)
        self._agent_speaking = False
        self._agent_stopped_at = float("-inf")
        self._gain = 1.0

    def set_agent_speaking(self, speaking: bool, now: float) -> None:
        if self._agent_speaking and not speaking:
            self._agent_stopped_at = now
        self._agent_speaking = speaking

    def target_gain(self, now: float) -> float:
        if not self.echo_guard:
            return 1.0
        ducked = self._agent_speaking or now - self._agent_stopped_at < ECHO_GUARD_RELEASE
        return ECHO_GUARD_GAIN if ducked else 1.0

    def process(self, pcm: bytes, captured_at: float, now: float) -> tuple[bytes, SpeechSegment | None]:
        """One device chunk in; the chunk to send and, when one just ended, a speech segment out."""
        if self._resampler is not None:
            pcm = self._resampler.process(pcm)
        if self.muted:
            pcm = bytes(len(pcm))
        else:
            gain = self.target_gain(now)
            pcm = apply_gain_ramp(pcm, self._gain, gain)
            self._gain = gain
        self.level = rms_level(pcm)
        segment = self.vad.process(self.level, captured_at - self.started_at, len(pcm) / BYTES_PER_SAMPLE / self.rate)
        return pcm, segment


class Playout:
    """Turns the jitter buffer into device blocks and says what was played when.

    `next_block(nbytes, now, dac)` is called once per device period with the time its first sample will reach the
    device (`dac`); it returns exactly `nbytes`, padded with silence. It reports the first sample of each turn
    (`on_first_sample(event_id, when)`), the audio actually written (`on_played(pcm, when)`, no padding) and changes in
    whether agent audio is coming out (`on_speaking(bool)`). `idle` is set once everything queued has been heard.
    """

    def __init__(
        self,
        buffer: JitterBuffer,
        *,
        on_first_sample: Callable[[int, float], None] | None = None,
        on_played: Callable[[bytes, float], None] | None = None,
        on_speaking: Callable[[bool], None] | None = None,
    ) -> None:
        self.buffer = buffer
        self.idle = threading.Event()
        self.idle.set()
        self.speaking = False
        self.level = 0.0
        self._on_first_sample = on_first_sample
        self._on_played = on_played
        self._on_speaking = on_speaking
        self._audio_until = float("-inf")  # when the last sample written so far leaves the device
        self._announced_event: int | None = None

    def push(self, pcm: bytes, event_id: int) -> bool:
        with self.buffer.lock:
            accepted = self.buffer.push_locked(pcm, event_id)
            if accepted:
                self.idle.clear()
        return accepted

    def interrupt(self, event_id: int) -> int:
        dropped = self.buffer.interrupt(event_id)
        self._announced_event = None  # the reply may reuse the id; its first sample is news
        return dropped

    def next_block(self, nbytes: int, now: float, dac: float) -> bytes:
        seconds_per_byte = 1 / self.buffer.bytes_per_second
        with self.buffer.lock:
            data, starts = self.buffer.read_locked(nbytes)
            if data:
                self._audio_until = dac + len(data) * seconds_per_byte
            elif now >= self._audio_until:
                self.idle.set()
        for start in starts:
            if start.event_id != self._announced_event:
                self._announced_event = start.event_id
                if self._on_first_sample is not None:
                    self._on_first_sample(start.event_id, dac + start.offset * seconds_per_byte)
        if data and self._on_played is not None:
            self._on_played(data, dac)
        self.level = rms_level(data) if data else 0.0
        speaking = bool(data) or now < self._audio_until
        if speaking != self.speaking:
            self.speaking = speaking
            if self._on_speaking is not None:
                self._on_speaking(speaking)
        return data + bytes(nbytes - len(data)) if len(data) < nbytes else data


class MicrophoneStream(DeviceStream):
    """The trainee's microphone. `on_chunk(pcm, captured_at)` gets every chunk, silence included while muted;
    `captured_at` is when the chunk's first sample was captured (PortAudio's ADC time, as time.monotonic())."""

    kind = "microphone"

    def __init__(
        self,
        on_chunk: Callable[[bytes, float], None],
        *,
        device: str | None = None,
        rate: int = 16000,
        chunk_ms: int = 20,
        echo_guard: bool = False,
        vad: EnergyVad | None = None,
        on_speech: Callable[[SpeechSegment], None] | None = None,
        on_error: ErrorListener | None = None,
        pa: pyaudio.PyAudio | None = None,
        stall_timeout: float = STALL_TIMEOUT,
    ) -> None:
        if not 20 <= chunk_ms <= 50:
            raise ValueError(f"chunk_ms must be 20-50, got {chunk_ms}")
        super().__init__(device, on_error, pa, stall_timeout)
        self.rate = rate
        self.chunk_ms = chunk_ms
        self.chain = CaptureChain(rate, rate, echo_guard=echo_guard, vad=vad)
        self._on_chunk = on_chunk
        self._on_speech = on_speech
        self.chunks = 0

    def start(self) -> None:
        """Open the device and start capturing. Raises AudioDeviceError with words for the trainee."""
        self._open(True, self.rate, self.chunk_ms, self._callback)

    def _before_open(self) -> None:
        old = self.chain
        chain = CaptureChain(self.device_rate, self.rate, echo_guard=old.echo_guard, vad=old.vad)
        chain.started_at, chain.muted = self.started_at, old.muted
        self.chain = chain

    @property
    def muted(self) -> bool:
        return self.chain.muted

    def set_muted(self, muted: bool) -> None:
        """Muted, the mic keeps sending chunks at the same cadence, all silence (the agent needs a steady stream)."""
        self.chain.muted = muted

    @property
    def echo_guard(self) -> bool:
        return self.chain.echo_guard

    def set_echo_guard(self, enabled: bool) -> None:
        self.chain.echo_guard = enabled

    def set_agent_speaking(self, speaking: bool) -> None:
        """Tell the echo guard whether agent audio is coming out of the speaker (see ECHO_GUARD_GAIN)."""
        self.chain.set_agent_speaking(speaking, time.monotonic())

    @property
    def level(self) -> float:
        """RMS of the last chunk sent, 0..1."""
        return self.chain.level

    def speech_segments(self) -> list[SpeechSegment]:
        """The trainee's speech so far, in seconds since the microphone started."""
        return self.chain.vad.segments()

    def _callback(self, in_data: bytes | None, frame_count: int, time_info: Mapping[str, float], status: int) -> Any:
        try:
            now = time.monotonic()
            self._last_callback = now
            captured_at = stream_time_to_monotonic(time_info.get("input_buffer_adc_time", 0.0), time_info, now)
            if captured_at is None:
                captured_at = now - frame_count / self.device_rate
            pcm, segment = self.chain.process(in_data or bytes(frame_count * BYTES_PER_SAMPLE), captured_at, now)
            self.chunks += 1
            if segment is not None and self._on_speech is not None:
                self._on_speech(segment)
            self._on_chunk(pcm, captured_at)
        except Exception as exc:  # never let an exception kill PortAudio's thread silently
            self._callback_error = exc
            return None, pyaudio.paAbort
        return None, pyaudio.paContinue

    def stop(self, timeout: float = 2.0) -> bool:
        closed = super().stop(timeout)
        segment = self.chain.vad.finish()
        if segment is not None and self._on_speech is not None:
            self._on_speech(segment)
        return closed


class SpeakerStream(DeviceStream):
    """Agent audio out. `play` and `interrupt` from any thread; the device reads 10 ms at a time (at most 40 ms).

    Hooks, called on PortAudio's thread (see `Playout`): `on_first_sample(event_id, when)` when a turn's first sample
    reaches the device, `on_played(pcm, when)` with exactly the audio written (at `device_rate`) and when its first
    sample plays, `on_speaking(bool)` when agent audio starts or stops coming out.
    """

    kind = "speaker"

    def __init__(
        self,
        *,
        device: str | None = None,
        rate: int = 16000,
        period_ms: int = 10,
        on_first_sample: Callable[[int, float], None] | None = None,
        on_played: Callable[[bytes, float], None] | None = None,
        on_speaking: Callable[[bool], None] | None = None,
        on_error: ErrorListener | None = None,
        pa: pyaudio.PyAudio | None = None,
        stall_timeout: float = STALL_TIMEOUT,
    ) -> None:
        if not 5 <= period_ms <= MAX_SPEAKER_PERIOD_MS:
            raise ValueError(f"period_ms must be 5-{MAX_SPEAKER_PERIOD_MS}, got {period_ms}")
        super().__init__(device, on_error, pa, stall_timeout)
        self.rate = rate
        self.period_ms = period_ms
        self._hooks = {"on_first_sample": on_first_sample, "on_played": on_played, "on_speaking": on_speaking}
        self.playout = Playout(JitterBuffer(rate * BYTES_PER_SAMPLE), **self._hooks)
        self._resampler: StreamResampler | None = None
        self._resample_lock = threading.Lock()
        self._resampled_event: int | None = None  # the turn whose end the resampler may still hold back

    def start(self) -> None:
        """Open the device and start playing (silence until audio arrives). Raises AudioDeviceError."""
        self._open(False, self.rate, self.period_ms, self._callback)

    def _before_open(self) -> None:
        if self.device_rate != self.rate:
            self.playout = Playout(JitterBuffer(self.device_rate * BYTES_PER_SAMPLE), **self._hooks)
            self._resampler = StreamResampler(self.rate, self.device_rate)

    @property
    def is_speaking(self) -> bool:
        return self.playout.speaking

    @property
    def level(self) -> float:
        """RMS of the block last written to the device, 0..1."""
        return self.playout.level

    @property
    def queued_seconds(self) -> float:
        return self.playout.buffer.queued_seconds

    def play(self, pcm: bytes, event_id: int) -> bool:
        """Queue agent audio (PCM16 LE mono at `rate`). False when refused: older than an interruption, or stopped."""
        buffer = self.playout.buffer
        if self._stopping.is_set():
            return False
        if buffer.is_stale(event_id):  # checked before resampling, to skip the work
            buffer.dropped_stale += 1
            return False
        if self._resampler is not None:
            with self._resample_lock:
                if event_id != self._resampled_event:
                    self._push_held_end_locked()  # the last turn's end plays before the new turn, not inside it
                pcm = self._resampler.process(pcm)
                self._resampled_event = event_id
        pcm = pcm[: len(pcm) - len(pcm) % BYTES_PER_SAMPLE]
        return bool(pcm) and self.playout.push(pcm, event_id)

    def _push_held_end_locked(self) -> None:
        """Queue what the resampler holds back (the end of what was played so far); call with the resample lock."""
        if self._resampler is None or self._resampled_event is None:
            return
        tail = self._resampler.flush()
        tail = tail[: len(tail) - len(tail) % BYTES_PER_SAMPLE]
        if tail:
            self.playout.push(tail, self._resampled_event)

    def interrupt(self, event_id: int) -> float:
        """Drop all queued audio now; refuse audio older than `event_id` from now on. Returns the seconds dropped."""
        if self._resampler is not None:
            with self._resample_lock:  # what the resampler holds of the interrupted turn must not be heard either
                self._resampler.reset()
                self._resampled_event = None
        return self.playout.interrupt(event_id) / self.playout.buffer.bytes_per_second

    def drain(self, timeout: float) -> bool:
        """Wait until every queued sample has been played out of the device. False on timeout."""
        if not self.is_running:
            return self.playout.buffer.queued_bytes == 0
        return self.playout.idle.wait(timeout)

    def _callback(self, in_data: bytes | None, frame_count: int, time_info: Mapping[str, float], status: int) -> Any:
        try:
            now = time.monotonic()
            self._last_callback = now
            dac = stream_time_to_monotonic(time_info.get("output_buffer_dac_time", 0.0), time_info, now)
            self._release_held_end(frame_count * BYTES_PER_SAMPLE)
            block = self.playout.next_block(frame_count * BYTES_PER_SAMPLE, now, now if dac is None else dac)
        except Exception as exc:
            self._callback_error = exc
            return bytes(frame_count * BYTES_PER_SAMPLE), pyaudio.paAbort
        return block, pyaudio.paContinue

    def _release_held_end(self, nbytes: int) -> None:
        """When the queue is about to run dry (a turn ends, or the network is late), the resampler's held-back end of
        it is queued so that it plays now, right after the rest. Never waits for the lock on the audio thread."""
        resampler = self._resampler
        if resampler is None or not resampler.holding or self.playout.buffer.queued_bytes >= nbytes:
            return
        if self._resample_lock.acquire(blocking=False):
            try:
                self._push_held_end_locked()
            finally:
                self._resample_lock.release()

    def stop(self, timeout: float = 2.0) -> bool:
        closed = super().stop(timeout)
        self.playout.buffer.clear()
        self.playout.idle.set()
        return closed
