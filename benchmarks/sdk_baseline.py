"""The official ElevenLabs Python SDK's default audio set-up, re-implemented from its documented behaviour (our own
code, no SDK import) so the latency benchmark can measure it beside ours in the same run.

What `DefaultAudioInterface` (elevenlabs-python, conversational_ai/default_audio_interface.py) does, as the
ElevenLabs protocol reference (../shared/reference/elevenlabs-agents-protocol.md, section 5) documents it:
- input: a PyAudio callback stream, 16 kHz mono PCM16, `frames_per_buffer=4000` (250 ms); each buffer goes straight to
  the input callback;
- output: a blocking PyAudio stream, 16 kHz mono, `frames_per_buffer=1000` (62.5 ms), written by a dedicated thread
  that takes whole chunks from a `queue.Queue` with `get(timeout=0.25)` and calls `out_stream.write(chunk)`;
- `interrupt()` empties the queue with `get(block=False)`; audio already handed to `write()` still plays;
- the SDK's Conversation drops agent audio whose event id is `<=` the last interruption's (`<` is the protocol's rule;
  the benchmark's event ids never hit the difference).

The only addition is measurement: the input callback also reports the capture time of each buffer's first sample,
computed from PortAudio's time info exactly as our Microphone does, so both are timed the same way.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import pyaudio

from desktop.voice.audio.devices import stream_time_to_monotonic

INPUT_FRAMES_PER_BUFFER = 4000  # 250 ms @ 16 kHz
OUTPUT_FRAMES_PER_BUFFER = 1000  # 62.5 ms @ 16 kHz
RATE = 16000


class SdkStyleAudio:
    """DefaultAudioInterface's shape: start(input_callback), output(audio), interrupt(), stop()."""

    def __init__(self) -> None:
        self._pa: pyaudio.PyAudio | None = None
        self._in_stream: Any = None
        self._out_stream: Any = None
        self._queue: queue.Queue[bytes] = queue.Queue()
        self._should_stop = threading.Event()
        self._output_thread: threading.Thread | None = None
        self._input_callback: Callable[[bytes, float], None] | None = None
        self._last_interrupt_id = 0

    def start(self, input_callback: Callable[[bytes, float], None]) -> None:
        self._input_callback = input_callback
        self._pa = pyaudio.PyAudio()
        self._in_stream = self._pa.open(
            format=pyaudio.paInt16,
            channels=1,
            rate=RATE,
            input=True,
            stream_callback=self._in_callback,
            frames_per_buffer=INPUT_FRAMES_PER_BUFFER,
            start=True,
        )
        self._out_stream = self._pa.open(
            format=pyaudio.paInt16,
            channels=1,
            rate=RATE,
            output=True,
            frames_per_buffer=OUTPUT_FRAMES_PER_BUFFER,
            start=True,
        )
        self._output_thread = threading.Thread(target=self._output_loop, name="sdk-output", daemon=True)
        self._output_thread.start()

    def stop(self) -> None:
        self._should_stop.set()
        if self._output_thread is not None:
            self._output_thread.join()
        self._in_stream.stop_stream()
        self._in_stream.close()
        self._out_stream.close()
        assert self._pa is not None
        self._pa.terminate()

    def output(self, audio: bytes) -> None:
        self._queue.put(audio)

    def interrupt(self) -> None:
        try:
            while True:
                self._queue.get(block=False)
        except queue.Empty:
            pass

    # The Conversation-level rules the SDK applies around the interface.
    def play(self, pcm: bytes, event_id: int) -> None:
        if event_id <= self._last_interrupt_id:
            return
        self.output(pcm)

    def on_interruption(self, event_id: int) -> None:
        self._last_interrupt_id = event_id
        self.interrupt()

    def _output_loop(self) -> None:
        while not self._should_stop.is_set():
            try:
                audio = self._queue.get(timeout=0.25)
                self._out_stream.write(audio)
            except queue.Empty:
                pass

    def _in_callback(self, in_data: bytes, frame_count: int, time_info: Mapping[str, float], status: int) -> Any:
        now = time.monotonic()
        captured_at = stream_time_to_monotonic(time_info.get("input_buffer_adc_time", 0.0), time_info, now)
        if captured_at is None:
            captured_at = now - frame_count / RATE
        if self._input_callback is not None:
            self._input_callback(in_data, captured_at)
        return None, pyaudio.paContinue
