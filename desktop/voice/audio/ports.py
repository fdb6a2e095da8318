"""The real devices of a voice call, as the call engine wants them (`AudioPorts`),
plus a recorder.

Qt-free; the call engine calls the factory on its control thread once the agent has said which sample rates it uses.
Both devices open inside the factory, so a microphone that fails after the speaker opened closes the speaker again.
The ports can switch to another microphone or speaker mid-call (`switch_input` / `switch_output`, from a worker
thread): the new device opens first, and only then replaces the old one, so a failed switch keeps the call's audio.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime

from desktop.voice.audio.devices import AudioDeviceError, list_input_devices, list_output_devices
from desktop.voice.audio.recorder import CallRecorder, recording_path
from desktop.voice.audio.streams import MicrophoneStream, SpeakerStream
from desktop.voice.call.setup import AudioPorts

log = logging.getLogger(__name__)

ErrorSink = Callable[[str], None]


class MicPort:
    """The engine's MicrophoneInput: the current device, its speech segments on the call's clock, and a level."""

    def __init__(self, make: Callable[[str, Callable[[bytes, float], None]], MicrophoneStream], device: str, t0: float):
        self._make = make
        self._t0 = t0
        self._tokens = itertools.count(1)
        self._current = 0
        self._muted = False
        self._agent_speaking = False
        self._retired: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._forward: Callable[[bytes, float], None] = lambda pcm, at: None
        self._mic = self._open(device)

    def set_forward(self, forward: Callable[[bytes, float], None]) -> None:
        self._forward = forward

    def _open(self, device: str) -> MicrophoneStream:
        token = next(self._tokens)
        mic = self._make(device, lambda pcm, at: self._chunk(token, pcm, at))
        mic.set_muted(self._muted)
        mic.set_agent_speaking(self._agent_speaking)
        mic.start()  # raises AudioDeviceError
        self._current = token
        return mic

    def _chunk(self, token: int, pcm: bytes, at: float) -> None:
        if token == self._current:  # a device being replaced may still deliver a chunk or two
            self._forward(pcm, at)

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        self._mic.set_muted(self._muted)

    @property
    def level(self) -> float:
        return self._mic.level

    @property
    def device_name(self) -> str:
        device = self._mic.device
        return device.name if device is not None else ""

    def start(self) -> None:
        """Already capturing: the factory opened the device."""

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            mic = self._mic
        mic.stop()

    def set_agent_speaking(self, speaking: bool) -> None:
        self._agent_speaking = speaking
        self._mic.set_agent_speaking(speaking)

    def speech_segments(self) -> list[tuple[float, float]]:
        with self._lock:
            mic, retired = self._mic, list(self._retired)
        return retired + self._relative(mic)

    def _relative(self, mic: MicrophoneStream) -> list[tuple[float, float]]:
        shift = mic.started_at - self._t0  # the VAD counts from the device's start; the transcript from the call's
        return [(s.start + shift, s.end + shift) for s in mic.speech_segments()]

    def switch(self, device: str) -> None:
        new = self._open(device)
        with self._lock:
            if self._stopped:  # the call ended while the new device was opening
                old = new
            else:
                old, self._mic = self._mic, new
                self._retired.extend(self._relative(old))
        new.set_muted(self._muted)  # a mute pressed while the device was opening
        old.stop()


class SpeakerPort:
    """The engine's SpeakerOutput: plays through the current device; an interruption's floor carries over to a new
    one."""

    def __init__(self, make: Callable[[str], SpeakerStream], device: str) -> None:
        self._make = make
        self._floor: int | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._speaker = self._open(device)

    def _open(self, device: str) -> SpeakerStream:
        speaker = self._make(device)
        speaker.start()  # raises AudioDeviceError
        if self._floor is not None:
            speaker.interrupt(self._floor)
        return speaker

    @property
    def level(self) -> float:
        return self._speaker.level

    @property
    def device_name(self) -> str:
        device = self._speaker.device
        return device.name if device is not None else ""

    @property
    def is_speaking(self) -> bool:
        return self._speaker.is_speaking

    def start(self) -> None:
        """Already playing silence: the factory opened the device."""

    def play(self, pcm: bytes, event_id: int) -> None:
        self._speaker.play(pcm, event_id)

    def interrupt(self, event_id: int) -> None:
        self._floor = event_id
        self._speaker.interrupt(event_id)

    def drain(self, timeout: float) -> bool:
        return self._speaker.drain(timeout)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            speaker = self._speaker
        speaker.stop()

    def switch(self, device: str) -> None:
        new = self._open(device)
        with self._lock:
            if self._stopped:  # the call ended while the new device was opening
                old = new
            else:
                old, self._speaker = self._speaker, new
        old.stop()


class DeviceAudioFactory:
    """An AudioFactory for desktop.voice.call.engine.Call with the trainee's chosen devices; records both sides."""

    def __init__(
        self,
        input_device: str = "",
        output_device: str = "",
        *,
        echo_guard: bool = False,
        record: bool = True,
        on_ports: Callable[[AudioPorts], None] | None = None,
    ) -> None:
        self.input_device = input_device
        self.output_device = output_device
        self.echo_guard = echo_guard
        self.record = record
        self.on_ports = on_ports
        self.ports: AudioPorts | None = None

    def __call__(
        self,
        input_rate: int,
        output_rate: int,
        on_mic_chunk: Callable[[bytes, float], None],
        on_error: ErrorSink,
        t0: float,
    ) -> AudioPorts:
        def device_error(error: AudioDeviceError) -> None:
            on_error(error.message)

        recorder = None
        if self.record:
            name = f"call-{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
            recorder = CallRecorder(recording_path(name), rate=output_rate, started_at=t0)

        def make_speaker(device: str) -> SpeakerStream:
            speaker: SpeakerStream

            def played(pcm: bytes, when: float) -> None:
                if recorder is not None:
                    recorder.seller(pcm, when, speaker.device_rate)

            speaker = SpeakerStream(device=device or None, rate=output_rate, on_played=played, on_error=device_error)
            return speaker

        def make_mic(device: str, on_chunk: Callable[[bytes, float], None]) -> MicrophoneStream:
            return MicrophoneStream(
                on_chunk, device=device or None, rate=input_rate, echo_guard=self.echo_guard, on_error=device_error
            )

        def mic_chunk(pcm: bytes, at: float) -> None:
            if recorder is not None:
                recorder.trainee(pcm, at, input_rate)
            on_mic_chunk(pcm, at)

        speaker = mic = None
        try:
            speaker = SpeakerPort(make_speaker, self.output_device)
            mic = MicPort(make_mic, self.input_device, t0)
            mic.set_forward(mic_chunk)
        except Exception:
            if speaker is not None:
                speaker.stop()
            if recorder is not None:
                recorder.close()
                recorder.path.unlink(missing_ok=True)  # nothing was recorded
            raise
        ports = AudioPorts(microphone=mic, speaker=speaker, recorder=recorder)
        self.ports = ports
        if self.on_ports is not None:
            self.on_ports(ports)
        return ports


def device_names() -> tuple[list[str], list[str]]:
    """(microphones, speakers) by name, the system default first. Slow (PortAudio starts): call off the GUI thread."""
    try:
        return [d.name for d in list_input_devices()], [d.name for d in list_output_devices()]
    except Exception:  # no PortAudio at all: the menu says "System default"
        log.warning("could not list audio devices", exc_info=True)
        return [], []
